// What a CREATE TABLE or CREATE INDEX says that the pragmas do not show: a
// table's CHECK constraints and generated-column expressions (and, for a
// SQLite built without SQLITE_ENABLE_COLUMN_METADATA, each column's COLLATE
// and AUTOINCREMENT); an index's key expressions and partial-index WHERE.
// Parsed from the stored SQL with the tokenizer, each expression normalised
// for comparison (normalize_expression).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace emf {

struct TableDefinition {
  std::vector<std::string> columns;               // in declaration order, lower case
  std::map<std::string, std::string> column_sql;  // column -> its definition, as written
  // "check(x > 0)", column and table level, constraint names left out, sorted.
  std::vector<std::string> checks;
  std::map<std::string, std::string> collate;    // column -> collation, lower case, where declared
  std::map<std::string, std::string> generated;  // column -> its expression, normalised
  std::string autoincrement_column;              // lower case; empty without AUTOINCREMENT
};

TableDefinition parse_table_definition(std::string_view create_table_sql);

struct IndexDefinition {
  // Each key as an expression, normalised: "topic", "lower(topic)" (no
  // COLLATE, ASC or DESC: pragma_index_xinfo shows those).
  std::vector<std::string> keys;
  std::string where;  // the WHERE condition of a partial index, normalised
};

IndexDefinition parse_index_definition(std::string_view create_index_sql);

}  // namespace emf
