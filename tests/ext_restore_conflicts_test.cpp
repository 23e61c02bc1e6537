// emf_restore and emf_optimize when another connection commits at the worst
// moment: between the mark emf takes of the database and the write lock it
// replaces the database under. The VFS of support/open_hook_vfs.h lets the
// test commit at that step exactly, not by luck of timing: the commit is
// seen, nothing is replaced, the state saved first is removed, and the call
// starts again (or, when commits never stop, says so).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <vector>

#include "support/database_digest.h"
#include "support/open_hook_vfs.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;

// About 3 MiB of free pages: enough that emf_optimize compacts.
void free_much_space(Db& db) {
  db.exec(
      "CREATE TABLE pad (x); WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE "
      "i < 3000) INSERT INTO pad SELECT randomblob(1000) FROM s; DROP TABLE pad");
}

// A metrics database with rows, a table `log` the writer commits to, and
// enough free space that emf_optimize compacts it.
void prepare_metrics_to_compact(Db& db) {
  db.exec("SELECT emf_init('metrics'), emf_seed('metrics', 200)");
  db.exec("CREATE TABLE log (n)");
  free_much_space(db);
}

bool no_vacuum_file_beside(const fs::path& file) {
  for (const auto& entry : fs::directory_iterator(file.parent_path())) {
    if (entry.path().filename().string().find(".emf-vacuum-") != std::string::npos) return false;
  }
  return true;
}

// The hooks are the process's: every test leaves them empty.
class Conflicts : public ::testing::Test {
 protected:
  void TearDown() override {
    set_open_hook("", nullptr);
    set_sleep_hook(nullptr);
  }
};

// emf_optimize opens its compacted copy three times: to write it, to compare
// it with the database, and to copy it over the database. A commit at the
// given open of every copy (counted per copy), by a connection of the test.
struct CommitAtOpen {
  int open;   // 1, 2 or 3
  int times;  // how many copies see a commit; then no more
  Db& writer;
  std::map<std::string, int> opens{};
  int commits = 0;
  void operator()(const std::string& path) {
    if (++opens[path] != open || commits >= times) return;
    writer.exec(fmt::format("INSERT INTO log VALUES ({})", ++commits));
  }
};

// A commit between the copy and the comparison: the compaction starts
// again, and the row committed is in the database it leaves.
TEST_F(Conflicts, ACommitDuringTheCompactionMakesTheOptimizeStartAgain) {
  TempDir dir;
  Db db(dir.file("m.db"));
  prepare_metrics_to_compact(db);
  Db writer(dir.file("m.db"), false, "unix");
  CommitAtOpen hook{1, 1, writer};
  set_open_hook(".emf-vacuum-", std::ref(hook));
  const std::string report = db.text("SELECT emf_optimize('metrics')");
  set_open_hook("", nullptr);
  EXPECT_EQ(hook.commits, 1);
  EXPECT_EQ(hook.opens.size(), 2u) << "one copy given up, one put back";
  EXPECT_EQ(db.json(report, "$.vacuumed"), "1") << report;
  EXPECT_EQ(db.json(report, "$.free_pages_after"), "0");
  EXPECT_EQ(db.integer("SELECT count(*) FROM log WHERE n = 1"), 1);
  EXPECT_EQ(db.text("PRAGMA integrity_check"), "ok");
  EXPECT_TRUE(no_vacuum_file_beside(dir.file("m.db")));
}

// When commits never stop, at the `open`th opening of the compacted copy
// (1: during the compaction, 3: just before it is put back), the optimize
// gives up after the busy timeout with `reason`, and leaves the database as
// the writer made it, uncompacted, with no saved state and no copy beside.
void expect_optimize_gives_up(int open, const std::string& reason) {
  TempDir dir;
  Db db(dir.file("m.db"));
  prepare_metrics_to_compact(db);
  db.exec("PRAGMA busy_timeout = 300");
  const std::string before = digest(db);
  const std::int64_t pages = db.integer("PRAGMA page_count");
  Db writer(dir.file("m.db"), false, "unix");
  CommitAtOpen hook{open, 1000, writer};
  set_open_hook(".emf-vacuum-", std::ref(hook));
  const auto error =
      db.error(fmt::format("SELECT emf_optimize('metrics', 'main', '{}')", dir.file("saved.db")));
  const int code = sqlite3_extended_errcode(db.get());
  set_open_hook("", nullptr);
  EXPECT_EQ(error, "emf_optimize: " + reason +
                       "; another connection is using the database; run this again when it is "
                       "done, or wait longer (PRAGMA busy_timeout; this call waited 300 ms)");
  EXPECT_EQ(code, SQLITE_BUSY);
  EXPECT_GE(hook.commits, 1);
  EXPECT_EQ(db.integer("SELECT count(*) FROM log"), hook.commits);
  EXPECT_EQ(db.integer("PRAGMA page_count"), pages);
  EXPECT_FALSE(fs::exists(dir.file("saved.db")));
  EXPECT_TRUE(no_vacuum_file_beside(dir.file("m.db")));
  db.exec("DELETE FROM log; DROP TABLE sqlite_stat1");
  EXPECT_EQ(digest(db), before);
}

TEST_F(Conflicts, CommitsThatNeverStopMakeTheOptimizeGiveUp) {
  expect_optimize_gives_up(1,
                           "another connection committed during the compaction; nothing was "
                           "replaced");
}

// A commit after the comparison, just before the copy is put back: the
// write lock is taken, the commit seen, nothing replaced, and the state
// saved first removed, so that the next try saves the state it replaces.
TEST_F(Conflicts, ACommitJustBeforeTheCopyIsPutBackIsSeen) {
  TempDir dir;
  Db db(dir.file("m.db"));
  prepare_metrics_to_compact(db);
  Db writer(dir.file("m.db"), false, "unix");
  CommitAtOpen hook{3, 1, writer};
  set_open_hook(".emf-vacuum-", std::ref(hook));
  const std::string report =
      db.text(fmt::format("SELECT emf_optimize('metrics', 'main', '{}')", dir.file("saved.db")));
  set_open_hook("", nullptr);
  EXPECT_EQ(hook.commits, 1);
  EXPECT_EQ(hook.opens.size(), 2u) << "one copy given up, one put back";
  EXPECT_EQ(db.json(report, "$.vacuumed"), "1") << report;
  EXPECT_EQ(db.json(report, "$.saved_current"), dir.file("saved.db"));
  EXPECT_EQ(db.integer("SELECT count(*) FROM log WHERE n = 1"), 1);
  // The state saved is the one replaced: the writer's row in it.
  Db saved(dir.file("saved.db"), false, "unix");
  EXPECT_EQ(saved.integer("SELECT count(*) FROM log WHERE n = 1"), 1);
  EXPECT_TRUE(no_vacuum_file_beside(dir.file("m.db")));
}

TEST_F(Conflicts, CommitsJustBeforeEveryPutBackMakeTheOptimizeGiveUp) {
  expect_optimize_gives_up(3, "another connection committed meanwhile; nothing was replaced");
}

// emf_restore waits for a writer that holds the lock; the writer commits
// while it waits. The restore sees the commit once it has the lock, replaces
// nothing, removes the state it saved, and starts again: the state it saves
// then holds the writer's row, and no row is lost.
TEST_F(Conflicts, ARestoreSeesACommitMadeWhileItWaitedForTheLock) {
  TempDir dir;
  Db db(dir.file("t.db"));
  db.exec("SELECT emf_init('trends'), emf_seed('trends')");
  db.exec(fmt::format("SELECT emf_backup('{}')", dir.file("backup.db")));
  const std::string backed_up = digest(db);
  db.exec("DELETE FROM trending_topics WHERE id > 3");
  Db writer(dir.file("t.db"), false, "unix");
  writer.exec("BEGIN IMMEDIATE; INSERT INTO search_history (query) VALUES ('held')");
  int sleeps = 0;
  set_sleep_hook([&] {
    if (++sleeps == 1) writer.exec("COMMIT");
  });
  const std::string report = db.text(fmt::format("SELECT emf_restore('{}', 'main', '{}')",
                                                 dir.file("backup.db"), dir.file("saved.db")));
  set_sleep_hook(nullptr);
  EXPECT_GE(sleeps, 1);
  EXPECT_EQ(db.json(report, "$.saved_current"), dir.file("saved.db"));
  EXPECT_EQ(digest(db), backed_up);
  Db saved(dir.file("saved.db"), false, "unix");
  EXPECT_EQ(saved.integer("SELECT count(*) FROM search_history WHERE query = 'held'"), 1);
  EXPECT_EQ(saved.integer("SELECT count(*) FROM trending_topics"), 3);
}

// In WAL mode the state is saved under the write lock: a writer that tries
// to commit while it is saved waits for the restore (here, with no busy
// timeout, it is told so at once), so the restore never has to start again
// however busy the writers, and the state saved is the one replaced. Before,
// a commit during every save made the restore start again until it gave up.
TEST_F(Conflicts, InWalModeTheStateIsSavedUnderTheWriteLock) {
  TempDir dir;
  Db db(dir.file("t.db"));
  db.exec("SELECT emf_init('trends'), emf_seed('trends')");
  ASSERT_EQ(db.text("PRAGMA journal_mode = WAL"), "wal");
  db.exec(fmt::format("SELECT emf_backup('{}')", dir.file("backup.db")));
  const std::string backed_up = digest(db);
  db.exec("DELETE FROM trending_topics WHERE id > 3");
  const std::string current = digest(db);
  db.exec("PRAGMA busy_timeout = 300");
  Db writer(dir.file("t.db"), false, "unix");
  writer.exec("PRAGMA busy_timeout = 0");
  std::vector<std::string> commits_tried;
  set_open_hook(".emf-backup-", [&](const std::string&) {
    commits_tried.push_back(
        writer.error("INSERT INTO search_history (query) VALUES ('during the save')")
            .value_or("committed"));
  });
  const std::string report = db.text(fmt::format("SELECT emf_restore('{}', 'main', '{}')",
                                                 dir.file("backup.db"), dir.file("saved.db")));
  set_open_hook("", nullptr);
  ASSERT_EQ(commits_tried.size(), 1u) << "saved once";
  EXPECT_EQ(commits_tried[0], "database is locked");
  EXPECT_EQ(db.json(report, "$.saved_current"), dir.file("saved.db"));
  EXPECT_EQ(digest(db), backed_up);
  Db saved(dir.file("saved.db"), false, "unix");
  EXPECT_EQ(digest(saved), current);
}

}  // namespace
}  // namespace emf::test
