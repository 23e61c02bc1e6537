// The operations that write, each with the database it starts from: the
// cases that the fault-injection and out-of-memory loops walk.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "support/test_db.h"

namespace emf::test {

// Rows of the starting databases: a few hundred, enough for several pages a
// table, few enough to run every operation thousands of times.
inline constexpr int kStartingRows = 100;

struct Operation {
  std::string name;
  // Makes the starting database on a connection to an empty file.
  std::function<void(Db&)> make;
  // The call; {target} is the path of the backup to write.
  std::string sql;
  bool backup = false;
};

// emf_init on a fresh file, upgrading the oldest version with rows (the
// migrations that rebuild every table), adopting the old tool's database,
// emf_seed with and without rows, emf_reset, emf_repair and emf_backup.
const std::vector<Operation>& writing_operations();

// The problems a walk's runs had, counted by kind, one per line: what the
// fault loops report once a walk has more runs with problems than they show
// in full.
std::string problem_counts(const std::map<std::string, std::int64_t>& problems);

}  // namespace emf::test
