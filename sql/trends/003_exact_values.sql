-- trends, version 3: values that stay right.
--
-- Times: one stored form, SQLite's own UTC 'YYYY-MM-DD HH:MM:SS.SSS' (what
-- strftime('%Y-%m-%d %H:%M:%f', ...) writes), so that ORDER BY, comparisons
-- and SQLite's date functions agree. A CHECK refuses what is not a valid
-- time; the *_times_on_* triggers convert the other forms SQLite reads
-- ('T', 'Z', offsets, other fraction lengths, CURRENT_TIMESTAMP) exactly, as
-- they are written. Numbers: a count holds an integer, a score a real, never
-- text. JSON: text shaped as an object (metadata). Only functions SQLite
-- marks innocuous appear in the schema, so that it stays readable with
-- PRAGMA trusted_schema = OFF (SQLite's security advice): on the SQLite emf
-- supports, json_valid() is not one, so the CHECK holds the shape ({...}),
-- not the full JSON grammar.
--
-- Each CREATE TABLE of an existing table rebuilds it (rows, ids and the
-- AUTOINCREMENT counter kept); the UPDATEs convert the stored times.

CREATE TABLE trending_topics (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    topic           TEXT    NOT NULL CHECK (length(trim(topic)) > 0),
    source          TEXT    NOT NULL CHECK (length(trim(source)) > 0),
    timestamp       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                            CONSTRAINT timestamp_is_a_time CHECK (
                                typeof(timestamp) = 'text' AND
                                timestamp GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' AND
                                julianday(timestamp) IS NOT NULL AND
                                date(timestamp) = date(julianday(timestamp))),
    relevance_score REAL    CHECK (relevance_score IS NULL OR
                                   (typeof(relevance_score) = 'real' AND
                                    relevance_score BETWEEN 0.0 AND 1.0)),
    used_flag       INTEGER NOT NULL DEFAULT 0 CHECK (used_flag IN (0, 1)),
    category        TEXT,
    metadata        TEXT    CHECK (metadata IS NULL OR
                                   (typeof(metadata) = 'text' AND
                                    trim(metadata, char(32, 9, 10, 13)) GLOB '{*}')),
    created_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                            CONSTRAINT created_at_is_a_time CHECK (
                                typeof(created_at) = 'text' AND
                                created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' AND
                                julianday(created_at) IS NOT NULL AND
                                date(created_at) = date(julianday(created_at))),
    updated_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                            CONSTRAINT updated_at_is_a_time CHECK (
                                typeof(updated_at) = 'text' AND
                                updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' AND
                                julianday(updated_at) IS NOT NULL AND
                                date(updated_at) = date(julianday(updated_at))),
    priority        INTEGER NOT NULL DEFAULT 0 CHECK (typeof(priority) = 'integer')
);

CREATE TABLE search_history (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    query        TEXT    NOT NULL CHECK (length(trim(query)) > 0),
    source       TEXT,
    result_count INTEGER NOT NULL DEFAULT 0
                         CHECK (typeof(result_count) = 'integer' AND result_count >= 0),
    timestamp    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                         CONSTRAINT timestamp_is_a_time CHECK (
                             typeof(timestamp) = 'text' AND
                             timestamp GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' AND
                             julianday(timestamp) IS NOT NULL AND
                             date(timestamp) = date(julianday(timestamp)))
);

UPDATE trending_topics SET timestamp = strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp))
WHERE timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp));
UPDATE trending_topics SET created_at = strftime('%Y-%m-%d %H:%M:%f', julianday(created_at))
WHERE created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at));
UPDATE trending_topics SET updated_at = strftime('%Y-%m-%d %H:%M:%f', julianday(updated_at))
WHERE updated_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(updated_at));
UPDATE search_history SET timestamp = strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp))
WHERE timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp));

-- Sets updated_at on every update that does not set it itself (see
-- 001_initial.sql for why it cannot recurse). The conversion of a time just
-- written in another form is not such an update: its OLD row still holds the
-- unconverted form, which no stored row ever does.
DROP TRIGGER IF EXISTS update_trending_topics_timestamp;
CREATE TRIGGER update_trending_topics_timestamp
AFTER UPDATE OF id, topic, source, timestamp, relevance_score, used_flag, category, metadata,
                created_at, priority
ON trending_topics
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
 AND OLD.timestamp IS strftime('%Y-%m-%d %H:%M:%f', julianday(OLD.timestamp))
 AND OLD.created_at IS strftime('%Y-%m-%d %H:%M:%f', julianday(OLD.created_at))
BEGIN
    UPDATE trending_topics
    SET updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now')
    WHERE id = NEW.id;
END;

-- Times written in another form that SQLite reads are converted to the
-- stored form, the instant SQLite reads in them (julianday), as they are
-- written, insert or update. Where something of the user's stops the
-- conversion (a BEFORE UPDATE trigger raising IGNORE, a UNIQUE index under
-- OR IGNORE or OR FAIL), the statement is refused rather than leave a time in
-- another form.
CREATE TRIGGER trending_topics_times_on_insert
AFTER INSERT ON trending_topics
FOR EACH ROW
WHEN NEW.timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.timestamp))
  OR NEW.created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.created_at))
  OR NEW.updated_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.updated_at))
BEGIN
    UPDATE trending_topics
    SET timestamp = strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp)),
        created_at = strftime('%Y-%m-%d %H:%M:%f', julianday(created_at)),
        updated_at = strftime('%Y-%m-%d %H:%M:%f', julianday(updated_at))
    WHERE id = NEW.id;
    SELECT RAISE(ABORT, 'trending_topics: a time could not be converted to YYYY-MM-DD HH:MM:SS.SSS (a trigger or a UNIQUE index of yours stopped it)')
    FROM trending_topics
    WHERE id = NEW.id
      AND (timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp))
           OR created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at))
           OR updated_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(updated_at)));
END;

CREATE TRIGGER trending_topics_times_on_update
AFTER UPDATE OF timestamp, created_at, updated_at ON trending_topics
FOR EACH ROW
WHEN NEW.timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.timestamp))
  OR NEW.created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.created_at))
  OR NEW.updated_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.updated_at))
BEGIN
    UPDATE trending_topics
    SET timestamp = strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp)),
        created_at = strftime('%Y-%m-%d %H:%M:%f', julianday(created_at)),
        updated_at = strftime('%Y-%m-%d %H:%M:%f', julianday(updated_at))
    WHERE id = NEW.id
      AND (timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp))
           OR created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at))
           OR updated_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(updated_at)));
    SELECT RAISE(ABORT, 'trending_topics: a time could not be converted to YYYY-MM-DD HH:MM:SS.SSS (a trigger or a UNIQUE index of yours stopped it)')
    FROM trending_topics
    WHERE id = NEW.id
      AND (timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp))
           OR created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at))
           OR updated_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(updated_at)));
END;

CREATE TRIGGER search_history_times_on_insert
AFTER INSERT ON search_history
FOR EACH ROW
WHEN NEW.timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.timestamp))
BEGIN
    UPDATE search_history
    SET timestamp = strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp))
    WHERE id = NEW.id;
    SELECT RAISE(ABORT, 'search_history: a time could not be converted to YYYY-MM-DD HH:MM:SS.SSS (a trigger or a UNIQUE index of yours stopped it)')
    FROM search_history
    WHERE id = NEW.id
      AND (timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp)));
END;

CREATE TRIGGER search_history_times_on_update
AFTER UPDATE OF timestamp ON search_history
FOR EACH ROW
WHEN NEW.timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(NEW.timestamp))
BEGIN
    UPDATE search_history
    SET timestamp = strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp))
    WHERE id = NEW.id AND timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp));
    SELECT RAISE(ABORT, 'search_history: a time could not be converted to YYYY-MM-DD HH:MM:SS.SSS (a trigger or a UNIQUE index of yours stopped it)')
    FROM search_history
    WHERE id = NEW.id
      AND (timestamp IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(timestamp)));
END;
