// emf_check and emf_objects: a read-only comparison of the live schema with
// the one the embedded migrations produce, naming what is missing, changed
// or extra, without touching the file.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "support/statement_work.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

// The status and detail of one object, from emf_objects.
std::pair<std::string, std::string> object_status(Db& db, const std::string& kind,
                                                  const std::string& name) {
  const auto rows = db.rows(fmt::format(
      "SELECT status, coalesce(detail, '') FROM emf_objects('{}') WHERE name = '{}'", kind, name));
  if (rows.size() != 1) return {fmt::format("{} rows", rows.size()), ""};
  return {rows[0][0], rows[0][1]};
}

TEST(Check, CleanDatabaseIsOk) {
  Db db;
  db.exec("SELECT emf_init('metrics')");
  const std::string report = db.text("SELECT emf_check('metrics')");
  EXPECT_EQ(db.json(report, "$.ok"), "1");
  EXPECT_EQ(db.json(report, "$.kinds[0].installed"), "1");
  EXPECT_EQ(db.json(report, "$.kinds[0].version"), "4");
  EXPECT_EQ(db.json(report, "$.kinds[0].latest"), "4");
  EXPECT_EQ(db.json(report, "$.kinds[0].pending"), "[]");
  EXPECT_EQ(db.json(report, "$.foreign_keys"), "1");
  EXPECT_EQ(db.integer("SELECT count(*) FROM emf_objects('metrics') WHERE status <> 'ok'"), 0);
  EXPECT_EQ(db.integer("SELECT count(*) FROM emf_objects('metrics')"), 22);
}

// Opened immutable (read-only media), SQLite answers 'delete' for a WAL
// file; emf_check reports the mode the file's header holds, the one every
// writer will use, and a rollback-journal file stays 'delete'.
TEST(Check, AnImmutableOpenReportsTheModeTheFileHolds) {
  TempDir dir;
  for (const std::string mode : {"wal", "delete"}) {
    SCOPED_TRACE(mode);
    const std::string file = dir.file(mode + ".db");
    {
      Db db(file);
      db.exec("SELECT emf_init('trends')");
      db.exec("PRAGMA journal_mode = " + mode);
    }
    Db immutable("file:" + file + "?immutable=1");
    EXPECT_EQ(immutable.text("PRAGMA journal_mode"), "delete");
    EXPECT_EQ(immutable.json(immutable.text("SELECT emf_check()"), "$.journal_mode"), mode);
  }
}

TEST(Check, DroppedIndexIsMissingAndAUsersIndexIsExtraAndTheFileIsUnchanged) {
  TempDir dir;
  const std::string path = dir.file("trends.db");
  {
    Db db(path);
    db.exec("SELECT emf_init('trends')");
    db.exec("DROP INDEX idx_trending_topics_source");
    db.exec("CREATE INDEX my_topic_index ON trending_topics (topic)");
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  const std::string bytes_before = read_file(path);
  Db db(path);
  const std::string report = db.text("SELECT emf_check('trends')");
  EXPECT_EQ(db.json(report, "$.ok"), "0");
  EXPECT_EQ(object_status(db, "trends", "idx_trending_topics_source").first, "missing");
  EXPECT_EQ(object_status(db, "trends", "my_topic_index").first, "extra");
  EXPECT_EQ(object_status(db, "trends", "trending_topics").first, "ok");
  db.exec("SELECT emf_check()");
  EXPECT_TRUE(read_file(path) == bytes_before) << "the file changed";
  EXPECT_FALSE(std::filesystem::exists(path + "-wal") &&
               std::filesystem::file_size(path + "-wal") > 0);
}

TEST(Check, AnExtraIndexAloneKeepsOkTrue) {
  Db db;
  db.exec("SELECT emf_init('trends')");
  db.exec("CREATE INDEX my_topic_index ON trending_topics (topic)");
  db.exec("CREATE TABLE my_notes (x)");
  EXPECT_EQ(db.json(db.text("SELECT emf_check('trends')"), "$.ok"), "1");
  EXPECT_EQ(object_status(db, "trends", "my_notes").first, "extra");
}

TEST(Check, ChangedTableNamesTheColumn) {
  Db db;
  db.exec("SELECT emf_init('trends')");
  db.exec("ALTER TABLE search_history ADD COLUMN language TEXT");
  db.exec("ALTER TABLE search_history DROP COLUMN result_count");
  const auto [status, detail] = object_status(db, "trends", "search_history");
  EXPECT_EQ(status, "changed");
  EXPECT_NE(detail.find("missing column result_count"), std::string::npos) << detail;
  EXPECT_NE(detail.find("extra column language"), std::string::npos) << detail;
  EXPECT_EQ(db.json(db.text("SELECT emf_check('trends')"), "$.ok"), "0");
}

TEST(Check, ChangedTriggerAndViewAreReported) {
  Db db;
  db.exec("SELECT emf_init('metrics')");
  db.exec("DROP VIEW latest_video_metrics");
  db.exec("CREATE VIEW latest_video_metrics AS SELECT * FROM video_metrics");
  EXPECT_EQ(object_status(db, "metrics", "latest_video_metrics").first, "changed");

  db.exec("SELECT emf_init('trends')");
  db.exec("DROP TRIGGER update_trending_topics_timestamp");
  EXPECT_EQ(object_status(db, "trends", "update_trending_topics_timestamp").first, "missing");
  db.exec(
      "CREATE TRIGGER update_trending_topics_timestamp AFTER UPDATE ON trending_topics "
      "BEGIN SELECT 1; END");
  EXPECT_EQ(object_status(db, "trends", "update_trending_topics_timestamp").first, "changed");
}

TEST(Check, SameDefinitionSpelledDifferentlyIsOk) {
  Db db;
  db.exec("SELECT emf_init('trends')");
  db.exec("DROP INDEX idx_trending_topics_source");
  db.exec("CREATE   INDEX \"idx_trending_topics_source\"\n ON [trending_topics]( \"SOURCE\" ) ");
  EXPECT_EQ(object_status(db, "trends", "idx_trending_topics_source").first, "ok");
}

TEST(Check, DroppedTableIsMissing) {
  Db db;
  db.exec("SELECT emf_init('image_library')");
  db.exec("DROP TABLE collection_images");
  EXPECT_EQ(object_status(db, "image_library", "collection_images").first, "missing");
  EXPECT_EQ(db.json(db.text("SELECT emf_check()"), "$.ok"), "0");
}

TEST(Check, NotInstalledKindIsReportedNotAnError) {
  Db db;
  const std::string report = db.text("SELECT emf_check('trends')");
  EXPECT_EQ(db.json(report, "$.ok"), "0");
  EXPECT_EQ(db.json(report, "$.kinds[0].installed"), "0");
  EXPECT_EQ(db.json(report, "$.kinds[0].version"), "0");
  EXPECT_EQ(db.json(report, "$.kinds[0].pending"), "[1,2,3,4]");
  EXPECT_EQ(db.integer("SELECT count(*) FROM emf_objects('trends') WHERE status = 'missing'"), 14);
  // Without a kind: nothing installed, nothing wrong.
  const std::string all = db.text("SELECT emf_check()");
  EXPECT_EQ(db.json(all, "$.ok"), "1");
  EXPECT_EQ(db.json(all, "$.kinds"), "[]");
  // Reading created nothing.
  EXPECT_EQ(db.integer("SELECT count(*) FROM sqlite_schema"), 0);
}

TEST(Check, ModifiedMigrationIsReported) {
  Db db;
  db.exec("SELECT emf_init('trends')");
  db.exec("UPDATE emf_schema_history SET checksum = 'tampered' WHERE version = 1");
  const auto rows =
      db.rows("SELECT type, name, status FROM emf_objects('trends') WHERE status <> 'ok'");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"migration", "001_initial", "modified"}));
  EXPECT_EQ(db.json(db.text("SELECT emf_check()"), "$.ok"), "0");
  // emf_init refuses to go on, and says how to resolve it.
  const auto error = db.error("SELECT emf_init('trends')");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("sql/trends/001_initial.sql was applied with checksum tampered"),
            std::string::npos)
      << *error;
}

TEST(Check, ObjectsTableTakesKindAndSchemaAsColumnsToo) {
  TempDir dir;
  Db db;
  db.exec(fmt::format("ATTACH '{}' AS aux", dir.file("aux.db")));
  db.exec("SELECT emf_init('trends', 'aux')");
  EXPECT_EQ(db.integer("SELECT count(*) FROM emf_objects WHERE arg = 'trends' AND schema = 'aux'"),
            14);
  EXPECT_EQ(db.integer("SELECT count(*) FROM emf_objects(NULL, 'aux')"), 14);
  EXPECT_EQ(db.integer("SELECT count(*) FROM emf_objects('trends', 'aux') WHERE status = 'ok'"),
            14);
  // Without arguments: every kind installed in main (none here).
  EXPECT_EQ(db.integer("SELECT count(*) FROM emf_objects"), 0);
}

// emf_check and emf_objects read the schema only: the work they do (SQLite's
// VM steps, over every statement run on the connection) is the same for
// empty tables and for tables of thousands of rows, in every kind.
TEST(Check, CostDoesNotGrowWithRows) {
  auto work_with = [](int rows) {
    Db db;
    db.exec("SELECT emf_init('trends'), emf_init('metrics'), emf_init('image_library')");
    const std::string numbers = fmt::format(
        "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < {}) ", rows);
    db.exec(numbers + "INSERT INTO search_history (query) SELECT 'q' || v FROM n");
    db.exec(numbers + "INSERT INTO trending_topics (topic, source) SELECT 't' || v, 's' FROM n");
    db.exec(numbers +
            "INSERT INTO video_metrics (video_id, platform, views) SELECT 'v' || v, 'tiktok', v "
            "FROM n");
    EXPECT_EQ(db.integer("SELECT count(*) FROM video_metrics"), rows);
    db.exec("SELECT emf_check()");  // the expected schemas are built once per process
    return std::pair{work_of(db, "SELECT emf_check()"),
                     work_of(db, "SELECT count(*) FROM emf_objects()")};
  };
  const auto [check_few, objects_few] = work_with(10);
  const auto [check_many, objects_many] = work_with(5000);
  EXPECT_GT(check_few.statements, 20);  // the extension's own statements are seen
  EXPECT_EQ(check_few, check_many) << check_few.vm_steps << " vs " << check_many.vm_steps;
  EXPECT_EQ(objects_few, objects_many);

  // The measure does see rows: counting them costs more with more rows.
  Db db;
  db.exec("SELECT emf_init('trends')");
  const StatementWork empty =
      work_of(db, "SELECT count(*) FROM search_history WHERE query LIKE 'q%'");
  db.exec("INSERT INTO search_history (query) VALUES ('q1'), ('q2'), ('q3')");
  EXPECT_GT(work_of(db, "SELECT count(*) FROM search_history WHERE query LIKE 'q%'").vm_steps,
            empty.vm_steps);
}

// A database that holds no emf kind has nothing to check: no kind, and an
// object of the user's is nobody's extra.
TEST(Check, ADatabaseWithoutAKindReportsNoKind) {
  Db db;
  db.exec("CREATE TABLE notes (x); CREATE INDEX notes_x ON notes (x)");
  EXPECT_EQ(db.text("SELECT emf_check()"),
            R"({"ok":true,"schema":"main","kinds":[],"journal_mode":"memory",)"
            R"("foreign_keys":false})");
  EXPECT_EQ(db.integer("SELECT count(*) FROM emf_objects"), 0);
}

// One kind with a problem makes the report not ok, though the kind checked
// after it is fine.
TEST(Check, OneKindWithAProblemMakesTheWholeReportNotOk) {
  Db db;
  db.exec("SELECT emf_init('trends'), emf_init('metrics')");
  db.exec("DROP INDEX idx_trending_topics_source");
  const std::string report = db.text("SELECT emf_check()");
  EXPECT_EQ(db.json(report, "$.ok"), "0");
  EXPECT_EQ(db.json(report, "$.kinds[0].kind"), "trends");
  EXPECT_EQ(db.json(report, "$.kinds[0].ok"), "0");
  EXPECT_EQ(db.json(report, "$.kinds[1].kind"), "metrics");
  EXPECT_EQ(db.json(report, "$.kinds[1].ok"), "1");
}

// The schema alone, as a column, means every kind installed there; only
// equality gives an argument: arg IS NULL is a condition on the rows (whose
// argument columns read back as NULL), and the kind is then every kind.
TEST(Check, ObjectsTableTakesTheSchemaAloneAndOnlyEqualityAsAnArgument) {
  TempDir dir;
  Db db;
  db.exec(fmt::format("ATTACH '{}' AS aux", dir.file("aux.db")));
  db.exec("SELECT emf_init('trends', 'aux'), emf_init('metrics')");
  EXPECT_EQ(db.integer("SELECT count(*) FROM emf_objects WHERE schema = 'aux'"), 14);
  EXPECT_EQ(db.integer("SELECT count(*) FROM emf_objects WHERE schema = 'aux' AND kind <> "
                       "'trends'"),
            0);
  EXPECT_EQ(db.integer("SELECT count(*) FROM emf_objects WHERE arg IS NULL"),
            db.integer("SELECT count(*) FROM emf_objects('metrics')"));
  EXPECT_EQ(db.integer("SELECT count(*) FROM emf_objects WHERE arg IS NULL AND kind <> "
                       "'metrics'"),
            0);
}

}  // namespace
}  // namespace emf::test
