// What a failure really was, where SQLite's own message does not say:
// "database or disk is full" is also a table that has used every rowid, or a
// database held under PRAGMA max_page_count; "disk I/O error" and "attempt
// to write a readonly database" are also a -shm file that cannot be
// written. Used by the extension's functions and by the shell alike.
#pragma once

#include <string>

#include "sqlite_api.h"

namespace emf {

// The cause of a failure with result code `code` (extended or primary) on
// db, and what to do, in a few words; empty when SQLite's message says it
// all. Only reads.
std::string failure_cause(sqlite3* db, int code);

}  // namespace emf
