// What a CREATE TABLE says that the pragmas do not show: its CHECK
// constraints, each column's COLLATE, AUTOINCREMENT, the column order, and
// the table options (WITHOUT ROWID, STRICT). Parsed from the stored SQL with
// the tokenizer, each CHECK normalised for comparison.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace emf {

struct TableDefinition {
  std::vector<std::string> columns;               // in declaration order, lower case
  std::map<std::string, std::string> column_sql;  // column -> its definition, as written
  std::vector<std::string> checks;                // "check(x > 0)", column and table level, sorted
  std::map<std::string, std::string> collate;     // column -> collation, where declared
  bool autoincrement = false;
  std::vector<std::string> options;  // "without rowid", "strict"
};

TableDefinition parse_table_definition(std::string_view create_table_sql);

// What differs, one phrase each ("missing CHECK (x > 0)", ...).
std::vector<std::string> compare_table_definitions(const TableDefinition& expected,
                                                   const TableDefinition& live);

}  // namespace emf
