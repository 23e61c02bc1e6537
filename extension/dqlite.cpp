// Telling dqlite's VFS apart; see dqlite.h.
#include "dqlite.h"

#include <fmt/format.h>

#include <string>

#include "error.h"

namespace emf {

bool is_dqlite(sqlite3* db, std::string_view schema) {
  sqlite3_vfs* vfs = nullptr;
  if (sqlite3_file_control(db, std::string(schema).c_str(), SQLITE_FCNTL_VFS_POINTER, &vfs) !=
          SQLITE_OK ||
      vfs == nullptr || vfs->zName == nullptr) {
    return false;
  }
  return std::string_view(vfs->zName).starts_with(kDqliteVfsPrefix);
}

void refuse_inside_dqlite(sqlite3* db, std::string_view because, std::string_view instead) {
  if (!is_dqlite(db)) return;
  throw Error(fmt::format("refused inside dqlite: {}; {} (nothing was changed)", because, instead));
}

}  // namespace emf
