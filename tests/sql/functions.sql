-- Every SQL function of emf, with its number of arguments and its flags:
-- pure ones deterministic and innocuous, those that write direct-only.
SELECT name, narg, (flags & 0x800) <> 0 AS deterministic,
       (flags & 0x80000) <> 0 AS direct_only, (flags & 0x200000) <> 0 AS innocuous
FROM pragma_function_list WHERE name LIKE 'emf\_%' ESCAPE '\' ORDER BY name, narg;
SELECT name FROM pragma_module_list WHERE name LIKE 'emf\_%' ESCAPE '\' ORDER BY name;
SELECT emf_version() = json_extract(emf_debug(), '$.version');
SELECT emf_version() GLOB '[0-9]*.[0-9]*.[0-9]*';
SELECT json_extract(emf_debug(), '$.build'),
       json_extract(emf_debug(), '$.sqlite_runtime') = sqlite_version();
