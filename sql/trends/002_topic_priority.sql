-- trends, version 2: a priority for each topic, the original guide's example
-- migration, with an index to pick the most urgent topics first.

ALTER TABLE trending_topics ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;

CREATE INDEX idx_trending_topics_priority ON trending_topics (priority DESC);

-- update_trending_topics_timestamp fires for updates of the columns it lists
-- (see 001_initial.sql): it must list the new column too.
DROP TRIGGER update_trending_topics_timestamp;

CREATE TRIGGER update_trending_topics_timestamp
AFTER UPDATE OF id, topic, source, timestamp, relevance_score, used_flag, category, metadata,
                created_at, priority
ON trending_topics
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE trending_topics
    SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE id = NEW.id;
END;
