// The emf program, run for real in temporary folders: every command and old
// flag, path precedence, .env parsing, reset safety, backup names, exit
// codes, JSON output, the sqlite3 shell and terminals (concurrent commands:
// concurrency_test).
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "support/process.h"
#include "support/shell_fixture.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;

TEST_F(ShellTest, InitCreatesTheThreeDatabasesThenReportsThemUpToDate) {
  auto result = emf({});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  for (const char* kind : {"trends", "metrics", "image_library"}) {
    EXPECT_TRUE(fs::exists(path(fmt::format("data/{}.db", kind)))) << kind;
    EXPECT_NE(result.out.find(fmt::format("data/{}.db", kind)), std::string::npos) << result.out;
  }
  EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 3) << result.out;
  EXPECT_NE(result.out.find("metrics        data/metrics.db                  created (version 4)"),
            std::string::npos)
      << result.out;
  EXPECT_EQ(result.err, "");

  result = emf({"init"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(
      result.out.find("trends         data/trends.db                   up to date (version 4)"),
      std::string::npos)
      << result.out;
  EXPECT_EQ(result.out.find("created"), std::string::npos) << result.out;
  // Plain output when piped: no colour codes.
  EXPECT_EQ(result.out.find('\033'), std::string::npos);
}

TEST_F(ShellTest, CheckExitsZeroWhenHealthyAndOneAfterATableIsDropped) {
  ASSERT_EQ(emf({"init"}).exit_code, 0);
  auto result = emf({"check"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("image_library  data/image_library.db            ok (version 4)"),
            std::string::npos)
      << result.out;
  {
    Db db(path("data/metrics.db"), false);
    db.exec("DROP TABLE video_metadata");
  }
  result = emf({"check"});
  EXPECT_EQ(result.exit_code, 1);
  // The line ends with what fixes it.
  EXPECT_NE(result.out.find("metrics        data/metrics.db                  problems (version 4): "
                            "run emf repair"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("video_metadata"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("missing"), std::string::npos) << result.out;
  // Only problems by default; every object with --verbose.
  EXPECT_EQ(result.out.find("idx_video_metrics_platform"), std::string::npos) << result.out;
  EXPECT_NE(emf({"check", "--verbose"}).out.find("idx_video_metrics_platform"), std::string::npos);
  // The old flag means the same.
  EXPECT_EQ(emf({"--check"}).exit_code, 1);
  EXPECT_EQ(emf({"--check", "--only", "trends,image_library"}).exit_code, 0);
}

// A table emf derives from the rows, edited by hand: check cannot see it (it
// reads no rows), repair finds it, fills it again without a backup (nothing
// of the user's changes), and says so.
TEST_F(ShellTest, RepairFillsAgainWhatEmfDerivesFromTheRows) {
  ASSERT_EQ(emf({"seed", "--only", "metrics"}).exit_code, 0);
  const auto latest = [this] {
    Db db(path("data/metrics.db"), false);
    return db.rows("SELECT * FROM video_metrics_latest ORDER BY snapshot_id");
  };
  const auto expected = latest();
  {
    Db db(path("data/metrics.db"), false);
    db.exec(
        "DELETE FROM video_metrics_latest WHERE rowid = (SELECT min(rowid) FROM "
        "video_metrics_latest)");
  }
  ASSERT_NE(latest(), expected);
  EXPECT_EQ(emf({"check", "--only", "metrics"}).exit_code, 0);
  auto result = emf({"repair", "--only", "metrics"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("refilled video_metrics_latest"), std::string::npos) << result.out;
  EXPECT_EQ(latest(), expected);
  EXPECT_FALSE(fs::exists(path("data/backups"))) << "nothing of the user's changed";
  result = emf({"repair", "--only", "metrics", "--json"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  Db scratch;
  EXPECT_EQ(scratch.json(result.out, "$.databases[0].repair.refilled"), "[]") << result.out;
  EXPECT_NE(emf({"repair", "--only", "metrics"}).out.find("nothing to repair"), std::string::npos);
}

// Drift and a hand-edited derived table together: one repair recreates the
// index, fills the table again, backs up first (the schema changes), and
// lists both on its line.
TEST_F(ShellTest, RepairOfDriftAlsoFillsAgainWhatEmfDerives) {
  ASSERT_EQ(emf({"seed", "--only", "metrics"}).exit_code, 0);
  {
    Db db(path("data/metrics.db"), false);
    db.exec(
        "DELETE FROM video_metrics_latest WHERE rowid = (SELECT min(rowid) FROM "
        "video_metrics_latest); DROP INDEX idx_video_metrics_platform_engagement");
  }
  const auto result = emf({"repair", "--only", "metrics"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find(
                "recreated idx_video_metrics_platform_engagement, refilled video_metrics_latest"),
            std::string::npos)
      << result.out;
  EXPECT_TRUE(fs::exists(path("data/backups"))) << "the schema changed: backed up first";
  EXPECT_EQ(emf({"check", "--only", "metrics"}).exit_code, 0);
  Db db(path("data/metrics.db"), false);
  EXPECT_EQ(
      db.text("SELECT count(*) FROM video_metrics_latest"),
      db.text("SELECT count(*) FROM (SELECT DISTINCT video_id, platform FROM video_metrics)"));
}

TEST_F(ShellTest, CheckOnAMissingDatabaseCreatesNothing) {
  auto result = emf({"check", "--data-dir", "nowhere"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("missing: run emf init"), std::string::npos) << result.out;
  EXPECT_FALSE(fs::exists(path("nowhere")));
}

TEST_F(ShellTest, SeedInitialisesAndAddsSampleDataOnce) {
  auto result = emf({"seed"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("seeded: trending_topics 6, search_history 4"), std::string::npos)
      << result.out;
  EXPECT_EQ(count("data/image_library.db", "image_library"), 6);
  ASSERT_EQ(emf({"--seed"}).exit_code, 0);
  EXPECT_EQ(count("data/image_library.db", "image_library"), 6);
  EXPECT_EQ(count("data/metrics.db", "video_metrics"), 8);
}

TEST_F(ShellTest, SeedRowsIsDeterministicForARandomSeed) {
  auto dump_after_seed = [this](const std::string& folder, const std::string& seed) {
    auto result = emf({"seed", "--rows", "300", "--random-seed", seed, "--data-dir", folder});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    std::string dump;
    for (const char* kind : {"trends", "metrics", "image_library"}) {
      Db db(path(fmt::format("{}/{}.db", folder, kind)), false);
      db.exec("DELETE FROM emf_schema_history");  // holds the run's time
      dump += db.dump();
    }
    return dump;
  };
  const std::string first = dump_after_seed("a", "5");
  EXPECT_EQ(dump_after_seed("b", "5"), first);
  EXPECT_NE(dump_after_seed("c", "6"), first);
  EXPECT_EQ(count("a/metrics.db", "video_metrics"), 300);

  // Across batches too: emf seed --rows commits every 5000 rows.
  for (const char* folder : {"d", "e"}) {
    ASSERT_EQ(emf({"seed", "--rows", "12000", "--random-seed", "7", "--only", "trends",
                   "--data-dir", folder})
                  .exit_code,
              0);
  }
  Db d(path("d/trends.db"), false), e(path("e/trends.db"), false);
  const std::string rows =
      "SELECT group_concat(topic || relevance_score || timestamp) FROM trending_topics";
  EXPECT_EQ(d.text(rows), e.text(rows));
  EXPECT_EQ(count("d/trends.db", "trending_topics"), 12000);
}

TEST_F(ShellTest, PathsFollowDataDirThenEnvironmentThenDotenvThenDefault) {
  write("config/.env", "TRENDS_DB_PATH=from-dotenv/trends.db\nMETRICS_DB_PATH=from-dotenv/m.db\n");
  ProcessOptions options;
  options.env["TRENDS_DB_PATH"] = "from-env/t.db";
  auto result = emf({"init"}, options);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(fs::exists(path("from-env/t.db")));  // environment beats .env
  EXPECT_FALSE(fs::exists(path("from-dotenv/trends.db")));
  EXPECT_TRUE(fs::exists(path("from-dotenv/m.db")));       // .env beats the default
  EXPECT_TRUE(fs::exists(path("data/image_library.db")));  // the default

  result = emf({"--data-dir", "all-here", "init"}, options);  // --data-dir beats everything
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const char* kind : {"trends", "metrics", "image_library"}) {
    EXPECT_TRUE(fs::exists(path(fmt::format("all-here/{}.db", kind))));
  }

  write("other.env", "IMAGE_LIBRARY_DB_PATH=via-env-file/images.db\n");
  result = emf({"init", "--env-file", "other.env", "--only", "image_library"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(fs::exists(path("via-env-file/images.db")));
}

TEST_F(ShellTest, DotenvAcceptsCommentsExportAndQuotes) {
  write("config/.env",
        "# databases of the pipeline\n"
        "\n"
        "export TRENDS_DB_PATH=\"my dbs/trends file.db\"   # quoted, with spaces\n"
        "METRICS_DB_PATH='single/quoted.db'\n"
        "IMAGE_LIBRARY_DB_PATH=bare/images.db # a comment\n"
        "OTHER_SETTING=ignored\n");
  auto result = emf({});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(fs::exists(path("my dbs/trends file.db")));
  EXPECT_TRUE(fs::exists(path("single/quoted.db")));
  EXPECT_TRUE(fs::exists(path("bare/images.db")));
}

// A byte order mark is read past; a .env that is a folder, and a path with a
// control character (which would forge a line of emf's output), are refused.
TEST_F(ShellTest, DotenvBomFolderAndControlCharacters) {
  write("config/.env", "\xEF\xBB\xBFTRENDS_DB_PATH=bom.db\n");
  auto result = emf({"init", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(fs::exists(path("bom.db")));
  fs::remove(path("config/.env"));
  fs::create_directories(path("config/.env"));
  result = emf({"check"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err, "emf: config/.env: is a folder, expected a file of KEY=VALUE lines\n");
  fs::remove(path("config/.env"));
  write("config/.env", "TRENDS_DB_PATH=\"x.db\\ntrends  data/forged.db  ok\"\n");
  result = emf({"check"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "emf: trends (from config/.env) holds a control character; a database path must not\n");
  EXPECT_EQ(result.out, "");
}

// A folder where the database should be is named as what it is.
TEST_F(ShellTest, AFolderWhereTheDatabaseShouldBeIsNamed) {
  fs::create_directories(path("data/trends.db"));
  auto result = emf({"check", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("data/trends.db is a folder, not a database file; move it away, or "
                            "point TRENDS_DB_PATH (or --data-dir) elsewhere"),
            std::string::npos)
      << result.err;
  // With --json the error is a field of the database's entry, and stderr
  // stays empty.
  result = emf({"check", "--only", "trends", "--json"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "");
  Db db;
  EXPECT_EQ(db.json(result.out, "$.ok"), "0") << result.out;
  EXPECT_NE(db.json(result.out, "$.databases[0].error")
                .find("data/trends.db is a folder, not a database file"),
            std::string::npos)
      << result.out;
  EXPECT_TRUE(fs::is_empty(path("data/trends.db")));
}

// A variable set to nothing is as if it were not set: the .env, else the
// default, is used.
TEST_F(ShellTest, AnEmptyPathVariableIsAsIfUnset) {
  auto result =
      emf({"init", "--only", "trends"}, ProcessOptions{dir.path(), {{"TRENDS_DB_PATH", ""}}, {}});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(fs::exists(path("data/trends.db")));
  write("config/.env", "TRENDS_DB_PATH=from-dotenv.db\n");
  result =
      emf({"init", "--only", "trends"}, ProcessOptions{dir.path(), {{"TRENDS_DB_PATH", ""}}, {}});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("from-dotenv.db"), std::string::npos) << result.out;
  EXPECT_TRUE(fs::exists(path("from-dotenv.db")));
}

// A DEL character in a path is a control character too.
TEST_F(ShellTest, APathWithADeleteCharacterIsRefused) {
  const auto result =
      emf({"check"}, ProcessOptions{dir.path(), {{"TRENDS_DB_PATH", "data/t\x7f.db"}}, {}});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "emf: trends (from TRENDS_DB_PATH) holds a control character; a database path must "
            "not\n");
  EXPECT_EQ(result.out, "");
  EXPECT_FALSE(fs::exists(path("data")));
}

// emf init --verbose lists every object of a database that is up to date,
// each ok, as emf check --verbose does.
TEST_F(ShellTest, InitVerboseListsEveryObjectOfAnUpToDateDatabase) {
  ASSERT_EQ(emf({"init", "--only", "trends"}).exit_code, 0);
  auto result = emf({"init", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out.find("idx_trending_topics_source"), std::string::npos) << result.out;
  result = emf({"init", "--only", "trends", "--verbose"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("up to date (version 4)"), std::string::npos) << result.out;
  const std::regex ok_line("\\n    index +idx_trending_topics_source +ok *\\n");
  EXPECT_TRUE(std::regex_search(result.out, ok_line)) << result.out;
}

// A seed that fails half-way (a trigger of the user's refuses the rows)
// names the cause, exits 1, and leaves no row of the seed behind.
TEST_F(ShellTest, ASeedThatFailsSaysWhyAndLeavesTheRowsAsTheyWere) {
  ASSERT_EQ(emf({"seed", "--only", "trends"}).exit_code, 0);
  {
    Db db(path("data/trends.db"), false);
    db.exec(
        "CREATE TRIGGER no_more_topics BEFORE INSERT ON trending_topics "
        "BEGIN SELECT RAISE(ABORT, 'no more topics today'); END");
  }
  std::string before;
  {
    Db db(path("data/trends.db"), false);
    before = db.dump();
  }
  const auto result = emf({"seed", "--rows", "10", "--only", "trends", "--no-backup"});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.err.find("emf seed: trends (data/trends.db): "), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("no more topics today"), std::string::npos) << result.err;
  Db db(path("data/trends.db"), false);
  EXPECT_EQ(db.dump(), before);
}

// A path too long to read is shortened in what emf prints.
TEST_F(ShellTest, AnAbsurdlyLongPathIsShortenedInErrors) {
  const std::string long_path = "data/" + std::string(100000, 'n') + "/trends.db";
  auto result = emf({"check", "--only", "trends"},
                    ProcessOptions{dir.path(), {{"TRENDS_DB_PATH", long_path}}, {}});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_LT(result.out.size() + result.err.size(), 2000u);
  EXPECT_NE(result.out.find("(100015 characters)"), std::string::npos) << result.out.substr(0, 400);
}

TEST_F(ShellTest, MalformedDotenvIsRejectedWithItsLineNumber) {
  write("config/.env", "# fine\nTRENDS_DB_PATH=x.db\nthis line has no equals sign\n");
  auto result = emf({"init"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err, "emf: config/.env:3: no '=' in this line (expected KEY=VALUE)\n");
  EXPECT_FALSE(fs::exists(path("data")));
  write("config/.env", "TRENDS_DB_PATH=\"unterminated\n");
  result = emf({"check"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("config/.env:1: unterminated double-quoted value"), std::string::npos)
      << result.err;
  write("config/.env", "\n1TRENDS_DB_PATH=x.db\n");
  result = emf({"check"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("config/.env:2: '1TRENDS_DB_PATH' is not a valid name"),
            std::string::npos)
      << result.err;
  write("config/.env", "TRENDS_DB_PATH='a.db' b.db\n");
  result = emf({"check"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("config/.env:1: unexpected text after the closing quote: b.db"),
            std::string::npos)
      << result.err;
}

TEST_F(ShellTest, ResetRefusesWithoutYesAndKeepsTheData) {
  ASSERT_EQ(emf({"seed"}).exit_code, 0);
  auto result = emf({"reset"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("--yes"), std::string::npos) << result.err;
  EXPECT_EQ(count("data/trends.db", "trending_topics"), 6);
  EXPECT_FALSE(fs::exists(path("data/backups")));
  EXPECT_EQ(emf({"--reset"}).exit_code, 1);
  EXPECT_EQ(count("data/trends.db", "trending_topics"), 6);
}

TEST_F(ShellTest, ResetWithYesBacksEachDatabaseUpFirst) {
  ASSERT_EQ(emf({"seed"}).exit_code, 0);
  auto result = emf({"reset", "--yes"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(count("data/trends.db", "trending_topics"), 0);
  // Each backup holds the data as it was before the reset.
  int backups = 0;
  for (const auto& entry : fs::directory_iterator(path("data/backups"))) {
    ++backups;
    const std::string name = entry.path().filename().string();
    EXPECT_NE(result.out.find("backup before reset: data/backups/" + name), std::string::npos)
        << result.out;
    if (name.starts_with("trends_backup_")) {
      EXPECT_EQ(count("data/backups/" + name, "trending_topics"), 6);
    }
  }
  EXPECT_EQ(backups, 3);
  // The old flags, and another backup folder.
  result = emf({"--reset", "--yes", "--only", "metrics", "--backup-dir", "elsewhere"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(std::distance(fs::directory_iterator(path("elsewhere")), fs::directory_iterator{}), 1);
}

TEST_F(ShellTest, BackupNamesAreTimestampedAndNeverOverwrite) {
  ASSERT_EQ(emf({"seed", "--only", "trends"}).exit_code, 0);
  ASSERT_EQ(emf({"backup", "--only", "trends"}).exit_code, 0);
  ASSERT_EQ(emf({"backup", "--only", "trends"}).exit_code, 0);
  ASSERT_EQ(emf({"backup", "--only", "trends"}).exit_code, 0);
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(path("data/backups"))) {
    names.push_back(entry.path().filename().string());
    EXPECT_TRUE(
        std::regex_match(names.back(), std::regex(R"(trends_backup_\d{8}_\d{6}(_\d+)?\.db)")))
        << names.back();
    EXPECT_EQ(count("data/backups/" + names.back(), "trending_topics"), 6);
  }
  EXPECT_EQ(names.size(), 3u);
  auto result = emf({"backup", "--dir", "custom", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(std::distance(fs::directory_iterator(path("custom")), fs::directory_iterator{}), 1);
  // Nothing to back up is a failure, and says so.
  result = emf({"backup", "--only", "metrics"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("missing: nothing to back up"), std::string::npos) << result.out;
}

TEST_F(ShellTest, JsonIsOneDocumentWithTheExtensionsReports) {
  ASSERT_EQ(emf({"init"}).exit_code, 0);
  auto result = emf({"check", "--json"});
  ASSERT_EQ(result.exit_code, 0);
  Db db;
  EXPECT_EQ(db.json(result.out, "$.command"), "check");
  EXPECT_EQ(db.json(result.out, "$.ok"), "1");
  EXPECT_EQ(db.json(result.out, "$.databases[1].kind"), "metrics");
  EXPECT_NE(db.json(result.out, "$.databases[1].check.kinds[0].objects")
                .find("\"name\":\"latest_video_metrics\",\"status\":\"ok\""),
            std::string::npos);
  result = emf({"--json", "seed", "--only", "trends"});
  ASSERT_EQ(result.exit_code, 0);
  EXPECT_EQ(db.json(result.out, "$.databases[0].seed.inserted.trending_topics"), "6");
  EXPECT_EQ(db.json(result.out, "$.databases[0].init.version"), "4");
}

TEST_F(ShellTest, ShellRunsSqlite3WithTheExtensionLoaded) {
  ASSERT_EQ(emf({"seed"}).exit_code, 0);
  ProcessOptions options;
  options.input = "SELECT emf_version();\n";
  auto result = emf({"shell", "trends"}, options);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  Db db;
  EXPECT_EQ(result.out, db.text("SELECT emf_version()") + "\n");

  options.input =
      "SELECT count(*) FROM trending_topics;\nSELECT json_extract(emf_check(), '$.ok');\n";
  result = emf({"shell", "trends"}, options);
  EXPECT_EQ(result.out, "6\n1\n") << result.err;
  // sqlite3's own arguments pass through.
  result = emf({"shell", "data/metrics.db", "-json", "SELECT count(*) AS n FROM video_metadata"});
  EXPECT_EQ(result.out, "[{\"n\":3}]\n") << result.err;
  // Without a database: the three are attached under their kinds.
  options.input = "SELECT count(*) FROM image_library.image_collections;\n";
  result = emf({"shell"}, options);
  EXPECT_EQ(result.out, "2\n") << result.err;
}

TEST_F(ShellTest, ShellWorksInteractivelyOnATerminal) {
  ASSERT_EQ(emf({"init", "--only", "metrics"}).exit_code, 0);
  const std::vector<std::string> shell = {EMF_SHELL_PATH, "shell", "metrics"};
  auto result = run_on_terminal(shell, ProcessOptions{dir.path(), {}, {}}, "sqlite>",
                                "SELECT 'answer:' || (40 + 2), emf_version();\n.quit\n");
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_NE(result.out.find("answer:42|"), std::string::npos) << result.out;
}

// sqlite3 creates whatever file it is given: emf shell opens only
// databases that exist, and a typo of a kind gets a guess.
TEST_F(ShellTest, ShellOpensOnlyDatabasesThatExist) {
  auto result = emf({"shell", "trend"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "emf shell: trend is neither a kind (trends, metrics, image_library) nor an existing "
            "database file; did you mean trends?\n");
  result = emf({"shell", "metrics"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err,
            "emf shell: there is no metrics database at data/metrics.db yet; create it with emf "
            "init\n");
  result = emf({"shell", "elsewhere/x.db"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("elsewhere/x.db is neither a kind"), std::string::npos) << result.err;
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST_F(ShellTest, ShellSaysWhenSqlite3IsNotInstalled) {
  ProcessOptions options;
  options.env["PATH"] = path("empty-bin");
  auto result = emf({"shell", "trends"}, options);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("the sqlite3 program is not installed"), std::string::npos)
      << result.err;
}

TEST_F(ShellTest, BadUsageExitsTwo) {
  for (const std::vector<std::string>& arguments :
       std::vector<std::vector<std::string>>{{"frobnicate"},
                                             {"--frobnicate"},
                                             {"seed", "--rows", "-5"},
                                             {"seed", "--rows", "many"},
                                             {"--only", "trend"},
                                             {"--check", "seed"},
                                             {"check", "--env-file", "missing.env"}}) {
    auto result = emf(arguments);
    EXPECT_EQ(result.exit_code, 2) << fmt::format("{}", fmt::join(arguments, " "));
    EXPECT_NE(result.err, "") << fmt::format("{}", fmt::join(arguments, " "));
  }
  EXPECT_FALSE(fs::exists(path("data")));
}

TEST_F(ShellTest, HelpOnEveryCommandAndVersion) {
  for (const char* command :
       {"init", "check", "seed", "reset", "backup", "shell", "status", "repair"}) {
    auto result = emf({command, "--help"});
    EXPECT_EQ(result.exit_code, 0) << command;
    EXPECT_NE(result.out.find("Usage"), std::string::npos) << command << result.out;
    EXPECT_NE(result.out.find(command), std::string::npos) << command << result.out;
  }
  auto result = emf({"--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.out.find("Exit status"), std::string::npos);
  result = emf({"--version"});
  EXPECT_EQ(result.exit_code, 0);
  Db db;
  EXPECT_EQ(result.out, fmt::format("emf {} (SQLite {})\n", db.text("SELECT emf_version()"),
                                    db.text("SELECT sqlite_version()")));
}

TEST_F(ShellTest, ErrorsNameTheDatabaseAndSayWhatToDo) {
  write("junk/trends.db", std::string(4096, 'x'));
  auto result = emf({"check", "--data-dir", "junk", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("emf check: trends (junk/trends.db): cannot read it: file is not a "
                            "database; move it away, or point TRENDS_DB_PATH elsewhere"),
            std::string::npos)
      << result.err;

  write("a-file", "not a folder");
  result = emf({"init", "--data-dir", "a-file/sub", "--only", "metrics"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("emf init: metrics (a-file/sub/metrics.db): cannot create folder "
                            "a-file/sub"),
            std::string::npos)
      << result.err;
}

TEST_F(ShellTest, ALockedDatabaseIsReportedWithWhatToDo) {
  ASSERT_EQ(emf({"init", "--only", "trends"}).exit_code, 0);
  Db holder(path("data/trends.db"), false);
  holder.exec("BEGIN IMMEDIATE");
  auto result = emf({"reset", "--yes", "--only", "trends"});
  holder.exec("ROLLBACK");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(
      result.err.find("database is locked; another process is using it; try again when it is done"),
      std::string::npos)
      << result.err;
}

TEST_F(ShellTest, OnATerminalThereIsColourUnlessNoColor) {
  ASSERT_EQ(emf({"init"}).exit_code, 0);
  const std::vector<std::string> check = {EMF_SHELL_PATH, "check"};
  auto result = run_on_terminal(check, ProcessOptions{dir.path(), {}, {}});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.out.find("\033[32mok (version 4)"), std::string::npos) << result.out;
  result = run_on_terminal(check, ProcessOptions{dir.path(), {{"NO_COLOR", "1"}}, {}});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out.find('\033'), std::string::npos) << result.out;
}

TEST_F(ShellTest, ProgressIsShownOnATerminalOnly) {
  const std::vector<std::string> seed = {EMF_SHELL_PATH, "seed",   "--rows",
                                         "20000",        "--only", "trends"};
  auto result = run_on_terminal(seed, ProcessOptions{dir.path(), {{"NO_COLOR", "1"}}, {}});
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_NE(result.out.find("seeding trends ["), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("100%"), std::string::npos) << result.out;
  auto piped = emf({"seed", "--rows", "20000", "--only", "trends"});
  EXPECT_EQ(piped.exit_code, 0);
  EXPECT_EQ(piped.err, "");
  EXPECT_EQ(piped.out.find("seeding trends ["), std::string::npos);
  // The sample rows are too few for a bar.
  result = run_on_terminal({EMF_SHELL_PATH, "seed", "--only", "trends"},
                           ProcessOptions{dir.path(), {{"NO_COLOR", "1"}}, {}});
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_NE(result.out.find("seeded: "), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("seeding trends ["), std::string::npos) << result.out;

  const std::vector<std::string> backup = {EMF_SHELL_PATH, "backup", "--only", "trends"};
  result = run_on_terminal(backup, ProcessOptions{dir.path(), {{"NO_COLOR", "1"}}, {}});
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_NE(result.out.find("backing up trends ["), std::string::npos) << result.out;
  piped = emf({"backup", "--only", "trends"});
  EXPECT_EQ(piped.exit_code, 0);
  EXPECT_EQ(piped.err, "");
  EXPECT_EQ(piped.out.find("backing up"), std::string::npos);
}

// --rows 0 on a terminal: the one progress report (0 of 0) draws no bar
// and divides by nothing; each table is named with its 0 rows.
TEST_F(ShellTest, SeedOfZeroRowsOnATerminalSeedsNothing) {
  const auto result = run_on_terminal({EMF_SHELL_PATH, "seed", "--rows", "0", "--only", "trends"},
                                      ProcessOptions{dir.path(), {{"NO_COLOR", "1"}}, {}});
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_NE(result.out.find("seeded: trending_topics 0, search_history 0"), std::string::npos)
      << result.out;
  EXPECT_EQ(result.out.find("seeding trends ["), std::string::npos) << result.out;
  EXPECT_EQ(count("data/trends.db", "trending_topics"), 0);
  EXPECT_EQ(count("data/trends.db", "search_history"), 0);
}

// A pipeline writes throughout a reset: every row it committed is either in
// the backup (committed before the reset) or in the reset database (after):
// the backup and the reset see the same state.
TEST_F(ShellTest, ResetLosesNoRowWrittenWhileItRuns) {
  ASSERT_EQ(emf({"seed", "--rows", "20000", "--only", "trends"}).exit_code, 0);
  const std::int64_t seeded = count("data/trends.db", "search_history");
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> committed{0};
  std::thread writer([&] {
    Db db(path("data/trends.db"), /*load_extension=*/false);
    sqlite3_busy_timeout(db.get(), 30000);
    while (!stop) {
      if (!db.error("INSERT INTO search_history (query) VALUES ('pipeline')")) ++committed;
    }
  });
  while (committed < 20) std::this_thread::yield();
  auto result = emf({"reset", "--yes", "--only", "trends"});
  const std::int64_t at_reset = committed;
  while (committed < at_reset + 20) std::this_thread::yield();
  stop = true;
  writer.join();
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  std::string backup;
  for (const auto& entry : fs::directory_iterator(path("data/backups"))) {
    backup = "data/backups/" + entry.path().filename().string();
  }
  ASSERT_FALSE(backup.empty());
  const std::int64_t in_backup = count(backup, "search_history") - seeded;
  const std::int64_t after = count("data/trends.db", "search_history");
  EXPECT_GT(in_backup, 0);
  EXPECT_GT(after, 0);
  EXPECT_EQ(in_backup + after, committed.load());
}

TEST_F(ShellTest, ResetAsksOnATerminal) {
  ASSERT_EQ(emf({"seed", "--only", "trends"}).exit_code, 0);
  const std::vector<std::string> reset = {EMF_SHELL_PATH, "reset", "--only", "trends"};
  auto result = run_on_terminal(reset, ProcessOptions{dir.path(), {}, {}}, "Type yes", "no\n");
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_EQ(count("data/trends.db", "trending_topics"), 6);
  result = run_on_terminal(reset, ProcessOptions{dir.path(), {}, {}}, "Type yes", "yes\n");
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_EQ(count("data/trends.db", "trending_topics"), 0);
  EXPECT_EQ(std::distance(fs::directory_iterator(path("data/backups")), fs::directory_iterator{}),
            1);
}

}  // namespace
}  // namespace emf::test
