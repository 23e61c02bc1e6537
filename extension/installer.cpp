// emf_init() and emf_reset(); see installer.h.
#include "installer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "adoption.h"
#include "db.h"
#include "dqlite.h"
#include "expected_schema.h"
#include "history.h"
#include "json.h"
#include "migrations.h"
#include "rebuild.h"
#include "sql_text.h"

namespace emf {

namespace {

// WAL and foreign keys can only change outside a transaction. Inside the
// caller's, say what stayed as it was instead of passing over it.
void enable_foreign_keys(sqlite3* db, std::vector<std::string>& warnings) {
  if (foreign_keys_enabled(db)) return;
  if (sqlite3_get_autocommit(db)) exec(db, "PRAGMA foreign_keys = ON");
  if (!foreign_keys_enabled(db)) {
    warnings.push_back(
        "foreign_keys stays off: SQLite cannot turn it on inside a transaction; run "
        "PRAGMA foreign_keys = ON outside one");
  }
}

// Switched once the schema work has committed, so that a call refused on the
// way leaves the file exactly as it was.
// Never inside dqlite: its databases are in WAL mode from the start, and a
// journal_mode PRAGMA that changes the mode crashes its leader, so none is
// issued there at all.
void switch_to_wal(sqlite3* db, std::string_view schema, std::vector<std::string>& warnings) {
  if (is_dqlite(db, schema)) return;
  if (!is_file_schema(db, schema) || journal_mode(db, schema) == "wal") return;
  if (!sqlite3_get_autocommit(db)) {
    warnings.push_back(
        fmt::format("journal_mode stays '{}': SQLite cannot switch to WAL inside a transaction; "
                    "call emf_init outside one to switch",
                    journal_mode(db, schema)));
    return;
  }
  // While another process has the file open this fails with SQLITE_BUSY at
  // once, without the busy handler: waited out here, so that the report
  // still says what this call applied.
  // The pragma is stepped to the end: SQLite returns the row 'wal' first,
  // and an I/O error writing the header only at the next step.
  try {
    with_patience(db, [&] {
      exec(db, "PRAGMA " + quote_identifier(schema) + ".journal_mode = WAL");
      return true;
    });
  } catch (const Error& error) {
    // The schema work has committed: report it done, and what is left.
    warnings.push_back(
        (error.code() & 0xff) == SQLITE_BUSY
            ? fmt::format("journal_mode stays '{}': another connection kept the file busy; call "
                          "emf_init again to switch to WAL",
                          journal_mode(db, schema))
            : fmt::format("journal_mode stays '{}': switching to WAL failed ({}); call emf_init "
                          "again to switch",
                          journal_mode(db, schema), error.what()));
    return;
  }
  const std::string mode = journal_mode(db, schema);
  if (mode != "wal") {
    warnings.push_back(
        fmt::format("journal_mode is '{}': this database or its VFS does not support WAL", mode));
  }
}

std::string migration_label(const Migration& migration) {
  return fmt::format("sql/{}/{}", kind_name(migration.kind), migration.file_name);
}

// The refusals of emf_init, read-only: history this emf cannot vouch for, or
// objects of another tool that cannot be adopted.
void verify_before_changing(sqlite3* db, std::string_view schema, Kind kind) {
  const std::vector<AppliedMigration> applied = read_history(db, schema, kind);
  verify_history(kind, applied);
  if (!applied.empty()) return;
  const SchemaSnapshot live = read_schema(db, schema);
  if (holds_baseline_objects(live, kind)) refuse_unless_adoptable(live, kind, schema);
}

void apply_pending(sqlite3* db, std::string_view schema, Kind kind,
                   const std::vector<AppliedMigration>& applied, InitReport& report,
                   bool adopting) {
  for (const MigrationStatus& status : migration_statuses(applied, kind)) {
    if (status.state != MigrationStatus::State::pending) continue;
    const Migration& migration = migrations(kind)[static_cast<std::size_t>(status.version - 1)];
    const auto started = std::chrono::steady_clock::now();
    Savepoint savepoint(db, "emf_migration");
    Misfits misfits;
    MigrationOutcome outcome;
    std::set<std::string> kind_tables;
    if (migration.version > 1) {
      for (const SchemaObject& object : expected_schema(kind, migration.version - 1).objects) {
        if (object.type == "table") kind_tables.insert(lower_name(object.name));
      }
    }
    try {
      outcome = run_migration(db, schema, migration, misfits, {&kind_tables, adopting});
    } catch (const Error& error) {
      throw Error(fmt::format("{} failed: {}", migration_label(migration), error.what()),
                  error.code());
    }
    if (!misfits.empty()) {
      throw misfits.refusal(fmt::format("cannot bring {} to version {} ({})", kind_name(kind),
                                        migration.version, migration_label(migration)),
                            "emf_init");
    }
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    record_migration(db, schema, migration, elapsed.count());
    savepoint.release();
    report.applied.push_back(migration.version);
    for (const std::string& table : outcome.rebuilt) {
      if (std::find(report.rebuilt.begin(), report.rebuilt.end(), table) == report.rebuilt.end()) {
        report.rebuilt.push_back(table);
      }
    }
    report.converted += outcome.converted;
  }
}

// True when emf_init will rebuild tables that may hold rows (adopting a
// schema, or a pending migration that redefines a table): foreign keys must
// then be off before its transaction begins.
bool rebuilds_existing_tables(sqlite3* db, std::string_view schema, Kind kind) {
  const std::vector<AppliedMigration> applied = read_history(db, schema, kind);
  if (applied.empty()) return holds_baseline_objects(read_schema(db, schema), kind);
  for (const MigrationStatus& status : migration_statuses(applied, kind)) {
    if (status.state == MigrationStatus::State::pending &&
        migration_rebuilds(migrations(kind)[static_cast<std::size_t>(status.version - 1)])) {
      return true;
    }
  }
  return false;
}

// Drops every object of the kind that the schema has (its own names at every
// version it may be at, each of the type emf made it), children before
// parents, and returns the user's own indexes on those tables, to be put
// back on the new ones. Refuses, before anything changes, an object of the
// user's under one of those names but of another type, and a table of the
// user's that references one of the kind's tables (the reset would empty it,
// or null its references).
std::vector<std::string> drop_kind_objects(sqlite3* db, std::string_view schema, Kind kind,
                                           int installed_version) {
  std::map<std::string, std::string> types;  // name -> the type emf made it
  for (int version :
       {latest_version(kind), std::clamp(installed_version, 1, latest_version(kind))}) {
    for (const SchemaObject& object : expected_schema(kind, version).objects) {
      types.emplace(lower_name(object.name), object.type);
    }
  }
  const SchemaSnapshot live = read_schema(db, schema);
  std::vector<std::string> blockers, user_indexes;
  std::vector<const SchemaObject*> doomed;
  for (const SchemaObject& object : live.objects) {
    const auto emf_type = types.find(lower_name(object.name));
    if (emf_type != types.end()) {
      if (emf_type->second != object.type) {
        const auto a = [](const std::string& type) { return type == "index" ? "an " : "a "; };
        blockers.push_back(fmt::format("{} is {}{} of yours, where emf has {}{} of that name",
                                       object.name, a(object.type), object.type,
                                       a(emf_type->second), emf_type->second));
      }
      doomed.push_back(&object);
      continue;
    }
    const auto on_kind_table = types.find(lower_name(object.table));
    if (object.type == "index" && on_kind_table != types.end() &&
        on_kind_table->second == "table") {
      user_indexes.push_back(object.sql);
    }
    if (object.type != "table") continue;
    for (const ForeignKey& key : object.foreign_keys) {
      const auto parent = types.find(key.table);
      if (parent != types.end() && parent->second == "table") {
        blockers.push_back(fmt::format("{} ({}) of yours references {}", object.name,
                                       fmt::join(key.from_columns, ", "), key.table));
      }
    }
  }
  if (!blockers.empty()) {
    throw Error(
        fmt::format("cannot reset {}: {}; resetting would drop or empty it, or change its "
                    "rows: move it away or drop that reference first (nothing was changed)",
                    kind_name(kind), fmt::join(blockers, "; ")));
  }
  std::stable_sort(doomed.begin(), doomed.end(), [](const SchemaObject* a, const SchemaObject* b) {
    return (a->type == "table") < (b->type == "table");
  });
  std::reverse(std::find_if(doomed.begin(), doomed.end(),
                            [](const SchemaObject* object) { return object->type == "table"; }),
               doomed.end());
  for (const SchemaObject* object : doomed) {
    exec(db, fmt::format("DROP {} IF EXISTS {}.{}", object->type, quote_identifier(schema),
                         quote_identifier(object->name)));
  }
  return user_indexes;
}

}  // namespace

namespace {

enum class Install { upgrade, recreate };

// emf_init upgrades what is there; emf_reset drops it and starts again. Both
// run in one transaction and apply the pending migrations the same way.
InitReport install(sqlite3* db, Kind kind, std::string_view schema, Install mode) {
  InitReport report;
  report.kind = kind;
  report.schema = std::string(schema);
  const SchemaTrusted schema_trusted(db);
  // What would refuse the call is found before anything changes, the journal
  // mode included (WAL is switched only once the work has committed); it is
  // checked again under the write lock below.
  if (mode == Install::upgrade) verify_before_changing(db, schema, kind);
  // A reset would put this emf's older schema where a newer emf's is.
  if (mode == Install::recreate) refuse_newer(kind, read_history(db, schema, kind));
  enable_foreign_keys(db, report.warnings);
  const ChecksEnforced checks_enforced(db);
  std::optional<ForeignKeysOff> foreign_keys_off;
  if (mode == Install::upgrade && rebuilds_existing_tables(db, schema, kind)) {
    foreign_keys_off.emplace(db, "emf_init");
  }
  WriteTransaction transaction(db, mode == Install::upgrade ? "emf_init" : "emf_reset");
  create_history(db, schema);
  std::vector<AppliedMigration> applied = read_history(db, schema, kind);
  Adoption adoption;
  // A reset keeps what the user built on the kind's tables: their views and
  // triggers are set aside and their indexes saved, and come back on the
  // new tables.
  Rebuild keep(db, std::string(schema));
  std::vector<std::string> user_indexes;
  if (mode == Install::recreate) {
    keep.set_aside();
    user_indexes = drop_kind_objects(
        db, schema, kind, applied.empty() ? latest_version(kind) : applied.back().version);
    forget_kind(db, schema, kind);
    applied.clear();
  } else {
    verify_history(kind, applied);
    adoption = applied.empty() ? adopt(db, schema, kind) : Adoption{};
    if (adoption.adopted) {
      report.baseline = 1;
      applied = read_history(db, schema, kind);
    }
  }
  apply_pending(db, schema, kind, applied, report, adoption.adopted);
  refuse_lost_view_columns(db, schema, adoption);
  for (const std::string& index : user_indexes) exec(db, statement_in_schema(index, schema));
  keep.finish();
  transaction.commit();
  foreign_keys_off.reset();
  switch_to_wal(db, schema, report.warnings);
  report.version = latest_version(kind);
  report.journal_mode = journal_mode(db, schema);
  return report;
}

}  // namespace

InstallPlan plan_install(sqlite3* db, Kind kind, std::string_view schema) {
  verify_before_changing(db, schema, kind);
  InstallPlan plan;
  plan.kind = kind;
  plan.schema = std::string(schema);
  plan.latest = latest_version(kind);
  const SchemaSnapshot live = read_schema(db, schema);
  std::vector<AppliedMigration> applied = read_history(db, schema, kind);
  plan.version = applied.empty() ? 0 : applied.back().version;
  if (applied.empty() && holds_baseline_objects(live, kind)) {
    plan.adopt = true;
    const Migration& first = migrations(kind).front();
    std::string sql;
    for (const std::string& statement : adoption_statements(live, kind, schema)) {
      sql += statement + ";\n";
    }
    plan.steps.push_back({first.version, first.name, true, sql});
    applied.push_back(AppliedMigration{first.version, first.name, first.checksum, {}, 0});
  }
  for (const MigrationStatus& status : migration_statuses(applied, kind)) {
    if (status.state != MigrationStatus::State::pending) continue;
    const Migration& migration = migrations(kind)[static_cast<std::size_t>(status.version - 1)];
    std::string sql;
    for (std::string_view statement : split_statements(migration.sql)) {
      sql += statement_in_schema(statement, schema) + ";\n";
    }
    plan.steps.push_back({migration.version, migration.name, false, sql});
    for (std::string_view statement : split_statements(migration.sql)) {
      if (!starts_with_words(statement, {"CREATE", "TABLE"})) continue;
      const std::optional<std::string> name = statement_object_name(statement);
      const SchemaObject* existing = name ? live.find(*name) : nullptr;
      if (existing != nullptr && existing->type == "table" &&
          std::find(plan.rebuilds.begin(), plan.rebuilds.end(), existing->name) ==
              plan.rebuilds.end()) {
        plan.rebuilds.push_back(existing->name);
      }
    }
  }
  for (const SchemaObject& object : live.objects) {
    if (object.type != "table") continue;
    if (query_optional_text(db, fmt::format("SELECT 1 FROM {}.{} LIMIT 1", quote_identifier(schema),
                                            quote_identifier(object.name)))) {
      plan.has_data = true;
      break;
    }
  }
  return plan;
}

std::string install_plan_json(sqlite3* db, const InstallPlan& plan) {
  std::vector<json::Value> rebuilds(plan.rebuilds.begin(), plan.rebuilds.end());
  std::vector<json::Value> steps;
  for (const PlannedStep& step : plan.steps) {
    steps.emplace_back(json::Raw{json::object(db, {{"version", step.version},
                                                   {"name", step.name},
                                                   {"baseline", step.baseline},
                                                   {"sql", step.sql}})});
  }
  return json::object(db, {{"kind", kind_name(plan.kind)},
                           {"schema", plan.schema},
                           {"version", plan.version},
                           {"latest", plan.latest},
                           {"adopt", plan.adopt},
                           {"has_data", plan.has_data},
                           {"steps", json::Raw{json::array(db, steps)}},
                           {"rebuilds", json::Raw{json::array(db, rebuilds)}}});
}

InitReport init_kind(sqlite3* db, Kind kind, std::string_view schema) {
  return install(db, kind, schema, Install::upgrade);
}

InitReport reset_kind(sqlite3* db, Kind kind, std::string_view schema) {
  return install(db, kind, schema, Install::recreate);
}

std::string init_report_json(sqlite3* db, const InitReport& report) {
  std::vector<json::Value> applied(report.applied.begin(), report.applied.end());
  std::vector<json::Value> warnings(report.warnings.begin(), report.warnings.end());
  // Built member by member, each value in place (json.h says why).
  json::Members members;
  members.emplace_back("kind", kind_name(report.kind));
  members.emplace_back("schema", report.schema);
  members.emplace_back("version", report.version);
  if (report.baseline) members.emplace_back("baseline", *report.baseline);
  members.emplace_back("applied", json::Raw{json::array(db, applied)});
  members.emplace_back("journal_mode", report.journal_mode);
  if (!report.rebuilt.empty()) {
    std::vector<json::Value> rebuilt(report.rebuilt.begin(), report.rebuilt.end());
    members.emplace_back("rebuilt", json::Raw{json::array(db, rebuilt)});
    members.emplace_back("converted", report.converted);
  }
  if (!report.warnings.empty())
    members.emplace_back("warnings", json::Raw{json::array(db, warnings)});
  return json::object(db, members);
}

}  // namespace emf
