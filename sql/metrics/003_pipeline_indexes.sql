-- metrics, version 3: indexes for the pipeline's reports.
--
-- The best engagement on a platform since a date
-- (WHERE platform = ? AND timestamp >= ? ORDER BY engagement_rate DESC
-- LIMIT n): the platform's snapshots in the order of their engagement, with
-- their time in the index, so that SQLite reads entries from the best down,
-- skips the older ones without reading their rows, and stops at the n-th;
-- without it, it sorts every snapshot of the platform since the date in a
-- temporary B-tree, or walks idx_video_metrics_engagement across all
-- platforms.
CREATE INDEX idx_video_metrics_platform_engagement
ON video_metrics (platform, engagement_rate DESC, timestamp);

-- The videos of a status, newest first
-- (WHERE status = 'posted' ORDER BY created_at DESC LIMIT n): read in order
-- from the index, where idx_video_metadata_status alone needs a sort.
CREATE INDEX idx_video_metadata_status_created
ON video_metadata (status, created_at DESC);
