// The progress the extension reports on a connection while a command runs
// (a rebuild of each table during an upgrade or a repair), shown as one
// bar per task on a terminal, and nothing elsewhere.
#pragma once

#include <optional>
#include <string>

#include "progress.h"
#include "terminal.h"

namespace emf::shell {

class TaskProgress {
 public:
  // `what` prefixes each task's label: "trends: rebuild trending_topics".
  TaskProgress(sqlite3* db, const Terminal& terminal, std::string what);
  ~TaskProgress();
  TaskProgress(const TaskProgress&) = delete;
  TaskProgress& operator=(const TaskProgress&) = delete;

 private:
  sqlite3* db_;
  bool enabled_;
  std::string what_;
  std::string task_;
  std::optional<ProgressBar> bar_;
};

}  // namespace emf::shell
