// Writing a new file out while it is written; see writeback_vfs.h.
#include "writeback_vfs.h"

#include <fcntl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>

#include "error.h"

namespace emf {

namespace {

// At most about two of these are dirty or being written out at a time, a
// quarter of one backup step (1,024 pages of 4 KiB): a sync of another file
// waits a few milliseconds behind them at most; the disk still gets large
// requests. Measured at 530 MiB (docs/PERFORMANCE.md, target 6): 512 KiB
// keeps a writer's longest commit within a step where 2 MiB doubled it, at
// the same backup speed; 256 KiB slows the copy and bounds the writer worse.
constexpr std::int64_t kChunk = 512 << 10;

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

int file_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  const int rc = methods(file)->xWrite(real(file), data, amount, offset);
  WritebackVfs* owner = reinterpret_cast<File*>(file)->owner;
  if (rc != SQLITE_OK || owner == nullptr) return rc;
  owner->wrote(offset, amount);
  // Stops the copy: its owner reports owner->error().
  return owner->error() == 0 ? SQLITE_OK : SQLITE_IOERR_WRITE;
}

// The rest only forward to the underlying file.
int file_close(sqlite3_file* file) {
  return methods(file)->xClose(real(file));
}
int file_read(sqlite3_file* file, void* data, int amount, sqlite3_int64 offset) {
  return methods(file)->xRead(real(file), data, amount, offset);
}
int file_truncate(sqlite3_file* file, sqlite3_int64 size) {
  return methods(file)->xTruncate(real(file), size);
}
int file_sync(sqlite3_file* file, int flags) {
  return methods(file)->xSync(real(file), flags);
}
int file_size(sqlite3_file* file, sqlite3_int64* size) {
  return methods(file)->xFileSize(real(file), size);
}
int file_lock(sqlite3_file* file, int level) {
  return methods(file)->xLock(real(file), level);
}
int file_unlock(sqlite3_file* file, int level) {
  return methods(file)->xUnlock(real(file), level);
}
int file_check_reserved_lock(sqlite3_file* file, int* out) {
  return methods(file)->xCheckReservedLock(real(file), out);
}
int file_control(sqlite3_file* file, int op, void* argument) {
  return methods(file)->xFileControl(real(file), op, argument);
}
int file_sector_size(sqlite3_file* file) {
  return methods(file)->xSectorSize(real(file));
}
int file_device_characteristics(sqlite3_file* file) {
  return methods(file)->xDeviceCharacteristics(real(file));
}
int file_shm_map(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  return methods(file)->xShmMap(real(file), region, size, extend, out);
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
  return methods(file)->xFetch(real(file), offset, amount, out);
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
  reinterpret_cast<File*>(file)->owner = (flags & SQLITE_OPEN_MAIN_DB) != 0 ? self(vfs) : nullptr;
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

WritebackVfs::WritebackVfs(int fd) : underlying_(sqlite3_vfs_find(nullptr)), fd_(fd) {
  if (underlying_ == nullptr) throw Error("no default VFS", SQLITE_ERROR);
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
