// Progress of long operations (synthetic seeding, backups, rebuilds), for a program
// that links the emf core and wants to show it, such as the emf shell. An
// observer is registered per connection; without one, reporting costs a
// lookup. The loadable extension has no observer: nothing is reported.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "sqlite_api.h"

namespace emf {

// task: "seed", "backup" or "rebuild <table>"; done and total in the task's
// units (rows, pages).
using ProgressObserver =
    std::function<void(std::string_view task, std::int64_t done, std::int64_t total)>;

// Registers (or, with an empty observer, removes) the connection's observer.
void set_progress_observer(sqlite3* db, ProgressObserver observer);
void report_progress(sqlite3* db, std::string_view task, std::int64_t done, std::int64_t total);

}  // namespace emf
