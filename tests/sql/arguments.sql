-- Bad arguments: each error names the function, the argument and what was
-- expected, and nothing is created.
SELECT emf_init(NULL);
SELECT emf_init('trend');
SELECT emf_init('TRENDS');
SELECT emf_init(x'00');
SELECT emf_init(7);
SELECT emf_init(1.5);
SELECT emf_init('a kind whose name is far longer than forty characters, cut');
SELECT emf_init('trends', 'nowhere');
SELECT emf_init('trends', 'temp');
SELECT emf_init('trends', 3);
SELECT emf_check('metrics', NULL);
SELECT emf_seed('trends', -1);
SELECT emf_seed('trends', '10');
SELECT emf_seed('trends', 10, 2.5);
SELECT emf_backup(NULL);
SELECT emf_backup('');
SELECT emf_restore(x'61');
SELECT emf_optimize('metrics', 'main', 5);
SELECT emf_init();
SELECT emf_init('trends', 'main', 'extra');
SELECT count(*) FROM sqlite_schema;
-- A function that writes runs once a statement, never once a row: per row,
-- emf_init fails at once (a rebuild cannot drop a table while the statement
-- reads), changing nothing; emf_seed's first call is done and reported on its
-- row, and the second is refused.
CREATE TABLE two_rows (x);
INSERT INTO two_rows VALUES (1), (2);
SELECT emf_init('trends') FROM two_rows;
SELECT count(*) FROM sqlite_schema WHERE name <> 'two_rows';
SELECT json_extract(emf_init('metrics'), '$.version');
SELECT emf_seed('metrics', 1, 1) FROM two_rows;
SELECT (SELECT count(*) FROM video_metrics), (SELECT count(*) FROM video_metadata);
-- Nor from a view or a trigger, whatever trusted_schema says.
CREATE VIEW sneaky AS SELECT emf_reset('trends') AS report;
SELECT * FROM sneaky;
-- A case-insensitive schema name is given back as attached.
ATTACH ':memory:' AS Other;
SELECT json_extract(emf_init('metrics', 'OTHER'), '$.schema', '$.version');
SELECT name FROM pragma_database_list ORDER BY seq;
