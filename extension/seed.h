// emf_seed(): the canonical sample data (sql/<kind>/sample.sql, idempotent),
// or N synthetic rows in every table of the kind, in one transaction. Seeds
// the main schema, where the kind must be initialised and up to date.
#pragma once

#include <cstdint>
#include <string>

#include "kinds.h"
#include "sqlite_api.h"
#include "synthetic_data.h"

namespace emf {

struct SeedReport {
  Kind kind;
  InsertCounts inserted;  // every table of the kind, in creation order
};

inline constexpr std::int64_t kMaxSeedRows = 100'000'000;

SeedReport seed_sample(sqlite3* db, Kind kind);
SeedReport seed_synthetic(sqlite3* db, Kind kind, std::int64_t rows, std::int64_t random_seed);
std::string seed_report_json(sqlite3* db, const SeedReport& report);

}  // namespace emf
