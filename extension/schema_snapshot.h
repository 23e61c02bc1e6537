// What a schema holds, read the same way from the live database and from the
// private in-memory database that the migrations build: sqlite_schema for the
// objects and their SQL, and SQLite's own introspection for what a table's
// text spells in many equivalent ways (pragma_table_xinfo, pragma_index_list,
// pragma_index_xinfo, pragma_foreign_key_list, pragma_table_list and
// sqlite3_table_column_metadata). Only what no pragma shows is taken from the
// SQL text, normalised: CHECK constraints, generated-column expressions and
// index key expressions and WHERE clauses. Everything read is schema: the
// cost does not grow with the rows of a table.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sqlite_api.h"

namespace emf {

struct Column {
  std::string name;
  std::string type;  // declared type, upper case, normalised (normalize_type)
  bool not_null = false;
  std::optional<std::string> default_value;  // normalised (normalize_default)
  int primary_key_position = 0;              // 0: not part of the primary key
  int hidden = 0;                            // pragma_table_xinfo's "hidden"
  std::string collation = "binary";          // lower case
  bool autoincrement = false;
  std::string generated;  // a generated column's expression, normalised; else empty
  bool operator==(const Column&) const = default;
};

struct ForeignKey {
  std::string table;  // referenced table, lower case
  std::vector<std::string> from_columns;
  std::vector<std::string> to_columns;  // the parent's primary key when the SQL names none
  std::string on_update;
  std::string on_delete;
  bool operator==(const ForeignKey&) const = default;
};

struct SchemaObject {
  std::string type;   // table, index, trigger or view
  std::string name;   // as stored
  std::string table;  // tbl_name: the table an index or trigger belongs to
  std::string sql;    // as stored
  std::string normalized_sql;
  // Tables only:
  std::vector<Column> columns;  // in declaration order
  std::vector<ForeignKey> foreign_keys;
  // "UNIQUE (a, b)" for each UNIQUE constraint, sorted; a key column's
  // COLLATE or DESC shown only where it is not the column's own.
  std::vector<std::string> unique_keys;
  std::string primary_key;  // "a, b DESC"; empty without one
  std::string rowid_alias;  // the INTEGER PRIMARY KEY column of a rowid table, lower case
  bool strict = false;
  bool without_rowid = false;
  std::vector<std::string> checks;  // "check(x > 0)", normalised, sorted
  // Indexes only:
  std::vector<std::string> index_columns;  // "timestamp DESC", "lower(topic) COLLATE nocase"
  bool unique = false;
  std::string where;  // a partial index's condition, normalised; else empty
};

struct SchemaSnapshot {
  std::vector<SchemaObject> objects;  // in creation order

  // Case-insensitive, as SQLite resolves names.
  const SchemaObject* find(std::string_view name) const;
};

// The column of that name (case-insensitive, as SQLite resolves names), or
// null.
const Column* find_column(const std::vector<Column>& columns, std::string_view name);

// Every object of the schema except SQLite's own (sqlite_*).
SchemaSnapshot read_schema(sqlite3* db, std::string_view schema);
// Only one table and what belongs to it (its indexes and triggers): what a
// rebuild needs, at a fraction of the cost of the whole schema.
SchemaSnapshot read_schema(sqlite3* db, std::string_view schema,
                           std::optional<std::string_view> table);

// True when this SQLite has sqlite3_table_column_metadata (built with
// SQLITE_ENABLE_COLUMN_METADATA); without it, each column's COLLATE and
// AUTOINCREMENT are parsed from the table's SQL.
bool has_column_metadata();

}  // namespace emf
