// What each command says of a database in an unusual state, through the
// real emf: one emf never initialised, one migrations behind, one whose
// applied migration was modified, a restore with nothing to restore, usage
// mistakes, and a current folder that no longer exists. The exit status is
// checked, and that nothing was changed.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/fixtures.h"
#include "support/shell_fixture.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;

using CommandOutcomes = ShellTest;

TEST_F(CommandOutcomes, ADatabaseEmfNeverInitialisedIsToBeInitialised) {
  fs::create_directories(path("data"));
  Db(path("data/trends.db"), false)
      .exec(
          "CREATE TABLE notes (body TEXT); INSERT INTO notes "
          "VALUES ('kept')");
  const std::string before = read_file(path("data/trends.db"));
  auto result = emf({"status", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("trends         data/trends.db                   not initialised: "
                            "run emf init"),
            std::string::npos)
      << result.out;
  result = emf({"check", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("trends         data/trends.db                   not initialised: "
                            "run emf init"),
            std::string::npos)
      << result.out;
  EXPECT_TRUE(read_file(path("data/trends.db")) == before) << "the file changed";
}

TEST_F(CommandOutcomes, CheckCountsThePendingMigrations) {
  fs::create_directories(path("data"));
  for (const char* kind : {"trends", "metrics"}) {
    Db db(path(std::string("data/") + kind + ".db"), /*load_extension=*/false);
    make_version_1(db, kind);
  }
  {
    // image_library one version behind: version 4 only replaces two triggers.
    Db db(path("data/image_library.db"));
    db.exec("SELECT emf_init('image_library')");
    make_image_library_version_3(db);
  }
  const std::string trends = read_file(path("data/trends.db"));
  const std::string metrics = read_file(path("data/metrics.db"));
  const auto result = emf({"check", "--only", "trends,metrics,image_library"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("data/trends.db                   version 1, 3 migrations pending: "
                            "run emf init"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("data/metrics.db                  version 1, 3 migrations pending: "
                            "run emf init"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("data/image_library.db            version 3, 1 migration pending: "
                            "run emf init"),
            std::string::npos)
      << result.out;
  EXPECT_TRUE(read_file(path("data/trends.db")) == trends) << "the file changed";
  EXPECT_TRUE(read_file(path("data/metrics.db")) == metrics) << "the file changed";
}

TEST_F(CommandOutcomes, AModifiedMigrationIsToBeRestoredAsEmfShipsIt) {
  ASSERT_EQ(emf({"seed", "--only", "trends"}).exit_code, 0);
  Db(path("data/trends.db"), false)
      .exec("UPDATE emf_schema_history SET checksum = 'tampered' WHERE version = 1");
  const std::string before = read_file(path("data/trends.db"));
  auto result = emf({"status", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("version 4; modified after they were applied: 001_initial; restore "
                            "their files as this emf ships them"),
            std::string::npos)
      << result.out;
  result = emf({"check", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("problems (version 4): restore the modified migration files as this "
                            "emf ships them (see emf status), then run emf init"),
            std::string::npos)
      << result.out;
  // emf repair refuses it; its dry run says so, and exits as it would.
  result = emf({"repair", "--dry-run", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_NE(result.out.find("emf repair would refuse it: restore the modified migration files as "
                            "this emf ships them (see emf status), then run emf init\n"
                            "    migration  001_initial  modified  its file changed after it "
                            "was applied"),
            std::string::npos)
      << result.out;
  EXPECT_EQ(emf({"repair", "--only", "trends", "--no-backup"}).exit_code, 1);
  EXPECT_TRUE(read_file(path("data/trends.db")) == before) << "the file changed";
  EXPECT_EQ(count("data/trends.db", "trending_topics"), 6);
  // Nor is a database repair refuses backed up first, for nothing.
  result = emf({"repair", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("emf_repair: migration 001_initial was modified after it was applied"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(result.err.find("backup"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(path("data/backups"))) << "a backup was made";
  EXPECT_TRUE(read_file(path("data/trends.db")) == before) << "the file changed";
}

// A migration a newer emf applied: emf repair refuses the database, and its
// dry run says so with the same exit status, changing nothing.
TEST_F(CommandOutcomes, RepairDryRunSaysRepairWouldRefuseANewerEmfsDatabase) {
  ASSERT_EQ(emf({"seed", "--only", "trends"}).exit_code, 0);
  Db(path("data/trends.db"), false)
      .exec(
          "INSERT INTO emf_schema_history (kind, version, name, checksum) VALUES "
          "('trends', 5, 'future', 'x')");
  const std::string before = read_file(path("data/trends.db"));
  auto result = emf({"repair", "--dry-run", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_NE(result.out.find("emf repair would refuse it: upgrade emf (a newer emf migrated this "
                            "database)\n"),
            std::string::npos)
      << result.out;
  result = emf({"repair", "--only", "trends", "--no-backup"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("applied by a newer emf; this emf knows versions up to 4; upgrade emf"),
            std::string::npos)
      << result.err;
  EXPECT_TRUE(read_file(path("data/trends.db")) == before) << "the file changed";
  // Repair and reset refuse it without a backup taken first, for nothing.
  for (const auto& command : {std::vector<std::string>{"repair", "--only", "trends"},
                              std::vector<std::string>{"reset", "--yes", "--only", "trends"}}) {
    result = emf(command);
    EXPECT_EQ(result.exit_code, 1) << command[0];
    EXPECT_NE(result.err.find("emf_" + command[0] +
                              ": trends is at version 5, applied by a newer emf; this emf knows "
                              "versions up to 4; upgrade emf"),
              std::string::npos)
        << result.err;
    EXPECT_EQ(result.err.find("backup"), std::string::npos) << result.err;
    EXPECT_FALSE(fs::exists(path("data/backups"))) << command[0] << " made a backup";
    EXPECT_TRUE(read_file(path("data/trends.db")) == before) << "the file changed";
  }
}

// A missing index: repair --dry-run says it would create it, and creates
// nothing.
TEST_F(CommandOutcomes, RepairDryRunNamesWhatItWouldCreate) {
  ASSERT_EQ(emf({"seed", "--only", "trends"}).exit_code, 0);
  std::string index;
  {
    Db db(path("data/trends.db"), false);
    index = db.text(
        "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name = 'trending_topics' ORDER BY name LIMIT 1");
    db.exec("DROP INDEX " + index);
  }
  const std::string before = read_file(path("data/trends.db"));
  const auto result = emf({"repair", "--dry-run", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("would create " + index), std::string::npos) << result.out;
  EXPECT_TRUE(read_file(path("data/trends.db")) == before) << "the file changed";
  EXPECT_FALSE(fs::exists(path("data/backups")));
}

TEST_F(CommandOutcomes, RestoreWithNothingToRestoreChangesNothing) {
  ASSERT_EQ(emf({"seed", "--only", "trends"}).exit_code, 0);
  const std::string before = read_file(path("data/trends.db"));
  auto result = emf({"restore", "missing.db", "--yes"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err, "emf restore: missing.db does not exist\n");
  fs::create_directories(path("a-folder.db"));
  result = emf({"restore", "a-folder.db", "--yes"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err, "emf restore: a-folder.db is not a file\n");

  result = emf({"restore", "--latest", "--yes", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("no backup to restore in data/backups"), std::string::npos)
      << result.out;
  EXPECT_TRUE(read_file(path("data/trends.db")) == before) << "the file changed";
  EXPECT_FALSE(fs::exists(path("data/backups")));
}

TEST_F(CommandOutcomes, UsageMistakesExitTwoAndRunNothing) {
  auto result = emf({"check", "extra"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "emf check: unexpected argument 'extra'\nRun 'emf check --help' for the options.\n");
  result = emf({"--check", "--dry-run"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "emf: --dry-run goes with init and repair, not with --check, --seed or --reset\nRun "
            "'emf --help' for the options.\n");
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

// A current folder removed under emf (another terminal's rm -r): it says
// so, and exits 1.
TEST_F(CommandOutcomes, ACurrentFolderThatNoLongerExistsIsNamed) {
  const std::string gone = path("gone");
  const auto result =
      run({"/bin/sh", "-c", "mkdir \"$0\" && cd \"$0\" && rmdir \"$0\" && exec \"$1\" check", gone,
           EMF_SHELL_PATH},
          ProcessOptions{dir.path(), {}, {}});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err,
            "emf: filesystem error: cannot make absolute path: No such file or directory "
            "[data/trends.db]\n");
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

}  // namespace
}  // namespace emf::test
