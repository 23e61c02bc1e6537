// Object comparison; see schema_diff.h. Tables are compared through the
// pragmas (columns, foreign keys, unique keys), which see through the many
// spellings of one definition; what the pragmas cannot show (CHECK,
// COLLATE, AUTOINCREMENT) is compared as normalised SQL. Indexes, triggers
// and views are compared as normalised SQL.
#include "schema_diff.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <vector>

#include "db.h"
#include "table_definition.h"

namespace emf {

namespace {

const Column* find_column(const std::vector<Column>& columns, std::string_view name) {
  const std::string wanted = lower_name(name);
  for (const Column& column : columns) {
    if (lower_name(column.name) == wanted) return &column;
  }
  return nullptr;
}

std::string describe_foreign_key(const ForeignKey& key) {
  return fmt::format("FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {}",
                     fmt::join(key.from_columns, ", "), key.table, fmt::join(key.to_columns, ", "),
                     key.on_delete);
}

void compare_columns(const SchemaObject& expected, const SchemaObject& live,
                     std::vector<std::string>& differences) {
  for (const Column& want : expected.columns) {
    const Column* have = find_column(live.columns, want.name);
    if (have == nullptr) {
      differences.push_back(fmt::format("missing column {}", want.name));
      continue;
    }
    if (have->type != want.type) {
      differences.push_back(fmt::format("column {}: type {}, expected {}", want.name,
                                        have->type.empty() ? "(none)" : have->type,
                                        want.type.empty() ? "(none)" : want.type));
    }
    if (have->not_null != want.not_null) {
      differences.push_back(
          fmt::format("column {}: {}", want.name,
                      want.not_null ? "NOT NULL expected" : "NOT NULL not expected"));
    }
    if (have->default_value != want.default_value) {
      differences.push_back(fmt::format("column {}: default {}, expected {}", want.name,
                                        have->default_value.value_or("(none)"),
                                        want.default_value.value_or("(none)")));
    }
    if (have->primary_key_position != want.primary_key_position) {
      differences.push_back(fmt::format("column {}: primary key differs", want.name));
    }
    if (have->hidden != want.hidden) {
      differences.push_back(fmt::format("column {}: generated or hidden differs", want.name));
    }
  }
  for (const Column& have : live.columns) {
    if (find_column(expected.columns, have.name) == nullptr) {
      differences.push_back(fmt::format("extra column {}", have.name));
    }
  }
}

template <typename T, typename Describe>
void compare_sets(const std::vector<T>& expected, const std::vector<T>& live, Describe describe,
                  std::vector<std::string>& differences) {
  for (const T& want : expected) {
    if (std::find(live.begin(), live.end(), want) == live.end()) {
      differences.push_back("missing " + describe(want));
    }
  }
  for (const T& have : live) {
    if (std::find(expected.begin(), expected.end(), have) == expected.end()) {
      differences.push_back("extra " + describe(have));
    }
  }
}

std::string compare_indexes(const SchemaObject& expected, const SchemaObject& live) {
  std::vector<std::string> differences;
  if (lower_name(expected.table) != lower_name(live.table)) {
    differences.push_back(fmt::format("on table {}, expected {}", live.table, expected.table));
  }
  if (expected.index_columns != live.index_columns) {
    differences.push_back(fmt::format("columns ({}), expected ({})",
                                      fmt::join(live.index_columns, ", "),
                                      fmt::join(expected.index_columns, ", ")));
  }
  if (expected.unique != live.unique) {
    differences.push_back(expected.unique ? "UNIQUE expected" : "UNIQUE not expected");
  }
  if (differences.empty() && expected.normalized_sql != live.normalized_sql) {
    differences.push_back("definition differs: " +
                          first_difference(expected.normalized_sql, live.normalized_sql));
  }
  return fmt::format("{}", fmt::join(differences, "; "));
}

std::string compare_tables(const SchemaObject& expected, const SchemaObject& live) {
  std::vector<std::string> differences;
  compare_columns(expected, live, differences);
  compare_sets(expected.foreign_keys, live.foreign_keys, describe_foreign_key, differences);
  compare_sets(
      expected.unique_keys, live.unique_keys, [](const std::string& key) { return key; },
      differences);
  for (std::string& difference : compare_table_definitions(parse_table_definition(expected.sql),
                                                           parse_table_definition(live.sql))) {
    differences.push_back(std::move(difference));
  }
  if (differences.empty() && expected.normalized_sql != live.normalized_sql) {
    differences.push_back("definition differs: " +
                          first_difference(expected.normalized_sql, live.normalized_sql));
  }
  return fmt::format("{}", fmt::join(differences, "; "));
}

}  // namespace

std::string first_difference(std::string_view expected, std::string_view live) {
  constexpr std::size_t kShown = 48;
  std::size_t at = 0;
  while (at < expected.size() && at < live.size() && expected[at] == live[at]) ++at;
  // Start the excerpts at the beginning of the word that differs.
  while (at > 0 && expected[at - 1] != ' ' && expected[at - 1] != '(') --at;
  auto excerpt = [&](std::string_view text) {
    if (at >= text.size()) return std::string("(nothing)");
    std::string shown(text.substr(at, kShown));
    if (text.size() - at > kShown) shown += "...";
    return "`" + shown + "`";
  };
  return fmt::format("{}, expected {}", excerpt(live), excerpt(expected));
}

std::string_view status_name(ObjectStatus status) {
  switch (status) {
    case ObjectStatus::ok:
      return "ok";
    case ObjectStatus::missing:
      return "missing";
    case ObjectStatus::changed:
      return "changed";
    case ObjectStatus::extra:
      return "extra";
    case ObjectStatus::modified:
      return "modified";
  }
  return "unknown";
}

ObjectReport compare_object(const SchemaObject& expected, const SchemaObject* live) {
  ObjectReport report{expected.type, expected.name, ObjectStatus::ok, {}};
  if (live == nullptr) {
    report.status = ObjectStatus::missing;
    report.detail = fmt::format("no {} named {}", expected.type, expected.name);
    return report;
  }
  if (live->type != expected.type) {
    report.status = ObjectStatus::changed;
    report.detail = fmt::format("is a {}, expected a {}", live->type, expected.type);
    return report;
  }
  if (expected.type == "table") {
    report.detail = compare_tables(expected, *live);
  } else if (expected.type == "index") {
    report.detail = compare_indexes(expected, *live);
  } else if (expected.normalized_sql != live->normalized_sql) {
    report.detail = fmt::format("{} differs: {}", expected.type == "view" ? "query" : "body",
                                first_difference(expected.normalized_sql, live->normalized_sql));
  }
  if (!report.detail.empty()) report.status = ObjectStatus::changed;
  return report;
}

}  // namespace emf
