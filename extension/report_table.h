// Table-valued functions whose rows are a report computed from their
// arguments, such as
//
//   SELECT name, status, detail FROM emf_objects('trends') WHERE status <> 'ok';
//
// Each is an eponymous-only virtual table: its arguments are hidden columns,
// constrained by equality; the rows are computed once per scan.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "arguments.h"
#include "sqlite_api.h"

namespace emf {

struct ReportTable {
  using Cell = std::variant<std::nullptr_t, std::int64_t, std::string>;
  using Row = std::vector<Cell>;

  // A row whose cells are made in place. Not Row{a, b, ...}: that copies
  // each cell out of an initializer list, and libstdc++ 12's variant, when
  // the copy of a string runs out of memory, destroys an alternative it
  // never built (undefined behaviour, found by the out-of-memory walk).
  template <typename... Values>
  static Row row(Values&&... values) {
    Row cells;
    cells.reserve(sizeof...(values));
    (cells.emplace_back(std::forward<Values>(values)), ...);
    return cells;
  }
  using Producer = std::vector<Row> (*)(sqlite3* db, const Arguments& arguments);

  const char* name;  // also the prefix of its error messages
  // The visible columns, then the hidden argument columns, as
  // "CREATE TABLE x(a, b, arg HIDDEN, schema HIDDEN)".
  const char* declaration;
  int visible_columns;
  int argument_columns;
  Producer produce;
};

// Registers the table as a read-only, innocuous module on db.
int register_report_table(sqlite3* db, const ReportTable& table);

}  // namespace emf
