// WritebackVfs, the VFS a backup's copy is written through: a connection
// opened through it works as through the default VFS (each method is the
// underlying one's, in WAL and rollback mode, with memory-mapped reads), and
// the main database file is handed to the disk as it is written, without an
// error. Its page writes are gathered into larger writes, and every other use
// of the file sees them made; a gathered write that fails is reported by the
// call that makes it, and kept. Linked against emf_core.
#include "writeback_vfs.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

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

// A file opened through a VFS without a connection, so each method can be
// called in the order a test needs; closed at the end if still open. Its
// name is made by sqlite3_create_filename and outlives the file: SQLite's
// VFS keeps the pointer and reads URI parameters after it (xShmMap does).
class RawFile {
 public:
  RawFile(sqlite3_vfs* vfs, const std::string& path)
      : name_(sqlite3_create_filename(path.c_str(), "", "", 0, nullptr)),
        memory_(static_cast<std::size_t>(vfs->szOsFile)) {
    int out_flags = 0;
    rc_ = vfs->xOpen(vfs, name_.get(), file(),
                     SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &out_flags);
  }
  ~RawFile() {
    if (file()->pMethods != nullptr) close();
  }
  RawFile(const RawFile&) = delete;
  RawFile& operator=(const RawFile&) = delete;
  int open_rc() const { return rc_; }
  sqlite3_file* file() { return reinterpret_cast<sqlite3_file*>(memory_.data()); }
  const sqlite3_io_methods& call() { return *file()->pMethods; }
  int write(char fill, int amount, sqlite3_int64 offset) {
    const std::string bytes(static_cast<std::size_t>(amount), fill);
    return call().xWrite(file(), bytes.data(), amount, offset);
  }
  std::string read(int amount, sqlite3_int64 offset) {
    std::string bytes(static_cast<std::size_t>(amount), '?');
    EXPECT_EQ(call().xRead(file(), bytes.data(), amount, offset), SQLITE_OK);
    return bytes;
  }
  int close() {
    const int rc = call().xClose(file());
    file()->pMethods = nullptr;
    return rc;
  }

 private:
  struct FreeFilename {
    void operator()(const char* name) const { sqlite3_free_filename(name); }
  };
  std::unique_ptr<const char, FreeFilename> name_;
  std::vector<std::max_align_t> memory_;
  int rc_ = SQLITE_ERROR;
};

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Pages written out of order, over each other, past the size of one gathered
// write, and one as large as it: every read, size and truncation sees each
// write made in order, and the file holds them once closed.
TEST(WritebackVfs, GatheredWritesAreSeenByEveryUseOfTheFile) {
  TempDir dir;
  const TemporaryFile copy(dir.path() / "gathered", ".copy-");
  WritebackVfs vfs(copy.fd());
  RawFile raw(sqlite3_vfs_find(vfs.name()), copy.path().string());
  ASSERT_EQ(raw.open_rc(), SQLITE_OK);
  constexpr int kPage = 4096;
  ASSERT_EQ(raw.write('a', kPage, 0), SQLITE_OK);
  ASSERT_EQ(raw.write('b', kPage, kPage), SQLITE_OK);
  EXPECT_EQ(file_bytes(copy.path()), "") << "gathered, not yet written";
  ASSERT_EQ(raw.write('c', kPage, 0), SQLITE_OK);  // over the first, gathered
  EXPECT_EQ(raw.read(kPage, 0), std::string(kPage, 'c'));
  EXPECT_EQ(raw.read(kPage, kPage), std::string(kPage, 'b'));
  // 40 pages in a row: more than one gathered write (64 KiB).
  for (int page = 2; page < 42; ++page) ASSERT_EQ(raw.write('d', kPage, page * kPage), SQLITE_OK);
  // As large as a gathered write: made at once (SQLite's own VFS writes at
  // most 128 KiB - 1 bytes in one call).
  ASSERT_EQ(raw.write('e', 16 * kPage, 42 * kPage), SQLITE_OK);
  sqlite3_int64 size = 0;
  EXPECT_EQ(raw.call().xFileSize(raw.file(), &size), SQLITE_OK);
  EXPECT_EQ(size, 58 * kPage);
  EXPECT_EQ(raw.read(kPage, 41 * kPage), std::string(kPage, 'd'));
  ASSERT_EQ(raw.write('f', kPage, 58 * kPage), SQLITE_OK);
  EXPECT_EQ(raw.call().xTruncate(raw.file(), 58 * kPage), SQLITE_OK);  // cuts the gathered page
  ASSERT_EQ(raw.write('g', kPage, 57 * kPage), SQLITE_OK);
  EXPECT_EQ(raw.call().xSync(raw.file(), SQLITE_SYNC_NORMAL), SQLITE_OK);
  EXPECT_EQ(raw.close(), SQLITE_OK);

  const std::string bytes = file_bytes(copy.path());
  EXPECT_EQ(bytes, std::string(kPage, 'c') + std::string(kPage, 'b') +
                       std::string(40 * kPage, 'd') + std::string(15 * kPage, 'e') +
                       std::string(kPage, 'g'));
  EXPECT_EQ(vfs.failed_write(), SQLITE_OK);
  EXPECT_EQ(vfs.error(), 0);
}

// Once the file has shared memory (WAL mode), another connection may read it
// without any call here first: every write is then made when SQLite makes it.
TEST(WritebackVfs, WithSharedMemoryNothingIsGathered) {
  TempDir dir;
  const TemporaryFile copy(dir.path() / "shared", ".copy-");
  WritebackVfs vfs(copy.fd());
  RawFile raw(sqlite3_vfs_find(vfs.name()), copy.path().string());
  ASSERT_EQ(raw.open_rc(), SQLITE_OK);
  ASSERT_EQ(raw.write('a', 4096, 0), SQLITE_OK);
  void volatile* region = nullptr;
  ASSERT_EQ(raw.call().xShmMap(raw.file(), 0, 32768, 1, &region), SQLITE_OK);
  EXPECT_NE(region, nullptr);
  EXPECT_EQ(file_bytes(copy.path()), std::string(4096, 'a')) << "written before the map";
  ASSERT_EQ(raw.write('b', 4096, 4096), SQLITE_OK);
  EXPECT_EQ(file_bytes(copy.path()), std::string(4096, 'a') + std::string(4096, 'b'));
  EXPECT_EQ(raw.call().xShmUnmap(raw.file(), 1), SQLITE_OK);
}

// An underlying VFS whose writes fail while armed, or that records the size
// of each write: the default VFS's own files, with a copy of their methods
// in which xWrite can fail and is counted. Registered as the default under
// `name`: a name of SQLite's unix family ("unix-...") is gathered for, any
// other name gets each page alone.
class FailingWrites {
 public:
  explicit FailingWrites(const char* name = "unix-emf-test-failing-writes")
      : original_(sqlite3_vfs_find(nullptr)) {
    writes.clear();
    vfs_ = *original_;
    vfs_.zName = name;
    vfs_.pAppData = this;
    vfs_.xOpen = open;
    EXPECT_EQ(sqlite3_vfs_register(&vfs_, 1), SQLITE_OK);  // the default, for WritebackVfs
  }
  ~FailingWrites() {
    sqlite3_vfs_register(original_, 1);
    sqlite3_vfs_unregister(&vfs_);
  }
  FailingWrites(const FailingWrites&) = delete;
  FailingWrites& operator=(const FailingWrites&) = delete;
  static inline bool armed = false;
  static inline std::vector<int> writes;  // the size of each write made

 private:
  static int open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out) {
    auto* self = static_cast<FailingWrites*>(vfs->pAppData);
    const int rc = self->original_->xOpen(self->original_, name, file, flags, out);
    if (file->pMethods != nullptr) {
      self->methods_ = *file->pMethods;
      self->write_ = file->pMethods->xWrite;
      self->methods_.xWrite = write;
      file->pMethods = &self->methods_;
      instance_ = self;
    }
    return rc;
  }
  static int write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
    if (armed) return SQLITE_IOERR_WRITE;
    writes.push_back(amount);
    return instance_->write_(file, data, amount, offset);
  }
  static inline FailingWrites* instance_ = nullptr;
  sqlite3_vfs* original_;
  sqlite3_vfs vfs_{};
  sqlite3_io_methods methods_{};
  int (*write_)(sqlite3_file*, const void*, int, sqlite3_int64) = nullptr;
};

// A page is gathered, then the underlying write fails: whichever use of the
// file comes next (another write elsewhere, a read, a size, a truncation, a
// sync, an unlock, a memory map, shared memory, the close) returns the
// failure instead of going on, and the VFS keeps it for its owner.
TEST(WritebackVfs, AGatheredWriteThatFailsIsReportedByTheNextUseAndKept) {
  TempDir dir;
  FailingWrites failing;
  struct Use {
    const char* name;
    int (*call)(RawFile&);
  };
  const std::vector<Use> uses = {
      {"write elsewhere", [](RawFile& raw) { return raw.write('x', 4096, 65536); }},
      {"read",
       [](RawFile& raw) {
         std::array<char, 16> bytes{};
         return raw.call().xRead(raw.file(), bytes.data(), 16, 0);
       }},
      {"size",
       [](RawFile& raw) {
         sqlite3_int64 size = 0;
         return raw.call().xFileSize(raw.file(), &size);
       }},
      {"truncate", [](RawFile& raw) { return raw.call().xTruncate(raw.file(), 0); }},
      {"sync", [](RawFile& raw) { return raw.call().xSync(raw.file(), SQLITE_SYNC_NORMAL); }},
      {"unlock", [](RawFile& raw) { return raw.call().xUnlock(raw.file(), SQLITE_LOCK_NONE); }},
      {"fetch",
       [](RawFile& raw) {
         void* page = nullptr;
         return raw.call().xFetch(raw.file(), 0, 4096, &page);
       }},
      {"shared memory",
       [](RawFile& raw) {
         void volatile* region = nullptr;
         return raw.call().xShmMap(raw.file(), 0, 32768, 1, &region);
       }},
      {"close", [](RawFile& raw) { return raw.close(); }},
  };
  for (const Use& use : uses) {
    SCOPED_TRACE(use.name);
    const TemporaryFile copy(dir.path() / "failing", ".copy-");
    WritebackVfs vfs(copy.fd());
    RawFile raw(sqlite3_vfs_find(vfs.name()), copy.path().string());
    ASSERT_EQ(raw.open_rc(), SQLITE_OK);
    ASSERT_EQ(raw.write('a', 4096, 0), SQLITE_OK);  // gathered: nothing fails yet
    FailingWrites::armed = true;
    EXPECT_EQ(use.call(raw), SQLITE_IOERR_WRITE);
    FailingWrites::armed = false;
    EXPECT_EQ(vfs.failed_write(), SQLITE_IOERR_WRITE);
    EXPECT_EQ(file_bytes(copy.path()), "") << "nothing was written";
  }
  // A write too large to gather fails at once, and its caller is told.
  const TemporaryFile copy(dir.path() / "large", ".copy-");
  WritebackVfs vfs(copy.fd());
  RawFile raw(sqlite3_vfs_find(vfs.name()), copy.path().string());
  FailingWrites::armed = true;
  EXPECT_EQ(raw.write('a', 65536, 0), SQLITE_IOERR_WRITE);
  FailingWrites::armed = false;
  EXPECT_EQ(vfs.failed_write(), SQLITE_IOERR_WRITE) << "kept as well";
}

// A default VFS that is not one of SQLite's unix VFSes may work page by page
// (SQLite's cksumvfs checksums each write as one page): it gets every page
// as its own write, in order, and the file holds them all.
TEST(WritebackVfs, AnotherDefaultVfsGetsEachPageAlone) {
  TempDir dir;
  FailingWrites page_by_page("emf-test-page-by-page");
  const TemporaryFile copy(dir.path() / "pages", ".copy-");
  WritebackVfs vfs(copy.fd());
  RawFile raw(sqlite3_vfs_find(vfs.name()), copy.path().string());
  ASSERT_EQ(raw.open_rc(), SQLITE_OK);
  for (int page = 0; page < 40; ++page) ASSERT_EQ(raw.write('p', 4096, page * 4096), SQLITE_OK);
  EXPECT_EQ(FailingWrites::writes, std::vector<int>(40, 4096));
  EXPECT_EQ(raw.close(), SQLITE_OK);
  EXPECT_EQ(file_bytes(copy.path()), std::string(40 * 4096, 'p'));
}

// Under SQLite's unix VFS the same pages go as gathered writes of 64 KiB.
TEST(WritebackVfs, SqlitesUnixVfsGetsThePagesGathered) {
  TempDir dir;
  FailingWrites unix_family;
  const TemporaryFile copy(dir.path() / "gathered", ".copy-");
  WritebackVfs vfs(copy.fd());
  RawFile raw(sqlite3_vfs_find(vfs.name()), copy.path().string());
  ASSERT_EQ(raw.open_rc(), SQLITE_OK);
  for (int page = 0; page < 40; ++page) ASSERT_EQ(raw.write('p', 4096, page * 4096), SQLITE_OK);
  EXPECT_EQ(raw.close(), SQLITE_OK);
  EXPECT_EQ(FailingWrites::writes, (std::vector<int>{65536, 65536, 32768}));
  EXPECT_EQ(file_bytes(copy.path()), std::string(40 * 4096, 'p'));
}

// A database attached to the copy's connection is another main database
// file: its pages stay its own, and the copy's its own, even when both spill
// pages from a small cache in turn within one transaction.
TEST(WritebackVfs, AnAttachedDatabaseKeepsItsOwnPages) {
  TempDir dir;
  const TemporaryFile copy(dir.path() / "copy", ".copy-");
  WritebackVfs vfs(copy.fd());
  sqlite3* db = open_through(copy.path().string(), vfs.name());
  const std::string other = dir.file("other.db");
  std::string sql = "ATTACH '" + other +
                    "' AS other; PRAGMA main.cache_size = 5; PRAGMA other.cache_size = 5; "
                    "CREATE TABLE other.t (x); CREATE TABLE main.m (y); BEGIN; ";
  for (int round = 0; round < 10; ++round) {
    sql +=
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30) "
        "INSERT INTO other.t SELECT zeroblob(3000) FROM n; "
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30) "
        "INSERT INTO main.m SELECT zeroblob(3000) FROM n; ";
  }
  sql += "COMMIT";
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
  EXPECT_EQ(vfs.failed_write(), SQLITE_OK);
  for (const auto& [path, table] :
       {std::pair{copy.path().string(), std::string("m")}, std::pair{other, std::string("t")}}) {
    SCOPED_TRACE(path);
    sqlite3* reader = open_through(path, nullptr);
    EXPECT_EQ(text(reader, "PRAGMA integrity_check"), "ok");
    EXPECT_EQ(text(reader, "SELECT group_concat(name) FROM sqlite_schema"), table);
    EXPECT_EQ(text(reader, "SELECT count(*) FROM " + table), "300");
    sqlite3_close(reader);
  }
}

}  // namespace
}  // namespace emf
