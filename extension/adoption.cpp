// Adoption; see adoption.h.
#include "adoption.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "db.h"
#include "expected_schema.h"
#include "history.h"
#include "migrations.h"
#include "rebuild.h"
#include "sql_text.h"

namespace emf {

namespace {

std::vector<std::string> view_columns(sqlite3* db, std::string_view schema, std::string_view view) {
  Statement statement(db, "SELECT name FROM pragma_table_info(?1, ?2) ORDER BY cid");
  statement.bind_text(1, view).bind_text(2, schema);
  std::vector<std::string> columns;
  while (statement.step()) columns.push_back(lower_name(statement.column_text(0)));
  return columns;
}

// What keeps a schema with the kind's objects but no history (made by
// another tool, such as the old Python script) from being adopted: a table or
// column of version 1 that it lacks. Empty when it can be adopted.
std::vector<std::string> adoption_blockers(const SchemaSnapshot& live, Kind kind) {
  std::vector<std::string> blockers;
  for (const SchemaObject& table : expected_schema(kind, 1).objects) {
    if (table.type != "table") {
      // emf replaces its index, trigger or view, but never a table of yours.
      const SchemaObject* have = live.find(table.name);
      if (have != nullptr && have->type == "table") {
        blockers.push_back(fmt::format("{} is a table, expected a {}", table.name, table.type));
      }
      continue;
    }
    const SchemaObject* have = live.find(table.name);
    if (have == nullptr) {
      blockers.push_back(fmt::format("missing table {}", table.name));
      continue;
    }
    if (have->type != "table") {
      blockers.push_back(fmt::format("{} is a {}, expected a table", table.name, have->type));
      continue;
    }
    for (const Column& column : table.columns) {
      if (find_column(have->columns, column.name) == nullptr)
        blockers.push_back(fmt::format("missing column {}.{}", table.name, column.name));
    }
  }
  return blockers;
}

}  // namespace

bool holds_baseline_objects(const SchemaSnapshot& live, Kind kind) {
  const auto& objects = expected_schema(kind, 1).objects;
  return std::any_of(objects.begin(), objects.end(),
                     [&](const SchemaObject& object) { return live.find(object.name) != nullptr; });
}

void refuse_unless_adoptable(const SchemaSnapshot& live, Kind kind, std::string_view schema) {
  const std::vector<std::string> blockers = adoption_blockers(live, kind);
  if (!blockers.empty()) {
    throw Error(fmt::format(
        "schema {} holds {} objects that emf did not create, and cannot adopt them: {}; add what "
        "is missing, or move those objects away",
        schema, kind_name(kind), fmt::join(blockers, "; ")));
  }
}

// The statements that adopt a schema holding the kind's version-1 tables:
// its indexes, triggers and views with emf's names are replaced by emf's own
// (they hold no data); its tables, and their rows, stay as they are.
std::vector<std::string> adoption_statements(const SchemaSnapshot& live, Kind kind,
                                             std::string_view schema) {
  const SchemaSnapshot& baseline = expected_schema(kind, 1);
  std::vector<std::string> statements;
  for (const SchemaObject& object : baseline.objects) {
    if (object.type == "table") continue;
    if (const SchemaObject* existing = live.find(object.name);
        existing && existing->type != "table") {
      statements.push_back(fmt::format("DROP {} IF EXISTS {}.{}",
                                       existing->type == "index"     ? "INDEX"
                                       : existing->type == "trigger" ? "TRIGGER"
                                                                     : "VIEW",
                                       quote_identifier(schema), quote_identifier(existing->name)));
    }
  }
  for (std::string_view statement : split_statements(migrations(kind).front().sql)) {
    const std::optional<std::string> name = statement_object_name(statement);
    const SchemaObject* object = name ? baseline.find(*name) : nullptr;
    if (object != nullptr && object->type == "table") continue;
    statements.push_back(statement_in_schema(statement, schema));
  }
  return statements;
}

Adoption adopt(sqlite3* db, std::string_view schema, Kind kind) {
  Adoption adoption;
  const SchemaSnapshot live = read_schema(db, schema);
  if (!holds_baseline_objects(live, kind)) return adoption;
  refuse_unless_adoptable(live, kind, schema);
  for (const SchemaObject& object : expected_schema(kind, 1).objects) {
    const SchemaObject* existing = live.find(object.name);
    if (object.type == "view" && existing != nullptr && existing->type == "view") {
      adoption.replaced_view_columns[existing->name] = view_columns(db, schema, existing->name);
    }
  }
  // Replacing a view drops the triggers on it: the user's come back on
  // emf's view, as the user's other views and triggers do.
  Rebuild replacing(db, std::string(schema));
  replacing.set_aside();
  for (const std::string& statement : adoption_statements(live, kind, schema)) exec(db, statement);
  replacing.finish();
  record_migration(db, schema, migrations(kind).front(), 0);
  adoption.adopted = true;
  return adoption;
}

void refuse_lost_view_columns(sqlite3* db, std::string_view schema, const Adoption& adoption) {
  std::vector<std::string> lost;
  for (const auto& [view, before] : adoption.replaced_view_columns) {
    const std::vector<std::string> now = view_columns(db, schema, view);
    for (const std::string& column : before) {
      if (std::find(now.begin(), now.end(), column) == now.end()) {
        lost.push_back(fmt::format("{}.{}", view, column));
      }
    }
  }
  if (!lost.empty()) {
    throw Error(fmt::format(
        "emf's views would replace yours without these columns, which your queries may use: {}; "
        "rename your view (emf then leaves it alone) and run emf_init again (nothing was changed)",
        fmt::join(lost, ", ")));
  }
}

}  // namespace emf
