-- Every migration emf applies, one row each, in every database (and attached
-- schema) that holds an emf kind. Shared by the kinds living in one file.
CREATE TABLE IF NOT EXISTS emf_schema_history (
    kind        TEXT    NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 1),
    name        TEXT    NOT NULL,
    checksum    TEXT    NOT NULL,
    applied_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    duration_ms INTEGER NOT NULL DEFAULT 0 CHECK (duration_ms >= 0),
    PRIMARY KEY (kind, version)
);
