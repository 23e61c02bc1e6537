// The command line's habits, as people expect them from git or sqlite3:
// each command's --help lists its options and the common ones with an
// example, `emf help COMMAND`, errors that start with "emf:" and say what
// was expected, a guess for a mistyped command, --quiet, --color,
// --version, --busy-timeout, and the old script's flags together.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "support/fixtures.h"
#include "support/shell_fixture.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;

TEST_F(ShellTest, EveryCommandsHelpListsItsOptionsTheCommonOnesAndAnExample) {
  const std::map<std::string, std::vector<std::string>> own = {
      {"init", {"--dry-run", "--no-backup", "--backup-dir"}},
      {"repair", {"--dry-run", "--no-backup", "--backup-dir"}},
      {"seed", {"--rows", "--random-seed", "--no-backup"}},
      {"reset", {"--yes", "--backup-dir"}},
      {"backup", {"--dir"}},
      {"check", {}},
      {"status", {}}};
  for (const auto& [command, options] : own) {
    const auto result = emf({command, "--help"});
    EXPECT_EQ(result.exit_code, 0) << command;
    for (const std::string& option : options) {
      EXPECT_NE(result.out.find(option), std::string::npos) << command << ": " << option;
    }
    for (const char* common :
         {"--only", "--json", "--verbose", "--quiet", "--color", "--busy-timeout", "--data-dir"}) {
      EXPECT_NE(result.out.find(common), std::string::npos) << command << ": " << common;
    }
    EXPECT_NE(result.out.find("Example:\n  emf " + command), std::string::npos) << command << "\n"
                                                                                << result.out;
    // emf help COMMAND says the same.
    EXPECT_EQ(emf({"help", command}).out, result.out) << command;
  }
  const auto help = emf({"help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_EQ(help.out, emf({"--help"}).out);
}

TEST_F(ShellTest, AMistypedCommandGetsAGuess) {
  auto result = emf({"chek"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "emf: 'chek' is not an emf command; did you mean 'check'?\nRun 'emf --help' for the "
            "options.\n");
  result = emf({"help", "sed"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("emf: 'sed' is not an emf command; did you mean 'seed'?"),
            std::string::npos)
      << result.err;
  // Nothing close: no guess.
  result = emf({"frobnicate"});
  EXPECT_EQ(result.err,
            "emf: 'frobnicate' is not an emf command\nRun 'emf --help' for the options.\n");
  EXPECT_FALSE(fs::exists(path("data")));
}

TEST_F(ShellTest, BadValuesSayWhatWasExpected) {
  auto result = emf({"seed", "--rows", "abc"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(
      result.err.find("emf seed: --rows: expected a whole number from 0 to 100000000, got abc"),
      std::string::npos)
      << result.err;
  // What the SQL function refuses, the shell refuses too: never clamped.
  result = emf({"seed", "--rows", "100000001"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find(
                "emf seed: --rows: expected a whole number from 0 to 100000000, got 100000001"),
            std::string::npos)
      << result.err;
  result = emf({"seed", "--rows", "5", "--random-seed", "99999999999999999999"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--random-seed: expected a whole number from -9223372036854775808 to "
                            "9223372036854775807, got 99999999999999999999"),
            std::string::npos)
      << result.err;
  // An option that would do nothing is refused.
  result = emf({"seed", "--random-seed", "7"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--random-seed requires --rows"), std::string::npos) << result.err;
  result = emf({"check", "--yes"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("emf check: --yes is not an option of emf check"), std::string::npos)
      << result.err;
  result = emf({"check", "--color", "sometimes"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("emf check: --color"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(path("data")));
}

TEST_F(ShellTest, QuietPrintsOnlyWhatWentWrong) {
  auto result = emf({"init", "-q"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, "");
  fs::remove(path("data/metrics.db"));
  result = emf({"check", "--quiet"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("metrics"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("trends"), std::string::npos) << result.out;
}

TEST_F(ShellTest, ColourIsAskedForOrFollowsTheTerminal) {
  ASSERT_EQ(emf({"init"}).exit_code, 0);
  // Piped: none by default, but --color=always forces it.
  EXPECT_EQ(emf({"check"}).out.find("\033["), std::string::npos);
  EXPECT_NE(emf({"check", "--color", "always"}).out.find("\033[32m"), std::string::npos);
  // On a terminal: colour, unless TERM=dumb, NO_COLOR or --color=never.
  const std::vector<std::string> check = {EMF_SHELL_PATH, "check"};
  ProcessOptions terminal{dir.path(), {{"TERM", "xterm"}}, {}};
  EXPECT_NE(run_on_terminal(check, terminal).out.find("\033[32m"), std::string::npos);
  terminal.env["TERM"] = "dumb";
  EXPECT_EQ(run_on_terminal(check, terminal).out.find("\033["), std::string::npos);
  terminal.env["TERM"] = "xterm";
  EXPECT_EQ(
      run_on_terminal({EMF_SHELL_PATH, "check", "--color=never"}, terminal).out.find("\033[32m"),
      std::string::npos);
}

TEST_F(ShellTest, BusyTimeoutIsHowLongItWaitsForALock) {
  ASSERT_EQ(emf({"init", "--only", "trends"}).exit_code, 0);
  Db holder(path("data/trends.db"), false);
  holder.exec("BEGIN IMMEDIATE");
  const auto result = emf({"seed", "--only", "trends", "--busy-timeout", "50", "--no-backup"});
  holder.exec("ROLLBACK");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("database is locked"), std::string::npos) << result.err;
  EXPECT_EQ(count("data/trends.db", "trending_topics"), 0);
}

// One run of the old script: emf --reset --seed --yes resets, then seeds.
TEST_F(ShellTest, TheOldScriptsFlagsWorkTogether) {
  ASSERT_EQ(emf({"seed", "--only", "trends"}).exit_code, 0);
  {
    Db db(path("data/trends.db"), false);
    db.exec("INSERT INTO search_history (query) VALUES ('added by hand')");
  }
  auto result = emf({"--reset", "--seed", "--check", "--yes", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(count("data/trends.db", "search_history WHERE query = 'added by hand'"), 0);
  EXPECT_GT(count("data/trends.db", "trending_topics"), 0);
  EXPECT_NE(result.out.find("ok (version 4)"), std::string::npos) << result.out;
  // A flag and a command together is one command too many.
  result = emf({"--check", "seed"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--check, --seed and --reset stand for commands"), std::string::npos)
      << result.err;
}

}  // namespace
}  // namespace emf::test

namespace emf::test {
namespace {

// What begins as a SQLite database does: a file pruning may delete.
const std::string kDatabaseBytes = std::string("SQLite format 3\0", 16) + "pages";

std::vector<std::string> backups_in(const std::string& folder) {
  std::vector<std::string> names;
  if (!std::filesystem::exists(folder)) return names;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// A repair that fails after its backup says where that backup is.
TEST_F(ShellTest, ABackupMadeBeforeAFailureIsReported) {
  ASSERT_EQ(emf({"seed", "--only", "trends"}).exit_code, 0);
  {
    Db db(path("data/trends.db"), false);
    drop_constraints(db, "search_history");
    // A row the rebuilt table refuses: the repair fails after the backup.
    db.exec("UPDATE search_history SET query = '' WHERE id = 1");
  }
  const auto result = emf({"repair", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 1);
  const auto backups = backups_in(path("data/backups"));
  ASSERT_EQ(backups.size(), 1u);
  EXPECT_NE(result.err.find("(the backup made before it is data/backups/" + backups[0] + ")"),
            std::string::npos)
      << result.err;
}

// The extension's own account of a lock it could not take is kept, and the
// shell says what to do in its own terms (not PRAGMA busy_timeout).
TEST_F(ShellTest, ALockedRestoreSaysWhichStepWaitedInVain) {
  ASSERT_EQ(emf({"seed", "--only", "trends", "-q"}).exit_code, 0);
  ASSERT_EQ(emf({"backup", "--only", "trends", "--dir", "saved"}).exit_code, 0);
  const auto saved = backups_in(path("saved"));
  ASSERT_EQ(saved.size(), 1u);
  Db holder(path("data/trends.db"), false);
  holder.exec("BEGIN IMMEDIATE");
  const auto result =
      emf({"restore", "--yes", "--busy-timeout", "50", "--no-backup", "saved/" + saved[0]});
  holder.exec("ROLLBACK");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("emf_restore: cannot take the write lock: database is locked; another "
                            "process is using it; try again when it is done"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(result.err.find("PRAGMA busy_timeout"), std::string::npos) << result.err;
}

TEST_F(ShellTest, KeepPrunesTheOldestBackupsOfItsOwnSort) {
  ASSERT_EQ(emf({"init", "--only", "trends"}).exit_code, 0);
  // Backups of earlier days, of both sorts, and a file that is not emf's.
  for (const char* name : {"trends_backup_20260101_000000.db", "trends_backup_20260102_000000.db",
                           "trends_backup_20260102_000000_2.db",
                           "trends_backup_20260103_000000_before_reset.db", "notes.txt"}) {
    write(std::string("data/backups/") + name, kDatabaseBytes);
  }
  auto result = emf({"backup", "--only", "trends", "--keep", "2"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("deleted 2 older backups (keeping 2)"), std::string::npos)
      << result.out;
  auto left = backups_in(path("data/backups"));
  ASSERT_EQ(left.size(), 4u);
  EXPECT_EQ(left[0], "notes.txt");
  EXPECT_EQ(left[1], "trends_backup_20260102_000000_2.db");
  EXPECT_EQ(left[2], "trends_backup_20260103_000000_before_reset.db");
  EXPECT_TRUE(left[3].starts_with("trends_backup_2026")) << left[3];
  // Automatic backups keep their own count, and leave emf backup's alone.
  result = emf({"reset", "--yes", "--only", "trends", "--keep", "1"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("deleted 1 older automatic backup (keeping 1)"), std::string::npos)
      << result.out;
  left = backups_in(path("data/backups"));
  EXPECT_EQ(left.size(), 4u);
  EXPECT_EQ(std::count_if(left.begin(), left.end(),
                          [](const std::string& name) {
                            return name.find("_before_reset") != std::string::npos;
                          }),
            1);
  EXPECT_EQ(emf({"backup", "--keep", "0"}).exit_code, 2);
}

// The backup a command has just made is never pruned, even when the folder
// holds as many backups as are kept, all named later than now (a clock put
// back, a folder from another machine): a reset deletes every row, and its
// backup is then the only copy of them.
TEST_F(ShellTest, PruningNeverDeletesTheBackupTheCommandJustMade) {
  ASSERT_EQ(emf({"seed", "--only", "metrics", "-q"}).exit_code, 0);
  const std::int64_t rows = count("data/metrics.db", "video_metrics");
  ASSERT_GT(rows, 0);
  for (int day = 1; day <= 10; ++day) {
    fs::create_directories(path("data/backups"));
    fs::copy_file(
        path("data/metrics.db"),
        path(fmt::format("data/backups/metrics_backup_209901{:02}_000000_before_seed.db", day)));
  }
  auto result = emf({"reset", "--yes", "--only", "metrics"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("deleted 1 older automatic backup (keeping 10)"), std::string::npos)
      << result.out;
  auto left = backups_in(path("data/backups"));
  ASSERT_EQ(left.size(), 10u);
  const auto reset_backup = std::find_if(left.begin(), left.end(), [](const std::string& name) {
    return name.ends_with("_before_reset.db");
  });
  ASSERT_NE(reset_backup, left.end()) << "the backup of the rows the reset deleted";
  EXPECT_FALSE(fs::exists(path("data/backups/metrics_backup_20990101_000000_before_seed.db")));
  EXPECT_EQ(count("data/backups/" + *reset_backup, "video_metrics"), rows);
  EXPECT_EQ(count("data/metrics.db", "video_metrics"), 0);

  // emf backup --keep 1 beside a backup of its sort named later: the new one stays.
  fs::copy_file(path("data/backups/" + *reset_backup),
                path("data/backups/metrics_backup_20990101_000000.db"));
  result = emf({"backup", "--only", "metrics", "--keep", "1", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  Db db;
  const std::string made = db.json(result.out, "$.databases[0].backup.path");
  EXPECT_TRUE(fs::exists(made)) << result.out;
  EXPECT_EQ(db.json(result.out, "$.databases[0].deleted"),
            "[\"" + path("data/backups/metrics_backup_20990101_000000.db") + "\"]");
}

TEST_F(ShellTest, BackupListShowsEachBackupWithItsSizeTimeAndVersion) {
  ASSERT_EQ(emf({"init", "--only", "trends"}).exit_code, 0);
  ASSERT_EQ(emf({"backup", "--only", "trends"}).exit_code, 0);
  write("data/backups/trends_backup_20260101_000000_before_repair.db", "not a database");
  auto result = emf({"backup", "--list", "--only", "trends"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("2 backups in data/backups"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("2026-01-01 00:00:00 UTC   14 bytes  version unreadable  "
                            "data/backups/trends_backup_20260101_000000_before_repair.db (before "
                            "repair)"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("KiB  version 4    data/backups/trends_backup_"), std::string::npos)
      << result.out;
  Db db;
  result = emf({"backup", "--list", "--only", "trends", "--json"});
  EXPECT_EQ(db.json(result.out, "$.databases[0].backups[0].before"), "repair");
  EXPECT_EQ(db.json(result.out, "$.databases[0].backups[1].version"), "4");
  // Listing makes nothing.
  EXPECT_EQ(backups_in(path("data/backups")).size(), 2u);
  EXPECT_EQ(emf({"backup", "--list", "--keep", "2"}).exit_code, 2);
}

TEST_F(ShellTest, RestorePutsTheNewestBackupBackAfterSavingTheCurrentState) {
  ASSERT_EQ(emf({"seed", "--only", "trends"}).exit_code, 0);
  ASSERT_EQ(emf({"backup", "--only", "trends"}).exit_code, 0);
  const std::int64_t rows = count("data/trends.db", "search_history");
  {
    Db db(path("data/trends.db"), false);
    db.exec("DELETE FROM search_history");
  }
  // Without --yes, and not on a terminal: refused, nothing changed.
  auto result = emf({"restore", "--latest", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("emf restore: refusing to restore without confirmation"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(count("data/trends.db", "search_history"), 0);
  EXPECT_EQ(emf({"restore", "--only", "trends", "--yes"}).exit_code, 2);

  result = emf({"restore", "--latest", "--only", "trends", "--yes"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("restored from data/backups/trends_backup_"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("backup before restore: data/backups/trends_backup_"),
            std::string::npos)
      << result.out;
  EXPECT_EQ(count("data/trends.db", "search_history"), rows);
  // The state it replaced is kept, and nothing else appeared beside the backups.
  const auto backups = backups_in(path("data/backups"));
  ASSERT_EQ(backups.size(), 2u);
  EXPECT_EQ(count("data/backups/" + backups[1], "search_history"), 0);
  EXPECT_EQ(emf({"check", "--only", "trends"}).exit_code, 0);
  // A second --latest takes the same backup, not the state the first replaced.
  ASSERT_EQ(emf({"restore", "--latest", "--only", "trends", "--yes"}).exit_code, 0);
  EXPECT_EQ(count("data/trends.db", "search_history"), rows);
}

TEST_F(ShellTest, RestoreOfAFileGoesToTheDatabaseOfItsKind) {
  ASSERT_EQ(emf({"seed"}).exit_code, 0);
  ASSERT_EQ(emf({"backup", "--dir", "saved"}).exit_code, 0);
  const auto saved = backups_in(path("saved"));
  ASSERT_EQ(saved.size(), 3u);
  const std::string metrics_backup = "saved/" + saved[1];
  ASSERT_TRUE(metrics_backup.find("metrics_backup_") != std::string::npos) << metrics_backup;
  // A lost database is created and filled.
  fs::remove(path("data/metrics.db"));
  auto result = emf({"restore", metrics_backup, "--yes"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("metrics        data/metrics.db"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("trends"), std::string::npos) << result.out;
  EXPECT_EQ(emf({"check"}).exit_code, 0);
  // A file of another kind than the databases chosen.
  result = emf({"restore", metrics_backup, "--only", "trends", "--yes"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("holds metrics, none of the databases chosen"), std::string::npos)
      << result.err;
}

TEST_F(ShellTest, OptimizeReportsSizesAndWhatItDid) {
  ASSERT_EQ(emf({"seed", "--only", "metrics"}).exit_code, 0);
  const auto result = emf({"optimize", "--only", "metrics"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find(" KiB -> "), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("statistics updated; WAL checkpoint done; not needed: "),
            std::string::npos)
      << result.out;
  // No vacuum, no backup.
  EXPECT_TRUE(backups_in(path("data/backups")).empty());
}

// Much free space: the database is compacted, and the state before is saved
// first as an automatic backup, the older automatic ones pruned; with
// --no-backup nothing is saved.
TEST_F(ShellTest, OptimizeSavesTheStateBeforeItCompactsUnlessNoBackup) {
  ASSERT_EQ(emf({"seed", "--rows", "6000", "--random-seed", "1", "--only", "trends"}).exit_code, 0);
  const auto free_most_pages = [&] {
    Db db(path("data/trends.db"), false);
    db.exec("DELETE FROM search_history");
    db.exec("DELETE FROM trending_topics WHERE rowid % 10 <> 0");
    return db.text("SELECT group_concat(topic, ',') FROM trending_topics ORDER BY rowid");
  };
  std::string topics = free_most_pages();
  fs::remove_all(path("data/backups"));
  for (const char* name : {"trends_backup_20260101_000000_before_reset.db",
                           "trends_backup_20260102_000000_before_repair.db"}) {
    write(std::string("data/backups/") + name, kDatabaseBytes);
  }
  auto result = emf({"optimize", "--only", "trends", "--keep", "1"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("; compacted: "), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("backup before optimize: data/backups/trends_backup_"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("deleted 2 older automatic backups (keeping 1)"), std::string::npos)
      << result.out;
  auto left = backups_in(path("data/backups"));
  ASSERT_EQ(left.size(), 1u);
  EXPECT_TRUE(left[0].ends_with("_before_optimize.db")) << left[0];
  {
    // The backup holds what the database held, and so does the database.
    Db saved(path("data/backups/" + left[0]), false);
    EXPECT_EQ(saved.text("SELECT group_concat(topic, ',') FROM trending_topics ORDER BY rowid"),
              topics);
    EXPECT_GT(saved.integer("PRAGMA freelist_count"), 0);
    Db db(path("data/trends.db"), false);
    EXPECT_EQ(db.text("SELECT group_concat(topic, ',') FROM trending_topics ORDER BY rowid"),
              topics);
    EXPECT_EQ(db.integer("PRAGMA freelist_count"), 0);
  }
  EXPECT_EQ(emf({"check", "--only", "trends"}).exit_code, 0);

  // Free space again, and --no-backup: compacted, nothing saved.
  ASSERT_EQ(emf({"seed", "--rows", "6000", "--random-seed", "2", "--only", "trends", "--no-backup"})
                .exit_code,
            0);
  topics = free_most_pages();
  result = emf({"optimize", "--only", "trends", "--no-backup", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  Db db;
  EXPECT_EQ(db.json(result.out, "$.databases[0].optimize.vacuumed"), "1") << result.out;
  EXPECT_EQ(db.json(result.out, "$.databases[0].optimize.saved_current"), "NULL") << result.out;
  EXPECT_EQ(backups_in(path("data/backups")), left);
  Db after(path("data/trends.db"), false);
  EXPECT_EQ(after.text("SELECT group_concat(topic, ',') FROM trending_topics ORDER BY rowid"),
            topics);
}

// A backup that itself drifted from emf's schema is put back as it is, and
// the outcome says what is left to do: exit 1, the remedy named.
TEST_F(ShellTest, RestoreOfADriftedBackupSaysToRepair) {
  ASSERT_EQ(emf({"seed", "--only", "trends"}).exit_code, 0);
  {
    Db db(path("data/trends.db"), false);
    db.exec("DROP INDEX idx_trending_topics_source");
  }
  ASSERT_EQ(emf({"backup", "--only", "trends", "--dir", "saved"}).exit_code, 0);
  const auto saved = backups_in(path("saved"));
  ASSERT_EQ(saved.size(), 1u);
  ASSERT_EQ(emf({"repair", "--only", "trends", "--no-backup"}).exit_code, 0);
  auto result = emf({"restore", "saved/" + saved[0], "--yes", "--no-backup"});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.out.find("restored from saved/" + saved[0] + " ("), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("; run emf repair"), std::string::npos) << result.out;
  Db db(path("data/trends.db"), false);
  EXPECT_EQ(db.integer("SELECT count(*) FROM sqlite_schema WHERE name = "
                       "'idx_trending_topics_source'"),
            0);
  EXPECT_FALSE(fs::exists(path("data/backups")));
}

// A reset of a database that does not exist yet creates it, with nothing to
// back up.
TEST_F(ShellTest, ResetOfAMissingDatabaseCreatesItWithNothingToBackUp) {
  const auto result = emf({"reset", "--yes", "--only", "trends"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("reset (version 4), nothing to back up"), std::string::npos)
      << result.out;
  EXPECT_FALSE(fs::exists(path("data/backups")));
  EXPECT_EQ(count("data/trends.db", "trending_topics"), 0);
  EXPECT_EQ(emf({"check", "--only", "trends"}).exit_code, 0);
}

// --keep with fewer backups than it keeps deletes nothing, and says nothing
// of it but an empty list in --json.
TEST_F(ShellTest, BackupKeepWithNothingToPruneDeletesNothing) {
  ASSERT_EQ(emf({"init", "--only", "trends"}).exit_code, 0);
  auto result = emf({"backup", "--only", "trends", "--keep", "5"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.find("deleted"), std::string::npos) << result.out;
  result = emf({"backup", "--only", "trends", "--keep", "5", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  Db db;
  EXPECT_EQ(db.json(result.out, "$.databases[0].deleted"), "[]") << result.out;
  EXPECT_EQ(backups_in(path("data/backups")).size(), 2u);
  // One pruned: the singular.
  result = emf({"backup", "--only", "trends", "--keep", "2"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("deleted 1 older backup (keeping 2)"), std::string::npos) << result.out;
  EXPECT_EQ(backups_in(path("data/backups")).size(), 2u);
}

// A database seed cannot seed says why, even with --quiet.
TEST_F(ShellTest, SeedSaysWhyItCannotSeed) {
  ASSERT_EQ(emf({"init", "--only", "trends"}).exit_code, 0);
  {
    Db db(path("data/trends.db"), false);
    db.exec("DROP TRIGGER update_trending_topics_timestamp");
  }
  const auto result = emf({"seed", "--only", "trends", "--quiet"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("not seeded: problems (version 4): run emf repair"), std::string::npos)
      << result.out;
  EXPECT_EQ(count("data/trends.db", "trending_topics"), 0);
}

}  // namespace
}  // namespace emf::test
