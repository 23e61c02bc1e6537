// The migrations of each kind, read from the embedded sql/<kind>/NNN_name.sql
// files: version NNN, applied in order, version 1 being the guide's schema.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kinds.h"
#include "sqlite_api.h"

namespace emf {

struct Migration {
  Kind kind;
  int version;
  std::string name;       // "initial" for 001_initial.sql
  std::string file_name;  // "001_initial.sql"
  std::string_view sql;
  std::string checksum;  // SHA-256 of the file, hex
};

// Every migration of the kind, by version (1, 2, ...).
const std::vector<Migration>& migrations(Kind kind);
int latest_version(Kind kind);
// sql/<kind>/sample.sql: the canonical sample data.
std::string_view sample_data_sql(Kind kind);
// sql/emf_schema_history.sql: the history table, shared by every kind.
std::string_view history_table_sql();

}  // namespace emf

namespace emf {

// One statement directed at the schema: as written for main, with the object
// it creates, alters or writes qualified for any other schema.
std::string statement_in_schema(std::string_view statement, std::string_view schema);

// Runs every statement of a script in the schema (statement_in_schema each).
void apply_sql(sqlite3* db, std::string_view schema, std::string_view sql);

}  // namespace emf
