// Databases a user may not open or may not write, through the real emf: a
// folder it cannot write, a database it can only read, one it cannot read,
// and a leftover WAL index it cannot read. Each says what happened and what
// to do, and every file is left byte for byte as it was.
//
// Permissions do not bind root, so under root emf runs as the unprivileged
// user nobody (setpriv, from util-linux).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "support/shell_fixture.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;

constexpr fs::perms kReadable =
    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;
constexpr fs::perms kPrivate = fs::perms::owner_read | fs::perms::owner_write;
constexpr fs::perms kEnterable = fs::perms::owner_all | fs::perms::group_read |
                                 fs::perms::group_exec | fs::perms::others_read |
                                 fs::perms::others_exec;

class AccessTest : public ShellTest {
 protected:
  void SetUp() override {
    // nobody may enter the folders and read, not write.
    fs::permissions(dir.path(), kEnterable);
    fs::create_directories(path("data"));
    fs::permissions(path("data"), kEnterable);
  }

  ProcessResult emf_unprivileged(std::vector<std::string> arguments) {
    if (geteuid() == 0) {
      arguments.insert(arguments.begin(), {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                                           "--clear-groups", EMF_SHELL_PATH});
      ProcessOptions options;
      options.cwd = dir.path();
      return run(arguments, options);
    }
    return emf(arguments);
  }

  // Every file under data/, by name, with its bytes.
  std::string snapshot() {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(path("data"))) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    std::string bytes;
    for (const std::string& name : names) bytes += name + "\n" + read_file(path("data/" + name));
    return bytes;
  }
};

TEST_F(AccessTest, AFolderThatCannotBeWrittenGetsNoDatabase) {
  const auto result = emf_unprivileged({"init", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("emf init: trends (data/trends.db): cannot open it: unable to open "
                            "database file; check that its folder exists and is writable\n"),
            std::string::npos)
      << result.err;
  EXPECT_TRUE(fs::is_empty(path("data")));
}

// A folder for the database that this user may not make: the system's
// words and what to do, nothing made.
TEST_F(AccessTest, AFolderThatMayNotBeMadeIsNamedWithWhatToDo) {
  const auto result = emf_unprivileged({"init", "--only", "trends", "--data-dir", "data/sub"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("emf init: trends (data/sub/trends.db): cannot create folder "
                            "data/sub: Permission denied; check the permissions, or choose "
                            "another place with --data-dir or TRENDS_DB_PATH\n"),
            std::string::npos)
      << result.err;
  EXPECT_TRUE(fs::is_empty(path("data")));
}

// A database this user may write in a folder it may not: emf init has
// nothing to apply, and cannot switch to WAL (that needs a journal beside
// the file). It says so in a warning, exits 0, and the file stays as it was.
TEST_F(AccessTest, InitWarnsWhenTheFolderKeepsItFromSwitchingToWal) {
  ASSERT_EQ(emf({"init", "--only", "trends"}).exit_code, 0);
  {
    Db db(path("data/trends.db"), false);
    ASSERT_EQ(db.text("PRAGMA journal_mode = DELETE"), "delete");
  }
  fs::permissions(path("data/trends.db"), fs::perms::owner_read | fs::perms::owner_write |
                                              fs::perms::group_read | fs::perms::group_write |
                                              fs::perms::others_read | fs::perms::others_write);
  const std::string before = snapshot();
  const std::string warning =
      "journal_mode stays 'delete': switching to WAL failed (attempt to write a readonly "
      "database); call emf_init again to switch";
  auto result = emf_unprivileged({"init", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("up to date (version 4)\n    warning: " + warning + "\n"),
            std::string::npos)
      << result.out;
  result = emf_unprivileged({"init", "--only", "trends", "--json"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  Db db;
  EXPECT_EQ(db.json(result.out, "$.databases[0].init.warnings"), "[\"" + warning + "\"]")
      << result.out;
  EXPECT_EQ(db.json(result.out, "$.databases[0].init.journal_mode"), "delete") << result.out;
  // What only reads opens it read-only (its folder cannot take a journal),
  // though the file itself may be written.
  result = emf_unprivileged({"check", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("ok (version 4)"), std::string::npos) << result.out;
  EXPECT_TRUE(snapshot() == before) << "a file changed";
}

TEST_F(AccessTest, ADatabaseThatCanOnlyBeReadIsReadAndNotChanged) {
  ASSERT_EQ(emf({"seed", "--only", "trends"}).exit_code, 0);
  fs::permissions(path("data/trends.db"), kReadable);
  const std::string before = snapshot();

  auto result = emf_unprivileged({"check", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("ok (version 4)"), std::string::npos) << result.out;

  // Each command that writes says the file is read-only, with SQLite's own
  // words (never "not an error").
  for (const std::vector<std::string>& command : std::vector<std::vector<std::string>>{
           {"seed", "--only", "trends", "--no-backup"}, {"reset", "--yes", "--only", "trends"}}) {
    result = emf_unprivileged(command);
    EXPECT_EQ(result.exit_code, 1) << command[0];
    EXPECT_NE(result.err.find("emf " + command[0] +
                              ": trends (data/trends.db): cannot write to it: attempt to write a "
                              "readonly database; the file or its folder is read-only; check "
                              "the permissions\n"),
              std::string::npos)
        << result.err;
    EXPECT_EQ(result.err.find("not an error"), std::string::npos) << result.err;
  }
  EXPECT_TRUE(snapshot() == before) << "a file changed";
  EXPECT_EQ(count("data/trends.db", "trending_topics"), 6);
}

TEST_F(AccessTest, ADatabaseThatCannotBeReadIsNamed) {
  ASSERT_EQ(emf({"seed", "--only", "trends"}).exit_code, 0);
  fs::permissions(path("data/trends.db"), kPrivate);
  const std::string before = snapshot();
  for (const char* command : {"check", "status"}) {
    const auto result = emf_unprivileged({command, "--only", "trends"});
    EXPECT_EQ(result.exit_code, 1) << command;
    EXPECT_NE(result.err.find(std::string("emf ") + command +
                              ": trends (data/trends.db): cannot open it: unable to open "
                              "database file"),
              std::string::npos)
        << result.err;
  }
  EXPECT_TRUE(snapshot() == before) << "a file changed";
}

// A WAL index left behind by another user, that this one cannot read: the
// database is read as it is on disk (no -wal holds changes), not refused.
TEST_F(AccessTest, ALeftoverWalIndexThatCannotBeReadDoesNotStopReads) {
  ASSERT_EQ(emf({"seed", "--only", "trends"}).exit_code, 0);
  ASSERT_EQ(Db(path("data/trends.db"), false).text("PRAGMA journal_mode"), "wal");
  fs::permissions(path("data/trends.db"), kReadable);
  write("data/trends.db-shm", std::string(32768, '\0'));
  fs::permissions(path("data/trends.db-shm"), kPrivate);
  const std::string before = snapshot();
  auto result = emf_unprivileged({"check", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("ok (version 4)"), std::string::npos) << result.out;
  result = emf_unprivileged({"status", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("version 4 (latest)"), std::string::npos) << result.out;
  EXPECT_TRUE(snapshot() == before) << "a file changed";
}

}  // namespace
}  // namespace emf::test
