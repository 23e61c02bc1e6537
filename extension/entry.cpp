// sqlite3_emf_init: where SQLite enters libemf. It checks that the host's
// SQLite is new enough, then registers every function (functions.cpp).
//
//   sqlite> .load build/libemf
//   sqlite> SELECT emf_version();
#ifndef SQLITE_CORE
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1
#endif

#include "emf.h"
#include "functions.h"

namespace {

// JSON built in (3.38), sqlite3_txn_state (3.34), SQLITE_DIRECTONLY (3.30).
constexpr int kMinimumSqlite = 3038000;

}  // namespace

extern "C" EMF_EXPORT int sqlite3_emf_init(sqlite3* db, char** error,
                                           const sqlite3_api_routines* api) {
#ifndef SQLITE_CORE
  SQLITE_EXTENSION_INIT2(api);
#else
  (void)api;
#endif
  if (sqlite3_libversion_number() < kMinimumSqlite) {
    *error = sqlite3_mprintf("emf: needs SQLite 3.38.0 or later, this is %s", sqlite3_libversion());
    return SQLITE_ERROR;
  }
  return emf::register_functions(db, error);
}
