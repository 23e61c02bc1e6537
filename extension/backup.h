// emf_backup(): a consistent copy of a live schema through SQLite's online
// backup API (safe in WAL mode and while other connections write).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sqlite_api.h"

namespace emf {

struct BackupReport {
  std::string path;  // absolute
  std::int64_t pages = 0;
  std::int64_t bytes = 0;
  // Inside dqlite (dqlite.h) the call runs on the leader, which writes the
  // copy to its own disk: the report says so ("written_on": "leader").
  bool on_leader = false;
};

// Refuses a path that exists. The copy is written beside it under a temporary
// name, synced, and then linked into place, so the path appears only
// complete, and never replaces a file that appeared meanwhile.
BackupReport backup_schema(sqlite3* db, std::string_view schema, std::string_view path);
std::string backup_report_json(sqlite3* db, const BackupReport& report);

}  // namespace emf
