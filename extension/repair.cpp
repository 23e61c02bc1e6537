// emf_repair(); see repair.h.
#include "repair.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "check.h"
#include "db.h"
#include "expected_schema.h"
#include "json.h"
#include "migrations.h"
#include "sql_text.h"

namespace emf {

namespace {

// Foreign keys must be off before the transaction begins (turning them off
// inside one does nothing), or dropping a parent table would cascade into
// its children. Restored afterwards.
class ForeignKeysOff {
 public:
  explicit ForeignKeysOff(sqlite3* db) : db_(db), were_on_(foreign_keys_enabled(db)) {
    if (!were_on_) return;
    if (!sqlite3_get_autocommit(db)) {
      throw Error(
          "cannot rebuild tables inside a transaction while foreign keys are on: SQLite ignores "
          "PRAGMA foreign_keys there, and a rebuild with them on would cascade deletes; run it "
          "outside a transaction");
    }
    exec(db, "PRAGMA foreign_keys = OFF");
  }
  ~ForeignKeysOff() {
    if (were_on_) sqlite3_exec(db_, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr);
  }

 private:
  sqlite3* db_;
  bool were_on_;
};

std::string qualified(std::string_view schema, std::string_view name) {
  return quote_identifier(schema) + "." + quote_identifier(name);
}

std::set<std::string> foreign_key_violations(sqlite3* db, std::string_view schema) {
  Statement statement(db, "PRAGMA " + quote_identifier(schema) + ".foreign_key_check");
  std::set<std::string> violations;
  while (statement.step()) {
    violations.insert(fmt::format("{} row {} refers to a missing row of {}",
                                  statement.column_text(0), statement.column_text(1),
                                  statement.column_text(2)));
  }
  return violations;
}

std::vector<std::string> column_names(const SchemaObject& table) {
  std::vector<std::string> names;
  for (const Column& column : table.columns) names.push_back(lower_name(column.name));
  return names;
}

// Why the first row that breaks the new table's constraints does: found one
// row at a time, only once the bulk copy has failed.
std::string first_offending_row(sqlite3* db, const std::string& copy_one,
                                const std::string& source) {
  Statement rows(db, "SELECT rowid FROM " + source + " ORDER BY rowid");
  Statement insert(db, copy_one);
  while (rows.step()) {
    const std::int64_t rowid = rows.column_int(0);
    insert.reset();
    insert.bind_int(1, rowid);
    if (sqlite3_step(insert.get()) != SQLITE_DONE) {
      return fmt::format("its row with rowid {} breaks the expected schema ({})", rowid,
                         sqlite3_errmsg(db));
    }
  }
  return "a row breaks the expected schema";
}

void rebuild_table(sqlite3* db, std::string_view schema, const SchemaObject& expected,
                   const SchemaObject& live) {
  const std::vector<std::string> expected_columns = column_names(expected);
  std::vector<std::string> unknown, shared;
  for (const std::string& column : column_names(live)) {
    const bool known = std::find(expected_columns.begin(), expected_columns.end(), column) !=
                       expected_columns.end();
    (known ? shared : unknown).push_back(column);
  }
  if (!unknown.empty()) {
    throw Error(fmt::format(
        "{} has columns emf does not know ({}); rebuilding it would drop them: move their data "
        "elsewhere and drop them, then repair again",
        live.name, fmt::join(unknown, ", ")));
  }

  const std::string table = qualified(schema, live.name);
  const std::string scratch_name = "emf_rebuild_" + lower_name(live.name);
  const std::string scratch = qualified(schema, scratch_name);
  exec(db, replace_object_name(expected.sql, scratch));

  std::string columns;
  for (const std::string& column : shared) {
    columns += (columns.empty() ? "" : ", ") + quote_identifier(column);
  }
  const std::string copy =
      fmt::format("INSERT INTO {} ({}) SELECT {} FROM {}", scratch, columns, columns, table);
  if (sqlite3_exec(db, copy.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    const std::string why = first_offending_row(db, copy + " WHERE rowid = ?1", table);
    throw Error(
        fmt::format("cannot rebuild {}: {}; fix or delete that row, then repair again (nothing was "
                    "changed)",
                    live.name, why),
        SQLITE_CONSTRAINT);
  }

  // AUTOINCREMENT: the new table must not hand out ids the old one used.
  std::optional<std::string> sequence;
  const bool has_sequence =
      query_optional_text(db, "SELECT 1 FROM " + quote_identifier(schema) +
                                  ".sqlite_schema WHERE name = 'sqlite_sequence'")
          .has_value();
  if (has_sequence) {
    Statement read(
        db, "SELECT seq FROM " + quote_identifier(schema) + ".sqlite_sequence WHERE name = ?1");
    read.bind_text(1, live.name);
    if (read.step()) sequence = read.column_text(0);
  }

  exec(db, "DROP TABLE " + table);
  exec(db, fmt::format("ALTER TABLE {} RENAME TO {}", scratch, quote_identifier(live.name)));
  if (sequence) {
    Statement update(db, "UPDATE " + quote_identifier(schema) +
                             ".sqlite_sequence SET seq = max(seq, ?2) WHERE name = ?1");
    update.bind_text(1, live.name).bind_text(2, *sequence);
    update.run();
  }
}

}  // namespace

RepairReport repair_kind(sqlite3* db, Kind kind, std::string_view schema) {
  RepairReport report{kind, std::string(schema), {}, {}};
  const auto problems = [&](const CheckReport& check) {
    std::vector<ObjectReport> found;
    for (const ObjectReport& object : check.kinds.front().objects) {
      if (object.status == ObjectStatus::missing || object.status == ObjectStatus::changed) {
        found.push_back(object);
      }
    }
    return found;
  };
  {
    const CheckReport check = check_schema(db, schema, kind);
    const KindStatus& status = check.kinds.front();
    if (!status.installed || !status.pending.empty()) {
      throw Error(
          fmt::format("{} is not initialised and up to date in schema {}; run "
                      "emf_init('{}') first",
                      kind_name(kind), schema, kind_name(kind)));
    }
    for (const ObjectReport& object : status.objects) {
      if (object.status == ObjectStatus::modified) {
        throw Error(fmt::format("migration {} was modified after it was applied: {}", object.name,
                                object.detail));
      }
    }
    if (problems(check).empty()) return report;
  }

  ForeignKeysOff foreign_keys_off(db);
  WriteTransaction transaction(db, "emf_repair");
  const std::set<std::string> violations_before = foreign_key_violations(db, schema);
  const SchemaSnapshot live = read_schema(db, schema);
  const SchemaSnapshot& expected = expected_schema(kind, latest_version(kind));
  const std::vector<ObjectReport> to_fix = problems(check_schema(db, schema, kind));

  std::set<std::string> rebuilt_tables;
  for (const ObjectReport& object : to_fix) {
    if (object.type == "table" && object.status == ObjectStatus::changed) {
      rebuilt_tables.insert(lower_name(object.name));
    }
  }

  // Views and triggers anywhere in the schema may name a rebuilt table, and
  // SQLite checks them all when a table is renamed: set them aside, and put
  // them back after (emf's own from the expected schema).
  std::vector<const SchemaObject*> set_aside;
  for (const SchemaObject& object : live.objects) {
    if (object.type == "view" || object.type == "trigger") set_aside.push_back(&object);
  }
  for (const SchemaObject* object : set_aside) {
    exec(db, fmt::format("DROP {} {}", object->type, qualified(schema, object->name)));
  }

  for (const SchemaObject& table : expected.objects) {
    if (table.type == "table" && live.find(table.name) == nullptr) {
      exec(db, statement_in_schema(table.sql, schema));
      report.recreated.push_back(table.name);
      continue;
    }
    if (table.type != "table" || !rebuilt_tables.contains(lower_name(table.name))) continue;
    rebuild_table(db, schema, table, *live.find(table.name));
    report.rebuilt.push_back(table.name);
    // The user's own indexes on the table come back as they were.
    for (const SchemaObject& index : live.objects) {
      if (index.type == "index" && lower_name(index.table) == lower_name(table.name) &&
          expected.find(index.name) == nullptr) {
        exec(db, statement_in_schema(index.sql, schema));
      }
    }
  }

  // emf's indexes: on rebuilt tables all of them; elsewhere the missing and
  // changed ones.
  for (const SchemaObject& index : expected.objects) {
    if (index.type != "index") continue;
    const bool on_rebuilt = rebuilt_tables.contains(lower_name(index.table));
    const bool broken = std::any_of(to_fix.begin(), to_fix.end(), [&](const ObjectReport& o) {
      return lower_name(o.name) == lower_name(index.name);
    });
    if (!on_rebuilt && !broken) continue;
    exec(db, "DROP INDEX IF EXISTS " + qualified(schema, index.name));
    exec(db, statement_in_schema(index.sql, schema));
    if (broken) report.recreated.push_back(index.name);
  }

  for (const SchemaObject* object : set_aside) {
    if (expected.find(object->name) == nullptr) exec(db, statement_in_schema(object->sql, schema));
  }
  for (const SchemaObject& object : expected.objects) {
    if (object.type != "view" && object.type != "trigger") continue;
    exec(db, statement_in_schema(object.sql, schema));
    const bool broken = std::any_of(to_fix.begin(), to_fix.end(), [&](const ObjectReport& o) {
      return lower_name(o.name) == lower_name(object.name);
    });
    if (broken) report.recreated.push_back(object.name);
  }

  std::vector<std::string> new_violations;
  for (const std::string& violation : foreign_key_violations(db, schema)) {
    if (!violations_before.contains(violation)) new_violations.push_back(violation);
  }
  if (!new_violations.empty()) {
    throw Error(fmt::format("the rebuild would break foreign keys ({}); nothing was changed",
                            fmt::join(new_violations, "; ")),
                SQLITE_CONSTRAINT);
  }
  transaction.commit();
  return report;
}

std::string repair_report_json(sqlite3* db, const RepairReport& report) {
  std::vector<json::Value> rebuilt(report.rebuilt.begin(), report.rebuilt.end());
  std::vector<json::Value> recreated(report.recreated.begin(), report.recreated.end());
  return json::object(db, {{"kind", kind_name(report.kind)},
                           {"schema", report.schema},
                           {"rebuilt", json::Raw{json::array(db, rebuilt)}},
                           {"recreated", json::Raw{json::array(db, recreated)}}});
}

}  // namespace emf
