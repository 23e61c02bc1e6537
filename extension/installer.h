// Creating, upgrading and resetting a kind: emf_init() and emf_reset().
//
// The schema work of one call is one transaction: BEGIN IMMEDIATE when the
// caller has none open (SQLite's write lock is the migration lock: the
// history is re-read under it, so concurrent callers never apply a migration
// twice), or a savepoint inside the caller's transaction. Each migration runs
// in a nested savepoint and is recorded in emf_schema_history.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kinds.h"
#include "sqlite_api.h"

namespace emf {

struct InitReport {
  Kind kind;
  std::string schema;
  int version = 0;
  std::vector<int> applied;          // versions applied by this call
  std::optional<int> baseline;       // set when this call adopted the schema
  std::vector<std::string> rebuilt;  // tables rebuilt to a new definition
  std::int64_t converted = 0;        // rows whose stored values were converted
  std::string journal_mode;
  std::vector<std::string> warnings;  // what SQLite did not allow here, and why
};

// What emf_init would do, without doing it (emf_plan): the adoption baseline
// and the pending migrations, each with the SQL it would run.
struct PlannedStep {
  int version = 0;
  std::string name;
  bool baseline = false;  // adopting: version 1 recorded over existing tables
  std::string sql;
};

struct InstallPlan {
  Kind kind;
  std::string schema;
  int version = 0;  // now
  int latest = 0;
  bool adopt = false;
  bool has_data = false;  // some table of the schema has a row
  std::vector<PlannedStep> steps;
  // Existing tables the steps rebuild (copy row by row under the write lock).
  std::vector<std::string> rebuilds;
};

// Read-only; refuses as emf_init would (modified history, a newer version,
// objects that cannot be adopted).
InstallPlan plan_install(sqlite3* db, Kind kind, std::string_view schema);
std::string install_plan_json(sqlite3* db, const InstallPlan& plan);

// schema must be one attached to db (see find_schema), not temp.
InitReport init_kind(sqlite3* db, Kind kind, std::string_view schema);
InitReport reset_kind(sqlite3* db, Kind kind, std::string_view schema);
std::string init_report_json(sqlite3* db, const InitReport& report);

}  // namespace emf
