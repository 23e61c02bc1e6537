// Writing a new file out while it is written; see writeback_vfs.h.
#include "writeback_vfs.h"

#include <fcntl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "error.h"

namespace emf {

namespace {

// At most about two of these are dirty or being written out at a time, a
// sixteenth of one backup step (1,024 pages of 4 KiB): a sync of another file
// waits a few milliseconds behind them at most; the disk still gets large
// requests. Measured at 530 MiB with gathered writes (docs/PERFORMANCE.md,
// target 6): 256 KiB keeps the wait a writer's commit adds within a step in
// 10 of 10 runs, where 512 KiB let it exceed the (now shorter) step in 3 of
// 5, at the same backup speed; 128 KiB slows the copy.
constexpr std::int64_t kChunk = 256 << 10;

// Consecutive page writes are gathered into one write of this size: the
// system's cost is per call (docs/PERFORMANCE.md, target 6). SQLite's unix
// VFS writes at most 128 KiB - 1 bytes in one call (seekAndWriteFd masks the
// length with 0x1ffff), so a larger write would be cut short.
constexpr std::int64_t kGather = 64 << 10;

// The underlying VFS's file follows this header in the memory SQLite gives.
struct File {
  sqlite3_file base;
  WritebackVfs* owner;  // null for any file but the main database
};

sqlite3_file* real(sqlite3_file* file) {
  return reinterpret_cast<sqlite3_file*>(reinterpret_cast<File*>(file) + 1);
}

const sqlite3_io_methods* methods(sqlite3_file* file) {
  return real(file)->pMethods;
}

WritebackVfs* owner_of(sqlite3_file* file) {
  return reinterpret_cast<File*>(file)->owner;
}

// Writes to the main database are gathered (WritebackVfs::write); every
// other method of that file first writes out what is gathered, so each sees
// the file as if every write had been made when SQLite made it.
int settled(sqlite3_file* file) {
  WritebackVfs* owner = owner_of(file);
  return owner == nullptr ? SQLITE_OK : owner->flush(real(file));
}

int file_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  WritebackVfs* owner = owner_of(file);
  if (owner == nullptr) return methods(file)->xWrite(real(file), data, amount, offset);
  return owner->write(real(file), data, amount, offset);
}

int file_close(sqlite3_file* file) {
  // Closed whatever the flush says: the failure stays in the owner's error.
  const int flushed = settled(file);
  const int rc = methods(file)->xClose(real(file));
  return flushed != SQLITE_OK ? flushed : rc;
}

// The rest forward to the underlying file, once what is gathered is written.
int file_read(sqlite3_file* file, void* data, int amount, sqlite3_int64 offset) {
  const int rc = settled(file);
  return rc != SQLITE_OK ? rc : methods(file)->xRead(real(file), data, amount, offset);
}
int file_truncate(sqlite3_file* file, sqlite3_int64 size) {
  const int rc = settled(file);
  return rc != SQLITE_OK ? rc : methods(file)->xTruncate(real(file), size);
}
int file_sync(sqlite3_file* file, int flags) {
  const int rc = settled(file);
  return rc != SQLITE_OK ? rc : methods(file)->xSync(real(file), flags);
}
int file_size(sqlite3_file* file, sqlite3_int64* size) {
  const int rc = settled(file);
  return rc != SQLITE_OK ? rc : methods(file)->xFileSize(real(file), size);
}
int file_lock(sqlite3_file* file, int level) {
  return methods(file)->xLock(real(file), level);
}
int file_unlock(sqlite3_file* file, int level) {
  const int rc = settled(file);
  return rc != SQLITE_OK ? rc : methods(file)->xUnlock(real(file), level);
}
int file_check_reserved_lock(sqlite3_file* file, int* out) {
  return methods(file)->xCheckReservedLock(real(file), out);
}
int file_control(sqlite3_file* file, int op, void* argument) {
  // Inside a batch of atomic writes (F2FS), every write must reach the
  // file within the batch: from its start nothing is gathered.
  if (op == SQLITE_FCNTL_BEGIN_ATOMIC_WRITE) {
    WritebackVfs* owner = owner_of(file);
    if (owner != nullptr) owner->stop_gathering();
    const int rc = settled(file);
    if (rc != SQLITE_OK) return rc;
  }
  return methods(file)->xFileControl(real(file), op, argument);
}
int file_sector_size(sqlite3_file* file) {
  return methods(file)->xSectorSize(real(file));
}
int file_device_characteristics(sqlite3_file* file) {
  return methods(file)->xDeviceCharacteristics(real(file));
}
int file_shm_map(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  // Other connections may read the file in WAL mode without a call here
  // first (after a checkpoint): from now on nothing is gathered.
  WritebackVfs* owner = owner_of(file);
  if (owner != nullptr) owner->stop_gathering();
  const int rc = settled(file);
  return rc != SQLITE_OK ? rc : methods(file)->xShmMap(real(file), region, size, extend, out);
}
int file_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  return methods(file)->xShmLock(real(file), offset, n, flags);
}
void file_shm_barrier(sqlite3_file* file) {
  methods(file)->xShmBarrier(real(file));
}
int file_shm_unmap(sqlite3_file* file, int delete_flag) {
  return methods(file)->xShmUnmap(real(file), delete_flag);
}
int file_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  const int rc = settled(file);
  return rc != SQLITE_OK ? rc : methods(file)->xFetch(real(file), offset, amount, out);
}
int file_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  return methods(file)->xUnfetch(real(file), offset, page);
}

// One table for each version of the underlying file's methods: a method it
// lacks must be absent here too.
constexpr sqlite3_io_methods methods_of_version(int version) {
  return {version,
          file_close,
          file_read,
          file_write,
          file_truncate,
          file_sync,
          file_size,
          file_lock,
          file_unlock,
          file_check_reserved_lock,
          file_control,
          file_sector_size,
          file_device_characteristics,
          version >= 2 ? file_shm_map : nullptr,
          version >= 2 ? file_shm_lock : nullptr,
          version >= 2 ? file_shm_barrier : nullptr,
          version >= 2 ? file_shm_unmap : nullptr,
          version >= 3 ? file_fetch : nullptr,
          version >= 3 ? file_unfetch : nullptr};
}
constexpr sqlite3_io_methods kMethods[] = {methods_of_version(1), methods_of_version(2),
                                           methods_of_version(3)};

WritebackVfs* self(sqlite3_vfs* vfs) {
  return static_cast<WritebackVfs*>(vfs->pAppData);
}
sqlite3_vfs* under(sqlite3_vfs* vfs) {
  return self(vfs)->underlying();
}

int vfs_open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  sqlite3_file* underlying_file = real(file);
  underlying_file->pMethods = nullptr;
  const int rc = under(vfs)->xOpen(under(vfs), name, underlying_file, flags, out_flags);
  // SQLite closes a file whose methods are set, even after a failed open.
  if (underlying_file->pMethods == nullptr) {
    file->pMethods = nullptr;
    return rc;
  }
  // The copy: the first main database opened. Any other (an ATTACH on the
  // copy's connection) is passed through untouched, so that gathered pages
  // and the range handed to the disk are the copy's alone.
  reinterpret_cast<File*>(file)->owner =
      (flags & SQLITE_OPEN_MAIN_DB) != 0 && self(vfs)->claim() ? self(vfs) : nullptr;
  file->pMethods = &kMethods[std::clamp(underlying_file->pMethods->iVersion, 1, 3) - 1];
  return rc;
}

// The rest only forward to the underlying VFS.
int vfs_delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return under(vfs)->xDelete(under(vfs), name, sync_dir);
}
int vfs_access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return under(vfs)->xAccess(under(vfs), name, flags, out);
}
int vfs_full_pathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
  return under(vfs)->xFullPathname(under(vfs), name, size, out);
}
void* vfs_dl_open(sqlite3_vfs* vfs, const char* name) {
  return under(vfs)->xDlOpen(under(vfs), name);
}
void vfs_dl_error(sqlite3_vfs* vfs, int size, char* out) {
  under(vfs)->xDlError(under(vfs), size, out);
}
void (*vfs_dl_sym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return under(vfs)->xDlSym(under(vfs), handle, symbol);
}
void vfs_dl_close(sqlite3_vfs* vfs, void* handle) {
  under(vfs)->xDlClose(under(vfs), handle);
}
int vfs_randomness(sqlite3_vfs* vfs, int size, char* out) {
  return under(vfs)->xRandomness(under(vfs), size, out);
}
int vfs_sleep(sqlite3_vfs* vfs, int microseconds) {
  return under(vfs)->xSleep(under(vfs), microseconds);
}
int vfs_current_time(sqlite3_vfs* vfs, double* out) {
  return under(vfs)->xCurrentTime(under(vfs), out);
}
int vfs_get_last_error(sqlite3_vfs* vfs, int size, char* out) {
  return under(vfs)->xGetLastError(under(vfs), size, out);
}
int vfs_current_time_int64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return under(vfs)->xCurrentTimeInt64(under(vfs), out);
}

}  // namespace

WritebackVfs::WritebackVfs(int fd)
    : underlying_(sqlite3_vfs_find(nullptr)),
      fd_(fd),
      gathered_(std::make_unique<char[]>(kGather)) {
  if (underlying_ == nullptr) throw Error("no default VFS", SQLITE_ERROR);
  // Only SQLite's own unix VFSes take a write of many pages as those pages:
  // a default VFS that works page by page (a checksum, an encryption) must
  // get each page as its own write.
  const std::string_view underlying_name = underlying_->zName;
  gathering_ = underlying_name == "unix" || underlying_name.starts_with("unix-");
  name_ = fmt::format("emf-writeback-{}", static_cast<const void*>(this));
  // Version 2 at most: the system-call methods (3) are for tests of the
  // underlying VFS, not for this one.
  vfs_.iVersion = std::min(underlying_->iVersion, 2);
  vfs_.szOsFile = static_cast<int>(sizeof(File)) + underlying_->szOsFile;
  vfs_.mxPathname = underlying_->mxPathname;
  vfs_.zName = name_.c_str();
  vfs_.pAppData = this;
  vfs_.xOpen = vfs_open;
  vfs_.xDelete = vfs_delete;
  vfs_.xAccess = vfs_access;
  vfs_.xFullPathname = vfs_full_pathname;
  vfs_.xDlOpen = vfs_dl_open;
  vfs_.xDlError = vfs_dl_error;
  vfs_.xDlSym = vfs_dl_sym;
  vfs_.xDlClose = vfs_dl_close;
  vfs_.xRandomness = vfs_randomness;
  vfs_.xSleep = vfs_sleep;
  vfs_.xCurrentTime = vfs_current_time;
  vfs_.xGetLastError = vfs_get_last_error;
  if (vfs_.iVersion >= 2) vfs_.xCurrentTimeInt64 = vfs_current_time_int64;
  const int rc = sqlite3_vfs_register(&vfs_, 0);
  if (rc == SQLITE_NOMEM) throw std::bad_alloc();
  if (rc != SQLITE_OK) throw Error("cannot register a VFS", rc);
}

WritebackVfs::~WritebackVfs() {
  sqlite3_vfs_unregister(&vfs_);
}

int WritebackVfs::write(sqlite3_file* file, const void* data, int amount, std::int64_t offset) {
  const bool follows = offset == gathered_offset_ + gathered_size_;
  if (!follows || gathered_size_ + amount > kGather) {
    const int rc = flush(file);
    if (rc != SQLITE_OK) return rc;
  }
  if (!gathering_ || amount >= kGather) return write_through(file, data, amount, offset);
  if (gathered_size_ == 0) gathered_offset_ = offset;
  std::memcpy(gathered_.get() + gathered_size_, data, static_cast<std::size_t>(amount));
  gathered_size_ += amount;
  return gathered_size_ == kGather ? flush(file) : SQLITE_OK;
}

int WritebackVfs::flush(sqlite3_file* file) {
  if (gathered_size_ == 0) return SQLITE_OK;
  const int rc =
      write_through(file, gathered_.get(), static_cast<int>(gathered_size_), gathered_offset_);
  gathered_size_ = 0;
  return rc;
}

int WritebackVfs::write_through(sqlite3_file* file, const void* data, int amount,
                                std::int64_t offset) {
  const int rc = file->pMethods->xWrite(file, data, amount, offset);
  if (rc != SQLITE_OK) {
    // Kept: SQLite ignores the result of some calls that write (an unlock
    // or a close that writes out what is gathered).
    if (failed_write_ == SQLITE_OK) failed_write_ = rc;
    return rc;
  }
  wrote(offset, amount);
  // Stops the copy: its owner reports error().
  return error_ == 0 ? SQLITE_OK : SQLITE_IOERR_WRITE;
}

void WritebackVfs::wrote(std::int64_t offset, std::int64_t amount) {
  // Ranges, not a position: a restarted backup writes from page 1 again.
  dirty_.begin = std::min(dirty_.begin, offset);
  dirty_.end = std::max(dirty_.end, offset + amount);
  dirty_bytes_ += amount;
  if (dirty_bytes_ < kChunk) return;
  // A failure is the backup's: the kernel reports a failed writeback once
  // to each open file, so the fsync of a descriptor opened afterwards would
  // not see the error this one saw.
  if (::sync_file_range(fd_, dirty_.begin, dirty_.end - dirty_.begin, SYNC_FILE_RANGE_WRITE) != 0 ||
      (writing_.end > writing_.begin &&  // a length of 0 would mean "to the end of the file"
       ::sync_file_range(fd_, writing_.begin, writing_.end - writing_.begin,
                         SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                             SYNC_FILE_RANGE_WAIT_AFTER) != 0)) {
    if (error_ == 0) error_ = errno;
  }
  writing_ = dirty_;
  dirty_ = Range{};
  dirty_bytes_ = 0;
}

}  // namespace emf
