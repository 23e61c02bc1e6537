// The work SQLite does for a statement, counted over every statement run on
// the connection meanwhile (the extension's own included): what a test uses
// to say that a cost does or does not grow with the rows, whatever the
// machine's speed.
#pragma once

#include <cstdint>
#include <string>

#include "support/test_db.h"

namespace emf::test {

struct StatementWork {
  std::int64_t statements = 0;
  std::int64_t vm_steps = 0;
  std::int64_t full_scan_steps = 0;
  bool operator==(const StatementWork&) const = default;
};

// Runs `sql` on `db`, summing the work of every statement it runs.
StatementWork work_of(Db& db, const std::string& sql);

}  // namespace emf::test
