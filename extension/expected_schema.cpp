// Builds and caches expected schemas; see expected_schema.h.
#include "expected_schema.h"

#include <map>
#include <mutex>
#include <utility>

#include "db.h"
#include "migrations.h"
#include "rebuild.h"

namespace emf {

const SchemaSnapshot& expected_schema(Kind kind, int version) {
  static std::mutex mutex;
  static std::map<std::pair<Kind, int>, SchemaSnapshot> cache;
  std::lock_guard lock(mutex);
  auto found = cache.find({kind, version});
  if (found != cache.end()) return found->second;

  // One pass over the kind's migrations snapshots every version: a check
  // compares against several versions, and replaying from the start for each
  // cost as much as the rest of emf_init together.
  PrivateConnection scratch;
  const SchemaSnapshot before_any = read_schema(scratch.get(), "main");
  for (const Migration& migration : migrations(kind)) {
    Misfits none;  // its tables are empty
    run_migration(scratch.get(), "main", migration, none);
    cache.try_emplace(std::pair{kind, migration.version}, read_schema(scratch.get(), "main"));
  }
  found = cache.find({kind, version});
  if (found != cache.end()) return found->second;
  // Before the first migration nothing is expected; past the last, the last.
  return cache
      .emplace(std::pair{kind, version},
               version < 1 ? before_any : read_schema(scratch.get(), "main"))
      .first->second;
}

}  // namespace emf
