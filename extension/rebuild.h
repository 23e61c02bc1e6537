// Table rebuilds: SQLite's procedure for schema changes that ALTER TABLE
// cannot make (lang_altertable.html, "other kinds of table schema changes"),
// shared by emf_repair, by migrations that redefine a table, and by adoption.
//
// Foreign keys go off before the transaction (ForeignKeysOff); every view and
// trigger of the schema is set aside before the first table is renamed
// (SQLite checks them all then); each table is rebuilt into a new one with
// every row, rowid and AUTOINCREMENT counter kept; at the end what was set
// aside comes back unless the caller made its replacement, and
// foreign_key_check must find no new violation.
//
// A value is never changed on the way: a row whose value would not fit the
// new definition, or would be stored differently (the text '007' in an
// INTEGER column), is a Misfit, and the table is left as it was. The caller
// gathers every misfit of every table, then refuses with all of them.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "schema_snapshot.h"
#include "sqlite_api.h"

namespace emf {

// Turns foreign keys off for a rebuild and back on afterwards. SQLite ignores
// PRAGMA foreign_keys inside a transaction, and a rebuild with them on lets
// ON DELETE CASCADE empty the children of a dropped table: inside the
// caller's transaction with them on, it refuses, saying how to run `what`.
class ForeignKeysOff {
 public:
  ForeignKeysOff(sqlite3* db, std::string_view what);
  ~ForeignKeysOff();
  ForeignKeysOff(const ForeignKeysOff&) = delete;
  ForeignKeysOff& operator=(const ForeignKeysOff&) = delete;

 private:
  sqlite3* db_;
  bool were_on_;
};

// Enforces CHECK constraints for the duration of a call that rebuilds or
// converts (PRAGMA ignore_check_constraints would let rows that do not fit
// through), and restores the connection's setting afterwards.
class ChecksEnforced {
 public:
  explicit ChecksEnforced(sqlite3* db);
  ~ChecksEnforced();
  ChecksEnforced(const ChecksEnforced&) = delete;
  ChecksEnforced& operator=(const ChecksEnforced&) = delete;

 private:
  sqlite3* db_;
  bool were_ignored_;
};

// Trusts the schema for the duration of a call that applies emf's own
// migrations (PRAGMA trusted_schema = OFF refuses version 1's json_valid()
// CHECKs, which a fresh install and an upgrade pass through), and restores
// the connection's setting afterwards. The user's triggers do not run
// meanwhile: a rebuild sets them aside, and emf reads none of the user's
// views.
class SchemaTrusted {
 public:
  explicit SchemaTrusted(sqlite3* db);
  ~SchemaTrusted();
  SchemaTrusted(const SchemaTrusted&) = delete;
  SchemaTrusted& operator=(const SchemaTrusted&) = delete;

 private:
  sqlite3* db_;
  bool was_off_;
};

// Rows that do not fit emf's rules: every one is counted, the first few of
// each table and column are shown.
class Misfits {
 public:
  struct Row {
    std::int64_t rowid;
    std::string value;  // as SQL's quote() writes it
  };
  struct Group {
    std::string table;
    std::string column;  // empty for a table constraint
    std::string reason;  // why the first row does not fit
    std::int64_t count = 0;
    std::vector<Row> shown;
  };
  static constexpr std::size_t kShown = 3;

  void add(std::string_view table, std::string_view column, std::string_view reason,
           std::int64_t rowid, std::string value);
  bool empty() const { return groups_.empty(); }
  std::int64_t count() const;
  // "3 values do not fit: video_metrics.views: 2 rows (rowid 4: '1.2K', ...): why; ..."
  std::string describe() const;
  // The error that refuses `what` ("cannot repair trends") for these rows,
  // ending with what to do: fix or delete them, then call `retry` again.
  Error refusal(std::string_view what, std::string_view retry) const;

 private:
  std::vector<Group> groups_;
};

// The foreign-key violations of a schema, one phrase each.
std::set<std::string> foreign_key_violations(sqlite3* db, std::string_view schema);

// Runs an UPDATE of a migration that converts stored values (UPDATE t SET c
// = ... WHERE <rows still to convert>), unqualified, in the schema. When a
// row cannot take its new value (a UNIQUE key it would then share), every
// such row is added to the misfits: those the condition still selects after
// the others were converted. Returns how many rows it changed.
std::int64_t convert_rows(sqlite3* db, std::string_view schema, std::string_view update,
                          Misfits& misfits);

// Creates an index (a CREATE INDEX statement, unqualified) in the schema.
// When the rows break a UNIQUE index, every row whose key an earlier row
// already has is added to the misfits instead of failing.
void create_index_or_diagnose(sqlite3* db, std::string_view schema, std::string_view create_index,
                              Misfits& misfits);

// One rebuild session inside an open write transaction, with foreign keys
// off. Rebuild tables, let the caller create its own objects, then finish().
class Rebuild {
 public:
  Rebuild(sqlite3* db, std::string schema);

  // Rebuilds the table that create_table_sql names (CREATE TABLE name (...),
  // unqualified) to that definition. Returns false, with the misfits added
  // and the table unchanged, when some row does not fit. A column of the
  // table that the new definition lacks is refused (its data would go).
  bool rebuild_table(std::string_view create_table_sql, Misfits& misfits);

  // Puts back every view and trigger that was set aside (the schema's, and
  // the connection's TEMP ones) and has no replacement now, except those of
  // the schema named in `dropped` (lower case); then
  // refuses if the rebuild created a foreign-key violation. (A rebuilt
  // table's indexes are back as soon as it is rebuilt.)
  void finish(const std::set<std::string>& dropped = {});

  const std::vector<std::string>& rebuilt() const { return rebuilt_; }
  // Sets every view and trigger of the schema (and the connection's TEMP
  // ones) aside, for a caller about to replace some of them; rebuild_table
  // does it before the first table. finish() puts back what has no
  // replacement.
  void set_aside();
  bool started() const { return set_aside_done_; }

 private:
  // Runs a copy a chunk of rows at a time, reporting progress.
  std::int64_t copy_in_chunks(const std::string& table, const std::string& insert,
                              const std::string& source);

  sqlite3* db_;
  std::string schema_;
  bool set_aside_done_ = false;
  std::set<std::string> violations_before_;
  struct SetAside {
    std::string schema;  // the one rebuilt, or temp
    SchemaObject object;
  };
  std::vector<SetAside> set_aside_;  // views and triggers, in creation order
  std::vector<std::string> rebuilt_;
};

}  // namespace emf
