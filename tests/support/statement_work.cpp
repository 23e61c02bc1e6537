#include "support/statement_work.h"

#include <sqlite3.h>

namespace emf::test {
namespace {

int add_profiled(unsigned type, void* context, void* statement, void*) {
  if (type == SQLITE_TRACE_PROFILE) {
    auto* work = static_cast<StatementWork*>(context);
    auto* stmt = static_cast<sqlite3_stmt*>(statement);
    ++work->statements;
    work->vm_steps += sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_VM_STEP, 0);
    work->full_scan_steps += sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0);
  }
  return 0;
}

}  // namespace

StatementWork work_of(Db& db, const std::string& sql) {
  StatementWork work;
  sqlite3_trace_v2(db.get(), SQLITE_TRACE_PROFILE, add_profiled, &work);
  try {
    db.exec(sql);
  } catch (...) {
    sqlite3_trace_v2(db.get(), 0, nullptr, nullptr);
    throw;
  }
  sqlite3_trace_v2(db.get(), 0, nullptr, nullptr);
  return work;
}

}  // namespace emf::test
