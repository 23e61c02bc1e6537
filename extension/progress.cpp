// Per-connection progress observers; see progress.h.
#include "progress.h"

#include <map>
#include <mutex>

namespace emf {

namespace {

std::mutex observers_mutex;
std::map<sqlite3*, ProgressObserver>& observers() {
  static std::map<sqlite3*, ProgressObserver> map;
  return map;
}

}  // namespace

void set_progress_observer(sqlite3* db, ProgressObserver observer) {
  std::lock_guard lock(observers_mutex);
  if (observer) {
    observers()[db] = std::move(observer);
  } else {
    observers().erase(db);
  }
}

void report_progress(sqlite3* db, std::string_view task, std::int64_t done, std::int64_t total) {
  ProgressObserver observer;
  {
    std::lock_guard lock(observers_mutex);
    auto found = observers().find(db);
    if (found == observers().end()) return;
    observer = found->second;
  }
  observer(task, done, total);
}

}  // namespace emf
