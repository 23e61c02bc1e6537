// Synthetic rows for load and benchmark work: `rows` rows in every table of a
// kind, inserted with prepared statements. Each value derives from
// (random_seed, table, row number) alone, never from the clock, so the same
// seed on the same database yields the same rows.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kinds.h"
#include "sqlite_api.h"

namespace emf {

using InsertCounts = std::vector<std::pair<std::string, std::int64_t>>;

// Inserts into the main schema; the caller holds the transaction. Reports
// progress as "seed" against rows * table_count.
InsertCounts insert_synthetic_rows(sqlite3* db, Kind kind, std::int64_t rows,
                                   std::int64_t random_seed, std::int64_t table_count);

}  // namespace emf
