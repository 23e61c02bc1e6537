// emf_backup's target paths that name no file, a current folder that no
// longer exists, and a source another connection holds locked for a moment:
// through the real libemf, each checking the message and code the caller
// sees, and that nothing was created or changed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "support/test_db.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;

struct Failure {
  int code;
  std::string message;
};

Failure backup_failure(Db& db, const std::string& target) {
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db.get(), "SELECT emf_backup(?1)", -1, &statement, nullptr),
            SQLITE_OK);
  sqlite3_bind_text(statement, 1, target.c_str(), -1, SQLITE_TRANSIENT);
  const int rc = sqlite3_step(statement);
  Failure failure{sqlite3_extended_errcode(db.get()), sqlite3_errmsg(db.get())};
  sqlite3_finalize(statement);
  EXPECT_EQ(rc, failure.code & 0xff) << failure.message;
  return failure;
}

TEST(BackupPaths, APathThatNamesAFolderIsRefused) {
  TempDir dir;
  Db db(dir.file("trends.db"));
  db.exec("SELECT emf_init('trends')");
  fs::create_directory(dir.path() / "sub");
  for (const std::string& target :
       {dir.file("sub") + "/.", dir.file("sub") + "/..", dir.file("sub") + "/"}) {
    const Failure failure = backup_failure(db, target);
    EXPECT_EQ(failure.code, SQLITE_CANTOPEN);
    EXPECT_EQ(
        failure.message,
        fmt::format("emf_backup: {} names a folder; give the path of a file to create", target));
  }
  EXPECT_TRUE(fs::is_empty(dir.path() / "sub"));
}

TEST(BackupPaths, ARelativePathWhenTheCurrentFolderIsGone) {
  TempDir dir;
  Db db(dir.file("trends.db"));
  db.exec("SELECT emf_init('trends')");
  const fs::path kept = fs::current_path();
  const fs::path gone = dir.path() / "gone";
  fs::create_directory(gone);
  ASSERT_EQ(::chdir(gone.c_str()), 0);
  fs::remove(gone);
  const Failure failure = backup_failure(db, "copy.db");
  ASSERT_EQ(::chdir(kept.c_str()), 0);
  EXPECT_EQ(failure.code, SQLITE_CANTOPEN);
  EXPECT_EQ(failure.message.rfind("emf_backup: cannot resolve copy.db: ", 0), 0u)
      << failure.message;
  EXPECT_NE(failure.message.find("No such file or directory"), std::string::npos)
      << failure.message;
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1)
      << "only trends.db";
}

TEST(BackupPaths, ASourceLockedByAWriterForAMomentIsWaitedFor) {
  TempDir dir;
  const std::string path = dir.file("metrics.db");
  Db db(path);
  db.exec("SELECT emf_init('metrics')");
  db.exec("PRAGMA journal_mode = DELETE");  // a writer then locks readers out
  Db writer(path, false);
  writer.exec("BEGIN EXCLUSIVE; INSERT INTO video_metadata (video_id) VALUES ('during')");
  std::thread commit_later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    writer.exec("COMMIT");
  });
  const auto start = std::chrono::steady_clock::now();
  const std::string report = db.text(fmt::format("SELECT emf_backup('{}')", dir.file("copy.db")));
  const auto waited = std::chrono::steady_clock::now() - start;
  commit_later.join();
  EXPECT_GE(waited, std::chrono::milliseconds(250)) << "the backup did not wait for the lock";
  EXPECT_EQ(db.json(report, "$.path"), dir.file("copy.db"));
  Db copy(dir.file("copy.db"), false);
  EXPECT_EQ(copy.text("PRAGMA integrity_check"), "ok");
  // The copy is taken after the writer's commit, and holds its row.
  EXPECT_EQ(copy.integer("SELECT count(*) FROM video_metadata WHERE video_id = 'during'"), 1);
}

}  // namespace
}  // namespace emf::test
