-- emf_seed: sample data once, synthetic rows in every table of the kind.
SELECT emf_seed('metrics');
SELECT json_extract(emf_init('metrics'), '$.version');
SELECT json_extract(emf_seed('metrics'), '$.inserted');
-- The sample is idempotent: a second run adds nothing.
SELECT json_extract(emf_seed('metrics'), '$.inserted');
SELECT json_extract(emf_seed('metrics', 0), '$.inserted');
SELECT json_extract(emf_seed('metrics', 25, 7), '$.inserted');
SELECT (SELECT count(*) FROM video_metrics), (SELECT count(*) FROM video_metadata);
-- Inside the caller's transaction, a seed joins it and is undone with it.
BEGIN;
SELECT json_extract(emf_seed('metrics', 10, 7), '$.inserted');
ROLLBACK;
SELECT (SELECT count(*) FROM video_metrics), (SELECT count(*) FROM video_metadata);
