// Reads the JSON reports the extension returns, with SQLite's own JSON
// functions on a private in-memory connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db.h"

namespace emf::shell {

struct ObjectLine {
  std::string kind, type, name, status, detail, summary;
};

class ReportReader {
 public:
  // json_extract(report, path) as text; nullopt for a JSON null or no value.
  std::optional<std::string> value(std::string_view report, std::string_view path) const;
  std::int64_t length(std::string_view report, std::string_view path) const;
  // The objects of an emf_check report.
  std::vector<ObjectLine> objects(std::string_view check_report) const;
  // The members of an object, e.g. "inserted" of an emf_seed report.
  std::vector<std::pair<std::string, std::string>> members(std::string_view report,
                                                           std::string_view path) const;
  sqlite3* scratch() const { return scratch_.get(); }

 private:
  PrivateConnection scratch_;
};

}  // namespace emf::shell
