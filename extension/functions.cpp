// The SQL functions of emf, in one table, registered by one loop:
//
//   SELECT emf_init('trends');            -- create or upgrade, all or nothing
//   SELECT emf_check();                   -- read-only report, as JSON
//   SELECT emf_seed('metrics', 1000, 42); -- synthetic rows, deterministic
//   SELECT * FROM emf_objects('image_library') WHERE status <> 'ok';
//
// Every scalar function here goes through call_function(), which turns a C++
// exception into a SQLite error prefixed with the function's name; no
// exception ever crosses into SQLite.
#include "functions.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "arguments.h"
#include "backup.h"
#include "check.h"
#include "db.h"
#include "error.h"
#include "failure_cause.h"
#include "history.h"
#include "installer.h"
#include "json.h"
#include "repair.h"
#include "report_table.h"
#include "restore.h"
#include "seed.h"
#include "synthetic_data.h"
#include "version.h"

namespace emf {

namespace {

using Implementation = std::string (*)(sqlite3* db, const Arguments& arguments);

struct FunctionSpec {
  const char* name;
  int min_arguments;
  int max_arguments;
  int flags;
  Implementation implementation;
};

// Pure: same result for the same arguments, harmless anywhere.
constexpr int kPure = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
// Reads the database only; not deterministic (the database changes).
constexpr int kReads = SQLITE_UTF8;
// Writes a database or a file: never callable from a view, trigger or
// schema, whatever the connection's trusted_schema says.
constexpr int kWrites = SQLITE_UTF8 | SQLITE_DIRECTONLY;

std::string version_function(sqlite3*, const Arguments&) {
  return EMF_VERSION;
}

std::string debug_function(sqlite3* db, const Arguments&) {
#ifdef SQLITE_CORE
  constexpr const char* kBuild = "core";
#else
  constexpr const char* kBuild = "loadable extension";
#endif
  return json::object(db, {{"version", EMF_VERSION},
                           {"build", kBuild},
                           {"sqlite_compiled", SQLITE_VERSION},
                           {"sqlite_runtime", sqlite3_libversion()},
                           {"compiler", __VERSION__}});
}

std::string init_function(sqlite3* db, const Arguments& arguments) {
  const Kind kind = *arguments.kind(0);
  return init_report_json(db, init_kind(db, kind, arguments.schema(1)));
}

std::string plan_function(sqlite3* db, const Arguments& arguments) {
  const Kind kind = *arguments.kind(0);
  return install_plan_json(db, plan_install(db, kind, arguments.schema(1)));
}

std::string check_function(sqlite3* db, const Arguments& arguments) {
  const std::optional<Kind> kind = arguments.kind(0, /*null_means_all=*/true);
  return check_report_json(db, check_schema(db, arguments.schema(1), kind));
}

std::string seed_function(sqlite3* db, const Arguments& arguments) {
  const Kind kind = *arguments.kind(0);
  if (!arguments.given(1)) return seed_report_json(db, seed_sample(db, kind));
  const std::int64_t rows = arguments.integer(1, "rows", 0, kMaxSeedRows);
  const std::int64_t random_seed =
      arguments.given(2) ? arguments.integer(2, "random_seed", INT64_MIN, INT64_MAX) : 0;
  return seed_report_json(db, seed_synthetic(db, kind, rows, random_seed));
}

std::string reset_function(sqlite3* db, const Arguments& arguments) {
  const Kind kind = *arguments.kind(0);
  return init_report_json(db, reset_kind(db, kind, arguments.schema(1)));
}

std::string repair_function(sqlite3* db, const Arguments& arguments) {
  const Kind kind = *arguments.kind(0);
  return repair_report_json(db, repair_kind(db, kind, arguments.schema(1)));
}

std::string backup_function(sqlite3* db, const Arguments& arguments) {
  const std::string path = arguments.text(0, "path", "the path of a file that does not exist yet");
  return backup_report_json(db, backup_schema(db, arguments.schema(1), path));
}

// An optional path: NULL or left out means none.
std::optional<std::string> optional_path(const Arguments& arguments, std::size_t index,
                                         std::string_view name) {
  if (!arguments.given(index) || arguments.is_null(index)) return std::nullopt;
  return arguments.text(index, name, "the path of a file that does not exist yet, or NULL");
}

std::string restore_function(sqlite3* db, const Arguments& arguments) {
  const std::string path = arguments.text(0, "path", "the path of a backup file");
  return restore_report_json(db, restore_schema(db, arguments.schema(1), path,
                                                optional_path(arguments, 2, "save_current_to")));
}

std::string optimize_function(sqlite3* db, const Arguments& arguments) {
  const Kind kind = *arguments.kind(0);
  return optimize_report_json(db, optimize_schema(db, arguments.schema(1), kind,
                                                  optional_path(arguments, 2, "save_current_to")));
}

constexpr FunctionSpec kFunctions[] = {
    {"emf_version", 0, 0, kPure, version_function},
    {"emf_debug", 0, 0, kPure, debug_function},
    {"emf_init", 1, 2, kWrites, init_function},
    {"emf_check", 0, 2, kReads, check_function},
    {"emf_plan", 1, 2, kReads, plan_function},
    {"emf_seed", 1, 3, kWrites, seed_function},
    {"emf_reset", 1, 2, kWrites, reset_function},
    {"emf_repair", 1, 2, kWrites, repair_function},
    {"emf_backup", 1, 2, kWrites, backup_function},
    {"emf_restore", 1, 3, kWrites, restore_function},
    {"emf_optimize", 1, 3, kWrites, optimize_function},
};

// Runs the implementation; a call that found the database busy is run
// again, for up to busy_patience(db) (see db.h for the waits SQLite reports at
// once). Every function is all or nothing (read-only, or one transaction
// rolled back on failure), so a retry starts from a clean slate.
std::string run_with_patience(const FunctionSpec& spec, sqlite3* db, const Arguments& arguments) {
  return with_patience(db, [&] { return spec.implementation(db, arguments); });
}

// A function that writes runs once per statement: called for each row of a
// table it writes to, it would see its own rows and never end (SELECT
// emf_seed('trends', 1) FROM trending_topics). SQLite keeps a call's
// auxiliary data for a constant argument while the statement runs: the mark
// of the first call is still there at the second.
bool called_before_in_this_statement(sqlite3_context* context, int argc) {
  static char mark;
  if (argc == 0) return false;
  if (sqlite3_get_auxdata(context, 0) == &mark) return true;
  sqlite3_set_auxdata(context, 0, &mark, nullptr);
  return false;
}

// Sets the call's error; when even the message cannot be built, the error is
// SQLITE_NOMEM (nothing may throw from here into SQLite).
void set_error(sqlite3_context* context, const char* name, const char* what, int code) noexcept {
  try {
    const std::string message = fmt::format("{}: {}", name, what);
    sqlite3_result_error(context, message.c_str(), -1);
    if (code != SQLITE_OK) sqlite3_result_error_code(context, code);
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(context);
  }
}

void call_function(sqlite3_context* context, int argc, sqlite3_value** argv) {
  const auto* spec = static_cast<const FunctionSpec*>(sqlite3_user_data(context));
  sqlite3* db = sqlite3_context_db_handle(context);
  const bool outside_transaction = sqlite3_get_autocommit(db) != 0;
  bool failed = true;
  try {
    if ((spec->flags & SQLITE_DIRECTONLY) != 0 && called_before_in_this_statement(context, argc)) {
      const std::string message = fmt::format(
          "{}: called more than once in one statement (once for each row of a query?); it "
          "writes, so call it once, in a SELECT of its own: SELECT {}(...)",
          spec->name, spec->name);
      sqlite3_result_error(context, message.c_str(), -1);
      return;
    }
    const std::string result =
        run_with_patience(*spec, db, Arguments(db, std::vector<sqlite3_value*>(argv, argv + argc)));
    sqlite3_result_text(context, result.c_str(), static_cast<int>(result.size()), SQLITE_TRANSIENT);
    failed = false;
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(context);
  } catch (const Error& error) {
    // SQLite's "database is locked" says what happened, not what to do; a
    // cause already found (a -shm that cannot be written) says both.
    try {
      std::string what = error.what();
      const std::string advice = advice_for_sql(db, error.code());
      if (!advice.empty() && failure_cause(db, error.code()).empty()) what += "; " + advice;
      set_error(context, spec->name, what.c_str(), error.code());
    } catch (const std::exception&) {
      // Out of memory while adding the advice: the error itself still stands.
      set_error(context, spec->name, error.what(), error.code());
    }
  } catch (const std::exception& error) {
    set_error(context, spec->name, error.what(), SQLITE_OK);
  }
  // Once an allocation of SQLite's has failed, SQLite refuses every further
  // statement on the connection until the caller's statement ends, the
  // ROLLBACK of emf's own transaction included: that transaction is then
  // still open. The caller learns it the way SQLite tells of any statement
  // that ran out of memory, SQLITE_NOMEM, after which SQLite asks the
  // caller to ROLLBACK (https://sqlite.org/lang_transaction.html); an
  // emf error code with an "out of memory" message would not say so.
  if (failed && outside_transaction && sqlite3_get_autocommit(db) == 0) {
    sqlite3_result_error_code(context, SQLITE_NOMEM);
  }
}

std::vector<ReportTable::Row> object_rows(sqlite3* db, const Arguments& arguments) {
  const std::optional<Kind> kind = arguments.kind(0, /*null_means_all=*/true);
  const CheckReport report = check_schema(db, arguments.schema(1), kind);
  std::vector<ReportTable::Row> rows;
  for (const KindStatus& status : report.kinds) {
    for (const ObjectReport& object : status.objects) {
      rows.push_back(ReportTable::row(
          std::string(kind_name(status.kind)), object.type, object.name,
          std::string(status_name(object.status)),
          object.detail.empty() ? ReportTable::Cell(nullptr) : ReportTable::Cell(object.detail)));
    }
  }
  return rows;
}

std::vector<ReportTable::Row> migration_rows(sqlite3* db, const Arguments& arguments) {
  const Kind kind = *arguments.kind(0);
  const std::string schema = arguments.schema(1);
  std::vector<ReportTable::Row> rows;
  for (const MigrationStatus& migration :
       migration_statuses(read_history(db, schema, kind), kind)) {
    const char* status = migration.state == MigrationStatus::State::pending    ? "pending"
                         : migration.state == MigrationStatus::State::modified ? "modified"
                         : migration.state == MigrationStatus::State::newer    ? "newer"
                                                                               : "applied";
    rows.push_back(ReportTable::row(std::int64_t{migration.version}, migration.name,
                                    migration.checksum,
                                    migration.applied_at ? ReportTable::Cell(*migration.applied_at)
                                                         : ReportTable::Cell(nullptr),
                                    std::string(status)));
  }
  return rows;
}

constexpr ReportTable kReportTables[] = {
    {"emf_objects", "CREATE TABLE x(kind, type, name, status, detail, arg HIDDEN, schema HIDDEN)",
     5, 2, object_rows},
    {"emf_migrations",
     "CREATE TABLE x(version, name, checksum, applied_at, status, arg HIDDEN, schema HIDDEN)", 5, 2,
     migration_rows},
};

}  // namespace

int register_functions(sqlite3* db, char** error) {
  for (const FunctionSpec& spec : kFunctions) {
    for (int count = spec.min_arguments; count <= spec.max_arguments; ++count) {
      const int rc = sqlite3_create_function_v2(db, spec.name, count, spec.flags,
                                                const_cast<FunctionSpec*>(&spec), call_function,
                                                nullptr, nullptr, nullptr);
      if (rc != SQLITE_OK) {
        *error =
            sqlite3_mprintf("emf: cannot register %s/%d: %s", spec.name, count, sqlite3_errmsg(db));
        return rc;
      }
    }
  }
  if (const int rc = register_random_function(db, error); rc != SQLITE_OK) return rc;
  for (const ReportTable& table : kReportTables) {
    const int rc = register_report_table(db, table);
    if (rc != SQLITE_OK) {
      *error = sqlite3_mprintf("emf: cannot register %s: %s", table.name, sqlite3_errmsg(db));
      return rc;
    }
  }
  return SQLITE_OK;
}

}  // namespace emf
