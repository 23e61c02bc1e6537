// What only reads works where nothing can be written: a database in a
// read-only folder (read-only media, or only read permission) answers
// check, status, the dry runs and backup (to a writable folder), in WAL
// and in rollback-journal mode, sees changes a crashed writer left in its
// -wal, and is left byte for byte as it was.
//
// Permissions do not bind root, so under root the commands run as the
// unprivileged user nobody (setpriv, from util-linux, which every Debian has).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

#include "support/fixtures.h"
#include "support/shell_fixture.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> files_in(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class ReadOnlyTest : public ShellTest {
 protected:
  void SetUp() override {
    // nobody must reach the folder and run what is in it.
    fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_read |
                                    fs::perms::group_exec | fs::perms::others_read |
                                    fs::perms::others_exec);
    fs::create_directories(path("out"));
    fs::permissions(path("out"), fs::perms::all);
  }
  void TearDown() override {
    // Writable again, so that the temporary folder can be removed.
    if (fs::exists(path("data"))) {
      fs::permissions(path("data"), fs::perms::owner_all, fs::perm_options::add);
    }
  }

  // data/ and every file in it read-only.
  void make_data_read_only() {
    for (const auto& entry : fs::directory_iterator(path("data"))) {
      fs::permissions(entry.path(),
                      fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    }
    fs::permissions(path("data"), fs::perms::owner_read | fs::perms::owner_exec |
                                      fs::perms::group_read | fs::perms::group_exec |
                                      fs::perms::others_read | fs::perms::others_exec);
  }

  // emf as a user that the permissions bind.
  ProcessResult emf_unprivileged(std::vector<std::string> arguments) {
    if (geteuid() == 0) {
      arguments.insert(arguments.begin(),
                       {"--reuid=65534", "--regid=65534", "--clear-groups", EMF_SHELL_PATH});
      arguments.insert(arguments.begin(), "/usr/bin/setpriv");
      ProcessOptions options;
      options.cwd = dir.path();
      return run(arguments, options);
    }
    return emf(arguments);
  }

  std::string snapshot() {
    std::string bytes;
    for (const std::string& name : files_in(path("data"))) {
      bytes += name + "\n" + read_file(path("data/" + name));
    }
    return bytes;
  }

  // Every command that only reads succeeds, and leaves data/ as it was.
  void expect_every_read_works(const std::string& journal_mode) {
    const std::string before = snapshot();
    auto result = emf_unprivileged({"check", "--json"});
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    Db db;
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(db.json(result.out, "$.databases[" + std::to_string(i) + "].check.journal_mode"),
                journal_mode)
          << result.out;
    }
    for (const std::vector<std::string>& command :
         {std::vector<std::string>{"status"}, {"init", "--dry-run"}, {"repair", "--dry-run"}}) {
      result = emf_unprivileged(command);
      EXPECT_EQ(result.exit_code, 0) << command[0] << "\n" << result.out << result.err;
    }
    result = emf_unprivileged({"backup", "--dir", "out"});
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(files_in(path("out")).size(), 3u);
    for (const std::string& name : files_in(path("out"))) {
      Db backup(path("out/" + name), false);
      EXPECT_EQ(backup.text("PRAGMA integrity_check"), "ok") << name;
    }
    // The backup's usual folder, beside the database, cannot be made: say so.
    result = emf_unprivileged({"backup", "--only", "trends"});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("cannot create the backup folder data/backups"), std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("choose another with --dir"), std::string::npos) << result.err;
    EXPECT_EQ(snapshot(), before);
  }
};

TEST_F(ReadOnlyTest, EveryReadWorksOnAWalDatabaseInAReadOnlyFolder) {
  ASSERT_EQ(emf({"init"}).exit_code, 0);
  ASSERT_EQ(emf({"seed", "--rows", "20"}).exit_code, 0);
  make_data_read_only();
  expect_every_read_works("wal");
  EXPECT_EQ(files_in(path("data")),
            (std::vector<std::string>{"image_library.db", "metrics.db", "trends.db"}));
}

TEST_F(ReadOnlyTest, EveryReadWorksOnARollbackJournalDatabaseInAReadOnlyFolder) {
  ASSERT_EQ(emf({"init"}).exit_code, 0);
  for (const char* name : {"trends", "metrics", "image_library"}) {
    Db db(path(std::string("data/") + name + ".db"), false);
    ASSERT_EQ(db.text("PRAGMA journal_mode = DELETE"), "delete");
  }
  make_data_read_only();
  expect_every_read_works("delete");
}

// The dry run of a repair times a sample rebuild from the database it
// attaches; a WAL database in a read-only folder cannot be attached (its
// -shm cannot be made): the plan is given, without the time, and says why.
TEST_F(ReadOnlyTest, ARepairDryRunWithoutATimeEstimateSaysWhy) {
  ASSERT_EQ(emf({"seed", "--only", "trends"}).exit_code, 0);
  {
    Db db(path("data/trends.db"), false);
    drop_constraints(db, "search_history");
  }
  make_data_read_only();
  const std::string before = snapshot();
  auto result = emf_unprivileged({"repair", "--dry-run", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("would rebuild search_history (4 rows): no time estimate (attempt to "
                            "write a readonly database; the file or its folder is read-only; "
                            "check the permissions); run it in a quiet moment\n"),
            std::string::npos)
      << result.out;
  result = emf_unprivileged({"repair", "--dry-run", "--only", "trends", "--json"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  Db db;
  EXPECT_EQ(db.json(result.out, "$.databases[0].rebuild_estimate.tables"), "[\"search_history\"]")
      << result.out;
  EXPECT_NE(db.json(result.out, "$.databases[0].rebuild_estimate.error")
                .find("attempt to write a readonly database"),
            std::string::npos)
      << result.out;
  EXPECT_EQ(snapshot(), before);
}

// A writer that died left committed rows in the -wal: what only reads
// sees them (the file alone would not have them).
TEST_F(ReadOnlyTest, ReadsSeeWhatACrashedWriterLeftInTheWal) {
  ASSERT_EQ(emf({"init"}).exit_code, 0);
  fs::create_directories(path("crashed"));
  {
    Db writer(path("data/trends.db"), false);
    writer.exec("PRAGMA wal_autocheckpoint = 0");
    writer.exec("INSERT INTO search_history (query) VALUES ('only in the wal')");
    // The files as a power cut would leave them: the connection still open.
    for (const std::string& name : files_in(path("data"))) {
      fs::copy_file(path("data/" + name), path("crashed/" + name));
    }
  }
  fs::remove_all(path("data"));
  fs::rename(path("crashed"), path("data"));
  ASSERT_TRUE(fs::exists(path("data/trends.db-wal")));
  make_data_read_only();
  const std::string before = snapshot();

  auto result = emf_unprivileged({"check", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  result = emf_unprivileged({"backup", "--only", "trends", "--dir", "out"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const auto backups = files_in(path("out"));
  ASSERT_EQ(backups.size(), 1u);
  Db backup(path("out/" + backups[0]), false);
  EXPECT_EQ(backup.integer("SELECT count(*) FROM search_history WHERE query = 'only in the wal'"),
            1);
  EXPECT_EQ(snapshot(), before);
}

}  // namespace
}  // namespace emf::test
