-- emf_objects and emf_migrations as tables: their hidden argument columns,
-- rowids, errors, and arguments taken from another table of a join.
SELECT json_extract(emf_init('metrics'), '$.version');
SELECT rowid, kind, type, name, status, detail, arg, schema
FROM emf_objects('metrics') WHERE type = 'view';
SELECT rowid, version, status, arg, schema FROM emf_migrations('metrics', 'main');
SELECT count(*) FROM emf_objects WHERE arg = 'metrics' AND schema = 'main';
SELECT * FROM emf_objects('metric');
SELECT * FROM emf_migrations(NULL);
SELECT * FROM emf_migrations;
SELECT * FROM emf_objects('metrics', 'nowhere');
-- Arguments from a join, one kind per row of the other table.
SELECT kinds.value, count(o.name)
FROM json_each('["metrics","trends"]') AS kinds LEFT JOIN emf_objects(kinds.value) AS o
GROUP BY kinds.value ORDER BY kinds.value;
SELECT kinds.value, m.version, m.status
FROM json_each('["trends","metrics"]') AS kinds, emf_migrations AS m
WHERE m.arg = kinds.value AND m.version = 2 ORDER BY kinds.value;
