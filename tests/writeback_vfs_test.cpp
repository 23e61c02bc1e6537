// WritebackVfs, the VFS a backup's copy is written through: a connection
// opened through it works as through the default VFS (each method is the
// underlying one's, in WAL and rollback mode, with memory-mapped reads), and
// the main database file is handed to the disk as it is written, without an
// error. Linked against emf_core.
#include "writeback_vfs.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <string>

#include "support/test_db.h"
#include "temporary_file.h"

namespace emf {
namespace {

using test::TempDir;

sqlite3* open_through(const std::string& path, const char* vfs) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs),
            SQLITE_OK);
  return db;
}

std::string text(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  std::string result;
  if (sqlite3_step(statement) == SQLITE_ROW) {
    const unsigned char* value = sqlite3_column_text(statement, 0);
    result = value == nullptr ? "NULL" : reinterpret_cast<const char*>(value);
  }
  sqlite3_finalize(statement);
  return result;
}

// More than a few chunks written, through every kind of file use.
TEST(WritebackVfs, AConnectionThroughItWorksAsThroughTheDefault) {
  TempDir dir;
  for (const char* mode : {"wal", "delete"}) {
    SCOPED_TRACE(mode);
    const TemporaryFile file(dir.path() / mode, ".copy-");
    WritebackVfs vfs(file.fd());
    sqlite3* db = open_through(file.path().string(), vfs.name());
    EXPECT_EQ(text(db, std::string("PRAGMA journal_mode = ") + mode), mode);
    EXPECT_EQ(text(db, "PRAGMA mmap_size = 16777216"), "16777216");
    EXPECT_EQ(sqlite3_exec(db,
                           "CREATE TABLE t (x BLOB); "
                           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                           "WHERE i < 2000) INSERT INTO t SELECT zeroblob(4000) FROM n; "
                           "PRAGMA wal_checkpoint(TRUNCATE); DELETE FROM t WHERE rowid > 100; "
                           "VACUUM",
                           nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    EXPECT_EQ(text(db, "SELECT count(*) || ' ' || sum(length(x)) FROM t"), "100 400000");
    EXPECT_EQ(text(db, "PRAGMA integrity_check"), "ok");
    // The time comes from the VFS of the connection.
    EXPECT_EQ(text(db, "SELECT abs(julianday('now') - julianday('now')) < 1"), "1");

    // A lock the file holds, seen through the methods of the file.
    sqlite3_file* handle = nullptr;
    ASSERT_EQ(sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &handle), SQLITE_OK);
    int reserved = -1;
    EXPECT_EQ(handle->pMethods->xCheckReservedLock(handle, &reserved), SQLITE_OK);
    EXPECT_EQ(reserved, 0);
    EXPECT_GT(handle->pMethods->xSectorSize(handle), 0);
    sqlite3_close(db);
    EXPECT_EQ(vfs.error(), 0);
  }
}

// Another connection's write lock makes the busy handler sleep through the
// VFS of the connection that waits.
TEST(WritebackVfs, ABusyConnectionSleepsThroughIt) {
  TempDir dir;
  const TemporaryFile file(dir.path() / "busy", ".copy-");
  WritebackVfs vfs(file.fd());
  sqlite3* waiting = open_through(file.path().string(), vfs.name());
  sqlite3* holding = open_through(file.path().string(), nullptr);
  ASSERT_EQ(sqlite3_exec(holding, "CREATE TABLE t (x); BEGIN IMMEDIATE", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_busy_timeout(waiting, 20);
  EXPECT_EQ(sqlite3_exec(waiting, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_BUSY);
  sqlite3_close(holding);
  sqlite3_close(waiting);
}

// The methods SQLite calls only in rare cases (loading a library, a clock
// of whole days, the system's last error, random bytes), each the default
// VFS's own.
TEST(WritebackVfs, EveryMethodOfTheVfsIsTheDefaultOnes) {
  TempDir dir;
  const TemporaryFile file(dir.path() / "methods", ".copy-");
  WritebackVfs vfs(file.fd());
  sqlite3_vfs* through = sqlite3_vfs_find(vfs.name());
  ASSERT_NE(through, nullptr);
  sqlite3_vfs* underlying = sqlite3_vfs_find(nullptr);
  ASSERT_NE(through, underlying) << "never registered as the default";

  double now = 0;
  double then = 0;
  EXPECT_EQ(through->xCurrentTime(through, &now), SQLITE_OK);
  EXPECT_EQ(underlying->xCurrentTime(underlying, &then), SQLITE_OK);
  EXPECT_LT(now - then, 1.0);
  EXPECT_GT(now, 2'400'000.0);  // a Julian day number
  std::array<char, 16> bytes{};
  EXPECT_EQ(through->xRandomness(through, static_cast<int>(bytes.size()), bytes.data()),
            static_cast<int>(bytes.size()));
  EXPECT_GE(through->xSleep(through, 1000), 0);
  std::array<char, 256> error{};
  EXPECT_EQ(through->xGetLastError(through, static_cast<int>(error.size()), error.data()),
            underlying->xGetLastError(underlying, static_cast<int>(error.size()), error.data()));

  EXPECT_EQ(through->xDlOpen(through, (dir.path() / "no-such-library.so").c_str()), nullptr);
  through->xDlError(through, static_cast<int>(error.size()), error.data());
  EXPECT_NE(std::strstr(error.data(), "no-such-library.so"), nullptr) << error.data();
  void* library = through->xDlOpen(through, EMF_EXTENSION_PATH ".so");
  ASSERT_NE(library, nullptr);
  EXPECT_NE(through->xDlSym(through, library, "sqlite3_emf_init"), nullptr);
  through->xDlClose(through, library);

  const std::string missing = (dir.path() / "missing").string();
  int exists = -1;
  EXPECT_EQ(through->xAccess(through, missing.c_str(), SQLITE_ACCESS_EXISTS, &exists), SQLITE_OK);
  EXPECT_EQ(exists, 0);
  EXPECT_EQ(through->xDelete(through, file.path().c_str(), 0), SQLITE_OK);
  EXPECT_EQ(through->xAccess(through, file.path().c_str(), SQLITE_ACCESS_EXISTS, &exists),
            SQLITE_OK);
  EXPECT_EQ(exists, 0);
}

}  // namespace
}  // namespace emf
