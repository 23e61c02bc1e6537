// Validation of SQL function arguments. Each accessor returns the value or
// throws emf::Error saying which argument is wrong and what was expected;
// the caller prefixes the function's name. An argument that was not given at
// all is a null pointer (distinct from SQL NULL).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kinds.h"
#include "sqlite_api.h"

namespace emf {

class Arguments {
 public:
  Arguments(sqlite3* db, std::vector<sqlite3_value*> values)
      : db_(db), values_(std::move(values)) {}

  bool given(std::size_t index) const {
    return index < values_.size() && values_[index] != nullptr;
  }
  // Given, as SQL NULL.
  bool is_null(std::size_t index) const {
    return given(index) && sqlite3_value_type(values_[index]) == SQLITE_NULL;
  }
  // A kind name; nullopt only where null_means_all and the value is NULL or absent.
  std::optional<Kind> kind(std::size_t index, bool null_means_all = false) const;
  // An attached schema (default main), as SQLite spells it; temp is refused.
  std::string schema(std::size_t index) const;
  std::int64_t integer(std::size_t index, std::string_view name, std::int64_t min,
                       std::int64_t max) const;
  std::string text(std::size_t index, std::string_view name, std::string_view expected) const;

 private:
  sqlite3* db_;
  std::vector<sqlite3_value*> values_;
};

// "NULL", "a blob", "the integer 5", "'abc'": how a value reads in a message.
std::string describe_value(sqlite3_value* value);

}  // namespace emf
