// Databases made by other tools: adopted by emf_init (tables and rows kept,
// emf's indexes, triggers and views in place, version 1 as the baseline),
// their tables rebuilt to emf's definitions with every row intact; what
// cannot be done is refused, changing nothing.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <map>

#include "support/fixtures.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

// The legacy fixture's own columns of each table, and its rows in rowid order.
// Numbers are compared as numbers: 0 in an INTEGER column is 0.0 once the
// column is REAL, and the same value.
std::string legacy_rows(Db& db, const std::string& table, const std::string& columns) {
  std::string select;
  std::size_t start = 0;
  while (start < columns.size()) {
    std::size_t end = columns.find(',', start);
    if (end == std::string::npos) end = columns.size();
    std::string column = columns.substr(start, end - start);
    column.erase(0, column.find_first_not_of(' '));
    // Times as the instants they stand for (milliseconds since 1970), in
    // whichever form they are written.
    select += fmt::format(
        ", CASE WHEN typeof({0}) IN ('integer', 'real') THEN printf('%.15g', {0}) "
        "WHEN typeof({0}) = 'text' AND {0} GLOB '[0-9][0-9][0-9][0-9]-*' AND julianday({0}) IS "
        "NOT NULL THEN CAST(round((julianday({0}) - 2440587.5) * 86400000) AS INTEGER) "
        "ELSE {0} END",
        column);
    start = end + 1;
  }
  std::string text;
  for (const auto& row :
       db.rows(fmt::format("SELECT rowid{} FROM {} ORDER BY rowid", select, table))) {
    for (const auto& cell : row) text += cell + "|";
    text += "\n";
  }
  return text;
}

struct LegacyTable {
  std::string kind, table, columns;
};

const std::vector<LegacyTable> kLegacyTables = {
    {"trends", "trending_topics",
     "id, topic, source, timestamp, relevance_score, used_flag, category, metadata, created_at, "
     "updated_at"},
    {"trends", "search_history", "id, query, source, result_count, timestamp"},
    {"metrics", "video_metrics",
     "id, video_id, platform, views, likes, comments, shares, saves, watch_time_seconds, "
     "engagement_rate, timestamp, created_at"},
    {"metrics", "video_metadata",
     "id, video_id, title, description, topic, script_path, audio_path, video_path, "
     "duration_seconds, created_at, posted_at, status"},
    {"image_library", "image_library",
     "id, character, emotion, pose, file_path, quality_score, usage_count, tags, timestamp, "
     "created_at, last_used_at"},
    {"image_library", "image_usage", "id, image_id, video_id, scene_number, timestamp"},
    {"image_library", "image_collections", "id, name, description, character, created_at"},
    {"image_library", "collection_images", "collection_id, image_id, sort_order"},
};

class AdoptionTest : public ::testing::TestWithParam<std::string> {};

// One emf_init adopts the other tool's database and ends conformed: every
// table rebuilt to emf's definition, every time converted to the one stored
// form, every row and id kept, emf_check ok.
TEST_P(AdoptionTest, IsAdoptedAndConformedInOneCallWithEveryRowIntact) {
  const std::string kind = GetParam();
  TempDir dir;
  Db db(dir.file(kind + ".db"));
  make_legacy(db, kind);
  std::map<std::string, std::string> before;
  for (const auto& table : kLegacyTables) {
    if (table.kind == kind) before[table.table] = legacy_rows(db, table.table, table.columns);
  }

  const std::string report = db.text(fmt::format("SELECT emf_init('{}')", kind));
  EXPECT_EQ(db.json(report, "$.baseline"), "1") << report;
  EXPECT_EQ(db.json(report, "$.applied"), "[2,3,4]") << report;
  EXPECT_NE(db.json(report, "$.rebuilt"), "NULL") << report;
  EXPECT_GT(std::stoll(db.json(report, "$.converted")), 0) << report;
  const std::string check = db.text(fmt::format("SELECT emf_check('{}')", kind));
  EXPECT_EQ(db.json(check, "$.ok"), "1") << check;
  EXPECT_EQ(db.integer("PRAGMA foreign_keys"), 1);  // back on after the rebuild
  EXPECT_EQ(db.text("PRAGMA integrity_check"), "ok");
  for (const auto& table : kLegacyTables) {
    if (table.kind != kind) continue;
    EXPECT_EQ(legacy_rows(db, table.table, table.columns), before[table.table]) << table.table;
  }
  // No time left in another form.
  for (const auto& row : db.rows("SELECT m.name, p.name FROM sqlite_schema AS m, "
                                 "pragma_table_info(m.name) AS p WHERE m.type = 'table' AND "
                                 "(p.name GLOB '*_at' OR p.name = 'timestamp')")) {
    EXPECT_EQ(db.integer(fmt::format("SELECT count(*) FROM {0} WHERE {1} IS NOT "
                                     "strftime('%Y-%m-%d %H:%M:%f', {1})",
                                     row[0], row[1])),
              0)
        << row[0] << "." << row[1];
  }
  // Nothing left over from the rebuild, nothing left to repair.
  EXPECT_EQ(db.integer("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'emf_rebuild%'"), 0);
  EXPECT_EQ(db.json(db.text(fmt::format("SELECT emf_repair('{}')", kind)), "$.rebuilt"), "[]");
}

INSTANTIATE_TEST_SUITE_P(EveryKind, AdoptionTest,
                         ::testing::Values("trends", "metrics", "image_library"));

TEST(Adoption, KeepsTheUsersObjectsAndTheAutoincrementCounters) {
  Db db;
  make_legacy(db, "trends");
  db.exec("CREATE VIEW my_topics AS SELECT topic FROM trending_topics WHERE used_flag = 0");
  db.exec("CREATE TRIGGER my_audit AFTER INSERT ON search_history BEGIN SELECT 1; END");
  db.exec("SELECT emf_init('trends')");
  EXPECT_EQ(db.integer("SELECT count(*) FROM my_topics"), 2);
  EXPECT_EQ(db.integer("SELECT count(*) FROM sqlite_schema WHERE name IN ('my_audit', "
                       "'topics_by_category')"),
            2);
  EXPECT_EQ(db.text("SELECT status FROM emf_objects('trends') WHERE name = 'topics_by_category'"),
            "extra");
  // The deleted search's id 3 is not handed out again.
  db.exec("INSERT INTO search_history (query) VALUES ('new')");
  EXPECT_EQ(db.integer("SELECT id FROM search_history WHERE query = 'new'"), 4);
  // emf's trigger now keeps updated_at.
  db.exec("UPDATE trending_topics SET used_flag = 1 WHERE id = 1");
  EXPECT_GT(db.text("SELECT updated_at FROM trending_topics WHERE id = 1"), "2026");
}

TEST(Adoption, RebuildingAParentDoesNotCascadeIntoItsChildren) {
  Db db;
  make_legacy(db, "image_library");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("SELECT emf_init('image_library')");
  ASSERT_EQ(db.integer("PRAGMA foreign_keys"), 1);
  EXPECT_EQ(db.integer("SELECT count(*) FROM image_usage"), 2);
  EXPECT_EQ(db.integer("SELECT count(*) FROM collection_images"), 2);
  EXPECT_EQ(db.integer("SELECT usage_count FROM image_library WHERE id = 1"), 2);
  // The foreign keys cascade now, as emf's schema says.
  db.exec("DELETE FROM image_library WHERE id = 1");
  EXPECT_EQ(db.integer("SELECT count(*) FROM image_usage"), 0);
  EXPECT_EQ(db.integer("SELECT count(*) FROM collection_images"), 1);
}

TEST(Adoption, WorksOnAnAttachedSchema) {
  TempDir dir;
  Db db;
  db.exec(fmt::format("ATTACH '{}' AS legacy", dir.file("legacy.db")));
  {
    Db legacy(dir.file("legacy.db"), false);
    make_legacy(legacy, "metrics");
  }
  EXPECT_EQ(db.json(db.text("SELECT emf_init('metrics', 'legacy')"), "$.baseline"), "1");
  EXPECT_EQ(db.json(db.text("SELECT emf_check('metrics', 'legacy')"), "$.ok"), "1");
  EXPECT_EQ(db.integer("SELECT count(*) FROM legacy.latest_video_metrics"), 2);
  EXPECT_EQ(db.integer("SELECT count(*) FROM main.sqlite_schema"), 0);
}

// Copying into emf's column types applies their affinity: the text '007'
// would become 7 and a 20-digit text a REAL. Values are kept exactly or the
// rebuild refuses, naming them.
TEST(Adoption, NeverChangesAValueOnTheWay) {
  Db db;
  db.exec(
      "CREATE TABLE search_history (id INTEGER PRIMARY KEY AUTOINCREMENT, query TEXT NOT NULL, "
      "source TEXT, result_count TEXT, timestamp TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)");
  db.exec(
      "CREATE TABLE trending_topics (id INTEGER PRIMARY KEY, topic TEXT NOT NULL, source TEXT NOT "
      "NULL, timestamp TEXT, relevance_score REAL, used_flag INTEGER, category TEXT, metadata "
      "TEXT, created_at TEXT, updated_at TEXT)");
  db.exec(
      "INSERT INTO search_history (query, result_count, timestamp) VALUES "
      "('a', '007', '2025-01-01 00:00:00'), ('b', '12345678901234567890', '2025-01-01 00:00:00'), "
      "('c', 12, '2025-01-01 00:00:00')");
  const std::string before = db.dump();
  const auto error = db.error("SELECT emf_init('trends')");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("search_history.result_count: 1 row (rowid 1: '007' as 7): the column's "
                        "type would store it differently"),
            std::string::npos)
      << *error;
  EXPECT_NE(error->find("search_history.result_count: 1 row (rowid 2: '12345678901234567890'): "
                        "CHECK constraint failed: typeof(result_count) = 'integer'"),
            std::string::npos)
      << *error;
  EXPECT_EQ(db.dump(), before);
}

// A table of the other tool's under the name of an emf view is never
// replaced: adoption refuses, naming it, and changes nothing.
TEST(Adoption, ATableUnderTheNameOfAnEmfViewIsRefused) {
  Db db;
  make_legacy(db, "metrics");
  db.exec("DROP VIEW latest_video_metrics");
  db.exec("CREATE TABLE latest_video_metrics (video_id TEXT, views INTEGER)");
  db.exec("INSERT INTO latest_video_metrics VALUES ('v1', 3)");
  const std::string before = db.dump();
  const auto error = db.error("SELECT emf_init('metrics')");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("latest_video_metrics is a table, expected a view"), std::string::npos)
      << *error;
  EXPECT_EQ(db.dump(), before);
}

TEST(Adoption, NeverDropsAColumnItDoesNotKnow) {
  Db db;
  make_legacy(db, "trends");
  db.exec("ALTER TABLE search_history ADD COLUMN notes TEXT");
  db.exec("UPDATE search_history SET notes = 'mine'");
  const std::string before = db.dump();
  const auto error = db.error("SELECT emf_init('trends')");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error,
            "emf_init: sql/trends/003_exact_values.sql failed: search_history has columns emf does "
            "not know (notes); rebuilding it would "
            "drop them: move their data elsewhere and drop them, then try again");
  EXPECT_EQ(db.dump(), before);
}

TEST(Rebuild, RefusesInsideATransactionWhileForeignKeysAreOn) {
  Db db;
  make_legacy(db, "image_library");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("BEGIN");
  auto error = db.error("SELECT emf_init('image_library')");
  db.exec("ROLLBACK");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("emf_init: cannot rebuild tables inside a transaction while foreign "
                        "keys are on"),
            std::string::npos)
      << *error;
  EXPECT_NE(error->find("call emf_init outside a transaction"), std::string::npos) << *error;
  db.exec("SELECT emf_init('image_library')");
  drop_constraints(db, "image_usage");
  db.exec("BEGIN");
  error = db.error("SELECT emf_repair('image_library')");
  db.exec("ROLLBACK");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("emf_repair: cannot rebuild tables inside a transaction while foreign "
                        "keys are on"),
            std::string::npos)
      << *error;
}

TEST(Adoption, RefusesARebuildThatWouldBreakForeignKeys) {
  TempDir dir;
  Db db(dir.file("i.db"));
  make_legacy(db, "image_library");
  // The other tool's image_usage had no foreign key, and an orphan row:
  // emf's schema would make that row a violation, so the repair must stop.
  db.exec("PRAGMA foreign_keys = OFF");
  db.exec("DROP TABLE image_usage");
  db.exec(
      "CREATE TABLE image_usage (id INTEGER PRIMARY KEY AUTOINCREMENT, image_id INTEGER NOT "
      "NULL, video_id TEXT, scene_number INTEGER, timestamp TEXT)");
  db.exec(
      "INSERT INTO image_usage (image_id, video_id, scene_number, timestamp) VALUES "
      "(1, 'v1', 1, '2025-06-01T12:00:00.000Z'), (99, 'v2', 1, '2025-06-01T12:00:00.000Z')");
  const std::string before = db.dump();
  const auto error = db.error("SELECT emf_init('image_library')");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error,
            "emf_init: sql/image_library/002_exact_values.sql failed: the rebuild would break "
            "foreign keys (image_usage row 2 refers to a "
            "missing row of image_library); nothing was changed");
  EXPECT_EQ(db.dump(), before);
  EXPECT_EQ(db.integer("PRAGMA foreign_keys"), 1);  // restored after the refusal too
}

// A view of the other tool's under the name of an emf table: adoption needs
// that table's rows, and refuses, naming it, with nothing changed.
TEST(Adoption, AViewUnderTheNameOfAnEmfTableIsRefused) {
  Db db;
  make_legacy(db, "metrics");
  db.exec("DROP TABLE video_metadata");
  db.exec("CREATE VIEW video_metadata AS SELECT DISTINCT video_id FROM video_metrics");
  const std::string before = db.dump();
  const auto error = db.error("SELECT emf_init('metrics')");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error,
            "emf_init: schema main holds metrics objects that emf did not create, and cannot "
            "adopt them: video_metadata is a view, expected a table; add what is missing, or move "
            "those objects away");
  EXPECT_EQ(db.dump(), before);
}

// Rows that each fit every column of emf's definition but together break a
// table constraint (the other tool had no UNIQUE on video_metrics): the
// rows are named with SQLite's reason, and nothing is changed.
TEST(Adoption, RowsThatBreakATableConstraintTogetherAreNamed) {
  Db db;
  std::string legacy = source_file("tests/fixtures/legacy_metrics.sql");
  const std::string unique = "    UNIQUE(video_id, platform, timestamp)\n";
  const std::size_t at = legacy.find(unique);
  ASSERT_NE(at, std::string::npos);
  legacy.erase(at, unique.size());
  const std::size_t comma = legacy.rfind(',', at);
  legacy.erase(comma, 1);
  db.exec(legacy);
  db.exec(
      "INSERT INTO video_metrics (video_id, platform, views, timestamp, created_at) VALUES "
      "('v1', 'tiktok', 1, '2025-06-05 19:00:00.000', '2025-06-05 19:00:00.000'), "
      "('v1', 'tiktok', 2, '2025-06-05 19:00:00.000', '2025-06-05 19:00:00.000')");
  const std::string before = db.dump();
  const auto error = db.error("SELECT emf_init('metrics')");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error,
            "emf_init: cannot bring metrics to version 2 (sql/metrics/002_exact_values.sql): 1 "
            "value does not fit: video_metrics: 1 row (rowid 5): UNIQUE constraint failed: "
            "video_metrics.video_id, video_metrics.platform, video_metrics.timestamp; fix or "
            "delete those rows, then run emf_init again (nothing was changed)");
  EXPECT_EQ(db.dump(), before);
}

// Once a row does not fit, the migration's conversions only look for more
// such rows; one that fails otherwise (here, an index of the user's whose
// expression cannot take the converted time) adds nothing, and the refusal
// names the rows that do not fit.
TEST(Adoption, AConversionThatFailsOtherwiseDoesNotHideTheRowsThatDoNotFit) {
  Db db;
  make_legacy(db, "metrics");
  db.exec(
      "CREATE INDEX my_index ON video_metrics "
      "(json(CASE WHEN timestamp LIKE '%.%' THEN 'not json' ELSE '1' END))");
  db.exec("UPDATE video_metrics SET views = -1 WHERE id = 1");
  const std::string before = db.dump();
  const auto error = db.error("SELECT emf_init('metrics')");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error,
            "emf_init: cannot bring metrics to version 2 (sql/metrics/002_exact_values.sql): 1 "
            "value does not fit: video_metrics.views: 1 row (rowid 1: -1): CHECK constraint "
            "failed: typeof(views) = 'integer' AND views >= 0; fix or delete those rows, then run "
            "emf_init again (nothing was changed)");
  EXPECT_EQ(db.dump(), before);
  // With every row fitting, that conversion's own failure is the error.
  db.exec("UPDATE video_metrics SET views = 1 WHERE id = 1");
  const std::string fitting = db.dump();
  const auto own = db.error("SELECT emf_init('metrics')");
  ASSERT_TRUE(own.has_value());
  EXPECT_EQ(*own, "emf_init: sql/metrics/002_exact_values.sql failed: malformed JSON");
  EXPECT_EQ(db.dump(), fitting);
}

}  // namespace
}  // namespace emf::test
