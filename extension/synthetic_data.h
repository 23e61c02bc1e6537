// Synthetic rows for load and benchmark work: `rows` rows in every table of a
// kind, made by the INSERT statements of sql/<kind>/synthetic.sql, run chunk
// by chunk. Each value derives from emf_random(random_seed, table, id) and the
// row's place in the call, never from the clock, so the same seed on the same
// database yields the same rows.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kinds.h"
#include "sqlite_api.h"

namespace emf {

using InsertCounts = std::vector<std::pair<std::string, std::int64_t>>;

// The table a statement of synthetic.sql fills: INSERT INTO main.<table>.
std::string target_table(std::string_view statement);

// Inserts into the main schema; the caller holds the transaction (or
// savepoint), which undoes everything this did when it fails. Reports
// progress as "seed" against rows * table_count.
InsertCounts insert_synthetic_rows(sqlite3* db, Kind kind, std::int64_t rows,
                                   std::int64_t random_seed, std::int64_t table_count);

// emf_random(seed, salt, row [, stream]): 63 random bits, a pure function of
// its arguments (splitmix64's mix, counter-based).
std::int64_t synthetic_random(std::int64_t seed, std::string_view salt, std::int64_t row,
                              std::int64_t stream);

// Registers emf_random on the connection.
int register_random_function(sqlite3* db, char** error);

}  // namespace emf
