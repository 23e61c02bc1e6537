// What a schema holds, read the same way from the live database and from the
// private in-memory database that the migrations build: sqlite_schema for the
// objects and their SQL, and the pragmas for what a table's text spells in
// many equivalent ways (columns, foreign keys, unique keys).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sqlite_api.h"

namespace emf {

struct Column {
  std::string name;
  std::string type;  // declared type, upper case
  bool not_null = false;
  std::optional<std::string> default_value;  // as SQLite stores it, normalised
  int primary_key_position = 0;              // 0: not part of the primary key
  int hidden = 0;                            // pragma_table_xinfo's "hidden"
  bool operator==(const Column&) const = default;
};

struct ForeignKey {
  std::string table;  // referenced table, lower case
  std::vector<std::string> from_columns;
  std::vector<std::string> to_columns;
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
  std::vector<Column> columns;
  std::vector<ForeignKey> foreign_keys;
  std::vector<std::string> unique_keys;  // "a, b" for each UNIQUE or PRIMARY KEY index
  // Indexes only:
  std::vector<std::string> index_columns;  // "timestamp DESC", "topic COLLATE nocase"
  bool unique = false;
};

struct SchemaSnapshot {
  std::vector<SchemaObject> objects;  // in creation order

  // Case-insensitive, as SQLite resolves names.
  const SchemaObject* find(std::string_view name) const;
};

// Every object of the schema except SQLite's own (sqlite_*).
SchemaSnapshot read_schema(sqlite3* db, std::string_view schema);

}  // namespace emf
