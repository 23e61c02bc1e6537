// Registers every emf SQL function and table-valued function on a
// connection; called by sqlite3_emf_init.
#pragma once

#include "sqlite_api.h"

namespace emf {

// Returns SQLITE_OK, or the first failure with *error set (sqlite3_malloc'd).
int register_functions(sqlite3* db, char** error);

}  // namespace emf
