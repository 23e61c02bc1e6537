// The registered functions and their flags, exactly; and the guarantee that
// SQLITE_DIRECTONLY gives: a view or trigger stored in a database file can
// never call a function that writes.
#include <gtest/gtest.h>

#include <regex>

#include "support/test_db.h"

namespace emf::test {
namespace {

TEST(Functions, RegisteredExactlyWithTheirFlags) {
  Db db;
  // pragma_function_list flags: 0x800 deterministic, 0x80000 direct-only,
  // 0x200000 innocuous.
  const auto rows = db.rows(
      "SELECT name, narg, (flags & 0x800) != 0, (flags & 0x80000) != 0, (flags & 0x200000) != 0 "
      "FROM pragma_function_list WHERE name LIKE 'emf%' ORDER BY name, narg");
  const std::vector<std::vector<std::string>> expected = {
      {"emf_backup", "1", "0", "1", "0"},   {"emf_backup", "2", "0", "1", "0"},
      {"emf_check", "0", "0", "0", "0"},    {"emf_check", "1", "0", "0", "0"},
      {"emf_check", "2", "0", "0", "0"},    {"emf_debug", "0", "1", "0", "1"},
      {"emf_init", "1", "0", "1", "0"},     {"emf_init", "2", "0", "1", "0"},
      {"emf_optimize", "1", "0", "1", "0"}, {"emf_optimize", "2", "0", "1", "0"},
      {"emf_optimize", "3", "0", "1", "0"}, {"emf_plan", "1", "0", "0", "0"},
      {"emf_plan", "2", "0", "0", "0"},     {"emf_random", "3", "1", "0", "1"},
      {"emf_random", "4", "1", "0", "1"},   {"emf_repair", "1", "0", "1", "0"},
      {"emf_repair", "2", "0", "1", "0"},   {"emf_reset", "1", "0", "1", "0"},
      {"emf_reset", "2", "0", "1", "0"},    {"emf_restore", "1", "0", "1", "0"},
      {"emf_restore", "2", "0", "1", "0"},  {"emf_restore", "3", "0", "1", "0"},
      {"emf_seed", "1", "0", "1", "0"},     {"emf_seed", "2", "0", "1", "0"},
      {"emf_seed", "3", "0", "1", "0"},     {"emf_version", "0", "1", "0", "1"},
  };
  EXPECT_EQ(rows, expected);
  EXPECT_EQ(db.rows("SELECT name FROM pragma_module_list WHERE name LIKE 'emf%' ORDER BY name"),
            (std::vector<std::vector<std::string>>{{"emf_migrations"}, {"emf_objects"}}));
}

TEST(Functions, VersionComesFromTheProject) {
  Db db;
  EXPECT_TRUE(std::regex_match(db.text("SELECT emf_version()"), std::regex(R"(\d+\.\d+\.\d+)")));
  EXPECT_EQ(db.json(db.text("SELECT emf_debug()"), "$.version"), db.text("SELECT emf_version()"));
  EXPECT_EQ(db.json(db.text("SELECT emf_debug()"), "$.sqlite_runtime"), sqlite3_libversion());
}

TEST(Functions, AViewCannotCallEmfReset) {
  TempDir dir;
  Db db(dir.file("v.db"));
  db.exec("SELECT emf_init('trends'), emf_seed('trends')");
  db.exec("CREATE VIEW sneaky AS SELECT emf_reset('trends') AS r");
  const auto error = db.error("SELECT * FROM sneaky");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error, "unsafe use of emf_reset()");
  EXPECT_EQ(db.integer("SELECT count(*) FROM trending_topics"), 6);
}

TEST(Functions, ATriggerCannotCallEmfInitOrBackup) {
  TempDir dir;
  Db db(dir.file("t.db"));
  db.exec("CREATE TABLE t (x)");
  db.exec("CREATE TRIGGER t_init AFTER INSERT ON t BEGIN SELECT emf_init('trends'); END");
  auto error = db.error("INSERT INTO t VALUES (1)");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error, "unsafe use of emf_init()");
  db.exec("DROP TRIGGER t_init");
  db.exec("CREATE TRIGGER t_backup AFTER INSERT ON t BEGIN SELECT emf_backup('/tmp/x'); END");
  error = db.error("INSERT INTO t VALUES (1)");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error, "unsafe use of emf_backup()");
  EXPECT_EQ(db.integer("SELECT count(*) FROM t"), 0);
}

TEST(Functions, ReadOnlyReportsWorkWithTrustedSchemaOff) {
  Db db;
  db.exec("PRAGMA trusted_schema = OFF");
  db.exec("SELECT emf_init('metrics')");
  db.exec(
      "CREATE VIEW problems AS SELECT name, status FROM emf_objects('metrics') WHERE status <> "
      "'ok'");
  // The one object that is not ok is the view itself, an extra one.
  EXPECT_EQ(db.rows("SELECT * FROM problems"),
            (std::vector<std::vector<std::string>>{{"problems", "extra"}}));
  // And the schema's own CHECK constraints still run.
  EXPECT_TRUE(db.error("INSERT INTO video_metadata (video_id, status) VALUES ('v', 'bad')"));
}

TEST(Functions, LoadsUnderItsFileNameEntryPoint) {
  // SQLite derives sqlite3_emf_init from "libemf": no entry point given.
  Db db(":memory:", /*load_extension=*/false);
  sqlite3_db_config(db.get(), SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 1, nullptr);
  char* message = nullptr;
  ASSERT_EQ(sqlite3_load_extension(db.get(), EMF_EXTENSION_PATH, nullptr, &message), SQLITE_OK)
      << (message ? message : "");
  EXPECT_EQ(db.integer("SELECT count(*) FROM pragma_function_list WHERE name = 'emf_init'"), 2);
}

// A function that writes runs once per statement: called for each row of a
// table it writes to, it would see its own rows and never end.
TEST(Functions, AWritingFunctionRunsOncePerStatement) {
  Db db;
  db.exec("SELECT emf_init('trends')");
  db.exec("SELECT emf_seed('trends')");
  const auto error = db.error("SELECT emf_seed('trends', 1) FROM trending_topics");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error,
            "emf_seed: called more than once in one statement (once for each row of a query?); "
            "it writes, so call it once, in a SELECT of its own: SELECT emf_seed(...)");
  // The first call ran; no other did.
  EXPECT_EQ(db.integer("SELECT count(*) FROM trending_topics"), 7);
  // Once per statement, and again in the next one.
  db.exec("SELECT emf_seed('trends', 1)");
  db.exec("SELECT emf_seed('trends', 1)");
  EXPECT_EQ(db.integer("SELECT count(*) FROM trending_topics"), 9);
  // Read-only functions are not limited.
  EXPECT_EQ(db.integer("SELECT count(emf_check('trends')) FROM trending_topics"), 9);
}

}  // namespace
}  // namespace emf::test
