// Object comparison; see schema_diff.h. Tables and indexes are compared
// through what SQLite reports of them (schema_snapshot.h), which sees through
// the many spellings of one definition; only what no pragma shows is compared
// as normalised SQL: CHECK constraints, generated-column expressions, index
// key expressions and WHERE clauses, trigger bodies and view queries.
#include "schema_diff.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <vector>

#include "db.h"

namespace emf {

namespace {

// What differs, one phrase each, with the kind of thing each is about, so
// that a long list reads in one line: "3 column types, 1 default differ".
class Differences {
 public:
  // kind: a singular noun ("column type", "check").
  void add(std::string_view kind, std::string phrase) {
    phrases_.push_back(std::move(phrase));
    auto found = std::find_if(counts_.begin(), counts_.end(),
                              [&](const auto& count) { return count.first == kind; });
    if (found == counts_.end()) {
      counts_.emplace_back(std::string(kind), 1);
    } else {
      ++found->second;
    }
  }
  bool empty() const { return phrases_.empty(); }
  std::string detail() const { return fmt::format("{}", fmt::join(phrases_, "; ")); }
  std::string summary() const {
    std::vector<std::string> parts;
    for (const auto& [kind, count] : counts_) {
      parts.push_back(count == 1 ? fmt::format("1 {}", kind) : fmt::format("{} {}s", count, kind));
    }
    return fmt::format("{} {}", fmt::join(parts, ", "),
                       phrases_.size() == 1 ? "differs" : "differ");
  }

 private:
  std::vector<std::string> phrases_;
  std::vector<std::pair<std::string, int>> counts_;  // in the order first seen
};

std::string_view describe_hidden(int hidden) {
  switch (hidden) {
    case 1:
      return "hidden";
    case 2:
      return "generated VIRTUAL";
    case 3:
      return "generated STORED";
    default:
      return "not generated";
  }
}

void compare_column(const Column& want, const Column& have, bool without_rowid_differs,
                    Differences& differences) {
  auto differ = [&](std::string_view kind, const std::string& what) {
    differences.add(kind, fmt::format("column {}: {}", want.name, what));
  };
  if (have.type != want.type) {
    differ("column type",
           fmt::format("type {}, expected {}", have.type.empty() ? "(none)" : have.type,
                       want.type.empty() ? "(none)" : want.type));
  }
  // A WITHOUT ROWID table's primary key is NOT NULL by itself: that
  // difference is the table's, reported once.
  if (have.not_null != want.not_null && !(without_rowid_differs && want.primary_key_position > 0)) {
    differ("NOT NULL constraint", want.not_null ? "NOT NULL expected" : "NOT NULL not expected");
  }
  if (have.default_value != want.default_value) {
    differ("default", fmt::format("default {}, expected {}", have.default_value.value_or("(none)"),
                                  want.default_value.value_or("(none)")));
  }
  if (have.collation != want.collation) {
    differ("collation", fmt::format("collate {}, expected {}", have.collation, want.collation));
  }
  if (have.hidden != want.hidden) {
    differ("generated column", fmt::format("{}, expected {}", describe_hidden(have.hidden),
                                           describe_hidden(want.hidden)));
  } else if (have.generated != want.generated) {
    differ("generated column",
           fmt::format("generated as ({}), expected ({})", have.generated, want.generated));
  }
}

void compare_columns(const SchemaObject& expected, const SchemaObject& live,
                     Differences& differences) {
  const bool without_rowid_differs = expected.without_rowid != live.without_rowid;
  for (const Column& want : expected.columns) {
    const Column* have = find_column(live.columns, want.name);
    if (have == nullptr) {
      differences.add("missing column", fmt::format("missing column {}", want.name));
      continue;
    }
    compare_column(want, *have, without_rowid_differs, differences);
  }
  for (const Column& have : live.columns) {
    if (find_column(expected.columns, have.name) == nullptr) {
      differences.add("extra column", fmt::format("extra column {}", have.name));
    }
  }
  std::vector<std::string> expected_order, live_order;
  for (const Column& column : expected.columns) expected_order.push_back(lower_name(column.name));
  for (const Column& column : live.columns) live_order.push_back(lower_name(column.name));
  std::vector<std::string> expected_sorted = expected_order, live_sorted = live_order;
  std::sort(expected_sorted.begin(), expected_sorted.end());
  std::sort(live_sorted.begin(), live_sorted.end());
  if (expected_sorted == live_sorted && expected_order != live_order) {
    differences.add("column order",
                    fmt::format("column order ({}), expected ({})", fmt::join(live_order, ", "),
                                fmt::join(expected_order, ", ")));
  }
}

void compare_keys(const SchemaObject& expected, const SchemaObject& live,
                  Differences& differences) {
  auto shown = [](const std::string& key) { return key.empty() ? "(none)" : "(" + key + ")"; };
  if (expected.primary_key != live.primary_key) {
    differences.add("primary key",
                    fmt::format("primary key {}, expected {}", shown(live.primary_key),
                                shown(expected.primary_key)));
  }
  if (expected.without_rowid == live.without_rowid && expected.rowid_alias != live.rowid_alias) {
    if (!expected.rowid_alias.empty()) {
      differences.add("primary key",
                      fmt::format("column {}: rowid alias expected", expected.rowid_alias));
    }
    if (!live.rowid_alias.empty()) {
      differences.add("primary key",
                      fmt::format("column {}: rowid alias not expected", live.rowid_alias));
    }
  }
  auto autoincrement = [](const SchemaObject& table) {
    return std::any_of(table.columns.begin(), table.columns.end(),
                       [](const Column& column) { return column.autoincrement; });
  };
  if (autoincrement(expected) != autoincrement(live)) {
    differences.add("AUTOINCREMENT setting", autoincrement(expected)
                                                 ? "AUTOINCREMENT expected"
                                                 : "AUTOINCREMENT not expected");
  }
}

// Phrases ("missing X", "extra Y") for the members of one set and not the
// other, each counted as a difference of that kind.
void compare_sets(std::string_view kind, const std::vector<std::string>& expected,
                  const std::vector<std::string>& live, Differences& differences) {
  for (const std::string& want : expected) {
    if (std::find(live.begin(), live.end(), want) == live.end()) {
      differences.add(kind, "missing " + want);
    }
  }
  for (const std::string& have : live) {
    if (std::find(expected.begin(), expected.end(), have) == expected.end()) {
      differences.add(kind, "extra " + have);
    }
  }
}

std::string references(const ForeignKey& key) {
  return fmt::format("FOREIGN KEY ({}) REFERENCES {} ({})", fmt::join(key.from_columns, ", "),
                     key.table, fmt::join(key.to_columns, ", "));
}

std::string describe_foreign_key(const ForeignKey& key) {
  std::string text = references(key) + " ON DELETE " + key.on_delete;
  if (key.on_update != "NO ACTION") text += " ON UPDATE " + key.on_update;
  return text;
}

// Foreign keys are matched by their columns and parent table; a matched one
// whose parent columns or actions differ is named with what differs.
void compare_foreign_keys(const SchemaObject& expected, const SchemaObject& live,
                          Differences& differences) {
  auto same_link = [](const ForeignKey& a, const ForeignKey& b) {
    return a.table == b.table && a.from_columns == b.from_columns;
  };
  std::vector<bool> matched(live.foreign_keys.size(), false);
  for (const ForeignKey& want : expected.foreign_keys) {
    std::size_t found = live.foreign_keys.size();
    for (std::size_t i = 0; i < live.foreign_keys.size(); ++i) {
      if (matched[i] || !same_link(want, live.foreign_keys[i])) continue;
      if (found == live.foreign_keys.size() || live.foreign_keys[i] == want) found = i;
    }
    if (found == live.foreign_keys.size()) {
      differences.add("foreign key", "missing " + describe_foreign_key(want));
      continue;
    }
    matched[found] = true;
    const ForeignKey& have = live.foreign_keys[found];
    if (have.to_columns != want.to_columns) {
      differences.add(
          "foreign key",
          fmt::format("FOREIGN KEY ({}) REFERENCES {} ({}), expected ({})",
                      fmt::join(want.from_columns, ", "), want.table,
                      fmt::join(have.to_columns, ", "), fmt::join(want.to_columns, ", ")));
    }
    if (have.on_delete != want.on_delete) {
      differences.add("foreign key", fmt::format("{}: ON DELETE {}, expected {}", references(want),
                                                 have.on_delete, want.on_delete));
    }
    if (have.on_update != want.on_update) {
      differences.add("foreign key", fmt::format("{}: ON UPDATE {}, expected {}", references(want),
                                                 have.on_update, want.on_update));
    }
  }
  for (std::size_t i = 0; i < live.foreign_keys.size(); ++i) {
    if (!matched[i])
      differences.add("foreign key", "extra " + describe_foreign_key(live.foreign_keys[i]));
  }
}

void compare_options(const SchemaObject& expected, const SchemaObject& live,
                     Differences& differences) {
  if (expected.strict != live.strict) {
    differences.add("table option", expected.strict ? "STRICT expected" : "STRICT not expected");
  }
  if (expected.without_rowid != live.without_rowid) {
    differences.add("table option", expected.without_rowid ? "WITHOUT ROWID expected"
                                                           : "WITHOUT ROWID not expected");
  }
}

Differences compare_tables(const SchemaObject& expected, const SchemaObject& live) {
  Differences differences;
  compare_columns(expected, live, differences);
  compare_keys(expected, live, differences);
  compare_sets("unique key", expected.unique_keys, live.unique_keys, differences);
  compare_foreign_keys(expected, live, differences);
  compare_sets("check", expected.checks, live.checks, differences);
  compare_options(expected, live, differences);
  return differences;
}

Differences compare_indexes(const SchemaObject& expected, const SchemaObject& live) {
  Differences differences;
  if (lower_name(expected.table) != lower_name(live.table)) {
    differences.add("table", fmt::format("on table {}, expected {}", live.table, expected.table));
  }
  if (expected.index_columns != live.index_columns) {
    differences.add("key",
                    fmt::format("columns ({}), expected ({})", fmt::join(live.index_columns, ", "),
                                fmt::join(expected.index_columns, ", ")));
  }
  if (expected.unique != live.unique) {
    differences.add("uniqueness", expected.unique ? "UNIQUE expected" : "UNIQUE not expected");
  }
  if (expected.where != live.where) {
    auto shown = [](const std::string& where) {
      return where.empty() ? std::string("no WHERE") : "WHERE " + where;
    };
    differences.add("partial-index condition",
                    fmt::format("{}, expected {}", shown(live.where), shown(expected.where)));
  }
  return differences;
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
  ObjectReport report{expected.type, expected.name, ObjectStatus::ok, {}, {}};
  if (live == nullptr) {
    report.status = ObjectStatus::missing;
    report.detail = fmt::format("no {} named {}", expected.type, expected.name);
    report.summary = report.detail;
    return report;
  }
  if (live->type != expected.type) {
    report.status = ObjectStatus::changed;
    report.detail = fmt::format("is a {}, expected a {}", live->type, expected.type);
    report.summary = report.detail;
    return report;
  }
  Differences differences;
  if (expected.type == "table") {
    differences = compare_tables(expected, *live);
  } else if (expected.type == "index") {
    differences = compare_indexes(expected, *live);
  } else if (expected.normalized_sql != live->normalized_sql) {
    const char* what = expected.type == "view" ? "query" : "body";
    differences.add(what,
                    fmt::format("{} differs: {}", what,
                                first_difference(expected.normalized_sql, live->normalized_sql)));
  }
  if (!differences.empty()) {
    report.status = ObjectStatus::changed;
    report.detail = differences.detail();
    report.summary = differences.summary();
  }
  return report;
}

}  // namespace emf
