// emf_init: creates, records its history, is idempotent and atomic, sets WAL
// and foreign keys, works on attached schemas and inside the caller's
// transaction (saying what SQLite did not allow there).
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <fmt/format.h>

#include "support/fixtures.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

TEST(Init, FreshDatabaseAppliesEveryVersionAndReportsIt) {
  TempDir dir;
  Db db(dir.file("trends.db"));
  const std::string report = db.text("SELECT emf_init('trends')");
  EXPECT_EQ(db.json(report, "$.kind"), "trends");
  EXPECT_EQ(db.json(report, "$.schema"), "main");
  EXPECT_EQ(db.json(report, "$.version"), "4");
  EXPECT_EQ(db.json(report, "$.applied"), "[1,2,3,4]");
  EXPECT_EQ(db.json(report, "$.journal_mode"), "wal");
  EXPECT_EQ(db.json(report, "$.warnings"), "NULL");
  EXPECT_EQ(db.text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(db.integer("PRAGMA foreign_keys"), 1);
}

TEST(Init, IsIdempotent) {
  TempDir dir;
  Db db(dir.file("metrics.db"));
  db.exec("SELECT emf_init('metrics')");
  const std::string before = db.dump();
  const std::string report = db.text("SELECT emf_init('metrics')");
  EXPECT_EQ(db.json(report, "$.applied"), "[]");
  EXPECT_EQ(db.json(report, "$.version"), "4");
  EXPECT_EQ(db.dump(), before);
  EXPECT_EQ(db.integer("SELECT count(*) FROM emf_schema_history"), 4);
}

TEST(Init, RecordsHistoryWithTheFilesSha256) {
  Db db;
  db.exec("SELECT emf_init('image_library')");
  const auto rows = db.rows(
      "SELECT kind, version, name, checksum, applied_at = strftime('%Y-%m-%d %H:%M:%f', "
      "applied_at), duration_ms >= 0 FROM emf_schema_history ORDER BY version");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0][0], "image_library");
  EXPECT_EQ(rows[0][1], "1");
  EXPECT_EQ(rows[0][2], "initial");
  EXPECT_EQ(rows[0][3], sha256_of_file(EMF_SOURCE_DIR "/sql/image_library/001_initial.sql"));
  EXPECT_EQ(rows[0][4], "1");
  EXPECT_EQ(rows[0][5], "1");
}

TEST(Init, ThreeKindsShareOneFile) {
  TempDir dir;
  Db db(dir.file("all.db"));
  for (const char* kind : {"trends", "metrics", "image_library"}) {
    db.exec(fmt::format("SELECT emf_init('{}')", kind));
  }
  // Each kind has four migrations.
  EXPECT_EQ(db.integer("SELECT count(*) FROM emf_schema_history"), 12);
  EXPECT_EQ(db.json(db.text("SELECT emf_check()"), "$.ok"), "1");
  EXPECT_EQ(db.json(db.text("SELECT emf_check()"), "$.kinds[2].kind"), "image_library");
}

// A row of emf's history that is not emf's (a time that is no time) is
// left alone; it does not stop emf_init for any kind.
TEST(Init, AForeignHistoryRowDoesNotStopIt) {
  Db db;
  db.exec("SELECT emf_init('trends')");
  db.exec(
      "INSERT INTO emf_schema_history (kind, version, name, checksum, applied_at) VALUES "
      "('other', 1, 'x', 'y', 'yesterday')");
  db.exec("SELECT emf_init('metrics')");
  EXPECT_EQ(db.text("SELECT applied_at FROM emf_schema_history WHERE kind = 'other'"), "yesterday");
}

// SQLite's security advice: trusted_schema off, defensive on. Only functions
// SQLite marks innocuous may then appear in a schema; emf's schemas use no
// other, so every kind is created, written (conversion triggers included),
// read (the view too) and checked under it.
TEST(Init, EveryKindWorksWithTrustedSchemaOffAndDefensiveOn) {
  TempDir dir;
  Db db(dir.file("hardened.db"));
  db.exec("PRAGMA trusted_schema = OFF");
  int on = 0;
  ASSERT_EQ(sqlite3_db_config(db.get(), SQLITE_DBCONFIG_DEFENSIVE, 1, &on), SQLITE_OK);
  ASSERT_EQ(on, 1);
  for (const char* kind : {"trends", "metrics", "image_library"}) {
    SCOPED_TRACE(kind);
    db.exec(fmt::format("SELECT emf_init('{}'), emf_seed('{}')", kind, kind));
  }
  db.exec(
      "INSERT INTO trending_topics (topic, source, timestamp, metadata) VALUES ('t', 's', "
      "'2026-11-25T10:00:00Z', '{\"k\": 1}')");
  db.exec(
      "INSERT INTO video_metrics (video_id, platform, views, timestamp) VALUES ('emf-0001', "
      "'tiktok', 9, '2026-12-25T10:00:00Z')");
  db.exec(
      "INSERT INTO image_usage (image_id, video_id, timestamp) VALUES (1, 'v', "
      "'2026-12-25T10:00:00Z')");
  EXPECT_EQ(db.text("SELECT timestamp FROM trending_topics WHERE topic = 't'"),
            "2026-11-25 10:00:00.000");
  EXPECT_EQ(db.integer("SELECT views FROM latest_video_metrics WHERE video_id = 'emf-0001' AND "
                       "platform = 'tiktok'"),
            9);
  EXPECT_EQ(db.text("SELECT last_used_at FROM image_library WHERE id = 1"),
            "2026-12-25 10:00:00.000");
  EXPECT_EQ(db.json(db.text("SELECT emf_check()"), "$.ok"), "1");
}

TEST(Init, WorksOnAnAttachedSchema) {
  TempDir dir;
  Db db(dir.file("main.db"));
  db.exec(fmt::format("ATTACH '{}' AS aux", dir.file("aux.db")));
  const std::string report = db.text("SELECT emf_init('metrics', 'aux')");
  EXPECT_EQ(db.json(report, "$.schema"), "aux");
  EXPECT_EQ(db.json(report, "$.journal_mode"), "wal");
  EXPECT_EQ(
      db.integer("SELECT count(*) FROM aux.sqlite_schema WHERE name = 'latest_video_metrics'"), 1);
  EXPECT_EQ(db.integer("SELECT count(*) FROM main.sqlite_schema"), 0);
  EXPECT_EQ(db.json(db.text("SELECT emf_check('metrics', 'aux')"), "$.ok"), "1");
  // The attached copy behaves: its view and constraints are its own.
  db.exec("INSERT INTO aux.video_metrics (video_id, platform) VALUES ('v', 'p')");
  EXPECT_EQ(db.integer("SELECT count(*) FROM aux.latest_video_metrics"), 1);
  // Schema names are case-insensitive, as in SQLite.
  EXPECT_EQ(db.json(db.text("SELECT emf_init('metrics', 'AUX')"), "$.schema"), "aux");
}

TEST(Init, InMemoryDatabaseKeepsMemoryJournal) {
  Db db;
  const std::string report = db.text("SELECT emf_init('trends')");
  EXPECT_EQ(db.json(report, "$.journal_mode"), "memory");
  EXPECT_EQ(db.json(report, "$.warnings"), "NULL");
}

// SQLite's unix-dotfile VFS has no shared memory, so no WAL: the schema is
// installed all the same, and the report says why the journal stays.
TEST(Init, AVfsWithoutWalKeepsItsJournalAndSaysSo) {
  TempDir dir;
  Db db(dir.file("t.db"), true, "unix-dotfile");
  const std::string report = db.text("SELECT emf_init('trends')");
  EXPECT_EQ(db.json(report, "$.applied"), "[1,2,3,4]");
  EXPECT_EQ(db.json(report, "$.journal_mode"), "delete");
  EXPECT_EQ(db.json(report, "$.warnings"),
            "[\"journal_mode is 'delete': this database or its VFS does not support WAL\"]");
  EXPECT_EQ(db.text("PRAGMA journal_mode"), "delete");
  EXPECT_EQ(db.json(db.text("SELECT emf_check('trends')"), "$.ok"), "1");
}

TEST(Init, InsideTheCallersTransactionJoinsItAndSaysWhatItCouldNotDo) {
  TempDir dir;
  Db db(dir.file("t.db"));
  db.exec("PRAGMA foreign_keys = OFF");
  db.exec("BEGIN");
  const std::string report = db.text("SELECT emf_init('trends')");
  EXPECT_EQ(db.json(report, "$.applied"), "[1,2,3,4]");
  EXPECT_NE(db.json(report, "$.warnings[0]").find("foreign_keys stays off"), std::string::npos)
      << report;
  EXPECT_NE(db.json(report, "$.warnings[1]").find("journal_mode stays 'delete'"), std::string::npos)
      << report;
  // The caller decides: rolling back undoes emf_init entirely.
  db.exec("ROLLBACK");
  EXPECT_EQ(db.integer("SELECT count(*) FROM sqlite_schema"), 0);

  db.exec("BEGIN");
  db.exec("SELECT emf_init('trends')");
  db.exec("COMMIT");
  EXPECT_EQ(db.integer("SELECT count(*) FROM sqlite_schema WHERE name = 'trending_topics'"), 1);
}

TEST(Init, InsideASavepointOfTheCaller) {
  Db db;
  db.exec("SAVEPOINT outer_work");
  db.exec("CREATE TABLE notes (x)");
  db.exec("SELECT emf_init('trends')");
  db.exec("RELEASE outer_work");
  EXPECT_EQ(
      db.integer("SELECT count(*) FROM sqlite_schema WHERE name IN ('notes', 'trending_topics')"),
      2);
}

TEST(Init, RefusesToAdoptAnIncompatibleDatabaseListsWhatDiffersAndChangesNothing) {
  TempDir dir;
  const std::string path = dir.file("legacy.db");
  {
    Db legacy(path, false);
    legacy.exec("CREATE TABLE trending_topics (id INTEGER PRIMARY KEY, topic TEXT, source TEXT)");
    legacy.exec("CREATE INDEX idx_trending_topics_source ON trending_topics (source)");
    legacy.exec("INSERT INTO trending_topics (topic, source) VALUES ('kept', 'x')");
  }
  const std::string bytes_before = read_file(path);
  Db db(path);
  const auto error = db.error("SELECT emf_init('trends')");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error,
            "emf_init: schema main holds trends objects that emf did not create, and cannot adopt "
            "them: missing column trending_topics.timestamp; missing column "
            "trending_topics.relevance_score; missing column trending_topics.used_flag; missing "
            "column trending_topics.category; missing column trending_topics.metadata; missing "
            "column trending_topics.created_at; missing column trending_topics.updated_at; missing "
            "table search_history; add what is missing, or move those objects away");
  EXPECT_EQ(db.text("PRAGMA journal_mode"), "delete");  // it stopped before changing anything
  db.exec("PRAGMA wal_checkpoint");
  EXPECT_TRUE(read_file(path) == bytes_before) << "the file changed";
}

TEST(Init, FailsAtomicallyOnAReadOnlyDatabase) {
  TempDir dir;
  {
    Db create(dir.file("ro.db"));
    create.exec("CREATE TABLE other (x)");
  }
  Db db("file:" + dir.file("ro.db") + "?mode=ro");
  const auto error = db.error("SELECT emf_init('trends')");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("emf_init:"), std::string::npos) << *error;
  EXPECT_NE(error->find("readonly"), std::string::npos) << *error;
}

}  // namespace
}  // namespace emf::test
