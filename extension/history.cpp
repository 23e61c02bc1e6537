// Reads and writes emf_schema_history; see history.h.
#include "history.h"

#include <fmt/format.h>

#include "db.h"

namespace emf {

namespace {

std::string history_table(std::string_view schema) {
  return quote_identifier(schema) + ".emf_schema_history";
}

}  // namespace

bool history_exists(sqlite3* db, std::string_view schema) {
  Statement statement(db, "SELECT 1 FROM " + quote_identifier(schema) +
                              ".sqlite_schema WHERE type = 'table' AND name = "
                              "'emf_schema_history'");
  return statement.step();
}

void create_history(sqlite3* db, std::string_view schema) {
  apply_sql(db, schema, history_table_sql());
  // Rows from before times had one stored form (the 'T...Z' form), converted.
  exec(db, "UPDATE " + history_table(schema) +
               " SET applied_at = strftime('%Y-%m-%d %H:%M:%f', julianday(applied_at)) "
               "WHERE julianday(applied_at) IS NOT NULL AND "
               "applied_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(applied_at))");
}

std::vector<AppliedMigration> read_history(sqlite3* db, std::string_view schema, Kind kind) {
  std::vector<AppliedMigration> rows;
  if (!history_exists(db, schema)) return rows;
  Statement statement(db,
                      "SELECT version, name, checksum, applied_at, duration_ms, typeof(version) "
                      "FROM " +
                          history_table(schema) + " WHERE kind = ?1 ORDER BY version");
  statement.bind_text(1, kind_name(kind));
  while (statement.step()) {
    // The table's CHECK (version >= 1) lets text through ('1.2K' >= 1):
    // read as a number it would be another version, and every decision on
    // it wrong.
    if (statement.column_text(5) != "integer") {
      throw Error(fmt::format(
          "emf_schema_history is damaged: a row of {} has version '{}', not a whole number; "
          "correct that row, or restore the database from a backup",
          kind_name(kind), statement.column_text(0)));
    }
    rows.push_back(AppliedMigration{static_cast<int>(statement.column_int(0)),
                                    statement.column_text(1), statement.column_text(2),
                                    statement.column_text(3), statement.column_int(4)});
  }
  return rows;
}

std::vector<Kind> installed_kinds(sqlite3* db, std::string_view schema) {
  std::vector<Kind> kinds;
  if (!history_exists(db, schema)) return kinds;
  Statement statement(db, "SELECT 1 FROM " + history_table(schema) + " WHERE kind = ?1 LIMIT 1");
  for (Kind kind : kAllKinds) {
    statement.reset();
    statement.bind_text(1, kind_name(kind));
    if (statement.step()) kinds.push_back(kind);
  }
  return kinds;
}

void record_migration(sqlite3* db, std::string_view schema, const Migration& migration,
                      std::int64_t duration_ms) {
  Statement statement(db, "INSERT INTO " + history_table(schema) +
                              " (kind, version, name, checksum, duration_ms, applied_at) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, strftime('%Y-%m-%d %H:%M:%f', 'now'))");
  statement.bind_text(1, kind_name(migration.kind))
      .bind_int(2, migration.version)
      .bind_text(3, migration.name)
      .bind_text(4, migration.checksum)
      .bind_int(5, duration_ms);
  statement.run();
}

void forget_kind(sqlite3* db, std::string_view schema, Kind kind) {
  Statement statement(db, "DELETE FROM " + history_table(schema) + " WHERE kind = ?1");
  statement.bind_text(1, kind_name(kind));
  statement.run();
}

void refuse_newer(Kind kind, const std::vector<AppliedMigration>& applied) {
  if (applied.empty() || applied.back().version <= latest_version(kind)) return;
  throw Error(fmt::format(
      "{} is at version {}, applied by a newer emf; this emf knows versions up to {}; upgrade emf",
      kind_name(kind), applied.back().version, latest_version(kind)));
}

void verify_history(Kind kind, const std::vector<AppliedMigration>& applied) {
  refuse_newer(kind, applied);
  for (const MigrationStatus& status : migration_statuses(applied, kind)) {
    if (status.state == MigrationStatus::State::modified) {
      throw Error(fmt::format(
          "sql/{}/{} was applied with checksum {}, but the embedded file now has {}; an applied "
          "migration must never change: restore its text and add a new migration instead",
          kind_name(kind), status.file_name, status.checksum, status.expected_checksum));
    }
  }
}

std::vector<MigrationStatus> migration_statuses(const std::vector<AppliedMigration>& applied,
                                                Kind kind) {
  std::vector<MigrationStatus> statuses;
  for (const Migration& migration : migrations(kind)) {
    MigrationStatus status;
    status.version = migration.version;
    status.name = migration.name;
    status.checksum = migration.checksum;
    status.expected_checksum = migration.checksum;
    status.file_name = migration.file_name;
    for (const AppliedMigration& row : applied) {
      if (row.version != migration.version) continue;
      status.checksum = row.checksum;
      status.applied_at = row.applied_at;
      status.state = row.checksum == migration.checksum ? MigrationStatus::State::applied
                                                        : MigrationStatus::State::modified;
    }
    statuses.push_back(std::move(status));
  }
  for (const AppliedMigration& row : applied) {
    if (row.version <= latest_version(kind)) continue;
    statuses.push_back(MigrationStatus{row.version,
                                       row.name,
                                       row.checksum,
                                       row.applied_at,
                                       MigrationStatus::State::newer,
                                       {},
                                       {}});
  }
  return statuses;
}

}  // namespace emf
