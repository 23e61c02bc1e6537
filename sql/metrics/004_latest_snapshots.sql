-- metrics, version 4: latest_video_metrics costs what it returns.
--
-- Until version 3 the view read every snapshot of the video (or platform)
-- asked for and kept those with no newer one: one video's latest metrics
-- cost as much as its history. video_metrics_latest holds, for each
-- (video_id, platform) that has snapshots, the id of its latest one; the
-- triggers below keep it exact on every insert, update and delete, and the
-- view reads it first: a seek per pair returned, then the snapshot by id.

CREATE TABLE video_metrics_latest (
    snapshot_id INTEGER PRIMARY KEY,
    video_id    TEXT    NOT NULL,
    platform    TEXT    NOT NULL,
    UNIQUE (video_id, platform)
);

-- The latest snapshots of a platform (the view's WHERE platform = ?), with
-- the pair and the snapshot's id in the entry. WHERE video_id = ? reads the
-- UNIQUE (video_id, platform) index, WHERE id = ? the row by its id; an
-- INSERT OR REPLACE or UPDATE OR REPLACE that deletes a snapshot through its
-- id (no delete trigger fires for it unless recursive_triggers is on) finds
-- the pair whose latest it was by that id too.
CREATE INDEX idx_video_metrics_latest_platform ON video_metrics_latest (platform, video_id);

INSERT INTO video_metrics_latest (video_id, platform, snapshot_id)
SELECT m.video_id, m.platform, m.id
FROM video_metrics AS m
WHERE NOT EXISTS (
    SELECT 1
    FROM video_metrics AS newer
    WHERE newer.video_id = m.video_id
      AND newer.platform = m.platform
      AND newer.timestamp > m.timestamp
);

-- Each trigger recomputes the latest of the pairs a change touches with one
-- seek in UNIQUE (video_id, platform, timestamp) (ORDER BY timestamp DESC
-- LIMIT 1: stored times have one form, and the index makes the latest one
-- row). A pair's row is written by an upsert on (video_id, platform), which
-- no conflict policy of the statement that fires them overrides, or updated
-- or deleted where no other row can conflict: another pair whose latest
-- snapshot was replaced through its id gives that id up first. The
-- statement's policy, which SQLite applies to these statements too, never
-- changes what they do.
-- A time written in another form is converted by video_metrics_times_on_*,
-- whose UPDATE fires video_metrics_latest_on_update: the latest is computed
-- again from the stored form.
CREATE TRIGGER video_metrics_latest_on_insert
AFTER INSERT ON video_metrics
FOR EACH ROW
BEGIN
    -- Another pair whose latest snapshot this row replaced (INSERT OR
    -- REPLACE with that snapshot's id).
    DELETE FROM video_metrics_latest
    WHERE snapshot_id = NEW.id
      AND (video_id IS NOT NEW.video_id OR platform IS NOT NEW.platform)
      AND NOT EXISTS (
          SELECT 1 FROM video_metrics AS m
          WHERE m.video_id = video_metrics_latest.video_id
            AND m.platform = video_metrics_latest.platform);
    UPDATE video_metrics_latest
    SET snapshot_id = (
        SELECT m.id FROM video_metrics AS m
        WHERE m.video_id = video_metrics_latest.video_id
          AND m.platform = video_metrics_latest.platform
        ORDER BY m.timestamp DESC LIMIT 1)
    WHERE snapshot_id = NEW.id
      AND (video_id IS NOT NEW.video_id OR platform IS NOT NEW.platform);
    -- This row's pair.
    INSERT INTO video_metrics_latest (video_id, platform, snapshot_id)
    SELECT NEW.video_id, NEW.platform, (
        SELECT m.id FROM video_metrics AS m
        WHERE m.video_id = NEW.video_id AND m.platform = NEW.platform
        ORDER BY m.timestamp DESC LIMIT 1)
    WHERE true
    ON CONFLICT (video_id, platform) DO UPDATE SET snapshot_id = excluded.snapshot_id
    WHERE snapshot_id IS NOT excluded.snapshot_id;
END;

CREATE TRIGGER video_metrics_latest_on_update
AFTER UPDATE OF id, video_id, platform, timestamp ON video_metrics
FOR EACH ROW
BEGIN
    -- First another pair whose latest snapshot UPDATE OR REPLACE deleted
    -- through its id: its row still holds that id, which this row's pair is
    -- about to take.
    DELETE FROM video_metrics_latest
    WHERE snapshot_id = NEW.id
      AND (video_id IS NOT NEW.video_id OR platform IS NOT NEW.platform)
      AND NOT EXISTS (
          SELECT 1 FROM video_metrics AS m
          WHERE m.video_id = video_metrics_latest.video_id
            AND m.platform = video_metrics_latest.platform);
    UPDATE video_metrics_latest
    SET snapshot_id = (
        SELECT m.id FROM video_metrics AS m
        WHERE m.video_id = video_metrics_latest.video_id
          AND m.platform = video_metrics_latest.platform
        ORDER BY m.timestamp DESC LIMIT 1)
    WHERE snapshot_id = NEW.id
      AND (video_id IS NOT NEW.video_id OR platform IS NOT NEW.platform);
    -- The old pair: gone when it has no snapshot left, else its latest again.
    DELETE FROM video_metrics_latest
    WHERE video_id = OLD.video_id AND platform = OLD.platform
      AND NOT EXISTS (
          SELECT 1 FROM video_metrics AS m
          WHERE m.video_id = OLD.video_id AND m.platform = OLD.platform);
    UPDATE video_metrics_latest
    SET snapshot_id = (
        SELECT m.id FROM video_metrics AS m
        WHERE m.video_id = OLD.video_id AND m.platform = OLD.platform
        ORDER BY m.timestamp DESC LIMIT 1)
    WHERE video_id = OLD.video_id AND platform = OLD.platform;
    -- The new pair.
    INSERT INTO video_metrics_latest (video_id, platform, snapshot_id)
    SELECT NEW.video_id, NEW.platform, (
        SELECT m.id FROM video_metrics AS m
        WHERE m.video_id = NEW.video_id AND m.platform = NEW.platform
        ORDER BY m.timestamp DESC LIMIT 1)
    WHERE true
    ON CONFLICT (video_id, platform) DO UPDATE SET snapshot_id = excluded.snapshot_id
    WHERE snapshot_id IS NOT excluded.snapshot_id;
END;

CREATE TRIGGER video_metrics_latest_on_delete
AFTER DELETE ON video_metrics
FOR EACH ROW
BEGIN
    DELETE FROM video_metrics_latest
    WHERE video_id = OLD.video_id AND platform = OLD.platform
      AND NOT EXISTS (
          SELECT 1 FROM video_metrics AS m
          WHERE m.video_id = OLD.video_id AND m.platform = OLD.platform);
    UPDATE video_metrics_latest
    SET snapshot_id = (
        SELECT m.id FROM video_metrics AS m
        WHERE m.video_id = OLD.video_id AND m.platform = OLD.platform
        ORDER BY m.timestamp DESC LIMIT 1)
    WHERE video_id = OLD.video_id AND platform = OLD.platform
      AND snapshot_id = OLD.id;
END;

-- The same columns, names, order and rows as version 2's view: the latest
-- snapshot of each (video_id, platform), then the video's metadata. It reads
-- video_metrics_latest first, so WHERE video_id = ? and WHERE platform = ?
-- are seeks there, one per pair returned, and each snapshot is read by id.
DROP VIEW IF EXISTS latest_video_metrics;
CREATE VIEW latest_video_metrics AS
SELECT
    m.id,
    l.video_id,
    l.platform,
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
FROM video_metrics_latest AS l
JOIN video_metrics AS m ON m.id = l.snapshot_id
LEFT JOIN video_metadata AS v ON v.video_id = l.video_id;
