// emf_schema_history: which migrations of which kind a schema has had.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kinds.h"
#include "migrations.h"
#include "sqlite_api.h"

namespace emf {

struct AppliedMigration {
  int version = 0;
  std::string name;
  std::string checksum;
  std::string applied_at;
  std::int64_t duration_ms = 0;
};

bool history_exists(sqlite3* db, std::string_view schema);
// Creates the table when it is absent (inside the caller's transaction).
void create_history(sqlite3* db, std::string_view schema);
// The kind's rows by version; empty when the table or the kind is absent.
std::vector<AppliedMigration> read_history(sqlite3* db, std::string_view schema, Kind kind);
// The kinds with at least one row, in kAllKinds order.
std::vector<Kind> installed_kinds(sqlite3* db, std::string_view schema);
void record_migration(sqlite3* db, std::string_view schema, const Migration& migration,
                      std::int64_t duration_ms);
void forget_kind(sqlite3* db, std::string_view schema, Kind kind);

// Refuses a kind that a newer emf has migrated (a version this emf does not
// know), with the one message every writing function gives.
void refuse_newer(Kind kind, const std::vector<AppliedMigration>& applied);
// Refuses history this emf cannot vouch for: refuse_newer, and an applied
// migration whose embedded file has changed since.
void verify_history(Kind kind, const std::vector<AppliedMigration>& applied);

// Every migration of the kind, known or applied, as emf_migrations lists it.
struct MigrationStatus {
  enum class State { applied, pending, modified, newer };
  int version = 0;
  std::string name;
  std::string checksum;  // as applied; the embedded one while pending
  std::optional<std::string> applied_at;
  State state = State::pending;
  std::string expected_checksum;  // the embedded one (empty for newer)
  std::string file_name;          // "001_initial.sql" (empty for newer)
};

// Known migrations in order, then any applied by a newer emf.
std::vector<MigrationStatus> migration_statuses(const std::vector<AppliedMigration>& applied,
                                                Kind kind);

}  // namespace emf
