// Reads the JSON reports the extension returns. Each report is parsed once,
// by SQLite's own json_tree in one statement on a private in-memory
// connection; every value, length and member is then looked up in that.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "db.h"

namespace emf::shell {

struct ObjectLine {
  std::string kind, type, name, status, detail, summary;
};

class ReportReader {
 public:
  // The value at a path ("$.kinds[0].version") as text, as json_extract
  // gives it (true as 1, an object or array as its JSON); nullopt for a
  // JSON null or no value.
  std::optional<std::string> value(std::string_view report, std::string_view path) const;
  // The elements of the array at the path; 0 when it is not an array.
  std::int64_t length(std::string_view report, std::string_view path) const;
  // The objects of an emf_check report.
  std::vector<ObjectLine> objects(std::string_view check_report) const;
  // The members of an object (or the elements of an array, keyed by index),
  // e.g. "inserted" of an emf_seed report.
  std::vector<std::pair<std::string, std::string>> members(std::string_view report,
                                                           std::string_view path) const;
  sqlite3* scratch() const { return scratch_.get(); }

 private:
  struct Node {
    std::optional<std::string> text;  // json_extract's text; nullopt for null
    bool is_array = false;
    std::vector<std::pair<std::string, std::string>> children;  // key, path
  };
  using Tree = std::unordered_map<std::string, Node>;  // by path
  const Tree& tree(std::string_view report) const;
  const Node* find(std::string_view report, std::string_view path) const;

  PrivateConnection scratch_;
  mutable std::map<std::string, Tree, std::less<>> parsed_;
};

}  // namespace emf::shell
