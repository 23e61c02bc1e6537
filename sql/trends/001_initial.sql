-- trends, version 1: the topics the pipeline picks up and the searches it runs,
-- as the original guide describes them.

CREATE TABLE trending_topics (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    topic           TEXT    NOT NULL CHECK (length(trim(topic)) > 0),
    source          TEXT    NOT NULL CHECK (length(trim(source)) > 0),
    timestamp       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                            CHECK (julianday(timestamp) IS NOT NULL),
    relevance_score REAL    CHECK (relevance_score BETWEEN 0.0 AND 1.0),
    used_flag       INTEGER NOT NULL DEFAULT 0 CHECK (used_flag IN (0, 1)),
    category        TEXT,
    metadata        TEXT    CHECK (metadata IS NULL OR json_valid(metadata)),
    created_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                            CHECK (julianday(created_at) IS NOT NULL),
    updated_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                            CHECK (julianday(updated_at) IS NOT NULL)
);

CREATE TABLE search_history (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    query        TEXT    NOT NULL CHECK (length(trim(query)) > 0),
    source       TEXT,
    result_count INTEGER NOT NULL DEFAULT 0 CHECK (result_count >= 0),
    timestamp    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                         CHECK (julianday(timestamp) IS NOT NULL)
);

CREATE INDEX idx_trending_topics_timestamp ON trending_topics (timestamp DESC);
CREATE INDEX idx_trending_topics_used_flag ON trending_topics (used_flag);
CREATE INDEX idx_trending_topics_source ON trending_topics (source);
CREATE INDEX idx_trending_topics_relevance ON trending_topics (relevance_score DESC);
CREATE INDEX idx_trending_topics_unused_recent ON trending_topics (used_flag, timestamp DESC);

-- Sets updated_at on every update that does not set it itself. It fires only
-- for updates of the other columns (UPDATE OF ...), and its own update sets
-- updated_at alone, so it can never fire itself again: not with
-- recursive_triggers on, and not when the new time equals the old one.
CREATE TRIGGER update_trending_topics_timestamp
AFTER UPDATE OF id, topic, source, timestamp, relevance_score, used_flag, category, metadata,
                created_at
ON trending_topics
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE trending_topics
    SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE id = NEW.id;
END;
