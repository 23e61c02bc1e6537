// How every emf source reaches SQLite. In the loadable extension the calls go
// through the routine table that the host hands to sqlite3_emf_init (so the
// extension never links a second SQLite); with SQLITE_CORE defined, the same
// sources call the linked library directly.
#pragma once

#ifdef SQLITE_CORE
#include <sqlite3.h>
#else
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3
#endif
