// See database_digest.h.
#include "support/database_digest.h"

#include <fmt/format.h>

namespace emf::test {

std::string digest(Db& db) {
  std::string out;
  for (const auto& object :
       db.rows("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name")) {
    out += fmt::format("{} {}: {}\n", object[0], object[1], object[2]);
    if (object[0] != "table") continue;
    const std::string columns = db.text(
        fmt::format("SELECT group_concat('\"' || replace(name, '\"', '\"\"') || '\"', ', ') "
                    "FROM pragma_table_xinfo('{}') WHERE NOT ('{}' = 'emf_schema_history' AND "
                    "name = 'duration_ms')",
                    object[1], object[1]));
    for (const auto& row :
         db.rows(fmt::format("SELECT {} FROM \"{}\" ORDER BY rowid", columns, object[1]))) {
      for (const auto& cell : row) out += cell + '|';
      out += '\n';
    }
  }
  return out;
}

std::string first_difference(const std::string& a, const std::string& b) {
  std::size_t at = 0;
  while (at < a.size() && at < b.size() && a[at] == b[at]) ++at;
  const std::size_t line = a.rfind('\n', at == 0 ? 0 : at - 1);
  const std::size_t from = line == std::string::npos ? 0 : line + 1;
  return fmt::format("'{}' vs '{}'", a.substr(from, a.find('\n', at) - from),
                     b.substr(from, b.find('\n', at) - from));
}

}  // namespace emf::test
