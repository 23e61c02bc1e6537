// Argument validation; see arguments.h.
#include "arguments.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "db.h"
#include "dqlite.h"
#include "error.h"

namespace emf {

namespace {

constexpr std::size_t kQuotedValueLimit = 40;

std::string value_text(sqlite3_value* value) {
  const auto* text = sqlite3_value_text(value);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text),
          static_cast<std::size_t>(sqlite3_value_bytes(value))};
}

}  // namespace

std::string describe_value(sqlite3_value* value) {
  switch (sqlite3_value_type(value)) {
    case SQLITE_NULL:
      return "NULL";
    case SQLITE_BLOB:
      return "a blob";
    case SQLITE_INTEGER:
      return fmt::format("the integer {}", sqlite3_value_int64(value));
    case SQLITE_FLOAT:
      return fmt::format("the real {}", sqlite3_value_double(value));
    default: {
      std::string text = value_text(value);
      if (text.size() > kQuotedValueLimit) text = text.substr(0, kQuotedValueLimit) + "...";
      return fmt::format("'{}'", text);
    }
  }
}

std::optional<Kind> Arguments::kind(std::size_t index, bool null_means_all) const {
  const std::string expected = "expected " + valid_kinds_text();
  if (!given(index) || sqlite3_value_type(values_[index]) == SQLITE_NULL) {
    if (null_means_all) return std::nullopt;
    throw Error(fmt::format("kind is NULL ({})", expected));
  }
  sqlite3_value* value = values_[index];
  if (sqlite3_value_type(value) != SQLITE_TEXT) {
    throw Error(fmt::format("kind must be text, got {} ({})", describe_value(value), expected));
  }
  if (auto kind = parse_kind(value_text(value))) return kind;
  throw Error(fmt::format("unknown kind {} ({})", describe_value(value), expected));
}

std::string Arguments::schema(std::size_t index) const {
  if (!given(index)) return "main";
  sqlite3_value* value = values_[index];
  std::vector<std::string> accepted;
  for (std::string& name : schema_names(db_)) {
    if (lower_name(name) != "temp") accepted.push_back(std::move(name));
  }
  const std::string expected =
      fmt::format("expected one of the attached databases: {}", fmt::join(accepted, ", "));
  if (sqlite3_value_type(value) != SQLITE_TEXT) {
    throw Error(fmt::format("schema must be text, got {} ({})", describe_value(value), expected));
  }
  if (lower_name(value_text(value)) == "temp") {
    throw Error(fmt::format(
        "schema temp is not supported: its triggers and views would reach into main ({})",
        expected));
  }
  const std::optional<std::string> schema = find_schema(db_, value_text(value));
  if (!schema) {
    throw Error(
        fmt::format("no schema named {} is attached ({})", describe_value(value), expected));
  }
  // dqlite replicates main alone: a database ATTACHed there is opened empty,
  // on this node only, and what emf wrote to it would be lost.
  if (lower_name(*schema) != "main" && is_dqlite(db_)) {
    throw Error(fmt::format(
        "schema {} is refused inside dqlite: ATTACH there opens an empty database that is not "
        "replicated, so emf works on main alone (expected main)",
        describe_value(value)));
  }
  return *schema;
}

std::int64_t Arguments::integer(std::size_t index, std::string_view name, std::int64_t min,
                                std::int64_t max) const {
  sqlite3_value* value = values_.at(index);
  const std::string expected = fmt::format("expected a whole number from {} to {}", min, max);
  if (sqlite3_value_type(value) != SQLITE_INTEGER) {
    throw Error(fmt::format("{} must be a whole number, got {} ({})", name, describe_value(value),
                            expected));
  }
  const std::int64_t number = sqlite3_value_int64(value);
  if (number < min || number > max) {
    throw Error(fmt::format("{} is out of range: {} ({})", name, number, expected));
  }
  return number;
}

std::string Arguments::text(std::size_t index, std::string_view name,
                            std::string_view expected) const {
  sqlite3_value* value = values_.at(index);
  if (sqlite3_value_type(value) != SQLITE_TEXT || sqlite3_value_bytes(value) == 0) {
    throw Error(fmt::format("{} must be non-empty text, got {} (expected {})", name,
                            describe_value(value), expected));
  }
  return value_text(value);
}

}  // namespace emf
