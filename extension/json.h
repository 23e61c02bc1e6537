// JSON reports, written by SQLite's own json_object() and json_array(): every
// value is bound as a parameter, so escaping is SQLite's, never ours.
//
//   std::string text = json::object(db, {{"kind", "trends"}, {"version", 1},
//                                        {"applied", json::Raw{"[1]"}}});
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "sqlite_api.h"

namespace emf::json {

// Text that is already JSON (an object or array built here), nested as is.
struct Raw {
  std::string text;
};

struct Value {
  Value(std::nullptr_t) : data(nullptr) {}
  Value(bool b) : data(b) {}
  Value(int i) : data(static_cast<std::int64_t>(i)) {}
  Value(std::int64_t i) : data(i) {}
  Value(double d) : data(d) {}
  Value(const char* s) : data(std::string(s)) {}
  Value(std::string_view s) : data(std::string(s)) {}
  Value(std::string s) : data(std::move(s)) {}
  Value(Raw raw) : data(std::move(raw)) {}

  std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, Raw> data;
};

// Text, or null when it is empty (an absent detail, time or name).
Value text_or_null(std::string_view text);

using Members = std::vector<std::pair<std::string, Value>>;

// A braced list of members or items is read where it stands: copying it into
// a vector would copy each std::variant, and libstdc++ 12's copy destroys an
// alternative it never built when copying a string runs out of memory.
std::string object(sqlite3* db, std::initializer_list<std::pair<std::string_view, Value>> members);
std::string object(sqlite3* db, const Members& members);
std::string array(sqlite3* db, std::initializer_list<Value> items);
std::string array(sqlite3* db, const std::vector<Value>& items);

}  // namespace emf::json
