// emf_backup when the operating system fails it where no SQLite VFS looks:
// the temporary copy cannot be created, opened, written out while it is
// made, synced or linked to its name, or the folder cannot be synced. The
// calls are failed by support/fail_syscall.c, preloaded into this binary by
// CTest (LD_PRELOAD). Each case checks what the caller sees (message and code),
// that the database is unchanged, that the target is absent or complete, and
// that no temporary file is left.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "support/test_db.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;

// Arms the interposer for one call until the end of the scope.
class FailCall {
 public:
  FailCall(const std::string& call, const std::string& path_pattern, int error, int nth = 1) {
    static int run = 0;
    setenv("EMF_FAIL_PATH", path_pattern.c_str(), 1);
    setenv("EMF_FAIL_ERRNO", std::to_string(error).c_str(), 1);
    setenv("EMF_FAIL_NTH", std::to_string(nth).c_str(), 1);
    setenv("EMF_FAIL_RUN", std::to_string(++run).c_str(), 1);
    setenv("EMF_FAIL_CALL", call.c_str(), 1);
  }
  ~FailCall() {
    for (const char* name :
         {"EMF_FAIL_CALL", "EMF_FAIL_PATH", "EMF_FAIL_ERRNO", "EMF_FAIL_NTH", "EMF_FAIL_RUN"}) {
      unsetenv(name);
    }
  }
  FailCall(const FailCall&) = delete;
  FailCall& operator=(const FailCall&) = delete;
};

std::vector<std::string> folder_entries(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class BackupFailure : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(dlsym(RTLD_DEFAULT, "emf_fail_syscall_loaded"), nullptr)
        << "run under CTest: the interposer must be preloaded (LD_PRELOAD)";
    db_.exec("SELECT emf_init('metrics'), emf_seed('metrics', 50, 1)");
    before_ = db_.dump();
    fs::create_directory(backups_);
  }

  // Calls emf_backup(target) expecting it to fail; returns the message and
  // checks the code, the database and the folder.
  std::string backup_fails(int expected_code) {
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_.get(), "SELECT emf_backup(?1)", -1, &statement, nullptr),
              SQLITE_OK);
    sqlite3_bind_text(statement, 1, target_.c_str(), -1, SQLITE_TRANSIENT);
    const int rc = sqlite3_step(statement);
    const std::string message = sqlite3_errmsg(db_.get());
    sqlite3_finalize(statement);
    EXPECT_EQ(rc, expected_code & 0xff) << message;
    EXPECT_EQ(sqlite3_extended_errcode(db_.get()), expected_code) << message;
    EXPECT_EQ(db_.dump(), before_) << "the database changed";
    EXPECT_TRUE(sqlite3_get_autocommit(db_.get())) << "a transaction was left open";
    return message;
  }

  TempDir dir_;
  std::string source_ = dir_.file("metrics.db");
  fs::path backups_ = dir_.path() / "backups";
  std::string target_ = (backups_ / "copy.db").string();
  // The temporary copy, and only it (not its -journal).
  std::string temporary_pattern_ = target_ + ".emf-backup-??????";
  Db db_{source_};
  std::string before_;
};

TEST_F(BackupFailure, NoTemporaryFileCanBeCreated) {
  FailCall fail("mkstemp", temporary_pattern_, ENOSPC);
  EXPECT_EQ(backup_fails(SQLITE_CANTOPEN),
            fmt::format("emf_backup: cannot create a file in {}: No space left on device",
                        backups_.string()));
  EXPECT_TRUE(folder_entries(backups_).empty());
}

TEST_F(BackupFailure, SqliteCannotOpenTheTemporaryCopy) {
  FailCall fail("open", temporary_pattern_, EACCES);
  const std::string message = backup_fails(SQLITE_CANTOPEN);
  EXPECT_EQ(
      message.rfind("emf_backup: cannot open the backup file: unable to open database file", 0), 0u)
      << message;
  EXPECT_TRUE(folder_entries(backups_).empty());
}

TEST_F(BackupFailure, TheCopyCannotBeReopenedToSyncIt) {
  // The first open of the copy is SQLite's; the second, emf's for fsync.
  FailCall fail("open", temporary_pattern_, EMFILE, 2);
  const std::string message = backup_fails(SQLITE_CANTOPEN);
  EXPECT_EQ(message.rfind("emf_backup: cannot open " + target_ + ".emf-backup-", 0), 0u) << message;
  EXPECT_NE(message.find(": Too many open files"), std::string::npos) << message;
  EXPECT_TRUE(folder_entries(backups_).empty());
}

TEST_F(BackupFailure, TheCopyCannotBeSynced) {
  FailCall fail("fsync", temporary_pattern_, EIO);
  const std::string message = backup_fails(SQLITE_IOERR);
  EXPECT_EQ(message.rfind("emf_backup: cannot sync " + target_ + ".emf-backup-", 0), 0u) << message;
  EXPECT_NE(message.find(": Input/output error"), std::string::npos) << message;
  // An unsynced copy is never given the target's name.
  EXPECT_TRUE(folder_entries(backups_).empty());
}

TEST_F(BackupFailure, TheCopyCannotBeWrittenOutWhileItIsMade) {
  // Larger than the 256 KiB emf hands to the disk at a time while it copies.
  db_.exec(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
      "INSERT INTO video_metadata (video_id, description) "
      "SELECT 'video ' || i, hex(randomblob(1500)) FROM n");
  before_ = db_.dump();
  FailCall fail("sync_file_range", temporary_pattern_, EIO);
  const std::string message = backup_fails(SQLITE_IOERR);
  EXPECT_EQ(message.rfind("emf_backup: cannot sync " + target_ + ".emf-backup-", 0), 0u) << message;
  EXPECT_NE(message.find(": Input/output error"), std::string::npos) << message;
  EXPECT_TRUE(folder_entries(backups_).empty());
}

// The disk fills while the copy is written: at its first write, at a later
// one, and near the end (the file's size in 64 KiB, plus one: the copy's
// final commit makes its last few writes). The copy's
// writes are gathered 64 KiB at a time, so the failure comes back from
// another call than the one that wrote the page: it is still reported as
// the write it was.
TEST_F(BackupFailure, TheDiskFillsWhileTheCopyIsWritten) {
  db_.exec(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
      "INSERT INTO video_metadata (video_id, description) "
      "SELECT 'video ' || i, hex(randomblob(1500)) FROM n");
  before_ = db_.dump();
  int writes = 0;
  {
    // How many writes a whole copy takes, counted by failing none.
    std::string out = (dir_.path() / "counted.db").string();
    db_.exec("SELECT emf_backup('" + out + "')");
    writes = static_cast<int>(std::filesystem::file_size(out) / (64 << 10)) + 1;
  }
  for (const int nth : {1, 7, writes}) {
    SCOPED_TRACE(nth);
    FailCall fail("pwrite", temporary_pattern_, ENOSPC, nth);
    const std::string message = backup_fails(SQLITE_FULL);
    EXPECT_EQ(message.rfind("emf_backup: cannot write " + target_ + ".emf-backup-", 0), 0u)
        << message;
    EXPECT_NE(message.find(": database or disk is full"), std::string::npos) << message;
    EXPECT_TRUE(folder_entries(backups_).empty());
  }
}

TEST_F(BackupFailure, ATargetCreatedMeanwhileIsNeverOverwritten) {
  // link() finds the name taken: another program made it after emf looked.
  FailCall fail("link", target_, EEXIST);
  EXPECT_EQ(
      backup_fails(SQLITE_CANTOPEN),
      fmt::format("emf_backup: {} already exists; emf_backup never overwrites a file", target_));
  EXPECT_TRUE(folder_entries(backups_).empty());
}

TEST_F(BackupFailure, TheCopyCannotBeGivenItsName) {
  FailCall fail("link", target_, EPERM);
  EXPECT_EQ(backup_fails(SQLITE_CANTOPEN),
            fmt::format("emf_backup: cannot create {}: Operation not permitted", target_));
  EXPECT_TRUE(folder_entries(backups_).empty());
}

TEST_F(BackupFailure, TheFolderCannotBeSyncedAfterTheCopyIsNamed) {
  FailCall fail("fsync", backups_.string(), EIO);
  EXPECT_EQ(backup_fails(SQLITE_IOERR),
            fmt::format("emf_backup: cannot sync {}: Input/output error", backups_.string()));
  // The name may not survive a power cut, so the backup is not reported as
  // done; the file under it is the whole copy, never a part of one.
  EXPECT_EQ(folder_entries(backups_), std::vector<std::string>{"copy.db"});
  Db copy(target_, false);
  EXPECT_EQ(copy.text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(copy.integer("SELECT count(*) FROM video_metrics"), 50);
}

TEST_F(BackupFailure, TheFolderCannotBeOpenedToSyncIt) {
  FailCall fail("open", backups_.string(), EACCES);
  EXPECT_EQ(backup_fails(SQLITE_CANTOPEN),
            fmt::format("emf_backup: cannot open {}: Permission denied", backups_.string()));
  EXPECT_EQ(folder_entries(backups_), std::vector<std::string>{"copy.db"});
  Db copy(target_, false);
  EXPECT_EQ(copy.text("PRAGMA integrity_check"), "ok");
}

TEST_F(BackupFailure, WithNothingArmedTheSameBackupSucceeds) {
  // The interposer passes every call through when disarmed: the cases above
  // fail because of the call they arm, not because of the interposer.
  EXPECT_EQ(db_.json(db_.text(fmt::format("SELECT emf_backup('{}')", target_)), "$.path"), target_);
  EXPECT_EQ(folder_entries(backups_), std::vector<std::string>{"copy.db"});
  EXPECT_EQ(db_.dump(), before_);
}

}  // namespace
}  // namespace emf::test
