// Whether a database is opened through dqlite (Raft-replicated SQLite), and
// the refusals that follow from it. A dqlite node opens ordinary SQLite
// connections, but through a VFS of its own that keeps the database in the
// node's memory and its Raft log: there is no database file on disk, the
// database is always in WAL mode (changing journal_mode crashes the
// leader), and ATTACH opens an empty database that is not replicated.
#pragma once

#include <string_view>

#include "sqlite_api.h"

namespace emf {

// dqlite 1.11 registers its VFS as "dqlite-<N>" ("dqlite-1"), one per node.
inline constexpr std::string_view kDqliteVfsPrefix = "dqlite-";

// True when the schema's database is opened through dqlite's VFS. The test
// is the name of the VFS SQLite opened the schema with
// (SQLITE_FCNTL_VFS_POINTER, answered by SQLite itself, not the VFS), which
// is what decides where pages go. The file name says nothing (dqlite names
// a database as its client does), and SQLITE_FCNTL_VFSNAME is answered by
// the VFS's own files, as they choose (a VFS that forwards to another gets
// the other's name). False when SQLite cannot say.
bool is_dqlite(sqlite3* db, std::string_view schema = "main");

// When main is opened through dqlite, throws emf::Error: "refused inside
// dqlite: <because>; <instead> (nothing was changed)" (the caller's
// function name comes before it). Called before anything changes.
void refuse_inside_dqlite(sqlite3* db, std::string_view because, std::string_view instead);

}  // namespace emf
