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
