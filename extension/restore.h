// emf_restore() and emf_optimize(): putting a whole database back, from a
// backup or from a vacuumed copy, while it is live. Both copy with SQLite's
// backup API into the database under its write lock, so other connections
// see the old state or the new one, never a mixture, and no commit of
// theirs falls between the state saved first and the one put back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kinds.h"
#include "sqlite_api.h"

namespace emf {

struct RestoreReport {
  std::string from;                          // the backup, absolute
  std::vector<std::pair<Kind, int>> kinds;   // what it holds, at which version
  std::int64_t bytes = 0;                    // of the database after
  std::optional<std::string> saved_current;  // where the state before went
};

// Refuses a backup that fails integrity_check, holds no emf kind, a kind at
// a version this emf does not know, or other kinds than the database has;
// and refuses inside a transaction, and inside dqlite (dqlite.h). When
// save_current_to is given, the current state is backed up there
// (emf_backup's rules) while the write lock is held, before anything is
// replaced.
RestoreReport restore_schema(sqlite3* db, std::string_view schema, std::string_view from,
                             const std::optional<std::string>& save_current_to);
std::string restore_report_json(sqlite3* db, const RestoreReport& report);

// A database's free pages worth a VACUUM: at least this share of its pages,
// and at least kVacuumMinimumFreeBytes.
inline constexpr double kVacuumFreeShare = 0.10;
inline constexpr std::int64_t kVacuumMinimumFreeBytes = 1 << 20;

struct OptimizeReport {
  std::int64_t bytes_before = 0, bytes_after = 0;
  std::int64_t free_pages_before = 0, free_pages_after = 0, pages_before = 0;
  bool analyzed = false;
  std::optional<std::string> checkpoint;  // "done", or why not
  bool vacuumed = false;
  std::string vacuum;  // what was done about free space, and why
  std::optional<std::string> saved_current;
};

// ANALYZE (bounded by analysis_limit), a WAL checkpoint, and a VACUUM when
// free pages pass the threshold: through VACUUM INTO a temporary copy that
// must keep every row and rowid, then put back like a restore (after saving
// the current state to save_current_to, when given). Refuses inside a
// transaction, and inside dqlite (dqlite.h).
OptimizeReport optimize_schema(sqlite3* db, std::string_view schema, Kind kind,
                               const std::optional<std::string>& save_current_to);
std::string optimize_report_json(sqlite3* db, const OptimizeReport& report);

}  // namespace emf
