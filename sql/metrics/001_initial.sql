-- metrics, version 1: what each video is, and snapshots of how it performs on
-- each platform, as the original guide describes them.

CREATE TABLE video_metrics (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    video_id           TEXT    NOT NULL CHECK (length(trim(video_id)) > 0),
    platform           TEXT    NOT NULL CHECK (length(trim(platform)) > 0),
    views              INTEGER NOT NULL DEFAULT 0 CHECK (views >= 0),
    likes              INTEGER NOT NULL DEFAULT 0 CHECK (likes >= 0),
    comments           INTEGER NOT NULL DEFAULT 0 CHECK (comments >= 0),
    shares             INTEGER NOT NULL DEFAULT 0 CHECK (shares >= 0),
    saves              INTEGER NOT NULL DEFAULT 0 CHECK (saves >= 0),
    watch_time_seconds REAL    NOT NULL DEFAULT 0 CHECK (watch_time_seconds >= 0),
    engagement_rate    REAL    CHECK (engagement_rate BETWEEN 0.0 AND 1.0),
    timestamp          TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                               CHECK (julianday(timestamp) IS NOT NULL),
    created_at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                               CHECK (julianday(created_at) IS NOT NULL),
    UNIQUE (video_id, platform, timestamp)
);

CREATE TABLE video_metadata (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    video_id         TEXT    NOT NULL UNIQUE CHECK (length(trim(video_id)) > 0),
    title            TEXT,
    description      TEXT,
    topic            TEXT,
    script_path      TEXT,
    audio_path       TEXT,
    video_path       TEXT,
    duration_seconds REAL    CHECK (duration_seconds >= 0),
    created_at       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                             CHECK (julianday(created_at) IS NOT NULL),
    posted_at        TEXT    CHECK (posted_at IS NULL OR julianday(posted_at) IS NOT NULL),
    status           TEXT    NOT NULL DEFAULT 'draft'
                             CHECK (status IN ('draft', 'rendered', 'posted', 'archived'))
);

CREATE INDEX idx_video_metrics_video_id ON video_metrics (video_id);
CREATE INDEX idx_video_metrics_platform ON video_metrics (platform);
CREATE INDEX idx_video_metrics_timestamp ON video_metrics (timestamp DESC);
CREATE INDEX idx_video_metrics_engagement ON video_metrics (engagement_rate DESC);
CREATE INDEX idx_video_metadata_status ON video_metadata (status);
CREATE INDEX idx_video_metadata_topic ON video_metadata (topic);
CREATE INDEX idx_video_metadata_created ON video_metadata (created_at DESC);

-- The latest snapshot of each (video_id, platform), with the video's metadata
-- when there is any. A snapshot is the latest when no snapshot of the same
-- pair is newer: the UNIQUE (video_id, platform, timestamp) index answers that
-- with one seek, and makes the latest one unique.
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
    v.title,
    v.topic,
    v.status,
    v.posted_at
FROM video_metrics AS m
LEFT JOIN video_metadata AS v ON v.video_id = m.video_id
WHERE NOT EXISTS (
    SELECT 1
    FROM video_metrics AS newer
    WHERE newer.video_id = m.video_id
      AND newer.platform = m.platform
      AND newer.timestamp > m.timestamp
);
