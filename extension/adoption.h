// Adoption: a schema that holds a kind's tables without emf's history (made
// by another tool, such as the old Python script) becomes emf's. Its tables
// and rows stay; emf's indexes, triggers and views replace the same-named
// ones; version 1 is recorded as the baseline. The migrations that follow
// rebuild the tables to emf's definitions and convert their values, all in
// emf_init's one transaction.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kinds.h"
#include "schema_snapshot.h"
#include "sqlite_api.h"

namespace emf {

// True when the schema has any object named like one of version 1.
bool holds_baseline_objects(const SchemaSnapshot& live, Kind kind);

// Throws, naming every table and column of version 1 the schema lacks, when
// it cannot be adopted.
void refuse_unless_adoptable(const SchemaSnapshot& live, Kind kind, std::string_view schema);

// The statements that adopt the schema (for emf_plan and adopt()).
std::vector<std::string> adoption_statements(const SchemaSnapshot& live, Kind kind,
                                             std::string_view schema);

struct Adoption {
  bool adopted = false;
  // The columns of each view that emf replaced, which the pipeline's queries
  // may use: emf's view must still offer every one.
  std::map<std::string, std::vector<std::string>> replaced_view_columns;
};

// Adopts the schema and records the baseline, inside the caller's
// transaction; nothing happens to a schema without the kind's objects.
Adoption adopt(sqlite3* db, std::string_view schema, Kind kind);

// Once the migrations ran: refuses when a view emf replaced offered a column
// that emf's view lacks (a pipeline query would break), naming it.
void refuse_lost_view_columns(sqlite3* db, std::string_view schema, const Adoption& adoption);

}  // namespace emf
