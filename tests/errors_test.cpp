// Errors that say what happened: a full disk, a database held under
// PRAGMA max_page_count, a table out of rowids, a -shm file that cannot be
// written and a failing device are each named as what they are, with what
// to do, and nothing is changed.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cerrno>
#include <cstdio>
#include <fstream>

#include "support/fault_vfs.h"
#include "support/fixtures.h"
#include "support/shell_fixture.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;

class Errors : public ::testing::Test {
 protected:
  void SetUp() override { register_fault_vfs(/*make_default=*/false); }
  void TearDown() override { disarm_fault(); }
};

// A trends database whose search_history drifted, so that emf_repair
// rebuilds it, opened through the fault VFS.
std::unique_ptr<Db> drifted_trends(const TempDir& dir) {
  {
    Db db(dir.file("t.db"));
    db.exec("SELECT emf_init('trends'), emf_seed('trends', 2000)");
    drop_constraints(db, "search_history");
  }
  return std::make_unique<Db>(dir.file("t.db"), true, kFaultVfs);
}

// A disk that fills at any write of a repair: every failure says the disk
// is full and where, and the database is as it was. (Reported once as
// "cannot prepare 'INSERT INTO … emf_rebuild_trending_topics …': no such
// table".)
TEST_F(Errors, AFullDiskDuringARepairIsNamedAtEveryWrite) {
  TempDir dir;
  auto db = drifted_trends(dir);
  const std::string before = db->dump();
  int failures = 0;
  for (std::int64_t nth = 1;; ++nth) {
    arm_fault({FaultPoint::write, nth, SQLITE_FULL, ENOSPC, true});
    const auto error = db->error("SELECT emf_repair('trends')");
    const bool fired = fault_fired();
    disarm_fault();
    if (!error) break;
    ASSERT_TRUE(fired) << *error;
    ++failures;
    EXPECT_NE(error->find("emf_repair: "), std::string::npos) << *error;
    EXPECT_NE(
        error->find("the disk is full: free space on the disk holding " + dir.path().string()),
        std::string::npos)
        << "write " << nth << ": " << *error;
    EXPECT_EQ(error->find("no such table"), std::string::npos) << *error;
    EXPECT_EQ(db->dump(), before) << "write " << nth;
    EXPECT_EQ(db->text("PRAGMA integrity_check"), "ok");
  }
  EXPECT_GT(failures, 0);
  EXPECT_EQ(db->json(db->text("SELECT emf_check('trends')"), "$.ok"), "1");
}

TEST_F(Errors, ALimitOfPagesIsNotCalledAFullDisk) {
  TempDir dir;
  auto db = drifted_trends(dir);
  const std::string before = db->dump();
  db->exec("PRAGMA max_page_count = " + std::to_string(db->integer("PRAGMA page_count")));
  const auto error = db->error("SELECT emf_repair('trends')");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("database or disk is full; not the disk: PRAGMA max_page_count holds "
                        "main to "),
            std::string::npos)
      << *error;
  EXPECT_NE(error->find("on this connection, and the work needs more; raise it"), std::string::npos)
      << *error;
  EXPECT_EQ(db->dump(), before);
}

// The limit's size is shown in the unit that reads best: megabytes here
// (large pages, so that a small database passes a megabyte).
TEST_F(Errors, ALimitOfPagesShowsItsSizeInMegabytes) {
  TempDir dir;
  {
    Db db(dir.file("t.db"));
    db.exec("PRAGMA page_size = 65536");
    db.exec("SELECT emf_init('trends'), emf_seed('trends', 2000)");
    drop_constraints(db, "search_history");
  }
  Db db(dir.file("t.db"));
  const std::int64_t pages = db.integer("PRAGMA page_count");
  ASSERT_GE(pages * 65536, 1000000);
  const std::string before = db.dump();
  db.exec("PRAGMA max_page_count = " + std::to_string(pages));
  const auto error = db.error("SELECT emf_repair('trends')");
  ASSERT_TRUE(error.has_value());
  char size[32];
  std::snprintf(size, sizeof size, "%.1f MB", static_cast<double>(pages) * 65536 / 1e6);
  EXPECT_NE(error->find("PRAGMA max_page_count holds main to " + std::to_string(pages) +
                        " pages (" + size + ") on this connection"),
            std::string::npos)
      << *error;
  EXPECT_EQ(db.dump(), before);
}

// A table without AUTOINCREMENT whose largest rowid is taken has not run
// out: SQLite then picks unused rowids at random. A full that comes from
// max_page_count is named as such, not blamed on that table.
TEST_F(Errors, ATakenLargestRowidWithoutAutoincrementIsNotCalledTheCause) {
  TempDir dir;
  auto db = drifted_trends(dir);
  db->exec("CREATE TABLE my_notes (note TEXT)");
  db->exec("INSERT INTO my_notes (rowid, note) VALUES (9223372036854775807, 'last')");
  db->exec("INSERT INTO my_notes (note) VALUES ('one more')");  // SQLite finds another rowid
  const std::string before = db->dump();
  db->exec("PRAGMA max_page_count = " + std::to_string(db->integer("PRAGMA page_count")));
  const auto error = db->error("SELECT emf_repair('trends')");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("database or disk is full; not the disk: PRAGMA max_page_count holds "
                        "main to "),
            std::string::npos)
      << *error;
  EXPECT_EQ(error->find("my_notes"), std::string::npos) << *error;
  EXPECT_EQ(db->dump(), before);
}

// SQLite says "database or disk is full" when a table has used its largest
// rowid; emf names the table.
TEST_F(Errors, ATableOutOfRowidsIsNamed) {
  Db db;
  db.exec("SELECT emf_init('trends')");
  db.exec("INSERT INTO search_history (id, query) VALUES (9223372036854775807, 'last')");
  db.exec("DELETE FROM search_history");  // AUTOINCREMENT remembers it all the same
  const std::string before = db.dump();
  const auto error = db.error("SELECT emf_seed('trends')");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("database or disk is full; not the disk: table search_history has used "
                        "every rowid (the largest, 9223372036854775807, is taken, and "
                        "AUTOINCREMENT never reuses one)"),
            std::string::npos)
      << *error;
  EXPECT_EQ(db.dump(), before);
}

TEST_F(Errors, AWalIndexThatCannotGrowIsNamed) {
  TempDir dir;
  {
    Db db(dir.file("t.db"));
    db.exec("SELECT emf_init('trends')");
  }
  Db db(dir.file("t.db"), true, kFaultVfs);
  arm_fault({FaultPoint::shm_map, 1, SQLITE_IOERR_SHMSIZE, ENOSPC, true});
  const auto error = db.error("SELECT emf_seed('trends')");
  disarm_fault();
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("the WAL index " + dir.file("t.db-shm") +
                        " cannot be written (No space left on device): WAL needs it beside the "
                        "database; free space on its disk, then run it again"),
            std::string::npos)
      << *error;
  // SQLite's own message comes first, whole: the diagnosis runs SQL on the
  // connection, which once freed the message before it was copied.
  EXPECT_EQ(error->rfind("emf_seed: ", 0), 0u) << *error;
  EXPECT_NE(error->find("disk I/O error; the WAL index"), std::string::npos) << *error;
  EXPECT_EQ(db.integer("SELECT count(*) FROM search_history"), 0);
}

TEST_F(Errors, AFailingDeviceSaysWhatTheSystemSaid) {
  TempDir dir;
  auto db = drifted_trends(dir);
  const std::string before = db->dump();
  arm_fault({FaultPoint::write, 3, SQLITE_IOERR_WRITE, EIO, true});
  const auto error = db->error("SELECT emf_repair('trends')");
  disarm_fault();
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("disk I/O error; the operating system says: Input/output error"),
            std::string::npos)
      << *error;
  EXPECT_EQ(db->dump(), before);
}

// A database in memory has no disk to be full: a temporary file that
// cannot grow (here, the sorter's while a rebuilt table's index is made)
// is named as the memory or temporary storage.
TEST_F(Errors, AFullTemporaryFileOfADatabaseInMemoryIsNamed) {
  Db db(":memory:", true, kFaultVfs);
  // Small pages and a small cache: the sorter spills to a file early.
  db.exec("PRAGMA page_size = 512");
  db.exec("PRAGMA cache_size = 10");
  db.exec("PRAGMA temp_store = FILE");
  db.exec("SELECT emf_init('trends')");
  db.exec(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
      "INSERT INTO trending_topics (topic, source) SELECT 't' || i, printf('%.100c', 's') || i "
      "FROM n");
  drop_constraints(db, "trending_topics");
  const std::string before = db.dump();
  arm_fault({FaultPoint::write, 1, SQLITE_FULL, ENOSPC, true});
  const auto error = db.error("SELECT emf_repair('trends')");
  const bool fired = fault_fired();
  disarm_fault();
  ASSERT_TRUE(fired);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error,
            "emf_repair: database or disk is full; the memory or temporary storage is full: free "
            "memory, or space in SQLite's temporary folder (SQLITE_TMPDIR, else /var/tmp or "
            "/tmp), then run it again");
  EXPECT_EQ(db.dump(), before);
}

// A file not yet written (empty) is a database: restoring a file that is
// not one into it names that file alone, and the empty database stays so.
TEST(ErrorsAdvice, AnEmptyDatabaseIsNotCalledAFileThatIsNotOne) {
  TempDir dir;
  Db db(dir.file("empty.db"));
  ASSERT_EQ(fs::file_size(dir.file("empty.db")), 0u);
  std::ofstream(dir.file("b.db")) << "not a database, just some text that is long enough\n";
  const auto error = db.error("SELECT emf_restore('" + dir.file("b.db") + "')");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error, "emf_restore: " + dir.file("b.db") +
                        " is not a database SQLite can read (file is not a database)");
  EXPECT_EQ(fs::file_size(dir.file("empty.db")), 0u);
}

// Through the shell: a -shm that is a folder (a user's mistake, or a
// restore gone wrong) is named, not reported as a read-only database.
TEST_F(ShellTest, AWalIndexThatIsAFolderIsNamed) {
  ASSERT_EQ(emf({"init", "--only", "trends"}).exit_code, 0);
  fs::create_directory(path("data/trends.db-shm"));
  const auto result = emf({"seed", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("the WAL index " + path("data/trends.db-shm") +
                            " cannot be written (it is a folder): WAL needs it beside the "
                            "database; while no program uses the database, remove it"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(result.err.find("check the permissions"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace emf::test
