// Reads a schema into a SchemaSnapshot; see schema_snapshot.h.
#include "schema_snapshot.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>

#include "db.h"
#include "sql_text.h"

namespace emf {

namespace {

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

std::vector<Column> read_columns(sqlite3* db, std::string_view schema, const std::string& table) {
  Statement statement(db,
                      "SELECT name, type, \"notnull\", dflt_value, pk, hidden "
                      "FROM pragma_table_xinfo(?1, ?2) ORDER BY cid");
  statement.bind_text(1, table).bind_text(2, schema);
  std::vector<Column> columns;
  while (statement.step()) {
    Column column;
    column.name = statement.column_text(0);
    column.type = upper(statement.column_text(1));
    column.not_null = statement.column_int(2) != 0;
    if (auto value = statement.column_optional_text(3))
      column.default_value = normalize_sql(*value);
    column.primary_key_position = static_cast<int>(statement.column_int(4));
    column.hidden = static_cast<int>(statement.column_int(5));
    columns.push_back(std::move(column));
  }
  return columns;
}

std::vector<ForeignKey> read_foreign_keys(sqlite3* db, std::string_view schema,
                                          const std::string& table) {
  Statement statement(db,
                      "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete "
                      "FROM pragma_foreign_key_list(?1, ?2) ORDER BY id, seq");
  statement.bind_text(1, table).bind_text(2, schema);
  std::map<std::int64_t, ForeignKey> by_id;
  while (statement.step()) {
    ForeignKey& key = by_id[statement.column_int(0)];
    key.table = lower_name(statement.column_text(1));
    key.from_columns.push_back(lower_name(statement.column_text(2)));
    key.to_columns.push_back(lower_name(statement.column_text(3)));
    key.on_update = upper(statement.column_text(4));
    key.on_delete = upper(statement.column_text(5));
  }
  std::vector<ForeignKey> keys;
  for (auto& [id, key] : by_id) keys.push_back(std::move(key));
  // pragma ids follow declaration order; compare as a set.
  std::sort(keys.begin(), keys.end(), [](const ForeignKey& a, const ForeignKey& b) {
    return std::tie(a.table, a.from_columns) < std::tie(b.table, b.from_columns);
  });
  return keys;
}

// The column lists of UNIQUE and PRIMARY KEY constraints, matched by content
// rather than by their sqlite_autoindex_* names, which depend on order.
std::vector<std::string> read_unique_keys(sqlite3* db, std::string_view schema,
                                          const std::string& table) {
  Statement indexes(db,
                    "SELECT name, origin FROM pragma_index_list(?1, ?2) "
                    "WHERE origin IN ('u', 'pk')");
  indexes.bind_text(1, table).bind_text(2, schema);
  std::vector<std::string> keys;
  while (indexes.step()) {
    const std::string index_name = indexes.column_text(0);
    const std::string origin = indexes.column_text(1);
    Statement columns(db, "SELECT name FROM pragma_index_info(?1, ?2) ORDER BY seqno");
    columns.bind_text(1, index_name).bind_text(2, schema);
    std::string key = origin == "pk" ? "PRIMARY KEY (" : "UNIQUE (";
    bool first = true;
    while (columns.step()) {
      if (!first) key += ", ";
      key += lower_name(columns.column_text(0));
      first = false;
    }
    keys.push_back(key + ")");
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

// An index's key columns as they read in CREATE INDEX, and whether it is
// unique.
void read_index(sqlite3* db, std::string_view schema, SchemaObject& index) {
  Statement columns(db,
                    "SELECT coalesce(name, '<expression>'), \"desc\", coll FROM "
                    "pragma_index_xinfo(?1, ?2) WHERE key = 1 ORDER BY seqno");
  columns.bind_text(1, index.name).bind_text(2, schema);
  while (columns.step()) {
    std::string column = lower_name(columns.column_text(0));
    if (columns.column_int(1) != 0) column += " DESC";
    const std::string collation = upper(columns.column_text(2));
    if (collation != "BINARY") column += " COLLATE " + collation;
    index.index_columns.push_back(std::move(column));
  }
  Statement list(db, "SELECT \"unique\" FROM pragma_index_list(?1, ?2) WHERE name = ?3");
  list.bind_text(1, index.table).bind_text(2, schema).bind_text(3, index.name);
  index.unique = list.step() && list.column_int(0) != 0;
}

}  // namespace

const SchemaObject* SchemaSnapshot::find(std::string_view name) const {
  const std::string wanted = lower_name(name);
  for (const SchemaObject& object : objects) {
    if (lower_name(object.name) == wanted) return &object;
  }
  return nullptr;
}

SchemaSnapshot read_schema(sqlite3* db, std::string_view schema) {
  SchemaSnapshot snapshot;
  Statement statement(db, "SELECT type, name, tbl_name, sql FROM " + quote_identifier(schema) +
                              ".sqlite_schema WHERE sql IS NOT NULL "
                              "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid");
  while (statement.step()) {
    SchemaObject object;
    object.type = statement.column_text(0);
    object.name = statement.column_text(1);
    object.table = statement.column_text(2);
    object.sql = statement.column_text(3);
    object.normalized_sql = normalize_sql(object.sql);
    snapshot.objects.push_back(std::move(object));
  }
  for (SchemaObject& object : snapshot.objects) {
    if (object.type == "index") read_index(db, schema, object);
    if (object.type != "table") continue;
    object.columns = read_columns(db, schema, object.name);
    object.foreign_keys = read_foreign_keys(db, schema, object.name);
    object.unique_keys = read_unique_keys(db, schema, object.name);
  }
  return snapshot;
}

}  // namespace emf
