// JSON through SQLite's json_object()/json_array(); see json.h.
#include "json.h"

#include "db.h"

namespace emf::json {

namespace {

// Appends the placeholder for one value to the SQL and records how to bind it.
// Booleans and nested JSON pass through json() so that they nest as JSON,
// not as strings.
void add_placeholder(std::string& sql, const Value& value, int index) {
  const bool as_json =
      std::holds_alternative<bool>(value.data) || std::holds_alternative<Raw>(value.data);
  sql += as_json ? "json(?" + std::to_string(index) + ")" : "?" + std::to_string(index);
}

void bind(Statement& statement, int index, const Value& value) {
  std::visit(
      [&](const auto& item) {
        using T = std::decay_t<decltype(item)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          statement.bind_null(index);
        } else if constexpr (std::is_same_v<T, bool>) {
          statement.bind_text(index, item ? "true" : "false");
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          statement.bind_int(index, item);
        } else if constexpr (std::is_same_v<T, double>) {
          statement.bind_double(index, item);
        } else if constexpr (std::is_same_v<T, std::string>) {
          statement.bind_text(index, item);
        } else {
          statement.bind_text(index, item.text);
        }
      },
      value.data);
}

// One json_object() call over any sequence of (key, value) pairs.
template <typename Pairs>
std::string object_of(sqlite3* db, const Pairs& members) {
  std::string sql = "SELECT json_object(";
  std::vector<const Value*> values;
  std::vector<std::string_view> keys;
  int index = 1;
  for (const auto& [key, value] : members) {
    if (index > 1) sql += ", ";
    sql += "?" + std::to_string(index++) + ", ";
    add_placeholder(sql, value, index++);
    keys.push_back(key);
    values.push_back(&value);
  }
  sql += ")";
  Statement statement(db, sql);
  index = 1;
  for (std::size_t i = 0; i < values.size(); ++i) {
    statement.bind_text(index++, keys[i]);
    bind(statement, index++, *values[i]);
  }
  statement.step();
  return statement.column_text(0);
}

// json_array() over items laid out one after another.
std::string array_of(sqlite3* db, const Value* items, std::size_t count) {
  // A SQL function takes at most 127 arguments (SQLITE_MAX_FUNCTION_ARG), so
  // a long array is started with json_array() and extended with
  // json_insert(array, '$[#]', item, ...), which appends in order.
  constexpr std::size_t kItemsPerCall = 60;
  std::string result = "[]";
  for (std::size_t first = 0; first < count; first += kItemsPerCall) {
    const std::size_t last = std::min(count, first + kItemsPerCall);
    std::string sql = first == 0 ? "SELECT json_array(" : "SELECT json_insert(?1";
    std::vector<const Value*> values;
    int index = first == 0 ? 1 : 2;
    for (std::size_t i = first; i < last; ++i) {
      if (first == 0) {
        if (i > first) sql += ", ";
      } else {
        sql += ", '$[#]', ";
      }
      add_placeholder(sql, items[i], index++);
      values.push_back(&items[i]);
    }
    sql += ")";
    Statement statement(db, sql);
    index = 1;
    if (first != 0) statement.bind_text(index++, result);
    for (const Value* value : values) bind(statement, index++, *value);
    statement.step();
    result = statement.column_text(0);
  }
  return result;
}

}  // namespace

Value text_or_null(std::string_view text) {
  Value value(nullptr);
  if (!text.empty()) value.data.emplace<std::string>(text);
  return value;
}

std::string object(sqlite3* db, std::initializer_list<std::pair<std::string_view, Value>> members) {
  return object_of(db, members);
}

std::string object(sqlite3* db, const Members& members) {
  return object_of(db, members);
}

std::string array(sqlite3* db, std::initializer_list<Value> items) {
  return array_of(db, items.begin(), items.size());
}

std::string array(sqlite3* db, const std::vector<Value>& items) {
  return array_of(db, items.data(), items.size());
}

}  // namespace emf::json
