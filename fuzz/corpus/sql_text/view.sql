CREATE VIEW latest_video_metrics AS
SELECT
    m.id,
    m.video_id,
    m.platform,
    m.views,
    m.likes,
    m.comments,
    m.shares,
    m.saves,
    m.watch_time_seconds,
    m.engagement_rate,
    m.timestamp,
    m.created_at,
    v.id AS metadata_id,
    v.title,
    v.description,
    v.topic,
    v.script_path,
    v.audio_path,
    v.video_path,
    v.duration_seconds,
    v.created_at AS metadata_created_at,
    v.posted_at,
    v.status
FROM video_metrics AS m
LEFT JOIN video_metadata AS v ON v.video_id = m.video_id
WHERE NOT EXISTS (
    SELECT 1
    FROM video_metrics AS newer
    WHERE newer.video_id = m.video_id
      AND newer.platform = m.platform
      AND newer.timestamp > m.timestamp
);
