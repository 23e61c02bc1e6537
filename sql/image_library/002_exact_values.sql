-- image_library, version 2: values that stay right (see
-- sql/trends/003_exact_values.sql for the rules): one stored time form,
-- sizes and counts that are integers, a score that is a real, JSON that is
-- text of the right shape (tags an array, metadata an object; see trends 003
-- for why the shape and not json_valid()).

CREATE TABLE image_library (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    character         TEXT    NOT NULL CHECK (character IN ('butcher', 'nutsy')),
    emotion           TEXT,
    pose              TEXT,
    file_path         TEXT    NOT NULL UNIQUE CHECK (length(trim(file_path)) > 0),
    source            TEXT,
    file_size_bytes   INTEGER CHECK (file_size_bytes IS NULL OR
                                     (typeof(file_size_bytes) = 'integer' AND
                                      file_size_bytes >= 0)),
    width             INTEGER CHECK (width IS NULL OR (typeof(width) = 'integer' AND width > 0)),
    height            INTEGER CHECK (height IS NULL OR (typeof(height) = 'integer' AND height > 0)),
    format            TEXT,
    generation_prompt TEXT,
    generation_model  TEXT,
    quality_score     REAL    CHECK (quality_score IS NULL OR
                                     (typeof(quality_score) = 'real' AND
                                      quality_score BETWEEN 0.0 AND 1.0)),
    usage_count       INTEGER NOT NULL DEFAULT 0
                              CHECK (typeof(usage_count) = 'integer' AND usage_count >= 0),
    tags              TEXT    CHECK (tags IS NULL OR
                                     (typeof(tags) = 'text' AND
                                      trim(tags, char(32, 9, 10, 13)) GLOB '[[]*]')),
    metadata          TEXT    CHECK (metadata IS NULL OR
                                     (typeof(metadata) = 'text' AND
                                      trim(metadata, char(32, 9, 10, 13)) GLOB '{*}')),
    timestamp         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                              CONSTRAINT timestamp_is_a_time CHECK (
                                  typeof(timestamp) = 'text' AND
                                  timestamp GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' AND
                                  julianday(timestamp) IS NOT NULL AND
                                  date(timestamp) = date(julianday(timestamp))),
    created_at        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                              CONSTRAINT created_at_is_a_time CHECK (
                                  typeof(created_at) = 'text' AND
                                  created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' AND
                                  julianday(created_at) IS NOT NULL AND
                                  date(created_at) = date(julianday(created_at))),
    last_used_at      TEXT    CONSTRAINT last_used_at_is_a_time CHECK (
                                  last_used_at IS NULL OR (
                                  typeof(last_used_at) = 'text' AND
                                  last_used_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' AND
                                  julianday(last_used_at) IS NOT NULL AND
                                  date(last_used_at) = date(julianday(last_used_at))))
);

CREATE TABLE image_usage (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    image_id     INTEGER NOT NULL REFERENCES image_library (id) ON DELETE CASCADE
                         CHECK (typeof(image_id) = 'integer'),
    video_id     TEXT,
    scene_number INTEGER CHECK (scene_number IS NULL OR
                                (typeof(scene_number) = 'integer' AND scene_number >= 0)),
    timestamp    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                         CONSTRAINT timestamp_is_a_time CHECK (
                             typeof(timestamp) = 'text' AND
                             timestamp GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' AND
                             julianday(timestamp) IS NOT NULL AND
                             date(timestamp) = date(julianday(timestamp)))
);

CREATE TABLE image_collections (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    description TEXT,
    character   TEXT    CHECK (character IS NULL OR character IN ('butcher', 'nutsy')),
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                        CONSTRAINT created_at_is_a_time CHECK (
                            typeof(created_at) = 'text' AND
                            created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' AND
                            julianday(created_at) IS NOT NULL AND
                            date(created_at) = date(julianday(created_at)))
);

CREATE TABLE collection_images (
    collection_id INTEGER NOT NULL REFERENCES image_collections (id) ON DELETE CASCADE
                          CHECK (typeof(collection_id) = 'integer'),
    image_id      INTEGER NOT NULL REFERENCES image_library (id) ON DELETE CASCADE
                          CHECK (typeof(image_id) = 'integer'),
    sort_order    INTEGER NOT NULL DEFAULT 0 CHECK (typeof(sort_order) = 'integer'),
    PRIMARY KEY (collection_id, image_id)
);

UPDATE image_library SET timestamp = strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp))
WHERE timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp));
UPDATE image_library SET created_at = strftime('%Y-%m-%d %H:%M:%f', julianday(created_at))
WHERE created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at));
UPDATE image_library SET last_used_at = strftime('%Y-%m-%d %H:%M:%f', julianday(last_used_at))
WHERE last_used_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(last_used_at));
UPDATE image_usage SET timestamp = strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp))
WHERE timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp));
UPDATE image_collections SET created_at = strftime('%Y-%m-%d %H:%M:%f', julianday(created_at))
WHERE created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at));

-- Version 1's trigger compared times as text, so a use written in another
-- form could move last_used_at back. The usage log says when each image was
-- last used: last_used_at moves forward to it where it fell behind, never
-- back (a time set by hand, later than any logged use, stays).
UPDATE image_library
SET last_used_at = (SELECT max(u.timestamp) FROM image_usage AS u
                    WHERE u.image_id = image_library.id)
WHERE (SELECT max(u.timestamp) FROM image_usage AS u WHERE u.image_id = image_library.id)
      > coalesce(last_used_at, '');

-- Counts each use of an image and keeps its latest use time (a use recorded
-- late, with an older timestamp, does not move last_used_at back). The use's
-- time is compared and stored in the one stored form, whichever form it was
-- written in and whichever trigger runs first.
DROP TRIGGER IF EXISTS update_image_usage_stats;
CREATE TRIGGER update_image_usage_stats
AFTER INSERT ON image_usage
FOR EACH ROW
BEGIN
    UPDATE image_library
    SET usage_count = usage_count + 1,
        last_used_at = CASE
            WHEN last_used_at IS NULL
                 OR strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.timestamp)) > last_used_at
            THEN strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.timestamp))
            ELSE last_used_at
        END
    WHERE id = NEW.image_id;
END;

-- Times written in another form that SQLite reads are converted to the
-- stored form, the instant SQLite reads in them (julianday), as they are
-- written, insert or update. Where something of the user's stops the
-- conversion (a BEFORE UPDATE trigger raising IGNORE, a UNIQUE index under
-- OR IGNORE or OR FAIL), the statement is refused rather than leave a time in
-- another form.
CREATE TRIGGER image_library_times_on_insert
AFTER INSERT ON image_library
FOR EACH ROW
WHEN NEW.timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.timestamp))
  OR NEW.created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.created_at))
  OR NEW.last_used_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.last_used_at))
BEGIN
    UPDATE image_library
    SET timestamp = strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp)),
        created_at = strftime('%Y-%m-%d %H:%M:%f', julianday(created_at)),
        last_used_at = strftime('%Y-%m-%d %H:%M:%f', julianday(last_used_at))
    WHERE id = NEW.id;
    SELECT RAISE(ABORT, 'image_library: a time could not be converted to YYYY-MM-DD HH:MM:SS.SSS (a trigger or a UNIQUE index of yours stopped it)')
    FROM image_library
    WHERE id = NEW.id
      AND (timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp))
           OR created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at))
           OR last_used_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(last_used_at)));
END;

CREATE TRIGGER image_library_times_on_update
AFTER UPDATE OF timestamp, created_at, last_used_at ON image_library
FOR EACH ROW
WHEN NEW.timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.timestamp))
  OR NEW.created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.created_at))
  OR NEW.last_used_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.last_used_at))
BEGIN
    UPDATE image_library
    SET timestamp = strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp)),
        created_at = strftime('%Y-%m-%d %H:%M:%f', julianday(created_at)),
        last_used_at = strftime('%Y-%m-%d %H:%M:%f', julianday(last_used_at))
    WHERE id = NEW.id
      AND (timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp))
           OR created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at))
           OR last_used_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(last_used_at)));
    SELECT RAISE(ABORT, 'image_library: a time could not be converted to YYYY-MM-DD HH:MM:SS.SSS (a trigger or a UNIQUE index of yours stopped it)')
    FROM image_library
    WHERE id = NEW.id
      AND (timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp))
           OR created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at))
           OR last_used_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(last_used_at)));
END;

CREATE TRIGGER image_usage_times_on_insert
AFTER INSERT ON image_usage
FOR EACH ROW
WHEN NEW.timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.timestamp))
BEGIN
    UPDATE image_usage
    SET timestamp = strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp))
    WHERE id = NEW.id;
    SELECT RAISE(ABORT, 'image_usage: a time could not be converted to YYYY-MM-DD HH:MM:SS.SSS (a trigger or a UNIQUE index of yours stopped it)')
    FROM image_usage
    WHERE id = NEW.id
      AND (timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp)));
END;

CREATE TRIGGER image_usage_times_on_update
AFTER UPDATE OF timestamp ON image_usage
FOR EACH ROW
WHEN NEW.timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.timestamp))
BEGIN
    UPDATE image_usage
    SET timestamp = strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp))
    WHERE id = NEW.id AND timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp));
    SELECT RAISE(ABORT, 'image_usage: a time could not be converted to YYYY-MM-DD HH:MM:SS.SSS (a trigger or a UNIQUE index of yours stopped it)')
    FROM image_usage
    WHERE id = NEW.id
      AND (timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp)));
END;

CREATE TRIGGER image_collections_times_on_insert
AFTER INSERT ON image_collections
FOR EACH ROW
WHEN NEW.created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.created_at))
BEGIN
    UPDATE image_collections
    SET created_at = strftime('%Y-%m-%d %H:%M:%f', julianday(created_at))
    WHERE id = NEW.id;
    SELECT RAISE(ABORT, 'image_collections: a time could not be converted to YYYY-MM-DD HH:MM:SS.SSS (a trigger or a UNIQUE index of yours stopped it)')
    FROM image_collections
    WHERE id = NEW.id
      AND (created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at)));
END;

CREATE TRIGGER image_collections_times_on_update
AFTER UPDATE OF created_at ON image_collections
FOR EACH ROW
WHEN NEW.created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.created_at))
BEGIN
    UPDATE image_collections
    SET created_at = strftime('%Y-%m-%d %H:%M:%f', julianday(created_at))
    WHERE id = NEW.id AND created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at));
    SELECT RAISE(ABORT, 'image_collections: a time could not be converted to YYYY-MM-DD HH:MM:SS.SSS (a trigger or a UNIQUE index of yours stopped it)')
    FROM image_collections
    WHERE id = NEW.id
      AND (created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at)));
END;
