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

// What a caller of the SQL functions can do about a failure that SQLite
// names but failure_cause does not explain: a locked database, a read-only
// connection, a file that is not a database. Empty for other failures. The
// shell says these in its own terms (its options, the database's variable),
// so only the functions add it.
std::string advice_for_sql(sqlite3* db, int code);

}  // namespace emf
