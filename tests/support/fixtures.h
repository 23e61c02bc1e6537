// Databases as they exist before emf touches them: built by a test from the
// project's own SQL files, so a fixture cannot drift from what it stands for.
#pragma once

#include <string>

#include "support/test_db.h"

namespace emf::test {

// SHA-256 of a file, hex (an independent check of emf's checksums).
std::string sha256_of_file(const std::string& path);

// A file of sql/ or tests/fixtures/, by its path in the repository.
std::string source_file(const std::string& relative_path);

// The kind at version 1 exactly, as an emf of that version made it:
// sql/<kind>/001_initial.sql applied, and its history row.
void make_version_1(Db& db, const std::string& kind);

// Takes a metrics database at version 4 back to version 3 as emf left it:
// without video_metrics_latest and its triggers, with version 2's
// latest_video_metrics, and without version 4's history row.
void make_metrics_version_3(Db& db);

// Takes an image_library database at version 4 back to version 3 as emf left
// it: version 2's update_image_usage_stats and image_library_times_on_update,
// and without version 4's history row.
void make_image_library_version_3(Db& db);

// `rows` rows in each table of the kind (a few collections), in the columns
// that version 1 and the old tool's schema share, with times in the form of
// version 1 ('T...Z') or of the old tool (SQLite's CURRENT_TIMESTAMP form).
void fill_rows(Db& db, const std::string& kind, bool legacy, int rows);

// A database made by another tool: tests/fixtures/legacy_<kind>.sql.
void make_legacy(Db& db, const std::string& kind);

// Makes a table drift the way a hand edit of its definition would: the same
// columns and types, without its constraints, its rows kept. Only for a
// table whose one key is an INTEGER PRIMARY KEY (no other UNIQUE index).
void drop_constraints(Db& db, const std::string& table);

}  // namespace emf::test
