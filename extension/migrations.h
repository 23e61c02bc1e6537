// The migrations of each kind, read from the embedded sql/<kind>/NNN_name.sql
// files: version NNN, applied in order, version 1 being the guide's schema.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kinds.h"
#include "sqlite_api.h"

namespace emf {

struct Migration {
  Kind kind;
  int version;
  std::string name;       // "initial" for 001_initial.sql
  std::string file_name;  // "001_initial.sql"
  std::string_view sql;
  std::string checksum;  // SHA-256 of the file, hex
};

// Every migration of the kind, by version (1, 2, ...).
const std::vector<Migration>& migrations(Kind kind);
int latest_version(Kind kind);
// sql/<kind>/sample.sql: the canonical sample data.
std::string_view sample_data_sql(Kind kind);
// sql/<kind>/synthetic.sql: one INSERT per table for emf_seed(kind, rows),
// with the parameters :seed, :rows, :first and :last.
std::string_view synthetic_data_sql(Kind kind);
// sql/emf_schema_history.sql: the history table, shared by every kind.
std::string_view history_table_sql();

}  // namespace emf

namespace emf {

// One statement directed at the schema (main too, so that a TEMP object of
// the same name is never what it finds): the object it creates, alters or
// writes qualified, and in an INSERT, UPDATE or DELETE every table it reads.
std::string statement_in_schema(std::string_view statement, std::string_view schema);

// Runs every statement of a script in the schema (statement_in_schema each).
void apply_sql(sqlite3* db, std::string_view schema, std::string_view sql);

class Misfits;

// What applying one migration did.
struct MigrationOutcome {
  std::vector<std::string> rebuilt;  // tables redefined by a CREATE TABLE
  std::int64_t converted = 0;        // rows its UPDATE statements changed
};

// True when the migration redefines a table that exists before it: it then
// rebuilds, and needs foreign keys off before the transaction.
bool migration_rebuilds(const Migration& migration);

// Applies one migration's statements to the schema, inside the caller's
// transaction. A CREATE TABLE naming a table that exists rebuilds it to the
// new definition (rebuild.h), every row kept; its UPDATE statements convert
// stored values; views, triggers and indexes that a rebuild set aside and
// the migration did not recreate or drop come back at the end. Rows that do
// not fit are added to `misfits` (then the caller must roll back).
struct MigrationContext {
  // The kind's tables before the migration (lower case), when known: only
  // those are rebuilt, and a table of the user's that has the name of one
  // the migration creates is refused, naming it.
  const std::set<std::string>* kind_tables = nullptr;
  // Adopting a schema another tool made, which may have had a migration's
  // changes made by hand (the guide's own example adds `priority`): a column
  // the migration adds that is there already counts as added, and an index,
  // trigger or view of a name it creates is replaced.
  bool adopting = false;
};

MigrationOutcome run_migration(sqlite3* db, std::string_view schema, const Migration& migration,
                               Misfits& misfits, const MigrationContext& context = {});

}  // namespace emf
