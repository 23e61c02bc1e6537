// The migration workflow from the command line: --dry-run changes nothing,
// a database with data is backed up before it is migrated, status lists the
// migrations, and repair backs up and converges a drifted database (processes
// migrating at once: concurrency_test).
#include <gtest/gtest.h>

#include <algorithm>

#include <fmt/format.h>

#include "support/fixtures.h"
#include "support/shell_fixture.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;

// data/trends.db at version 1, with rows.
void make_version_1_trends(const std::string& path) {
  fs::create_directories(fs::path(path).parent_path());
  Db db(path, false);
  make_version_1(db, "trends");
  db.exec("INSERT INTO trending_topics (topic, source) VALUES ('kept', 'x'), ('also kept', 'y')");
}

std::vector<std::string> files_in(const std::string& folder) {
  std::vector<std::string> names;
  if (!fs::exists(folder)) return names;
  for (const auto& entry : fs::directory_iterator(folder)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST_F(ShellTest, DryRunPrintsThePlanAndChangesNothing) {
  make_version_1_trends(path("data/trends.db"));
  const std::string bytes = read_file(path("data/trends.db"));
  const auto listing = files_in(path("data"));
  auto result = emf({"init", "--dry-run"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(
      result.out.find("would upgrade it from version 1 to 4: 002_topic_priority, 003_exact_values, "
                      "004_pipeline_indexes"),
      std::string::npos)
      << result.out;
  EXPECT_NE(
      result.out.find("ALTER TABLE \"main\".trending_topics ADD COLUMN priority INTEGER NOT NULL "
                      "DEFAULT 0;"),
      std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("would create it at version 4: 001_initial, 002_exact_values, "
                            "003_pipeline_indexes, 004_cheaper_uses"),
            std::string::npos);
  EXPECT_NE(result.out.find("CREATE TABLE \"main\".video_metrics"), std::string::npos);
  // Byte for byte, and not a file more (no metrics.db, no -wal, no backups).
  EXPECT_TRUE(read_file(path("data/trends.db")) == bytes) << "the database changed";
  EXPECT_EQ(files_in(path("data")), listing);

  // 003 rebuilds both tables: how long it would hold the write lock.
  EXPECT_NE(result.out.find("rebuilds trending_topics, search_history: under a second holding "
                            "the write lock; run it in a quiet moment"),
            std::string::npos)
      << result.out;

  Db db;
  result = emf({"--dry-run", "--json", "--only", "trends"});
  EXPECT_EQ(db.json(result.out, "$.databases[0].plan.steps[0].name"), "topic_priority");
  EXPECT_EQ(db.json(result.out, "$.databases[0].plan.rebuilds"),
            R"(["trending_topics","search_history"])");
  EXPECT_EQ(db.json(result.out, "$.databases[0].rebuild_estimate.rows"), "2");
  EXPECT_EQ(db.json(result.out, "$.databases[0].rebuild_estimate.sampled"), "2");
  EXPECT_GT(std::stod(db.json(result.out, "$.databases[0].rebuild_estimate.seconds")), 0);
  EXPECT_EQ(emf({"check", "--dry-run"}).exit_code, 2);
  EXPECT_TRUE(read_file(path("data/trends.db")) == bytes) << "the database changed";
}

// A rebuild's time is measured on a sample and scaled to every row; the
// estimate's accuracy is in docs/shell.md (timing has no place in a test).
TEST_F(ShellTest, DryRunEstimatesALargeRebuildFromASample) {
  make_version_1_trends(path("data/trends.db"));
  {
    Db db(path("data/trends.db"), false);
    db.exec(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 24998) "
        "INSERT INTO trending_topics (topic, source) SELECT 'topic ' || i, 'x' FROM n");
  }
  const std::string bytes = read_file(path("data/trends.db"));
  const auto result = emf({"init", "--dry-run", "--json", "--only", "trends"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  Db db;
  EXPECT_EQ(db.json(result.out, "$.databases[0].rebuild_estimate.rows"), "25000");
  EXPECT_EQ(db.json(result.out, "$.databases[0].rebuild_estimate.sampled"), "20000");
  EXPECT_GT(std::stod(db.json(result.out, "$.databases[0].rebuild_estimate.seconds")), 0);
  EXPECT_TRUE(read_file(path("data/trends.db")) == bytes) << "the database changed";
}

TEST_F(ShellTest, DryRunOnALegacyDatabaseShowsTheAdoption) {
  fs::create_directories(path("data"));
  {
    Db legacy(path("data/trends.db"), false);
    make_legacy(legacy, "trends");
  }
  const std::string bytes = read_file(path("data/trends.db"));
  auto result = emf({"init", "--dry-run", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("would adopt it and bring it to version 4: 001_initial, "
                            "002_topic_priority, 003_exact_values, 004_pipeline_indexes"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("-- 001_initial (baseline: adopt the existing tables)"),
            std::string::npos);
  EXPECT_NE(result.out.find("DROP INDEX IF EXISTS \"main\".\"idx_trending_topics_timestamp\";"),
            std::string::npos)
      << result.out;
  EXPECT_TRUE(read_file(path("data/trends.db")) == bytes) << "the database changed";
}

TEST_F(ShellTest, ADatabaseWithDataIsBackedUpBeforeItIsMigrated) {
  make_version_1_trends(path("data/trends.db"));
  auto result = emf({"init", "--only", "trends"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const auto backups = files_in(path("data/backups"));
  ASSERT_EQ(backups.size(), 1u);
  EXPECT_NE(result.out.find("backup before migrating: data/backups/" + backups[0]),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("upgraded to version 4"), std::string::npos) << result.out;
  // The backup is the database as it was: version 1, with its rows.
  Db backup(path("data/backups/" + backups[0]), false);
  EXPECT_EQ(backup.integer("SELECT max(version) FROM emf_schema_history"), 1);
  EXPECT_EQ(backup.integer("SELECT count(*) FROM trending_topics"), 2);
  EXPECT_EQ(count("data/trends.db", "trending_topics"), 2);

  // Nothing to migrate: no backup. A fresh database: nothing to back up.
  ASSERT_EQ(emf({"init"}).exit_code, 0);
  EXPECT_EQ(files_in(path("data/backups")).size(), 1u);
}

TEST_F(ShellTest, NoBackupSkipsTheBackupBeforeMigrating) {
  make_version_1_trends(path("data/trends.db"));
  auto result = emf({"init", "--only", "trends", "--no-backup"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_FALSE(fs::exists(path("data/backups")));
  EXPECT_EQ(count("data/trends.db", "emf_schema_history"), 4);
}

// What repair --dry-run says of a database repair would refuse, and the
// command each problem line ends with.
TEST_F(ShellTest, RepairDryRunAndCheckNameWhatToRunFirst) {
  make_version_1_trends(path("data/trends.db"));
  auto result = emf({"repair", "--dry-run", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("emf repair needs it initialised and up to date first: run emf init"),
            std::string::npos)
      << result.out;
  EXPECT_EQ(emf({"repair", "--only", "trends"}).exit_code, 1);
  {
    Db db(path("data/trends.db"), false);
    db.exec(
        "INSERT INTO emf_schema_history (kind, version, name, checksum) VALUES "
        "('trends', 9, 'future', 'x')");
  }
  result = emf({"check", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("upgrade emf (a newer emf migrated this database)"), std::string::npos)
      << result.out;
  // status agrees with check: not "version 9 (latest)" and exit 0.
  result = emf({"status", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("version 9, migrated by a newer emf (009_future): upgrade emf (this "
                            "one knows version 4)"),
            std::string::npos)
      << result.out;
  Db db;
  result = emf({"status", "--only", "trends", "--json"});
  EXPECT_EQ(db.json(result.out, "$.databases[0].migrations[4].status"), "newer");
}

// What only reads leaves nothing beside the database: no -wal, no -shm
// (a read-only open of a WAL database makes them and leaves them behind).
TEST_F(ShellTest, ReadsLeaveNoFilesBehind) {
  const std::string folder = "da#ta?%";
  ASSERT_EQ(emf({"init", "--data-dir", folder}).exit_code, 0);
  const auto files = [&] {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(path(folder))) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  };
  const auto before = files();
  ASSERT_EQ(before.size(), 3u);
  EXPECT_EQ(emf({"status", "--data-dir", folder}).exit_code, 0);
  EXPECT_EQ(files(), before);
  EXPECT_EQ(emf({"init", "--dry-run", "--data-dir", folder}).exit_code, 0);
  EXPECT_EQ(files(), before);
  EXPECT_EQ(emf({"repair", "--dry-run", "--data-dir", folder}).exit_code, 0);
  EXPECT_EQ(files(), before);
  EXPECT_EQ(emf({"check", "--data-dir", folder}).exit_code, 0);
  EXPECT_EQ(files(), before);
  EXPECT_EQ(emf({"backup", "--data-dir", folder, "--dir", "elsewhere"}).exit_code, 0);
  EXPECT_EQ(files(), before);
}

TEST_F(ShellTest, StatusListsVersionsAndPendingMigrations) {
  make_version_1_trends(path("data/trends.db"));
  ASSERT_EQ(emf({"init", "--only", "metrics"}).exit_code, 0);
  auto result = emf({"status"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("version 1 of 4; pending: 002_topic_priority, 003_exact_values, "
                            "004_pipeline_indexes (run emf init)"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("metrics        data/metrics.db                  version 4 (latest)"),
            std::string::npos)
      << result.out;
  EXPECT_NE(
      result.out.find("image_library  data/image_library.db            missing: run emf init"),
      std::string::npos)
      << result.out;
  EXPECT_FALSE(fs::exists(path("data/image_library.db")));

  ASSERT_EQ(emf({"init"}).exit_code, 0);
  result = emf({"status", "--json"});
  EXPECT_EQ(result.exit_code, 0) << result.out;
  Db db;
  EXPECT_EQ(db.json(result.out, "$.databases[0].migrations[1].name"), "topic_priority");
  EXPECT_EQ(db.json(result.out, "$.databases[0].migrations[1].status"), "applied");
  result = emf({"status", "--verbose", "--only", "trends"});
  EXPECT_NE(result.out.find("001_initial"), std::string::npos) << result.out;
}

// One emf init on the old tool's database: backed up, adopted, conformed,
// exit 0, and a line that says so.
TEST_F(ShellTest, InitAdoptsALegacyDatabaseInOneCommand) {
  fs::create_directories(path("data"));
  {
    Db legacy(path("data/image_library.db"), false);
    make_legacy(legacy, "image_library");
  }
  auto result = emf({"init", "--only", "image_library"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("adopted, upgraded to version 4: 4 tables rebuilt (image_library, "
                            "image_usage, image_collections, collection_images), "),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("backup before migrating: data/backups/image_library_backup_"),
            std::string::npos)
      << result.out;
  EXPECT_EQ(emf({"check", "--only", "image_library"}).exit_code, 0);
  EXPECT_EQ(count("data/image_library.db", "image_usage"), 2);
  result = emf({"repair", "--only", "image_library"});
  EXPECT_NE(result.out.find("nothing to repair"), std::string::npos) << result.out;
}

// Rows that do not fit emf's rules: nothing changes, exit 1, every one named.
TEST_F(ShellTest, InitRefusesALegacyDatabaseWhoseRowsDoNotFitAndListsThem) {
  fs::create_directories(path("data"));
  {
    Db legacy(path("data/metrics.db"), false);
    make_legacy(legacy, "metrics");
    legacy.exec("UPDATE video_metrics SET views = '1.2K'");
    legacy.exec("UPDATE video_metadata SET posted_at = 'yesterday' WHERE video_id = 'v1'");
  }
  const std::string bytes = read_file(path("data/metrics.db"));
  auto result = emf({"init", "--only", "metrics", "--no-backup"});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.err.find("4 values do not fit: video_metrics.views: 3 rows (rowid 1: '1.2K', "
                            "rowid 2: '1.2K', rowid 3: '1.2K')"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("video_metadata.posted_at: 1 row (rowid 1: 'yesterday')"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("nothing was changed"), std::string::npos) << result.err;
  EXPECT_TRUE(read_file(path("data/metrics.db")) == bytes) << "the database changed";
}

// A long rebuild shows its progress on a terminal, table by table, and
// nothing of it in a pipe.
TEST_F(ShellTest, ALongUpgradeShowsItsProgressOnATerminal) {
  make_version_1_trends(path("data/trends.db"));
  {
    Db db(path("data/trends.db"), false);
    db.exec(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120000) "
        "INSERT INTO trending_topics (topic, source) SELECT 'topic ' || i, 'x' FROM n");
  }
  fs::copy_file(path("data/trends.db"), path("piped.db"));
  const auto result = run_on_terminal({EMF_SHELL_PATH, "init", "--only", "trends", "--no-backup"},
                                      ProcessOptions{dir.path(), {{"NO_COLOR", "1"}}, {}});
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_NE(result.out.find("trends: rebuild trending_topics ["), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("100%"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("2 tables rebuilt"), std::string::npos) << result.out;
  const auto piped = emf({"init", "--no-backup", "--only", "trends"},
                         ProcessOptions{dir.path(), {{"TRENDS_DB_PATH", "piped.db"}}, {}});
  EXPECT_NE(piped.out.find("2 tables rebuilt"), std::string::npos) << piped.out;
  EXPECT_EQ(piped.out.find("rebuild trending_topics ["), std::string::npos) << piped.out;
  EXPECT_EQ(piped.err.find("rebuild trending_topics ["), std::string::npos) << piped.err;
}

// emf repair rebuilds a table that drifted by hand, after a backup.
TEST_F(ShellTest, RepairBacksUpAndConvergesADriftedTable) {
  ASSERT_EQ(emf({"seed", "--only", "trends"}).exit_code, 0);
  {
    Db db(path("data/trends.db"), false);
    drop_constraints(db, "search_history");
  }
  EXPECT_EQ(emf({"check", "--only", "trends"}).exit_code, 1);
  // --dry-run says what it would rebuild, and changes nothing.
  const std::string bytes = read_file(path("data/trends.db"));
  auto result = emf({"repair", "--dry-run", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("would rebuild search_history (4 rows): under a second holding the "
                            "write lock; run it in a quiet moment"),
            std::string::npos)
      << result.out;
  EXPECT_TRUE(read_file(path("data/trends.db")) == bytes) << "the database changed";
  EXPECT_FALSE(fs::exists(path("data/backups")));
  result = emf({"repair", "--only", "trends"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("rebuilt search_history"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("backup before repair: data/backups/trends_backup_"),
            std::string::npos);
  EXPECT_EQ(emf({"check", "--only", "trends"}).exit_code, 0);
  EXPECT_EQ(count("data/trends.db", "search_history"), 4);
}

// A backup of an older version is put back as it is: the outcome says to
// run emf init, and emf init then brings it up to date.
TEST_F(ShellTest, RestoreOfAnOlderVersionSaysToRunInit) {
  ASSERT_EQ(emf({"init", "--only", "trends"}).exit_code, 0);
  make_version_1_trends(path("saved/old.db"));
  auto result = emf({"restore", "saved/old.db", "--yes", "--no-backup"});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.out.find("restored from saved/old.db ("), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("); run emf init\n"), std::string::npos) << result.out;
  EXPECT_EQ(count("data/trends.db", "trending_topics"), 2);
  EXPECT_FALSE(fs::exists(path("data/backups")));
  result = emf({"init", "--only", "trends", "--no-backup"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("upgraded to version 4"), std::string::npos) << result.out;
  EXPECT_EQ(count("data/trends.db", "trending_topics"), 2);
}

// Drift reads in one line per object: what differs in a few words, and the
// command that fixes it; every difference with --verbose (wrapped to the
// terminal, on one line for a pipe) and in --json.
TEST_F(ShellTest, DriftIsOneReadableLinePerObject) {
  ASSERT_EQ(emf({"seed", "--only", "metrics"}).exit_code, 0);
  {
    Db db(path("data/metrics.db"), false);
    db.exec(
        "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = 'CREATE TABLE "
        "video_metadata (id INTEGER PRIMARY KEY AUTOINCREMENT, video_id TEXT NOT NULL UNIQUE, "
        "title TEXT, description TEXT, topic TEXT, script_path TEXT, audio_path TEXT, video_path "
        "TEXT, duration_seconds INTEGER, created_at DATETIME DEFAULT CURRENT_TIMESTAMP, posted_at "
        "DATETIME, status TEXT DEFAULT ''draft'')' WHERE name = 'video_metadata'; "
        "PRAGMA schema_version = 1000; PRAGMA writable_schema = OFF");
  }
  const std::string summary =
      "table  video_metadata  changed  3 column types, 2 NOT NULL constraints, 1 default, 5 "
      "checks differ";
  auto result = emf({"check", "--only", "metrics"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("problems (version 4): run emf repair"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("    " + summary + "\n"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("missing check"), std::string::npos) << result.out;

  // Every difference: one line in a pipe, wrapped on a terminal.
  const std::string first = "column duration_seconds: type INTEGER, expected REAL;";
  const std::string last = "missing check(typeof(created_at) = 'text' and created_at glob";
  result = emf({"check", "--verbose", "--only", "metrics"});
  std::size_t at = result.out.find(first);
  ASSERT_NE(at, std::string::npos) << result.out;
  EXPECT_LT(result.out.find(last, at), result.out.find('\n', at)) << result.out;
  result = run_on_terminal({EMF_SHELL_PATH, "check", "--verbose", "--only", "metrics"},
                           ProcessOptions{dir.path(), {{"NO_COLOR", "1"}}, {}});
  at = result.out.find(first);
  ASSERT_NE(at, std::string::npos) << result.out;
  EXPECT_GT(result.out.find(last, at), result.out.find('\n', at)) << result.out;
  std::size_t start = 0, widest = 0;
  while (start < result.out.size()) {
    std::size_t end = result.out.find('\n', start);
    if (end == std::string::npos) end = result.out.size();
    std::string line = result.out.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    widest = std::max(widest, line.size());
    start = end + 1;
  }
  EXPECT_LE(widest, 120u) << result.out;  // the test terminal's width

  result = emf({"check", "--json", "--only", "metrics"});
  Db db;
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db.get(),
                               "SELECT o.value ->> 'summary', o.value ->> 'detail' FROM "
                               "json_each(?1, '$.databases[0].check.kinds[0].objects') AS o "
                               "WHERE o.value ->> 'name' = 'video_metadata'",
                               -1, &statement, nullptr),
            SQLITE_OK);
  sqlite3_bind_text(statement, 1, result.out.c_str(), -1, SQLITE_TRANSIENT);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)),
               "3 column types, 2 NOT NULL constraints, 1 default, 5 checks differ");
  const std::string detail = reinterpret_cast<const char*>(sqlite3_column_text(statement, 1));
  EXPECT_EQ(detail.find(first), 0u) << detail;
  sqlite3_finalize(statement);
}

}  // namespace
}  // namespace emf::test
