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

  PrivateConnection scratch;
  for (const Migration& migration : migrations(kind)) {
    if (migration.version > version) break;
    Misfits none;  // its tables are empty
    run_migration(scratch.get(), "main", migration, none);
  }
  return cache.emplace(std::pair{kind, version}, read_schema(scratch.get(), "main")).first->second;
}

}  // namespace emf
