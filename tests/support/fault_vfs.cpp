// The fault-injection VFS; see fault_vfs.h.
#include "support/fault_vfs.h"

#include <sqlite3.h>

#include <array>
#include <atomic>
#include <mutex>

namespace emf::test {
namespace {

sqlite3_vfs* real_vfs = nullptr;
sqlite3_vfs fault_vfs;

std::mutex fault_mutex;
Fault armed;
bool is_armed = false;
bool fired = false;
std::array<std::int64_t, 6> calls{};
std::atomic<int> last_errno{0};
std::atomic<std::int64_t> frozen_clock{0};  // 0: the default VFS's clock

// Counts a call of the point; its error code when it must fail, else 0.
int count(FaultPoint point) {
  std::lock_guard lock(fault_mutex);
  const std::int64_t n = ++calls[static_cast<std::size_t>(point)];
  if (!is_armed || armed.point != point) return 0;
  if (n == armed.nth || (armed.persistent && n > armed.nth)) {
    fired = true;
    last_errno = armed.system_errno;
    return armed.code;
  }
  return 0;
}

struct FaultFile {
  sqlite3_file base;
  sqlite3_file* real;  // the default VFS's file, allocated just after this
};

sqlite3_file* real_of(sqlite3_file* file) {
  return reinterpret_cast<FaultFile*>(file)->real;
}

int file_close(sqlite3_file* file) {
  return real_of(file)->pMethods->xClose(real_of(file));
}
int file_read(sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset) {
  return real_of(file)->pMethods->xRead(real_of(file), buffer, amount, offset);
}
int file_write(sqlite3_file* file, const void* buffer, int amount, sqlite3_int64 offset) {
  if (const int rc = count(FaultPoint::write)) return rc;
  return real_of(file)->pMethods->xWrite(real_of(file), buffer, amount, offset);
}
int file_truncate(sqlite3_file* file, sqlite3_int64 size) {
  if (const int rc = count(FaultPoint::truncate)) return rc;
  return real_of(file)->pMethods->xTruncate(real_of(file), size);
}
int file_sync(sqlite3_file* file, int flags) {
  if (const int rc = count(FaultPoint::sync)) return rc;
  return real_of(file)->pMethods->xSync(real_of(file), flags);
}
int file_size(sqlite3_file* file, sqlite3_int64* size) {
  return real_of(file)->pMethods->xFileSize(real_of(file), size);
}
int file_lock(sqlite3_file* file, int level) {
  return real_of(file)->pMethods->xLock(real_of(file), level);
}
int file_unlock(sqlite3_file* file, int level) {
  return real_of(file)->pMethods->xUnlock(real_of(file), level);
}
int file_check_reserved_lock(sqlite3_file* file, int* result) {
  return real_of(file)->pMethods->xCheckReservedLock(real_of(file), result);
}
int file_control(sqlite3_file* file, int op, void* argument) {
  if (const int rc = count(FaultPoint::file_control)) return rc;
  return real_of(file)->pMethods->xFileControl(real_of(file), op, argument);
}
int file_sector_size(sqlite3_file* file) {
  return real_of(file)->pMethods->xSectorSize(real_of(file));
}
int file_device_characteristics(sqlite3_file* file) {
  return real_of(file)->pMethods->xDeviceCharacteristics(real_of(file));
}
int file_shm_map(sqlite3_file* file, int region, int size, int extend, void volatile** memory) {
  if (const int rc = count(FaultPoint::shm_map)) return rc;
  return real_of(file)->pMethods->xShmMap(real_of(file), region, size, extend, memory);
}
int file_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  return real_of(file)->pMethods->xShmLock(real_of(file), offset, n, flags);
}
void file_shm_barrier(sqlite3_file* file) {
  real_of(file)->pMethods->xShmBarrier(real_of(file));
}
int file_shm_unmap(sqlite3_file* file, int delete_flag) {
  return real_of(file)->pMethods->xShmUnmap(real_of(file), delete_flag);
}
int file_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** pointer) {
  return real_of(file)->pMethods->xFetch(real_of(file), offset, amount, pointer);
}
int file_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* pointer) {
  return real_of(file)->pMethods->xUnfetch(real_of(file), offset, pointer);
}

// Version 3 methods; a real file of a lower version gets only its own.
sqlite3_io_methods methods_v3 = {3,
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
                                 file_shm_map,
                                 file_shm_lock,
                                 file_shm_barrier,
                                 file_shm_unmap,
                                 file_fetch,
                                 file_unfetch};
sqlite3_io_methods methods_v1 = [] {
  sqlite3_io_methods methods = methods_v3;
  methods.iVersion = 1;
  return methods;
}();

int vfs_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  auto* wrapper = reinterpret_cast<FaultFile*>(file);
  wrapper->base.pMethods = nullptr;
  wrapper->real = reinterpret_cast<sqlite3_file*>(wrapper + 1);
  if (const int rc = count(FaultPoint::open)) return rc;
  const int rc = real_vfs->xOpen(real_vfs, name, wrapper->real, flags, out_flags);
  if (wrapper->real->pMethods != nullptr) {
    wrapper->base.pMethods = wrapper->real->pMethods->iVersion >= 3 ? &methods_v3 : &methods_v1;
  }
  return rc;
}
int vfs_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return real_vfs->xDelete(real_vfs, name, sync_dir);
}
int vfs_access(sqlite3_vfs*, const char* name, int flags, int* result) {
  return real_vfs->xAccess(real_vfs, name, flags, result);
}
int vfs_full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return real_vfs->xFullPathname(real_vfs, name, size, out);
}
void* vfs_dl_open(sqlite3_vfs*, const char* name) {
  return real_vfs->xDlOpen(real_vfs, name);
}
void vfs_dl_error(sqlite3_vfs*, int size, char* message) {
  real_vfs->xDlError(real_vfs, size, message);
}
void (*vfs_dl_sym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return real_vfs->xDlSym(real_vfs, handle, symbol);
}
void vfs_dl_close(sqlite3_vfs*, void* handle) {
  real_vfs->xDlClose(real_vfs, handle);
}
int vfs_randomness(sqlite3_vfs*, int size, char* out) {
  return real_vfs->xRandomness(real_vfs, size, out);
}
int vfs_sleep(sqlite3_vfs*, int microseconds) {
  return real_vfs->xSleep(real_vfs, microseconds);
}
int vfs_current_time(sqlite3_vfs*, double* now) {
  if (const std::int64_t frozen = frozen_clock.load()) {
    *now = static_cast<double>(frozen) / 86400000.0;
    return SQLITE_OK;
  }
  return real_vfs->xCurrentTime(real_vfs, now);
}
int vfs_get_last_error(sqlite3_vfs*, int size, char* message) {
  {
    std::lock_guard lock(fault_mutex);
    if (fired && last_errno != 0) return last_errno;
  }
  return real_vfs->xGetLastError(real_vfs, size, message);
}
int vfs_current_time_int64(sqlite3_vfs*, sqlite3_int64* now) {
  if (const std::int64_t frozen = frozen_clock.load()) {
    *now = frozen;
    return SQLITE_OK;
  }
  return real_vfs->xCurrentTimeInt64(real_vfs, now);
}

}  // namespace

void register_fault_vfs(bool make_default) {
  static std::once_flag once;
  std::call_once(once, [] {
    real_vfs = sqlite3_vfs_find(nullptr);
    fault_vfs = sqlite3_vfs{};
    fault_vfs.iVersion = 2;
    fault_vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + real_vfs->szOsFile;
    fault_vfs.mxPathname = real_vfs->mxPathname;
    fault_vfs.zName = kFaultVfs;
    fault_vfs.xOpen = vfs_open;
    fault_vfs.xDelete = vfs_delete;
    fault_vfs.xAccess = vfs_access;
    fault_vfs.xFullPathname = vfs_full_pathname;
    fault_vfs.xDlOpen = vfs_dl_open;
    fault_vfs.xDlError = vfs_dl_error;
    fault_vfs.xDlSym = vfs_dl_sym;
    fault_vfs.xDlClose = vfs_dl_close;
    fault_vfs.xRandomness = vfs_randomness;
    fault_vfs.xSleep = vfs_sleep;
    fault_vfs.xCurrentTime = vfs_current_time;
    fault_vfs.xGetLastError = vfs_get_last_error;
    fault_vfs.xCurrentTimeInt64 = vfs_current_time_int64;
  });
  sqlite3_vfs_register(&fault_vfs, make_default ? 1 : 0);
}

void arm_fault(const Fault& fault) {
  std::lock_guard lock(fault_mutex);
  armed = fault;
  is_armed = true;
  fired = false;
  last_errno = 0;
  calls = {};
}

void disarm_fault() {
  std::lock_guard lock(fault_mutex);
  is_armed = false;
  fired = false;
  last_errno = 0;
  calls = {};
}

bool fault_fired() {
  std::lock_guard lock(fault_mutex);
  return fired;
}

std::int64_t fault_calls(FaultPoint point) {
  std::lock_guard lock(fault_mutex);
  return calls[static_cast<std::size_t>(point)];
}

void freeze_fault_vfs_clock(std::int64_t julian_ms) {
  frozen_clock = julian_ms;
}

}  // namespace emf::test
