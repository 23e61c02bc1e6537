// The virtual-table plumbing behind report tables; see report_table.h.
#include "report_table.h"

#include <new>

#include "error.h"

namespace emf {

namespace {

struct ReportVtab : sqlite3_vtab {
  sqlite3* db;
  const ReportTable* table;
};

struct ReportCursor : sqlite3_vtab_cursor {
  std::vector<ReportTable::Row> rows;
  std::size_t index = 0;
};

int set_error(sqlite3_vtab* vtab, const char* table_name, const char* message) {
  sqlite3_free(vtab->zErrMsg);
  vtab->zErrMsg = sqlite3_mprintf("%s: %s", table_name, message);
  return SQLITE_ERROR;
}

int connect(sqlite3* db, void* aux, int, const char* const*, sqlite3_vtab** out, char**) {
  const auto* table = static_cast<const ReportTable*>(aux);
  int rc = sqlite3_declare_vtab(db, table->declaration);
  if (rc != SQLITE_OK) return rc;
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  auto* vtab = new (std::nothrow) ReportVtab();
  if (vtab == nullptr) return SQLITE_NOMEM;
  vtab->db = db;
  vtab->table = table;
  *out = vtab;
  return SQLITE_OK;
}

int disconnect(sqlite3_vtab* vtab) {
  delete static_cast<ReportVtab*>(vtab);
  return SQLITE_OK;
}

// Arguments are equality constraints on the hidden columns. Bit i of idxNum
// says argument i was given; its value arrives in that order in xFilter.
int best_index(sqlite3_vtab* vtab, sqlite3_index_info* info) {
  const ReportTable& table = *static_cast<ReportVtab*>(vtab)->table;
  int constraint_for[32];
  for (int i = 0; i < table.argument_columns; ++i) constraint_for[i] = -1;
  for (int i = 0; i < info->nConstraint; ++i) {
    const auto& constraint = info->aConstraint[i];
    const int argument = constraint.iColumn - table.visible_columns;
    if (argument < 0 || argument >= table.argument_columns) continue;
    if (constraint.op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
    // An unusable constraint on an argument: ask SQLite for another plan.
    if (!constraint.usable) return SQLITE_CONSTRAINT;
    constraint_for[argument] = i;
  }
  int mask = 0;
  int next_argv = 1;
  for (int argument = 0; argument < table.argument_columns; ++argument) {
    if (constraint_for[argument] < 0) continue;
    mask |= 1 << argument;
    info->aConstraintUsage[constraint_for[argument]].argvIndex = next_argv++;
    info->aConstraintUsage[constraint_for[argument]].omit = 1;
  }
  info->idxNum = mask;
  info->estimatedCost = 1000;
  info->estimatedRows = 100;
  return SQLITE_OK;
}

int open_cursor(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  auto* cursor = new (std::nothrow) ReportCursor();
  if (cursor == nullptr) return SQLITE_NOMEM;
  *out = cursor;
  return SQLITE_OK;
}

int close_cursor(sqlite3_vtab_cursor* cursor) {
  delete static_cast<ReportCursor*>(cursor);
  return SQLITE_OK;
}

int filter(sqlite3_vtab_cursor* base, int mask, const char*, int argc, sqlite3_value** argv) {
  auto* cursor = static_cast<ReportCursor*>(base);
  auto* vtab = static_cast<ReportVtab*>(base->pVtab);
  const ReportTable& table = *vtab->table;
  try {
    std::vector<sqlite3_value*> values(static_cast<std::size_t>(table.argument_columns), nullptr);
    int next = 0;
    for (int argument = 0; argument < table.argument_columns && next < argc; ++argument) {
      if (mask & (1 << argument)) values[static_cast<std::size_t>(argument)] = argv[next++];
    }
    cursor->rows = table.produce(vtab->db, Arguments(vtab->db, std::move(values)));
    cursor->index = 0;
    return SQLITE_OK;
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  } catch (const Error& error) {
    set_error(vtab, table.name, error.what());
    return error.code();
  } catch (const std::exception& error) {
    return set_error(vtab, table.name, error.what());
  }
}

int next_row(sqlite3_vtab_cursor* base) {
  ++static_cast<ReportCursor*>(base)->index;
  return SQLITE_OK;
}

int at_end(sqlite3_vtab_cursor* base) {
  auto* cursor = static_cast<ReportCursor*>(base);
  return cursor->index >= cursor->rows.size();
}

int column(sqlite3_vtab_cursor* base, sqlite3_context* context, int index) {
  auto* cursor = static_cast<ReportCursor*>(base);
  const auto& row = cursor->rows[cursor->index];
  if (index < 0 || static_cast<std::size_t>(index) >= row.size()) {
    sqlite3_result_null(context);  // hidden argument columns read back as NULL
    return SQLITE_OK;
  }
  const ReportTable::Cell& cell = row[static_cast<std::size_t>(index)];
  if (const auto* number = std::get_if<std::int64_t>(&cell)) {
    sqlite3_result_int64(context, *number);
  } else if (const auto* text = std::get_if<std::string>(&cell)) {
    sqlite3_result_text(context, text->c_str(), static_cast<int>(text->size()), SQLITE_TRANSIENT);
  } else {
    sqlite3_result_null(context);
  }
  return SQLITE_OK;
}

int rowid(sqlite3_vtab_cursor* base, sqlite3_int64* out) {
  *out = static_cast<sqlite3_int64>(static_cast<ReportCursor*>(base)->index) + 1;
  return SQLITE_OK;
}

// Eponymous-only (no xCreate) and read-only (no xUpdate).
const sqlite3_module kReportModule = {
    /* iVersion */ 0,
    /* xCreate */ nullptr,
    /* xConnect */ connect,
    /* xBestIndex */ best_index,
    /* xDisconnect */ disconnect,
    /* xDestroy */ nullptr,
    /* xOpen */ open_cursor,
    /* xClose */ close_cursor,
    /* xFilter */ filter,
    /* xNext */ next_row,
    /* xEof */ at_end,
    /* xColumn */ column,
    /* xRowid */ rowid,
    /* xUpdate */ nullptr,
    /* xBegin */ nullptr,
    /* xSync */ nullptr,
    /* xCommit */ nullptr,
    /* xRollback */ nullptr,
    /* xFindFunction */ nullptr,
    /* xRename */ nullptr,
    /* xSavepoint */ nullptr,
    /* xRelease */ nullptr,
    /* xRollbackTo */ nullptr,
    /* xShadowName */ nullptr,
};

}  // namespace

int register_report_table(sqlite3* db, const ReportTable& table) {
  return sqlite3_create_module_v2(db, table.name, &kReportModule, const_cast<ReportTable*>(&table),
                                  nullptr);
}

}  // namespace emf
