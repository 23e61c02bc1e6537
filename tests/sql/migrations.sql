-- emf_migrations: every migration of a kind, pending, then applied.
SELECT version, name, length(checksum), applied_at, status FROM emf_migrations('trends');
SELECT json_extract(emf_init('trends'), '$.applied');
SELECT version, name, applied_at IS NOT NULL, status FROM emf_migrations('trends');
SELECT version, status FROM emf_migrations('metrics');
-- The history holds one row a migration, in the one stored form of times.
SELECT kind, version, name, applied_at = strftime('%Y-%m-%d %H:%M:%f', applied_at)
FROM emf_schema_history ORDER BY kind, version;
-- A changed applied file is reported as modified, and no function goes on.
CREATE TEMP TABLE kept AS SELECT checksum FROM emf_schema_history WHERE kind = 'trends' AND version = 1;
UPDATE emf_schema_history SET checksum = 'tampered' WHERE kind = 'trends' AND version = 1;
SELECT version, checksum, status FROM emf_migrations('trends') WHERE version = 1;
SELECT emf_init('trends');
SELECT json_extract(emf_check('trends'), '$.ok');
UPDATE emf_schema_history SET checksum = (SELECT checksum FROM kept) WHERE kind = 'trends' AND version = 1;
SELECT json_extract(emf_check('trends'), '$.ok');
-- A version from a newer emf is listed as newer, and refused.
INSERT INTO emf_schema_history (kind, version, name, checksum) VALUES ('trends', 99, 'future', 'f');
SELECT version, name, checksum, status FROM emf_migrations('trends') WHERE version > 4;
SELECT emf_init('trends');
SELECT emf_seed('trends');
SELECT json_extract(emf_check('trends'), '$.ok');
