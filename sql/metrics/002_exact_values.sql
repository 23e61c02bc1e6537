-- metrics, version 2: values that stay right (see sql/trends/003_exact_values.sql
-- for the rules): one stored time form, counts that are integers, scores and
-- durations that are reals; and latest_video_metrics offers every column of
-- the snapshot and of the video's metadata.

CREATE TABLE video_metrics (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    video_id           TEXT    NOT NULL CHECK (length(trim(video_id)) > 0),
    platform           TEXT    NOT NULL CHECK (length(trim(platform)) > 0),
    views              INTEGER NOT NULL DEFAULT 0 CHECK (typeof(views) = 'integer' AND views >= 0),
    likes              INTEGER NOT NULL DEFAULT 0 CHECK (typeof(likes) = 'integer' AND likes >= 0),
    comments           INTEGER NOT NULL DEFAULT 0
                               CHECK (typeof(comments) = 'integer' AND comments >= 0),
    shares             INTEGER NOT NULL DEFAULT 0
                               CHECK (typeof(shares) = 'integer' AND shares >= 0),
    saves              INTEGER NOT NULL DEFAULT 0 CHECK (typeof(saves) = 'integer' AND saves >= 0),
    watch_time_seconds REAL    NOT NULL DEFAULT 0
                               CHECK (typeof(watch_time_seconds) = 'real' AND
                                      watch_time_seconds >= 0),
    engagement_rate    REAL    CHECK (engagement_rate IS NULL OR
                                      (typeof(engagement_rate) = 'real' AND
                                       engagement_rate BETWEEN 0.0 AND 1.0)),
    timestamp          TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                               CONSTRAINT timestamp_is_a_time CHECK (
                                   typeof(timestamp) = 'text' AND
                                   timestamp GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' AND
                                   julianday(timestamp) IS NOT NULL AND
                                   date(timestamp) = date(julianday(timestamp))),
    created_at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                               CONSTRAINT created_at_is_a_time CHECK (
                                   typeof(created_at) = 'text' AND
                                   created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' AND
                                   julianday(created_at) IS NOT NULL AND
                                   date(created_at) = date(julianday(created_at))),
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
    duration_seconds REAL    CHECK (duration_seconds IS NULL OR
                                    (typeof(duration_seconds) = 'real' AND
                                     duration_seconds >= 0)),
    created_at       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                             CONSTRAINT created_at_is_a_time CHECK (
                                 typeof(created_at) = 'text' AND
                                 created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' AND
                                 julianday(created_at) IS NOT NULL AND
                                 date(created_at) = date(julianday(created_at))),
    posted_at        TEXT    CONSTRAINT posted_at_is_a_time CHECK (
                                 posted_at IS NULL OR (
                                 typeof(posted_at) = 'text' AND
                                 posted_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' AND
                                 julianday(posted_at) IS NOT NULL AND
                                 date(posted_at) = date(julianday(posted_at)))),
    status           TEXT    NOT NULL DEFAULT 'draft'
                             CHECK (status IN ('draft', 'rendered', 'posted', 'archived'))
);

UPDATE video_metrics SET timestamp = strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp))
WHERE timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp));
UPDATE video_metrics SET created_at = strftime('%Y-%m-%d %H:%M:%f', julianday(created_at))
WHERE created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at));
UPDATE video_metadata SET created_at = strftime('%Y-%m-%d %H:%M:%f', julianday(created_at))
WHERE created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at));
UPDATE video_metadata SET posted_at = strftime('%Y-%m-%d %H:%M:%f', julianday(posted_at))
WHERE posted_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(posted_at));

-- The latest snapshot of each (video_id, platform): every column of it, and
-- every column of the video's metadata when there is any (its id and
-- created_at as metadata_id and metadata_created_at, beside the snapshot's).
-- Times have one stored form, so `newer.timestamp > m.timestamp` compares
-- instants; the UNIQUE (video_id, platform, timestamp) index answers it with
-- one seek.
DROP VIEW IF EXISTS latest_video_metrics;
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

-- One snapshot per instant, however it is spelled: a snapshot written in
-- another form meets the stored one here, before it is converted, under the
-- statement's own conflict policy (ABORT, FAIL, IGNORE, REPLACE, or an
-- upsert's DO NOTHING). Stored times have one form, so it holds the same
-- entries as UNIQUE (video_id, platform, timestamp), which the view uses.
CREATE UNIQUE INDEX idx_video_metrics_one_snapshot_per_instant
ON video_metrics (video_id, platform, julianday(timestamp));

-- Times written in another form that SQLite reads are converted to the
-- stored form, the instant SQLite reads in them (julianday), as they are
-- written, insert or update. Where something of the user's stops the
-- conversion (a BEFORE UPDATE trigger raising IGNORE, a UNIQUE index under
-- OR IGNORE or OR FAIL), the statement is refused rather than leave a time in
-- another form.
CREATE TRIGGER video_metrics_times_on_insert
AFTER INSERT ON video_metrics
FOR EACH ROW
WHEN NEW.timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.timestamp))
  OR NEW.created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.created_at))
BEGIN
    UPDATE video_metrics
    SET timestamp = strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp)),
        created_at = strftime('%Y-%m-%d %H:%M:%f', julianday(created_at))
    WHERE id = NEW.id;
    SELECT RAISE(ABORT, 'video_metrics: a time could not be converted to YYYY-MM-DD HH:MM:SS.SSS (a trigger or a UNIQUE index of yours stopped it)')
    FROM video_metrics
    WHERE id = NEW.id
      AND (timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp))
           OR created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at)));
END;

CREATE TRIGGER video_metrics_times_on_update
AFTER UPDATE OF timestamp, created_at ON video_metrics
FOR EACH ROW
WHEN NEW.timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.timestamp))
  OR NEW.created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.created_at))
BEGIN
    UPDATE video_metrics
    SET timestamp = strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp)),
        created_at = strftime('%Y-%m-%d %H:%M:%f', julianday(created_at))
    WHERE id = NEW.id
      AND (timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp))
           OR created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at)));
    SELECT RAISE(ABORT, 'video_metrics: a time could not be converted to YYYY-MM-DD HH:MM:SS.SSS (a trigger or a UNIQUE index of yours stopped it)')
    FROM video_metrics
    WHERE id = NEW.id
      AND (timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp))
           OR created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at)));
END;

CREATE TRIGGER video_metadata_times_on_insert
AFTER INSERT ON video_metadata
FOR EACH ROW
WHEN NEW.created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.created_at))
  OR NEW.posted_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.posted_at))
BEGIN
    UPDATE video_metadata
    SET created_at = strftime('%Y-%m-%d %H:%M:%f', julianday(created_at)),
        posted_at = strftime('%Y-%m-%d %H:%M:%f', julianday(posted_at))
    WHERE id = NEW.id;
    SELECT RAISE(ABORT, 'video_metadata: a time could not be converted to YYYY-MM-DD HH:MM:SS.SSS (a trigger or a UNIQUE index of yours stopped it)')
    FROM video_metadata
    WHERE id = NEW.id
      AND (created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at))
           OR posted_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(posted_at)));
END;

CREATE TRIGGER video_metadata_times_on_update
AFTER UPDATE OF created_at, posted_at ON video_metadata
FOR EACH ROW
WHEN NEW.created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.created_at))
  OR NEW.posted_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.posted_at))
BEGIN
    UPDATE video_metadata
    SET created_at = strftime('%Y-%m-%d %H:%M:%f', julianday(created_at)),
        posted_at = strftime('%Y-%m-%d %H:%M:%f', julianday(posted_at))
    WHERE id = NEW.id
      AND (created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at))
           OR posted_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(posted_at)));
    SELECT RAISE(ABORT, 'video_metadata: a time could not be converted to YYYY-MM-DD HH:MM:SS.SSS (a trigger or a UNIQUE index of yours stopped it)')
    FROM video_metadata
    WHERE id = NEW.id
      AND (created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at))
           OR posted_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(posted_at)));
END;
