-- image_library, version 1: the characters' images, where they were used, and
-- collections of them, as the original guide describes them.

CREATE TABLE image_library (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    character         TEXT    NOT NULL CHECK (character IN ('butcher', 'nutsy')),
    emotion           TEXT,
    pose              TEXT,
    file_path         TEXT    NOT NULL UNIQUE CHECK (length(trim(file_path)) > 0),
    source            TEXT,
    file_size_bytes   INTEGER CHECK (file_size_bytes >= 0),
    width             INTEGER CHECK (width > 0),
    height            INTEGER CHECK (height > 0),
    format            TEXT,
    generation_prompt TEXT,
    generation_model  TEXT,
    quality_score     REAL    CHECK (quality_score BETWEEN 0.0 AND 1.0),
    usage_count       INTEGER NOT NULL DEFAULT 0 CHECK (usage_count >= 0),
    tags              TEXT    CHECK (tags IS NULL OR
                                     CASE WHEN json_valid(tags) THEN json_type(tags) = 'array'
                                          ELSE 0 END),
    metadata          TEXT    CHECK (metadata IS NULL OR json_valid(metadata)),
    timestamp         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                              CHECK (julianday(timestamp) IS NOT NULL),
    created_at        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                              CHECK (julianday(created_at) IS NOT NULL),
    last_used_at      TEXT    CHECK (last_used_at IS NULL OR julianday(last_used_at) IS NOT NULL)
);

CREATE TABLE image_usage (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    image_id     INTEGER NOT NULL REFERENCES image_library (id) ON DELETE CASCADE,
    video_id     TEXT,
    scene_number INTEGER CHECK (scene_number >= 0),
    timestamp    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                         CHECK (julianday(timestamp) IS NOT NULL)
);

CREATE TABLE image_collections (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    description TEXT,
    character   TEXT    CHECK (character IS NULL OR character IN ('butcher', 'nutsy')),
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                        CHECK (julianday(created_at) IS NOT NULL)
);

CREATE TABLE collection_images (
    collection_id INTEGER NOT NULL REFERENCES image_collections (id) ON DELETE CASCADE,
    image_id      INTEGER NOT NULL REFERENCES image_library (id) ON DELETE CASCADE,
    sort_order    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (collection_id, image_id)
);

CREATE INDEX idx_image_library_character ON image_library (character);
CREATE INDEX idx_image_library_emotion ON image_library (emotion);
CREATE INDEX idx_image_library_pose ON image_library (pose);
CREATE INDEX idx_image_library_source ON image_library (source);
CREATE INDEX idx_image_library_quality ON image_library (quality_score DESC);
CREATE INDEX idx_image_library_char_emotion ON image_library (character, emotion);
CREATE INDEX idx_image_usage_image_id ON image_usage (image_id);
CREATE INDEX idx_image_usage_video_id ON image_usage (video_id);
-- Not named by the guide: without it, deleting an image scans every
-- collection membership to cascade.
CREATE INDEX idx_collection_images_image_id ON collection_images (image_id);

-- Counts each use of an image and keeps its latest use time (a use recorded
-- late, with an older timestamp, does not move last_used_at back).
CREATE TRIGGER update_image_usage_stats
AFTER INSERT ON image_usage
FOR EACH ROW
BEGIN
    UPDATE image_library
    SET usage_count = usage_count + 1,
        last_used_at = CASE
            WHEN last_used_at IS NULL OR NEW.timestamp > last_used_at THEN NEW.timestamp
            ELSE last_used_at
        END
    WHERE id = NEW.image_id;
END;
