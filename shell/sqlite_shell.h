// `emf shell`: the system sqlite3 shell on a database, with libemf loaded.
#pragma once

#include <string>
#include <vector>

#include "targets.h"

namespace emf::shell {

// arguments: [trends|metrics|image_library|PATH] [sqlite3 arguments...].
// Replaces this process with sqlite3; returns only on failure (exit status).
int run_sqlite_shell(const std::vector<std::string>& arguments, const TargetOptions& options);

}  // namespace emf::shell
