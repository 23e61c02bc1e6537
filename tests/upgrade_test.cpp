// Upgrades that rebuild tables: a database made by the previous version of
// each kind (times in the 'T...Z' form) comes through with every row, id and
// instant; the user's own indexes, triggers and views survive; rows that
// cannot be converted are named and nothing changes; a view emf replaces on
// adoption never loses a column a pipeline query uses.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <map>

#include "support/fixtures.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

// Rows as written by the previous version of each kind: its own default
// time form, and the forms other clients wrote into it.
const std::map<std::string, std::vector<std::string>> kPreviousVersionRows = {
    {"trends",
     {"INSERT INTO trending_topics (topic, source, timestamp, relevance_score, metadata, "
      "created_at, updated_at) VALUES "
      "('a', 'x', '2026-11-25T09:00:00.000Z', 0.5, '{\"k\": 1}', '2026-11-25T09:00:00.000Z', "
      "'2026-11-25T09:30:00.000Z'), "
      "('b', 'x', '2026-11-25 14:00:00', NULL, NULL, '2026-11-25 14:00:00', "
      "'2026-11-25 14:00:00.123456'), "
      "('c', 'y', '2026-11-25T16:00:00+02:00', 1, NULL, '2026-11-25T14:00:00Z', "
      "'2026-11-25T14:00:00.5Z')",
      "DELETE FROM trending_topics WHERE topic = 'c'",
      "INSERT INTO search_history (query, result_count, timestamp) VALUES "
      "('q1', 3, '2026-11-25T08:00:00.000Z'), ('q2', 0, '2026-11-25 08:00:01')"}},
    {"metrics",
     {"INSERT INTO video_metadata (video_id, title, duration_seconds, created_at, posted_at) "
      "VALUES ('v1', 'One', 42, '2026-11-24T10:00:00.000Z', '2026-11-24 18:00:00'), "
      "('v2', 'Two', NULL, '2026-11-24 11:00:00', NULL)",
      "INSERT INTO video_metrics (video_id, platform, views, watch_time_seconds, "
      "engagement_rate, timestamp, created_at) VALUES "
      "('v1', 'tiktok', 100, 10, 0.1, '2026-11-25T09:00:00.000Z', '2026-11-25T09:00:00.000Z'), "
      "('v1', 'tiktok', 900, 90.5, 0.2, '2026-11-25 14:00:00', '2026-11-25 14:00:00'), "
      "('v2', 'youtube', 5, 0, NULL, '2026-11-25T10:00:00Z', '2026-11-25T10:00:00Z')"}},
    {"image_library",
     {"INSERT INTO image_library (character, file_path, file_size_bytes, width, height, "
      "quality_score, tags, metadata, timestamp, created_at) VALUES "
      "('butcher', 'a.png', 1024, 800, 600, 0.9, '[\"a\"]', '{\"s\": 1}', "
      "'2026-11-20T10:00:00.000Z', '2026-11-20T10:00:00.000Z'), "
      "('nutsy', 'b.png', NULL, NULL, NULL, NULL, NULL, NULL, '2026-11-20 11:00:00', "
      "'2026-11-20 11:00:00')",
      "INSERT INTO image_usage (image_id, video_id, scene_number, timestamp) VALUES "
      "(1, 'v1', 1, '2026-11-25 02:53:03'), (1, 'v2', 2, '2026-11-25T01:00:00.000Z'), "
      "(2, 'v1', 3, '2026-11-25T03:00:00.000Z')",
      "INSERT INTO image_collections (name, created_at) VALUES ('c', '2026-11-21T09:00:00Z')",
      "INSERT INTO collection_images (collection_id, image_id, sort_order) VALUES (1, 2, 5), "
      "(1, 1, 7)"}},
};

using Columns = std::map<std::string, std::vector<std::string>>;

// The columns of each table of the schema (emf's history aside).
Columns columns_of(Db& db) {
  Columns columns;
  for (const auto& row : db.rows(
           "SELECT m.name, p.name FROM sqlite_schema AS m, pragma_table_info(m.name) AS p WHERE "
           "m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'emf_schema_history' "
           "ORDER BY m.name, p.cid")) {
    columns[row[0]].push_back(row[1]);
  }
  return columns;
}

// Every row of those tables and columns, in rowid order, with each time (a
// text that reads as one) written as the instant it stands for, in
// milliseconds since 1970: equal before and after exactly when no row, id,
// value or instant changed.
std::string rows_as_instants(Db& db, const Columns& columns) {
  std::string text;
  for (const auto& [table, names] : columns) {
    std::string select;
    for (const std::string& column : names) {
      select += fmt::format(
          ", CASE WHEN typeof({0}) = 'text' AND {0} GLOB '[0-9][0-9][0-9][0-9]-*' THEN "
          "CAST(round((julianday({0}) - 2440587.5) * 86400000) AS INTEGER) "
          "WHEN typeof({0}) IN ('integer', 'real') THEN printf('%.15g', {0}) ELSE quote({0}) END",
          column);
    }
    text += table + "\n";
    for (const auto& row :
         db.rows(fmt::format("SELECT rowid{} FROM {} ORDER BY rowid", select, table))) {
      for (const auto& cell : row) text += cell + "|";
      text += "\n";
    }
  }
  return text;
}

// The time columns of the schema that hold a value not in the stored form.
std::vector<std::string> unconverted_times(Db& db) {
  std::vector<std::string> found;
  for (const auto& column :
       db.rows("SELECT m.name, p.name FROM sqlite_schema AS m, pragma_table_info(m.name) AS p "
               "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND "
               "(p.name GLOB '*_at' OR p.name = 'timestamp')")) {
    const auto bad = db.integer(
        fmt::format("SELECT count(*) FROM {0} WHERE {1} IS NOT strftime('%Y-%m-%d %H:%M:%f', {1})",
                    column[0], column[1]));
    if (bad > 0) found.push_back(column[0] + "." + column[1]);
  }
  return found;
}

class UpgradeTest : public ::testing::TestWithParam<std::string> {};

TEST_P(UpgradeTest, APreviousVersionDatabaseUpgradesInstantForInstant) {
  const std::string kind = GetParam();
  TempDir dir;
  Db db(dir.file(kind + ".db"));
  db.exec("PRAGMA foreign_keys = ON");
  make_version_1(db, kind);
  for (const std::string& statement : kPreviousVersionRows.at(kind)) db.exec(statement);
  ASSERT_FALSE(unconverted_times(db).empty());  // mixed forms to begin with
  const Columns columns = columns_of(db);
  const std::string before = rows_as_instants(db, columns);
  const std::string sequences_query =
      "SELECT group_concat(name || seq) FROM (SELECT * FROM sqlite_sequence ORDER BY name)";
  const std::string sequences = db.text(sequences_query);

  const std::string report = db.text(fmt::format("SELECT emf_init('{}')", kind));
  EXPECT_NE(db.json(report, "$.rebuilt"), "NULL") << report;
  if (kind == "image_library") {
    // last_used_at moves forward to the latest logged use, which version 1's
    // text comparison had lost (see below); every other value is kept.
    db.exec("UPDATE image_library SET last_used_at = '2026-11-25T01:00:00.000Z' WHERE id = 1");
  }
  EXPECT_EQ(rows_as_instants(db, columns), before);
  EXPECT_EQ(db.text(sequences_query), sequences);
  EXPECT_EQ(db.integer("SELECT count(*) FROM sqlite_sequence WHERE typeof(seq) <> 'integer'"), 0);
  EXPECT_EQ(db.json(db.text(fmt::format("SELECT emf_check('{}')", kind)), "$.ok"), "1");
  EXPECT_EQ(unconverted_times(db), std::vector<std::string>{});
  EXPECT_EQ(db.text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(db.integer("SELECT count(*) FROM pragma_foreign_key_check"), 0);
  EXPECT_EQ(db.integer("PRAGMA foreign_keys"), 1);
}

INSTANTIATE_TEST_SUITE_P(EveryKind, UpgradeTest,
                         ::testing::Values("trends", "metrics", "image_library"));

// After the upgrade the view and the trigger answer right on what the
// previous version stored in mixed forms.
TEST(Upgrade, TheViewAndTheUsageTriggerAnswerRightAfterwards) {
  Db db;
  for (const char* kind : {"metrics", "image_library"}) {
    make_version_1(db, kind);
    for (const std::string& statement : kPreviousVersionRows.at(kind)) db.exec(statement);
    db.exec(fmt::format("SELECT emf_init('{}')", kind));
  }
  EXPECT_EQ(db.rows("SELECT video_id, platform, views, timestamp, duration_seconds FROM "
                    "latest_video_metrics ORDER BY video_id"),
            (std::vector<std::vector<std::string>>{
                {"v1", "tiktok", "900", "2026-11-25 14:00:00.000", "42.0"},
                {"v2", "youtube", "5", "2026-11-25 10:00:00.000", "NULL"}}));
  // Version 1 compared times as text: the use at 01:00 ('T' form), recorded
  // after the one at 02:53:03, moved last_used_at back. The upgrade brings
  // it forward to the latest logged use, and it stays there.
  EXPECT_EQ(db.text("SELECT usage_count || ' ' || last_used_at FROM image_library WHERE id = 1"),
            "2 2026-11-25 02:53:03.000");
  db.exec("INSERT INTO image_usage (image_id, timestamp) VALUES (1, '2026-11-25T01:30:00Z')");
  EXPECT_EQ(db.text("SELECT usage_count || ' ' || last_used_at FROM image_library WHERE id = 1"),
            "3 2026-11-25 02:53:03.000");
}

// Two spellings of one instant that the previous version let through its
// UNIQUE key cannot both be converted: the row is named, nothing changes.
TEST(Upgrade, ARowThatCannotBeConvertedIsNamedAndNothingChanges) {
  TempDir dir;
  Db db(dir.file("metrics.db"));
  make_version_1(db, "metrics");
  db.exec(
      "INSERT INTO video_metrics (video_id, platform, timestamp) VALUES "
      "('v1', 'tiktok', '2026-11-25 14:00:00'), ('v1', 'tiktok', '2026-11-25T14:00:00.000Z'), "
      "('v2', 'tiktok', '2026-11-25 15:00:00'), ('v2', 'tiktok', '2026-11-25T15:00:00Z')");
  const std::string before = db.dump();
  const std::string journal = db.text("PRAGMA journal_mode");
  const auto error = db.error("SELECT emf_init('metrics')");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error,
            "emf_init: cannot bring metrics to version 2 (sql/metrics/002_exact_values.sql): 2 "
            "values do not fit: video_metrics.timestamp: 2 rows (rowid 2: "
            "'2026-11-25T14:00:00.000Z', rowid 4: '2026-11-25T15:00:00Z'): UNIQUE constraint "
            "failed: video_metrics.video_id, video_metrics.platform, video_metrics.timestamp; fix "
            "or delete those rows, then run emf_init again (nothing was changed)");
  EXPECT_EQ(db.dump(), before);
  EXPECT_EQ(db.text("PRAGMA journal_mode"), journal);
  // Resolved (the duplicate deleted), the upgrade goes through.
  db.exec("DELETE FROM video_metrics WHERE rowid IN (2, 4)");
  db.exec("SELECT emf_init('metrics')");
  EXPECT_EQ(db.integer("SELECT count(*) FROM video_metrics"), 2);
}

// Every row that does not fit is listed in one run, also when one table's
// rebuild already found some: the rest of the migration still meets the new
// table's keys.
TEST(Upgrade, EveryMisfitOfEveryKindIsListedInOneRun) {
  TempDir dir;
  Db db(dir.file("metrics.db"));
  make_version_1(db, "metrics");
  db.exec(
      "INSERT INTO video_metrics (video_id, platform, views, timestamp) VALUES "
      "('a', 'p', '1.2K', '2026-01-01 09:00:00'), ('b', 'p', 1, '2026-01-01T10:00:00Z'), "
      "('b', 'p', 2, '2026-01-01 10:00:00')");
  const std::string before = db.dump();
  const auto error = db.error("SELECT emf_init('metrics')");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("video_metrics.views: 1 row (rowid 1: '1.2K')"), std::string::npos)
      << *error;
  EXPECT_NE(error->find("video_metrics.timestamp: 1 row (rowid 3: '2026-01-01 10:00:00'): UNIQUE "
                        "constraint failed"),
            std::string::npos)
      << *error;
  EXPECT_EQ(db.dump(), before);
}

// A rebuild keeps what the user built on emf's tables.
TEST(Upgrade, TheUsersOwnIndexesTriggersAndViewsSurviveARebuild) {
  TempDir dir;
  Db db(dir.file("trends.db"));
  make_version_1(db, "trends");
  for (const std::string& statement : kPreviousVersionRows.at("trends")) db.exec(statement);
  db.exec("CREATE TABLE my_log (topic TEXT)");
  db.exec("CREATE INDEX my_topics_by_category ON trending_topics (category, topic)");
  db.exec(
      "CREATE TRIGGER my_logger AFTER INSERT ON trending_topics BEGIN "
      "INSERT INTO my_log VALUES (NEW.topic); END");
  db.exec("CREATE VIEW my_unused AS SELECT topic FROM trending_topics WHERE used_flag = 0");
  const auto mine = [&] {
    return db.rows("SELECT type, name, sql FROM sqlite_schema WHERE name LIKE 'my%' ORDER BY name");
  };
  const auto before = mine();
  db.exec("SELECT emf_init('trends')");
  EXPECT_EQ(mine(), before);
  db.exec("INSERT INTO trending_topics (topic, source) VALUES ('new', 's')");
  EXPECT_EQ(db.text("SELECT group_concat(topic) FROM my_log"), "new");
  EXPECT_EQ(db.integer("SELECT count(*) FROM my_unused"), 3);
  EXPECT_EQ(db.json(db.text("SELECT emf_check('trends')"), "$.ok"), "1");
}

// Inside the caller's transaction, with foreign keys off as SQLite's
// procedure requires, the rebuild joins it: all or nothing with it.
TEST(Upgrade, JoinsTheCallersTransactionWhenForeignKeysAreOff) {
  TempDir dir;
  Db db(dir.file("image_library.db"));
  make_version_1(db, "image_library");
  for (const std::string& statement : kPreviousVersionRows.at("image_library")) db.exec(statement);
  const std::string before = db.dump();
  db.exec("PRAGMA foreign_keys = OFF");
  db.exec("BEGIN");
  db.exec("SELECT emf_init('image_library')");
  db.exec("ROLLBACK");
  EXPECT_EQ(db.dump(), before);
  db.exec("BEGIN");
  db.exec("SELECT emf_init('image_library')");
  db.exec("COMMIT");
  EXPECT_EQ(unconverted_times(db), std::vector<std::string>{});
  EXPECT_EQ(db.integer("SELECT count(*) FROM image_usage"), 3);
}

// Migrated in an attached schema, a statement reads that schema's tables,
// even when main has tables of the same names.
TEST(Upgrade, InAnAttachedSchemaEveryNameIsThatSchemas) {
  TempDir dir;
  {
    Db aux(dir.file("aux.db"), false);
    make_version_1(aux, "image_library");
    for (const std::string& statement : kPreviousVersionRows.at("image_library")) {
      aux.exec(statement);
    }
  }
  Db db(dir.file("main.db"));
  db.exec("CREATE TABLE image_usage (image_id INTEGER, timestamp TEXT)");
  db.exec("INSERT INTO image_usage VALUES (1, '2030-01-01 00:00:00.000')");
  db.exec(fmt::format("ATTACH '{}' AS aux", dir.file("aux.db")));
  db.exec("SELECT emf_init('image_library', 'aux')");
  EXPECT_EQ(db.text("SELECT last_used_at FROM aux.image_library WHERE id = 1"),
            "2026-11-25 02:53:03.000");
  EXPECT_EQ(db.integer("SELECT count(*) FROM main.image_usage"), 1);
  EXPECT_EQ(db.json(db.text("SELECT emf_check('image_library', 'aux')"), "$.ok"), "1");
}

// A TEMP table of the same name must not take the upgrade's statements:
// main is upgraded, its rows converted.
TEST(Upgrade, ATempTableOfTheSameNameIsNotWhatIsUpgraded) {
  TempDir dir;
  Db db(dir.file("metrics.db"));
  make_version_1(db, "metrics");
  for (const std::string& statement : kPreviousVersionRows.at("metrics")) db.exec(statement);
  db.exec("CREATE TEMP TABLE video_metrics AS SELECT * FROM main.video_metrics WHERE 0");
  db.exec("SELECT emf_init('metrics')");
  EXPECT_EQ(db.integer("SELECT count(*) FROM main.video_metrics WHERE timestamp GLOB '*T*'"), 0);
  EXPECT_EQ(db.integer("SELECT count(*) FROM temp.sqlite_schema WHERE type <> 'table'"), 0);
  db.exec("DROP TABLE temp.video_metrics");
  EXPECT_EQ(db.json(db.text("SELECT emf_check('metrics')"), "$.ok"), "1");
}

// An INSTEAD OF trigger of the user's on emf's view comes back on the new
// view.
TEST(Upgrade, AUsersInsteadOfTriggerOnEmfsViewSurvives) {
  TempDir dir;
  Db db(dir.file("metrics.db"));
  make_version_1(db, "metrics");
  for (const std::string& statement : kPreviousVersionRows.at("metrics")) db.exec(statement);
  db.exec(
      "CREATE TABLE corrections (video_id, views); CREATE TRIGGER fix_views INSTEAD OF UPDATE OF "
      "views ON latest_video_metrics BEGIN INSERT INTO corrections VALUES (NEW.video_id, "
      "NEW.views); END");
  db.exec("SELECT emf_init('metrics')");
  db.exec("UPDATE latest_video_metrics SET views = 7 WHERE video_id = 'v2'");
  EXPECT_EQ(db.text("SELECT video_id || ' ' || views FROM corrections"), "v2 7");
}

// The connection's TEMP trigger on an emf table and TEMP view over one
// neither block the rebuild nor vanish with it.
TEST(Upgrade, TheCallersTempTriggersAndViewsSurvive) {
  TempDir dir;
  Db db(dir.file("trends.db"));
  make_version_1(db, "trends");
  for (const std::string& statement : kPreviousVersionRows.at("trends")) db.exec(statement);
  db.exec(
      "CREATE TEMP TABLE log (query); CREATE TEMP TRIGGER audit AFTER INSERT ON "
      "main.search_history BEGIN INSERT INTO log VALUES (NEW.query); END; CREATE TEMP VIEW "
      "recent AS SELECT query FROM main.search_history");
  db.exec("SELECT emf_init('trends')");
  db.exec("INSERT INTO search_history (query) VALUES ('new')");
  EXPECT_EQ(db.text("SELECT group_concat(query) FROM log"), "new");
  EXPECT_EQ(db.integer("SELECT count(*) FROM recent"), 3);
  EXPECT_EQ(db.integer("SELECT count(*) FROM main.sqlite_schema WHERE name IN ('audit', "
                       "'recent')"),
            0);
}

// SQLite accepts a view whose SQL ends in an unterminated comment; so does
// every emf function that reads or rebuilds the schema.
TEST(Upgrade, AViewEndingInAnOpenCommentIsNoObstacle) {
  TempDir dir;
  Db db(dir.file("trends.db"));
  make_version_1(db, "trends");
  db.exec("CREATE VIEW my_topics AS SELECT topic FROM trending_topics /* open");
  db.exec("SELECT emf_init('trends')");
  EXPECT_EQ(db.json(db.text("SELECT emf_check('trends')"), "$.ok"), "1");
  db.exec("SELECT emf_repair('trends'), emf_reset('trends')");
  EXPECT_EQ(db.integer("SELECT count(*) FROM my_topics"), 0);
}

// PRAGMA ignore_check_constraints would let rows that do not fit through:
// the upgrade enforces them, and leaves the setting as it found it.
TEST(Upgrade, IgnoringCheckConstraintsDoesNotLetMisfitsThrough) {
  TempDir dir;
  Db db(dir.file("metrics.db"));
  make_version_1(db, "metrics");
  db.exec("INSERT INTO video_metrics (video_id, platform, views) VALUES ('a', 'p', '1.2K')");
  const std::string before = db.dump();
  db.exec("PRAGMA ignore_check_constraints = ON");
  const auto error = db.error("SELECT emf_init('metrics')");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("video_metrics.views: 1 row (rowid 1: '1.2K')"), std::string::npos)
      << *error;
  EXPECT_EQ(db.dump(), before);
  EXPECT_EQ(db.integer("PRAGMA ignore_check_constraints"), 1);
}

// A UNIQUE index of the user's that converted times would break: the rows
// are named, nothing changes.
TEST(Upgrade, AUsersUniqueIndexThatConversionWouldBreakNamesTheRows) {
  TempDir dir;
  Db db(dir.file("trends.db"));
  make_version_1(db, "trends");
  db.exec("CREATE UNIQUE INDEX my_u ON trending_topics (topic, timestamp)");
  db.exec(
      "INSERT INTO trending_topics (topic, source, timestamp) VALUES "
      "('cats', 's', '2026-01-01T10:00:00Z'), ('cats', 's', '2026-01-01 10:00:00')");
  const std::string before = db.dump();
  const auto error = db.error("SELECT emf_init('trends')");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("trending_topics.timestamp: 1 row (rowid 2: '2026-01-01 10:00:00'): "
                        "UNIQUE constraint failed: trending_topics.topic, "
                        "trending_topics.timestamp"),
            std::string::npos)
      << *error;
  EXPECT_EQ(db.dump(), before);
}

// The old tool's view joined the metadata: replacing it must not take a
// column away from the pipeline's queries.
TEST(Adoption, AReplacedViewKeepsEveryColumnItOffered) {
  Db db;
  make_legacy(db, "metrics");
  db.exec("DROP VIEW latest_video_metrics");
  db.exec(
      "CREATE VIEW latest_video_metrics AS SELECT vm.*, md.title, md.topic, "
      "md.duration_seconds, md.posted_at FROM video_metrics vm LEFT JOIN video_metadata md ON "
      "vm.video_id = md.video_id WHERE vm.timestamp = (SELECT MAX(timestamp) FROM video_metrics "
      "WHERE video_id = vm.video_id AND platform = vm.platform)");
  db.exec("UPDATE video_metadata SET duration_seconds = 31.5 WHERE video_id = 'v1'");
  const std::string query =
      "SELECT video_id, platform, views, duration_seconds FROM latest_video_metrics ORDER BY "
      "video_id";
  const auto before = db.rows(query);
  db.exec("SELECT emf_init('metrics')");
  EXPECT_EQ(db.rows(query), before);
  EXPECT_EQ(db.rows(query)[0], (std::vector<std::string>{"v1", "tiktok", "900", "31.5"}));
}

// A trigger of the user's on the view emf replaces comes back on emf's view,
// on adoption and on repair alike.
TEST(Adoption, AUsersTriggerOnAReplacedViewComesBack) {
  Db db;
  make_legacy(db, "metrics");
  db.exec(
      "CREATE TABLE corrections (video_id, views); CREATE TRIGGER fix_views INSTEAD OF UPDATE OF "
      "views ON latest_video_metrics BEGIN INSERT INTO corrections VALUES (NEW.video_id, "
      "NEW.views); END");
  db.exec("SELECT emf_init('metrics')");
  db.exec("UPDATE latest_video_metrics SET views = 7 WHERE video_id = 'v9'");
  EXPECT_EQ(db.text("SELECT video_id || ' ' || views FROM corrections"), "v9 7");

  db.exec("DROP VIEW latest_video_metrics");
  db.exec("CREATE VIEW latest_video_metrics AS SELECT * FROM video_metrics");
  db.exec(
      "CREATE TRIGGER fix_views INSTEAD OF UPDATE OF views ON latest_video_metrics BEGIN "
      "INSERT INTO corrections VALUES (NEW.video_id, NEW.views); END");
  const std::string report = db.text("SELECT emf_repair('metrics')");
  EXPECT_EQ(db.json(report, "$.recreated"), "[\"latest_video_metrics\"]");
  db.exec("UPDATE latest_video_metrics SET views = 8 WHERE video_id = 'v9'");
  EXPECT_EQ(db.integer("SELECT count(*) FROM corrections WHERE views = 8"), 1);
  EXPECT_EQ(db.json(db.text("SELECT emf_check('metrics')"), "$.ok"), "1");
}

// A column that becomes the rowid must hold distinct integers already: a
// NULL would get a new id, and the rowids would change under the rows.
TEST(Adoption, AnIdThatIsNotADistinctIntegerIsNamed) {
  Db db;
  db.exec(
      "CREATE TABLE search_history (id INTEGER, query TEXT NOT NULL, source TEXT, result_count "
      "INTEGER, timestamp TEXT)");
  db.exec(
      "CREATE TABLE trending_topics (id INTEGER PRIMARY KEY, topic TEXT NOT NULL, source TEXT NOT "
      "NULL, timestamp TEXT, relevance_score REAL, used_flag INTEGER, category TEXT, metadata "
      "TEXT, created_at TEXT, updated_at TEXT)");
  db.exec(
      "INSERT INTO search_history (id, query, result_count, timestamp) VALUES "
      "(NULL, 'a', 1, '2025-01-01 00:00:00'), (7, 'b', 1, '2025-01-01 00:00:00'), "
      "('x', 'c', 1, '2025-01-01 00:00:00'), (7, 'd', 1, '2025-01-01 00:00:00')");
  const std::string before = db.dump();
  const auto error = db.error("SELECT emf_init('trends')");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("search_history.id: 4 rows (rowid 1: NULL, rowid 2: 7, rowid 3: 'x', 1 "
                        "more): it becomes the row's id, which must be a distinct integer"),
            std::string::npos)
      << *error;
  EXPECT_EQ(db.dump(), before);
}

// The guide tells its users to add priority by hand, as migration 2 does:
// such a database is adopted with its priorities, not refused for a
// duplicate column; a priority that does not fit is named.
TEST(Adoption, ADatabaseThatFollowedTheGuidesExampleMigrationIsAdopted) {
  for (const bool fits : {true, false}) {
    SCOPED_TRACE(fits ? "priorities fit" : "a NULL priority");
    Db db;
    make_legacy(db, "trends");
    db.exec("ALTER TABLE trending_topics ADD COLUMN priority INTEGER DEFAULT 0");
    db.exec(
        "CREATE INDEX IF NOT EXISTS idx_trending_topics_priority ON trending_topics (priority "
        "DESC)");
    // (The other tool's updated_at trigger recurses with recursive triggers.)
    db.exec("PRAGMA recursive_triggers = OFF");
    db.exec("UPDATE trending_topics SET priority = id * 10");
    if (!fits) db.exec("UPDATE trending_topics SET priority = NULL WHERE id = 2");
    db.exec("PRAGMA recursive_triggers = ON");
    const std::string before = db.dump();
    const auto error = db.error("SELECT emf_init('trends')");
    if (fits) {
      EXPECT_EQ(error, std::nullopt);
      EXPECT_EQ(db.text("SELECT group_concat(priority) FROM (SELECT priority FROM trending_topics "
                        "ORDER BY id)"),
                "10,20,30");
      EXPECT_EQ(db.json(db.text("SELECT emf_check('trends')"), "$.ok"), "1");
    } else {
      ASSERT_TRUE(error.has_value());
      EXPECT_NE(error->find("trending_topics.priority: 1 row (rowid 2: NULL)"), std::string::npos)
          << *error;
      EXPECT_EQ(db.dump(), before);
    }
  }
}

TEST(Adoption, RefusesToReplaceAViewByOneWithoutItsColumns) {
  Db db;
  make_legacy(db, "metrics");
  db.exec("DROP VIEW latest_video_metrics");
  db.exec(
      "CREATE VIEW latest_video_metrics AS SELECT video_id, platform, views + likes AS reach "
      "FROM video_metrics");
  const std::string before = db.dump();
  const auto error = db.error("SELECT emf_init('metrics')");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error,
            "emf_init: emf's views would replace yours without these columns, which your queries "
            "may use: latest_video_metrics.reach; rename your view (emf then leaves it alone) and "
            "run emf_init again (nothing was changed)");
  EXPECT_EQ(db.dump(), before);
}

}  // namespace
}  // namespace emf::test
