// One scenario through every kind of client, each a child process in a fresh
// folder: load libemf, emf_init, emf_seed and emf_check each kind, then what
// a pipeline run does (claim a topic, upsert metric snapshots, record an
// image's use, read latest_video_metrics). The printed results and the files
// left behind must be the same whichever client ran it.
#include <gtest/gtest.h>

#include "clients_support.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;

class ClientsTest : public ::testing::Test {
 protected:
  ProcessResult run_here(const std::vector<std::string>& argv, const std::string& input = {}) {
    ProcessOptions options = client_options(dir.path());
    options.input = input;
    return run(argv, options);
  }

  TempDir dir;
};

TEST_F(ClientsTest, Sqlite3ShellRunsTheScenarioScript) {
  ASSERT_TRUE(program_exists(EMF_SQLITE3_PROGRAM, "the sqlite3 shell"));
  // The script loads build/libemf, as the README does from the repository root.
  fs::create_directory(dir.path() / "build");
  fs::create_symlink(EMF_LIBRARY_FILE, dir.path() / "build" / "libemf.so");
  const auto result = run_here({EMF_SQLITE3_PROGRAM}, read_file(clients_file("scenario.sql")));
  expect_scenario(dir.path(), result);
}

TEST_F(ClientsTest, PythonSqlite3ModuleRunsTheScenario) {
  ASSERT_TRUE(program_exists(EMF_TEST_PYTHON, "Python"));
  const auto result = run_here({EMF_TEST_PYTHON, clients_file("scenario.py"), "--extension",
                                EMF_LIBRARY_FILE, dir.path().string()});
  expect_scenario(dir.path(), result);
}

TEST_F(ClientsTest, SqliteUtilsRunsTheScenarioWithLoadExtension) {
  ASSERT_TRUE(program_exists(EMF_SQLITE_UTILS_PROGRAM, "sqlite-utils"));
  const auto result = run_here({"/bin/bash", clients_file("scenario_sqlite_utils.sh"),
                                EMF_SQLITE_UTILS_PROGRAM, EMF_LIBRARY_FILE});
  expect_scenario(dir.path(), result);
}

TEST_F(ClientsTest, CProgramRunsTheScenarioWithSqlite3LoadExtension) {
  const auto result = run_here({EMF_C_CLIENT_PATH, EMF_LIBRARY_FILE, dir.path().string()});
  expect_scenario(dir.path(), result);
}

TEST_F(ClientsTest, CProgramNamesALibraryItCannotLoad) {
  const auto result =
      run_here({EMF_C_CLIENT_PATH, (dir.path() / "nowhere.so").string(), dir.path().string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("cannot load " + (dir.path() / "nowhere.so").string()),
            std::string::npos)
      << result.err;
  EXPECT_EQ(result.out, "");
}

// docs/python.md: with Python's default transaction handling, an INSERT opens
// a transaction that emf_init joins; closing without a commit loses it all.
// Committing first, or isolation_level=None, keeps it.
TEST_F(ClientsTest, PythonDefaultTransactionsLeaveEmfInitUncommittedAfterAnInsert) {
  ASSERT_TRUE(program_exists(EMF_TEST_PYTHON, "Python"));
  const auto result = run_here(
      {EMF_TEST_PYTHON, clients_file("transactions.py"), EMF_LIBRARY_FILE, dir.path().string()});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.err, "");
  auto values = parse_lines(result.out);
  Db json(":memory:", /*load_extension=*/false);

  // Default: the INSERT's implicit BEGIN is open; emf_init joins it, says what
  // it could not do there, and the close rolls everything back.
  EXPECT_EQ(values["default.in_transaction"], "True");
  const std::string report = values["default.init"];
  EXPECT_EQ(json.json(report, "$.applied"), "[1,2,3,4]") << report;
  EXPECT_EQ(json.json(report, "$.journal_mode"), "delete") << report;
  EXPECT_NE(json.json(report, "$.warnings"), "NULL") << report;
  EXPECT_NE(report.find("cannot switch to WAL inside a transaction"), std::string::npos) << report;
  {
    Db db(dir.file("default.db"), false);
    EXPECT_EQ(db.integer("SELECT count(*) FROM sqlite_schema WHERE name = 'trending_topics'"), 0);
    EXPECT_EQ(db.integer("SELECT count(*) FROM app_log"), 0);
    EXPECT_EQ(db.text("PRAGMA journal_mode"), "delete");
  }

  // Committing first, isolation_level=None (and autocommit=True on Python
  // 3.12 and later, when the Python running this has it): emf_init runs in
  // its own transaction and commits.
  std::vector<std::string> fixed = {"commit_first", "isolation_none"};
  if (values.count("autocommit.init") != 0) fixed.push_back("autocommit");
  for (const std::string& name : fixed) {
    SCOPED_TRACE(name);
    EXPECT_EQ(values[name + ".in_transaction"], "False");
    const std::string init = values[name + ".init"];
    EXPECT_EQ(json.json(init, "$.applied"), "[1,2,3,4]") << init;
    EXPECT_EQ(json.json(init, "$.journal_mode"), "wal") << init;
    EXPECT_EQ(json.json(init, "$.warnings"), "NULL") << init;
    Db db(dir.file(name + ".db"));
    EXPECT_EQ(db.json(db.text("SELECT emf_check('trends')"), "$.ok"), "1");
    EXPECT_EQ(db.integer("SELECT count(*) FROM app_log"), 1);
    EXPECT_EQ(db.text("PRAGMA journal_mode"), "wal");
  }
}

// docs/python.md: a snapshot upserted with a Python datetime (microseconds)
// updates in place when the stored form is written or the instant is the
// conflict target; with neither, the second write is refused.
TEST_F(ClientsTest, PythonUpsertsASnapshotWrittenAsADatetime) {
  ASSERT_TRUE(program_exists(EMF_TEST_PYTHON, "Python"));
  const auto result = run_here(
      {EMF_TEST_PYTHON, clients_file("upserts.py"), EMF_LIBRARY_FILE, dir.path().string()});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.err, "");
  const std::map<std::string, std::string> expected = {
      {"stored_form.rows", "250@2026-11-24 18:00:00.123"},
      {"instant_target.rows", "250@2026-11-24 18:00:00.123"},
      {"plain.error",
       "UNIQUE constraint failed: index 'idx_video_metrics_one_snapshot_per_instant'"},
      {"plain.rows", "100@2026-11-24 18:00:00.123"},
  };
  EXPECT_EQ(parse_lines(result.out), expected) << result.out;
}

}  // namespace
}  // namespace emf::test
