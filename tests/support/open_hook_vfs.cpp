// See open_hook_vfs.h.
#include "support/open_hook_vfs.h"

#include <sqlite3.h>

#include <mutex>
#include <stdexcept>

namespace emf::test {
namespace {

std::mutex hook_mutex;
std::string open_part;
OpenHook open_hook;
SleepHook sleep_hook;

sqlite3_vfs* real_vfs = nullptr;
sqlite3_vfs hook_vfs;

int hook_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  if (name != nullptr && (flags & SQLITE_OPEN_MAIN_DB) != 0) {
    OpenHook call;
    {
      std::lock_guard lock(hook_mutex);
      if (open_hook && std::string(name).find(open_part) != std::string::npos) call = open_hook;
    }
    if (call) call(name);
  }
  return real_vfs->xOpen(real_vfs, name, file, flags, out_flags);
}

int hook_sleep(sqlite3_vfs*, int microseconds) {
  SleepHook call;
  {
    std::lock_guard lock(hook_mutex);
    call = sleep_hook;
  }
  if (call) call();
  return real_vfs->xSleep(real_vfs, microseconds);
}

void register_once() {
  static const bool registered = [] {
    real_vfs = sqlite3_vfs_find(nullptr);
    if (real_vfs == nullptr) throw std::runtime_error("no default VFS");
    // A copy of the real VFS (its data, its functions) with xOpen and
    // xSleep replaced: every other call goes to the real function.
    hook_vfs = *real_vfs;
    hook_vfs.zName = kOpenHookVfs;
    hook_vfs.pNext = nullptr;
    hook_vfs.xOpen = hook_open;
    hook_vfs.xSleep = hook_sleep;
    if (sqlite3_vfs_register(&hook_vfs, 1) != SQLITE_OK) {
      throw std::runtime_error("cannot register the open-hook VFS");
    }
    return true;
  }();
  (void)registered;
}

}  // namespace

void set_open_hook(const std::string& part, OpenHook hook) {
  register_once();
  std::lock_guard lock(hook_mutex);
  open_part = part;
  open_hook = std::move(hook);
}

void set_sleep_hook(SleepHook hook) {
  register_once();
  std::lock_guard lock(hook_mutex);
  sleep_hook = std::move(hook);
}

}  // namespace emf::test
