-- emf_check and emf_objects on a database that drifted: each difference
-- named, with a summary, and extra objects reported but kept ok.
SELECT json_extract(emf_check(), '$.ok'), json_array_length(emf_check(), '$.kinds');
SELECT json_extract(emf_init('image_library'), '$.kind', '$.version', '$.applied');
SELECT json_extract(emf_check(), '$.ok', '$.kinds[0].kind', '$.kinds[0].pending');
SELECT count(*) FROM emf_objects('image_library') WHERE status <> 'ok';
CREATE TABLE my_notes (note TEXT);
CREATE INDEX my_notes_note ON my_notes (note);
SELECT type, name, status, detail FROM emf_objects('image_library') WHERE status <> 'ok';
SELECT json_extract(emf_check('image_library'), '$.ok');
DROP INDEX my_notes_note;
DROP TABLE my_notes;
-- Drift: an index gone, one on other columns, a trigger with another body.
DROP INDEX idx_image_library_pose;
DROP INDEX idx_image_library_quality;
CREATE INDEX idx_image_library_quality ON image_library (pose);
DROP TRIGGER update_image_usage_stats;
CREATE TRIGGER update_image_usage_stats AFTER INSERT ON image_usage BEGIN SELECT 1; END;
SELECT type, name, status, detail FROM emf_objects('image_library') WHERE status <> 'ok';
SELECT json_extract(emf_check('image_library'), '$.ok');
SELECT json_extract(value, '$.name'), json_extract(value, '$.status')
FROM json_each(emf_check('image_library'), '$.kinds[0].objects')
WHERE json_extract(value, '$.status') <> 'ok';
-- emf_init applies no migration to a kind at its latest version, and
-- leaves the drift for emf_repair.
SELECT json_extract(emf_init('image_library'), '$.applied');
SELECT count(*) FROM emf_objects('image_library') WHERE status <> 'ok';
-- Kinds that are not installed are reported as such, not as errors.
SELECT kind, count(*) FROM emf_objects(NULL) GROUP BY kind ORDER BY kind;
SELECT json_extract(emf_check('trends'), '$.ok', '$.kinds[0].version');
