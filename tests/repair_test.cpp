// emf_repair: converges a drifted schema on emf's definitions (SQLite's
// twelve-step rebuild for tables, recreation for indexes, triggers and
// views) with every row and every object of the user's intact; what the rows
// do not allow is refused, naming them, with nothing changed.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "support/fixtures.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

TEST(Repair, ARowThatBreaksAConstraintStopsItAndNothingChanges) {
  TempDir dir;
  Db db(dir.file("t.db"));
  db.exec("SELECT emf_init('trends'), emf_seed('trends')");
  drop_constraints(db, "trending_topics");
  drop_constraints(db, "search_history");
  db.exec("UPDATE trending_topics SET relevance_score = 5.0 WHERE id IN (2, 3)");
  db.exec("UPDATE search_history SET query = '' WHERE id = 1");
  const std::string before = db.dump();
  const auto error = db.error("SELECT emf_repair('trends')");
  ASSERT_TRUE(error.has_value());
  // Every row that blocks it, in one run.
  EXPECT_EQ(*error,
            "emf_repair: cannot repair trends: 3 values do not fit: "
            "trending_topics.relevance_score: 2 rows (rowid 2: 5.0, rowid 3: 5.0): CHECK "
            "constraint failed: relevance_score IS NULL OR (typeof(relevance_score) = 'real' AND "
            "relevance_score BETWEEN 0.0 AND 1.0); search_history.query: 1 row "
            "(rowid 1: ''): CHECK constraint failed: length(trim(query)) > 0; fix or delete those "
            "rows, then run emf_repair again (nothing was changed)");
  EXPECT_EQ(db.dump(), before);
  EXPECT_EQ(db.integer("PRAGMA foreign_keys"), 1);
  // Fixed, it goes through.
  db.exec("UPDATE trending_topics SET relevance_score = 0.5 WHERE id IN (2, 3)");
  db.exec("UPDATE search_history SET query = 'q' WHERE id = 1");
  db.exec("SELECT emf_repair('trends')");
  EXPECT_EQ(db.json(db.text("SELECT emf_check('trends')"), "$.ok"), "1");
}

// An index repair recreates that the rows break: the rows are named.
TEST(Repair, AUniqueIndexTheRowsBreakNamesThem) {
  Db db;
  db.exec("SELECT emf_init('metrics')");
  db.exec("DROP INDEX idx_video_metrics_one_snapshot_per_instant");
  db.exec("DROP TRIGGER video_metrics_times_on_insert");
  db.exec(
      "INSERT INTO video_metrics (video_id, platform, timestamp) VALUES "
      "('v', 'p', '2024-01-01 10:00:00.000'), ('v', 'p', '2024-01-01T10:00:00Z')");
  const std::string before = db.dump();
  const auto error = db.error("SELECT emf_repair('metrics')");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("video_metrics.video_id: 1 row (rowid 2: 'v'): UNIQUE constraint failed: "
                        "index 'idx_video_metrics_one_snapshot_per_instant'; fix or delete those "
                        "rows, then run emf_repair again (nothing was changed)"),
            std::string::npos)
      << *error;
  EXPECT_EQ(db.dump(), before);
}

// Only a rebuild needs foreign keys off: recreating an index works inside
// the caller's transaction with them on.
TEST(Repair, RecreatesAnIndexInsideTheCallersTransaction) {
  Db db;
  db.exec("SELECT emf_init('trends')");
  db.exec("DROP INDEX idx_trending_topics_source");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("BEGIN");
  EXPECT_EQ(db.json(db.text("SELECT emf_repair('trends')"), "$.recreated"),
            "[\"idx_trending_topics_source\"]");
  db.exec("COMMIT");
  EXPECT_EQ(db.json(db.text("SELECT emf_check('trends')"), "$.ok"), "1");
}

// Whatever of the user's SQLite accepts survives a repair's rebuild: a view
// with an INSTEAD OF trigger, the connection's TEMP view and TEMP trigger on
// a rebuilt table.
TEST(Repair, KeepsTheUsersViewsTriggersAndTempObjects) {
  Db db;
  db.exec("SELECT emf_init('trends'), emf_seed('trends')");
  db.exec(
      "CREATE TABLE my_log (q TEXT); CREATE VIEW my_searches AS SELECT query FROM search_history; "
      "CREATE TRIGGER my_insert INSTEAD OF INSERT ON my_searches BEGIN INSERT INTO "
      "search_history (query) VALUES (NEW.query); END; CREATE TEMP VIEW recent AS SELECT query "
      "FROM main.search_history; CREATE TEMP TRIGGER audit AFTER INSERT ON main.search_history "
      "BEGIN INSERT INTO my_log VALUES (NEW.query); END");
  drop_constraints(db, "search_history");
  EXPECT_EQ(db.json(db.text("SELECT emf_repair('trends')"), "$.rebuilt"), "[\"search_history\"]");
  db.exec("INSERT INTO my_searches (query) VALUES ('through the view')");
  EXPECT_EQ(db.text("SELECT group_concat(q) FROM my_log"), "through the view");
  EXPECT_EQ(db.integer("SELECT count(*) FROM recent"), 5);
  EXPECT_EQ(db.json(db.text("SELECT emf_check('trends')"), "$.ok"), "1");
}

// Found by fuzz_check_repair: a history row whose version is text ('1.2K'
// passes the table's CHECK, version >= 1) was read as version 1, and repair
// rebuilt the tables to version 1's schema and called it a success. A
// damaged history is named, and nothing reads past it or changes.
TEST(Repair, AHistoryVersionThatIsNotAWholeNumberIsNamedAndNothingChanges) {
  Db db;
  db.exec("SELECT emf_init('metrics'), emf_seed('metrics')");
  db.exec(
      "UPDATE emf_schema_history SET version = '1.2K' WHERE rowid = (SELECT min(rowid) FROM "
      "emf_schema_history)");
  const std::string before = db.dump();
  const std::string expected =
      "emf_schema_history is damaged: a row of metrics has version '1.2K', not a whole number; "
      "correct that row, or restore the database from a backup";
  for (const std::string function : {"emf_repair", "emf_check", "emf_init", "emf_seed"}) {
    EXPECT_EQ(db.error(fmt::format("SELECT {}('metrics')", function)), function + ": " + expected);
  }
  EXPECT_EQ(db.dump(), before);
}

TEST(Repair, NeedsAnInitialisedKind) {
  Db db;
  make_legacy(db, "trends");
  const auto error = db.error("SELECT emf_repair('trends')");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error,
            "emf_repair: trends is not initialised and up to date in schema main; run "
            "emf_init('trends') first");
}

TEST(Repair, RecreatesMissingAndChangedIndexesTriggersAndViews) {
  Db db;
  db.exec("SELECT emf_init('metrics'), emf_seed('metrics')");
  db.exec("DROP INDEX idx_video_metrics_platform");
  db.exec("DROP VIEW latest_video_metrics");
  db.exec("CREATE VIEW latest_video_metrics AS SELECT 1");
  const std::string report = db.text("SELECT emf_repair('metrics')");
  EXPECT_EQ(db.json(report, "$.rebuilt"), "[]");
  EXPECT_EQ(db.json(report, "$.recreated"),
            "[\"idx_video_metrics_platform\",\"latest_video_metrics\"]");
  EXPECT_EQ(db.json(db.text("SELECT emf_check('metrics')"), "$.ok"), "1");
  EXPECT_EQ(db.integer("SELECT count(*) FROM latest_video_metrics"), 4);
}

// A table of emf's that was dropped comes back empty, with its indexes and
// triggers, and the other table's rows stay.
TEST(Repair, RecreatesADroppedTable) {
  Db db;
  db.exec("SELECT emf_init('trends'), emf_seed('trends')");
  const std::int64_t topics = db.integer("SELECT count(*) FROM trending_topics");
  db.exec("DROP TABLE search_history");
  const std::string report = db.text("SELECT emf_repair('trends')");
  EXPECT_EQ(db.json(report, "$.rebuilt"), "[]");
  EXPECT_EQ(
      db.json(report, "$.recreated"),
      "[\"search_history\",\"search_history_times_on_insert\",\"search_history_times_on_update\"]");
  EXPECT_EQ(db.integer("SELECT count(*) FROM search_history"), 0);
  EXPECT_EQ(db.integer("SELECT count(*) FROM trending_topics"), topics);
  EXPECT_EQ(db.json(db.text("SELECT emf_check('trends')"), "$.ok"), "1");
}

// An applied migration whose recorded checksum no longer matches its file
// is not the repair's to paper over: it refuses and changes nothing.
TEST(Repair, RefusesAfterAnAppliedMigrationWasModified) {
  Db db;
  db.exec("SELECT emf_init('trends')");
  db.exec("DROP INDEX idx_trending_topics_source");
  db.exec(
      "UPDATE emf_schema_history SET checksum = 'tampered' WHERE kind = 'trends' AND version = 2");
  const std::string before = db.dump();
  const auto error = db.error("SELECT emf_repair('trends')");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error,
            "emf_repair: migration 002_topic_priority was modified after it was applied: applied "
            "with checksum tampered, but sql/trends/002_topic_priority.sql now has "
            "01102453a36508b9bc9917083983dafffc25471bd307cff21b3952b8a25d73b0");
  EXPECT_EQ(db.dump(), before);
}

// A rebuild copies the rows into a new table: a WITHOUT ROWID table has no
// rowids to keep, and is refused with nothing changed.
TEST(Repair, RefusesToRebuildAWithoutRowidTable) {
  Db db;
  db.exec("SELECT emf_init('trends'), emf_seed('trends')");
  db.exec("PRAGMA foreign_keys = OFF");
  db.exec("ALTER TABLE search_history RENAME TO old_history");
  db.exec(
      "CREATE TABLE search_history (id INTEGER PRIMARY KEY, query TEXT, source TEXT, "
      "result_count INTEGER, timestamp TEXT) WITHOUT ROWID");
  db.exec("INSERT INTO search_history SELECT * FROM old_history");
  db.exec("DROP TABLE old_history");
  // Db::dump() reads rows by rowid, which this table has not.
  const auto contents = [&] {
    auto all = db.rows("SELECT type, name, sql FROM sqlite_schema ORDER BY name");
    for (const char* table : {"search_history", "trending_topics", "emf_schema_history"}) {
      for (auto& row : db.rows(fmt::format("SELECT * FROM {} ORDER BY 1, 2", table))) {
        all.push_back(std::move(row));
      }
    }
    return all;
  };
  const auto before = contents();
  const auto error = db.error("SELECT emf_repair('trends')");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error, "emf_repair: cannot rebuild search_history: it is a WITHOUT ROWID table");
  EXPECT_EQ(contents(), before);
}

// The rebuild builds the new table under emf_rebuild_<table>: an object of
// the user's with that name is never replaced.
TEST(Repair, RefusesWhenTheRebuildsScratchNameIsTaken) {
  Db db;
  db.exec("SELECT emf_init('trends'), emf_seed('trends')");
  db.exec("CREATE TABLE emf_rebuild_search_history (mine TEXT)");
  db.exec("INSERT INTO emf_rebuild_search_history VALUES ('keep me')");
  drop_constraints(db, "search_history");
  const std::string before = db.dump();
  const auto error = db.error("SELECT emf_repair('trends')");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error,
            "emf_repair: cannot rebuild search_history: emf needs the name "
            "emf_rebuild_search_history for the new table, and an object of yours has it; rename "
            "it, then try again");
  EXPECT_EQ(db.dump(), before);
}

// Rows that do not fit are explained in a TEMP table emf_probe: one of the
// user's by that name stops the diagnosis, and nothing is changed.
TEST(Repair, RefusesToDiagnoseWhenTheProbesNameIsTaken) {
  Db db;
  db.exec("SELECT emf_init('trends'), emf_seed('trends')");
  drop_constraints(db, "search_history");
  db.exec("UPDATE search_history SET query = '' WHERE id = 1");
  db.exec("CREATE TEMP TABLE emf_probe (mine TEXT)");
  const std::string before = db.dump();
  const auto error = db.error("SELECT emf_repair('trends')");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error,
            "emf_repair: cannot say which rows of search_history do not fit: emf needs the name "
            "emf_probe for a TEMP table, and one of yours has it; rename it, then try again");
  EXPECT_EQ(db.dump(), before);
  EXPECT_EQ(db.integer("SELECT count(*) FROM temp.emf_probe"), 0);
}

// A rebuild copies 50,000 rows at a time: a table of more is copied whole,
// every row with its id and values.
TEST(Repair, RebuildsATableOfMoreRowsThanOneChunk) {
  Db db;
  db.exec("SELECT emf_init('trends')");
  db.exec(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50001) "
      "INSERT INTO search_history (id, query, result_count) SELECT i * 2, 'q' || i, i FROM n");
  drop_constraints(db, "search_history");
  const std::string rows =
      "SELECT count(*), sum(id), sum(result_count), max(query) FROM search_history";
  const auto before = db.rows(rows);
  EXPECT_EQ(db.json(db.text("SELECT emf_repair('trends')"), "$.rebuilt"), "[\"search_history\"]");
  EXPECT_EQ(db.rows(rows), before);
  EXPECT_EQ(db.integer("SELECT count(*) FROM search_history"), 50001);
  EXPECT_EQ(db.json(db.text("SELECT emf_check('trends')"), "$.ok"), "1");
}

}  // namespace
}  // namespace emf::test
