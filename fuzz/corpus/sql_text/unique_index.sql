CREATE UNIQUE INDEX idx_video_metrics_one_snapshot_per_instant
ON video_metrics (video_id, platform, julianday(timestamp));
