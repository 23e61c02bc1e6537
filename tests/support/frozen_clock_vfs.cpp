// The frozen-clock VFS; see frozen_clock_vfs.h.
#include "support/frozen_clock_vfs.h"

#include <sqlite3.h>

#include <atomic>
#include <mutex>

namespace emf::test {
namespace {

std::atomic<std::int64_t> frozen_time{0};
sqlite3_vfs frozen_vfs;

int current_time_int64(sqlite3_vfs*, sqlite3_int64* now) {
  *now = frozen_time.load();
  return SQLITE_OK;
}

int current_time(sqlite3_vfs*, double* now) {
  *now = static_cast<double>(frozen_time.load()) / 86400000.0;
  return SQLITE_OK;
}

}  // namespace

void register_frozen_clock_vfs(std::int64_t julian_ms) {
  frozen_time = julian_ms;
  static std::once_flag once;
  std::call_once(once, [] {
    frozen_vfs = *sqlite3_vfs_find(nullptr);  // everything else is the default's
    frozen_vfs.zName = kFrozenClockVfs;
    frozen_vfs.pNext = nullptr;
    frozen_vfs.xCurrentTime = current_time;
    if (frozen_vfs.iVersion >= 2) frozen_vfs.xCurrentTimeInt64 = current_time_int64;
    sqlite3_vfs_register(&frozen_vfs, 0);
  });
}

}  // namespace emf::test
