// emf_repair(): converges a kind's drifted schema on the one emf expects.
// Each `changed` table is rebuilt with SQLite's documented procedure for
// schema changes ALTER TABLE cannot make (lang_altertable.html, "other kinds
// of table schema changes"): foreign keys off before the transaction, a new
// table, the rows copied, the old table dropped, the new one renamed, its
// indexes, triggers and views recreated, foreign_key_check before commit.
// Missing or changed indexes, triggers and views are recreated too. All in
// one transaction; a row that breaks a constraint of the expected schema
// stops it with a report, and nothing changes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kinds.h"
#include "sqlite_api.h"

namespace emf {

struct RepairReport {
  Kind kind;
  std::string schema;
  std::vector<std::string> rebuilt;    // tables rebuilt
  std::vector<std::string> recreated;  // missing tables created; indexes, triggers, views redone
  std::vector<std::string> refilled;   // emf's tables derived from the rows, filled again
};

RepairReport repair_kind(sqlite3* db, Kind kind, std::string_view schema);
std::string repair_report_json(sqlite3* db, const RepairReport& report);

}  // namespace emf
