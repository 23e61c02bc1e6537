// A VFS that wraps the default one and calls a function of the test at
// chosen points: each time SQLite opens a main database file whose path
// contains a given text (before the file is opened), and each time
// sqlite3_sleep() or a busy handler sleeps. A test can so act at a chosen
// step of an emf operation: commit from another connection while
// emf_optimize compacts, or while emf_restore waits for the write lock.
// Registered as the default VFS, so that the connections emf opens of its
// own go through it too. Public APIs only.
#pragma once

#include <functional>
#include <string>

namespace emf::test {

inline constexpr const char* kOpenHookVfs = "emf_open_hook";

// Called with the path SQLite opens.
using OpenHook = std::function<void(const std::string& path)>;
using SleepHook = std::function<void()>;

// Register the VFS (once per process, as the default) and set the hook; an
// empty hook removes it. A hook runs outside the VFS's own lock, and may use
// other connections (opened with the "unix" VFS, so as not to call itself).
void set_open_hook(const std::string& part, OpenHook hook);
void set_sleep_hook(SleepHook hook);

}  // namespace emf::test
