// Progress of the extension's tasks; see task_progress.h.
#include "task_progress.h"

#include <fmt/format.h>

namespace emf::shell {

TaskProgress::TaskProgress(sqlite3* db, const Terminal& terminal, std::string what)
    : db_(db), enabled_(terminal.progress_enabled()), what_(std::move(what)) {
  if (!enabled_) return;
  set_progress_observer(db_, [this](std::string_view task, std::int64_t done, std::int64_t total) {
    if (!bar_ || task != task_) {
      bar_.reset();  // clears the previous task's line
      task_ = task;
      bar_.emplace(true, fmt::format("{}: {}", what_, task));
    }
    bar_->update(done, total);
  });
}

TaskProgress::~TaskProgress() {
  if (enabled_) set_progress_observer(db_, nullptr);
}

}  // namespace emf::shell
