// The read-only health check behind emf_check() and emf_objects(): which
// kinds a schema holds, at which version, and how each object compares with
// the schema the embedded migrations produce. It reads sqlite_schema and the
// pragmas only, so its cost does not grow with the number of rows.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kinds.h"
#include "schema_diff.h"
#include "sqlite_api.h"

namespace emf {

struct KindStatus {
  Kind kind;
  bool installed = false;
  int version = 0;  // highest applied version, 0 when not installed
  int latest = 0;   // highest version this emf knows
  std::vector<int> pending;
  std::vector<ObjectReport> objects;
  bool ok = false;
};

struct CheckReport {
  std::string schema;
  bool ok = true;
  std::vector<KindStatus> kinds;
  std::string journal_mode;
  bool foreign_keys = false;
};

// Without a kind: every kind installed in the schema (none is ok).
CheckReport check_schema(sqlite3* db, std::string_view schema, std::optional<Kind> kind);
std::string check_report_json(sqlite3* db, const CheckReport& report);

}  // namespace emf
