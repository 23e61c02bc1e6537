// Table rebuilds; see rebuild.h.
#include "rebuild.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <limits>

#include "db.h"
#include "migrations.h"
#include "progress.h"
#include "sql_text.h"
#include "table_definition.h"

namespace emf {

namespace {

std::string qualified(std::string_view schema, std::string_view name) {
  return quote_identifier(schema) + "." + quote_identifier(name);
}

// SQLite's column affinity of a declared type (datatype3.html, 3.1).
char affinity(std::string_view declared_type) {
  const std::string type = lower_name(declared_type);
  if (type.find("int") != std::string::npos) return 'i';
  if (type.find("char") != std::string::npos || type.find("clob") != std::string::npos ||
      type.find("text") != std::string::npos) {
    return 't';
  }
  if (type.empty() || type.find("blob") != std::string::npos) return 'b';
  if (type.find("real") != std::string::npos || type.find("floa") != std::string::npos ||
      type.find("doub") != std::string::npos) {
    return 'r';
  }
  return 'n';
}

// True (as SQL) when `after` holds `before` exactly: the same type and value,
// an integer that a REAL column holds as the same number, or a numeric text
// that a numeric column holds as the number it spells exactly ('12' as 12,
// but never '007' as 7). Unary plus keeps the columns' affinities out of it.
std::string kept_exactly(const std::string& before, const std::string& after) {
  return fmt::format(
      "((typeof({0}) = typeof({1}) AND +{0} IS +{1}) OR "
      "(typeof({0}) = 'integer' AND typeof({1}) = 'real' AND +{0} = +{1}) OR "
      "(typeof({0}) = 'text' AND typeof({1}) IN ('integer', 'real') AND "
      "CAST({1} AS TEXT) = +{0}))",
      before, after);
}

struct ColumnInfo {
  std::string name;
  std::string type;
};

std::vector<ColumnInfo> table_columns(sqlite3* db, std::string_view schema,
                                      std::string_view table) {
  Statement statement(db, "SELECT name, type FROM pragma_table_xinfo(?1, ?2) ORDER BY cid");
  statement.bind_text(1, table).bind_text(2, schema);
  std::vector<ColumnInfo> columns;
  while (statement.step()) columns.push_back({statement.column_text(0), statement.column_text(1)});
  return columns;
}

// SQLite's message for a statement that fails, with a scratch table's name
// replaced by the table it stands for.
std::string failure_of(sqlite3* db, const std::string& sql, std::int64_t rowid,
                       std::string_view scratch_name, std::string_view table) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return sqlite3_errmsg(db);
  }
  sqlite3_bind_int64(raw, 1, rowid);
  std::string message = "it does not fit";
  if (sqlite3_step(raw) != SQLITE_DONE) message = sqlite3_errmsg(db);
  sqlite3_finalize(raw);
  for (std::size_t at = message.find(scratch_name); at != std::string::npos;
       at = message.find(scratch_name, at + table.size())) {
    message.replace(at, scratch_name.size(), table);
  }
  // A CHECK written over several lines reads as one.
  std::string one_line;
  for (char c : message) {
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (space && (one_line.empty() || one_line.back() == ' ')) continue;
    one_line += space ? ' ' : c;
  }
  return one_line;
}

constexpr std::string_view kProbe = "emf_probe";

// Adds a misfit for each row whose `column` the copy `target` holds
// otherwise than `source` (kept_exactly); returns their rowids.
std::vector<std::int64_t> add_changed_values(sqlite3* db, const std::string& table,
                                             const std::string& column, const std::string& source,
                                             const std::string& target, Misfits& misfits) {
  const std::string name = quote_identifier(column);
  Statement changed(
      db, fmt::format("SELECT o.rowid, quote(o.{0}), quote(n.{0}) FROM {1} AS o JOIN {2} AS n "
                      "ON n.rowid = o.rowid WHERE NOT {3} ORDER BY o.rowid",
                      name, source, target, kept_exactly("o." + name, "n." + name)));
  std::vector<std::int64_t> rowids;
  while (changed.step()) {
    misfits.add(table, column, "the column's type would store it differently",
                changed.column_int(0),
                fmt::format("{} as {}", changed.column_text(1), changed.column_text(2)));
    rowids.push_back(changed.column_int(0));
  }
  return rowids;
}

// Why rows of `table` did not all copy into `scratch`: each column of the
// new definition is tried alone, in a probe table with that column's
// definition, on every row; rows that fit every column alone break a table
// constraint (a UNIQUE key, say).
void diagnose(sqlite3* db, std::string_view schema, const std::string& table,
              const std::string& scratch_name, const TableDefinition& definition,
              const std::vector<std::string>& shared, const std::string& alias,
              std::set<std::int64_t> explained, Misfits& misfits) {
  const std::string source = qualified(schema, table);
  const std::string probe = "temp." + quote_identifier(kProbe);
  if (query_optional_text(db, "SELECT 1 FROM temp.sqlite_schema WHERE name = 'emf_probe'")) {
    throw Error(
        fmt::format("cannot say which rows of {} do not fit: emf needs the name emf_probe "
                    "for a TEMP table, and one of yours has it; rename it, then try again",
                    table));
  }
  for (const std::string& column : shared) {
    if (column == alias) continue;
    const auto found = definition.column_sql.find(column);
    if (found == definition.column_sql.end()) continue;
    // A column whose definition cannot stand alone (a CHECK that names
    // another column, a generated column) is left to the table-wide test.
    if (sqlite3_exec(
            db,
            fmt::format("CREATE TEMP TABLE {} ({})", quote_identifier(kProbe), found->second)
                .c_str(),
            nullptr, nullptr, nullptr) != SQLITE_OK) {
      if (sqlite3_errcode(db) == SQLITE_NOMEM) throw std::bad_alloc();
      continue;
    }
    const std::string name = quote_identifier(column);
    exec(db, fmt::format("INSERT OR IGNORE INTO {} (rowid, {}) SELECT rowid, {} FROM {}", probe,
                         name, name, source));
    const std::string one_row =
        fmt::format("INSERT INTO {} (rowid, {}) SELECT rowid, {} FROM {} WHERE rowid = ?1", probe,
                    name, name, source);
    Statement refused(db, fmt::format("SELECT rowid, quote({}) FROM {} WHERE rowid NOT IN "
                                      "(SELECT rowid FROM {}) ORDER BY rowid",
                                      name, source, probe));
    std::vector<std::pair<std::int64_t, std::string>> rows;
    while (refused.step()) rows.emplace_back(refused.column_int(0), refused.column_text(1));
    for (const auto& [rowid, value] : rows) {
      const std::string why = failure_of(db, one_row, rowid, kProbe, table);
      misfits.add(table, column, why, rowid, value);
      explained.insert(rowid);
    }
    for (std::int64_t rowid : add_changed_values(db, table, column, source, probe, misfits)) {
      explained.insert(rowid);
    }
    exec(db, "DROP TABLE " + probe);
  }
  std::string columns;
  for (const std::string& column : shared) {
    columns += (columns.empty() ? "" : ", ") + quote_identifier(column);
  }
  const std::string scratch = qualified(schema, scratch_name);
  const std::string rowid = alias.empty() ? "rowid, " : "";
  const std::string one_row =
      fmt::format("INSERT INTO {} ({}{}) SELECT {}{} FROM {} WHERE rowid = ?1", scratch, rowid,
                  columns, rowid, columns, source);
  Statement missing(db,
                    fmt::format("SELECT rowid FROM {} WHERE rowid NOT IN (SELECT rowid FROM {}) "
                                "ORDER BY rowid",
                                source, scratch));
  std::vector<std::int64_t> rows;
  while (missing.step()) {
    if (!explained.contains(missing.column_int(0))) rows.push_back(missing.column_int(0));
  }
  for (std::int64_t each : rows) {
    misfits.add(table, "", failure_of(db, one_row, each, scratch_name, table), each, "");
  }
}

}  // namespace

ForeignKeysOff::ForeignKeysOff(sqlite3* db, std::string_view what)
    : db_(db), were_on_(foreign_keys_enabled(db)) {
  if (!were_on_) return;
  if (!sqlite3_get_autocommit(db)) {
    throw Error(fmt::format(
        "cannot rebuild tables inside a transaction while foreign keys are on: SQLite ignores "
        "PRAGMA foreign_keys there, and a rebuild with them on would cascade deletes; call {} "
        "outside a transaction (or run PRAGMA foreign_keys = OFF before BEGIN)",
        what));
  }
  exec(db, "PRAGMA foreign_keys = OFF");
}

// sqlite3_db_config, not a PRAGMA, to put the flags back: it needs no
// memory, and running out of memory is one way to get here (a PRAGMA that
// cannot be prepared would leave the caller's connection changed).
ForeignKeysOff::~ForeignKeysOff() {
  if (were_on_) sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_FKEY, 1, nullptr);
}

ChecksEnforced::ChecksEnforced(sqlite3* db)
    : db_(db), were_ignored_(query_int(db, "PRAGMA ignore_check_constraints") != 0) {
  if (were_ignored_) exec(db, "PRAGMA ignore_check_constraints = OFF");
}

ChecksEnforced::~ChecksEnforced() {
  if (were_ignored_) {
    sqlite3_exec(db_, "PRAGMA ignore_check_constraints = ON", nullptr, nullptr, nullptr);
  }
}

SchemaTrusted::SchemaTrusted(sqlite3* db) : db_(db) {
  int trusted = 1;
  sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, -1, &trusted);
  was_off_ = trusted == 0;
  // Through sqlite3_db_config, which cannot fail half-way: a PRAGMA that
  // ran but then failed to finish would throw here and leave it on.
  if (was_off_) sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 1, nullptr);
}

SchemaTrusted::~SchemaTrusted() {
  if (was_off_) sqlite3_db_config(db_, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
}

void Misfits::add(std::string_view table, std::string_view column, std::string_view reason,
                  std::int64_t rowid, std::string value) {
  auto group = std::find_if(groups_.begin(), groups_.end(), [&](const Group& g) {
    return g.table == table && g.column == column && g.reason == reason;
  });
  if (group == groups_.end()) {
    groups_.push_back(Group{std::string(table), std::string(column), std::string(reason), 0, {}});
    group = std::prev(groups_.end());
  }
  ++group->count;
  if (group->shown.size() < kShown) group->shown.push_back(Row{rowid, std::move(value)});
}

std::int64_t Misfits::count() const {
  std::int64_t total = 0;
  for (const Group& group : groups_) total += group.count;
  return total;
}

std::string Misfits::describe() const {
  std::vector<std::string> parts;
  for (const Group& group : groups_) {
    std::vector<std::string> shown;
    for (const Row& row : group.shown) {
      shown.push_back(row.value.empty() ? fmt::format("rowid {}", row.rowid)
                                        : fmt::format("rowid {}: {}", row.rowid, row.value));
    }
    const std::int64_t more = group.count - static_cast<std::int64_t>(group.shown.size());
    if (more > 0) shown.push_back(fmt::format("{} more", more));
    parts.push_back(fmt::format("{}{}{}: {} row{} ({}): {}", group.table,
                                group.column.empty() ? "" : ".", group.column, group.count,
                                group.count == 1 ? "" : "s", fmt::join(shown, ", "), group.reason));
  }
  const std::int64_t total = count();
  return fmt::format("{} value{} {} not fit: {}", total, total == 1 ? "" : "s",
                     total == 1 ? "does" : "do", fmt::join(parts, "; "));
}

Error Misfits::refusal(std::string_view what, std::string_view retry) const {
  return Error(fmt::format("{}: {}; fix or delete those rows, then run {} again (nothing was "
                           "changed)",
                           what, describe(), retry),
               SQLITE_CONSTRAINT);
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

std::int64_t convert_rows(sqlite3* db, std::string_view schema, std::string_view update,
                          Misfits& misfits) {
  const std::string sql = statement_in_schema(update, schema);
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK) {
    return sqlite3_changes(db);
  }
  const int rc = sqlite3_extended_errcode(db);
  const std::string message = sqlite3_errmsg(db);
  const UpdateParts parts = split_update(sql);
  const std::optional<std::string> table = statement_object_name(update);
  if ((rc & 0xff) != SQLITE_CONSTRAINT || parts.condition.empty() || !table) {
    throw_sqlite_error(db, rc, "");
  }
  // Convert what can be, then list what the condition still selects.
  exec(db, "UPDATE OR IGNORE" + parts.head.substr(std::string_view("UPDATE").size()) + " WHERE " +
               parts.condition);
  const std::string one_row = parts.head + " WHERE rowid = ?1 AND (" + parts.condition + ")";
  const std::string column = quote_identifier(parts.column);
  Statement left(db, fmt::format("SELECT rowid, quote({}) FROM {} WHERE {} ORDER BY rowid", column,
                                 qualified(schema, *table), parts.condition));
  std::vector<std::pair<std::int64_t, std::string>> rows;
  while (left.step()) rows.emplace_back(left.column_int(0), left.column_text(1));
  for (const auto& [rowid, value] : rows) {
    misfits.add(*table, parts.column, failure_of(db, one_row, rowid, *table, *table), rowid, value);
  }
  return 0;
}

void create_index_or_diagnose(sqlite3* db, std::string_view schema, std::string_view create_index,
                              Misfits& misfits) {
  const std::string sql = statement_in_schema(create_index, schema);
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK) return;
  const std::int64_t misfits_before = misfits.count();
  const int rc = sqlite3_extended_errcode(db);
  const std::string message = sqlite3_errmsg(db);
  if ((rc & 0xff) != SQLITE_CONSTRAINT) throw_sqlite_error(db, rc, "");
  // A UNIQUE index that rows break: every row whose key an earlier row has.
  const std::vector<Token> tokens = tokenize(create_index);
  std::size_t on = 0;
  while (on < tokens.size() && !is_word(tokens[on], "ON")) ++on;
  if (on + 2 >= tokens.size() || !is_punctuation(tokens[on + 2], "(")) throw Error(message, rc);
  const std::string table = identifier_name(tokens[on + 1]);
  std::vector<std::string> keys;
  std::string where = "1";
  std::size_t start = on + 3;
  int depth = 1;
  for (std::size_t i = on + 3; i < tokens.size(); ++i) {
    if (is_punctuation(tokens[i], "(")) ++depth;
    const bool close = is_punctuation(tokens[i], ")") && --depth == 0;
    if ((depth == 1 && is_punctuation(tokens[i], ",")) || close) {
      std::size_t end = i;  // ASC or DESC at the end orders, and does not group
      if (end > start && (is_word(tokens[end - 1], "ASC") || is_word(tokens[end - 1], "DESC"))) {
        --end;
      }
      const std::size_t from = tokens[start].offset;
      keys.emplace_back(
          create_index.substr(from, tokens[end - 1].offset + tokens[end - 1].text.size() - from));
      start = i + 1;
    }
    if (close) {
      if (i + 1 < tokens.size() && is_word(tokens[i + 1], "WHERE")) {
        where = std::string(create_index.substr(tokens[i + 1].offset + 5));
      }
      break;
    }
  }
  std::string grouped, present;
  for (const std::string& key : keys) {
    grouped += (grouped.empty() ? "" : ", ") + key;
    present += fmt::format(" AND ({}) IS NOT NULL", key);
  }
  const std::string source = qualified(schema, table);
  Statement duplicates(
      db, fmt::format("SELECT rowid, quote({0}) FROM {1} WHERE ({2}){3} AND rowid NOT IN (SELECT "
                      "min(rowid) FROM {1} WHERE ({2}){3} GROUP BY {4}) ORDER BY rowid",
                      keys.empty() ? "NULL" : keys.front(), source, where, present, grouped));
  while (duplicates.step()) {
    misfits.add(table, keys.empty() ? "" : lower_name(keys.front()), message,
                duplicates.column_int(0), duplicates.column_text(1));
  }
  if (misfits.count() == misfits_before) throw Error(message, rc);
}

Rebuild::Rebuild(sqlite3* db, std::string schema) : db_(db), schema_(std::move(schema)) {}

void Rebuild::set_aside() {
  if (set_aside_done_) return;
  set_aside_done_ = true;
  violations_before_ = foreign_key_violations(db_, schema_);
  // The connection's TEMP views and triggers too: SQLite checks them when a
  // table is renamed, and drops a TEMP trigger with the table it is on.
  for (const std::string& schema : {schema_, std::string("temp")}) {
    if (schema == "temp" && lower_name(schema_) == "temp") continue;
    for (SchemaObject& object : read_schema(db_, schema).objects) {
      if (object.type != "view" && object.type != "trigger") continue;
      // IF EXISTS: dropping a view drops the INSTEAD OF triggers on it.
      exec(db_, fmt::format("DROP {} IF EXISTS {}", object.type, qualified(schema, object.name)));
      set_aside_.push_back(SetAside{schema, std::move(object)});
    }
  }
}

// Copies in rowid order, a chunk at a time (all in the caller's
// transaction), so that a long rebuild reports its progress ("rebuild
// <table>", rows done of the table's rows). `insert` ends in a WHERE
// condition; the chunk's rowid range is added to it. Returns the rows
// inserted.
std::int64_t Rebuild::copy_in_chunks(const std::string& table, const std::string& insert,
                                     const std::string& source) {
  constexpr std::int64_t kChunkRows = 50000;
  const std::int64_t rows = query_int(db_, "SELECT count(*) FROM " + source);
  Statement boundary(db_, fmt::format("SELECT rowid FROM {} WHERE rowid >= ?1 ORDER BY rowid "
                                      "LIMIT 1 OFFSET {}",
                                      source, kChunkRows - 1));
  Statement chunk(db_, insert + " AND rowid BETWEEN ?1 AND ?2");
  std::int64_t copied = 0, done = 0;
  std::int64_t low = std::numeric_limits<std::int64_t>::min();
  for (;;) {
    boundary.reset();
    boundary.bind_int(1, low);
    // The last chunk ends at the largest rowid.
    const std::int64_t high =
        boundary.step() ? boundary.column_int(0) : std::numeric_limits<std::int64_t>::max();
    chunk.reset();
    chunk.bind_int(1, low).bind_int(2, high);
    chunk.run();
    copied += sqlite3_changes(db_);
    done = std::min(rows, done + kChunkRows);
    report_progress(db_, "rebuild " + table, done, rows);
    if (high == std::numeric_limits<std::int64_t>::max()) break;
    low = high + 1;
  }
  return copied;
}

bool Rebuild::rebuild_table(std::string_view create_table_sql, Misfits& misfits) {
  const std::optional<std::string> object_name = statement_object_name(create_table_sql);
  if (!object_name) throw Error("a rebuild needs a CREATE TABLE statement");
  const std::vector<ColumnInfo> live = table_columns(db_, schema_, *object_name);
  if (live.empty()) throw Error(fmt::format("cannot rebuild {}: no such table", *object_name));
  const std::string table =
      query_optional_text(db_, fmt::format("SELECT name FROM {}.sqlite_schema WHERE type = 'table' "
                                           "AND name = {} COLLATE NOCASE",
                                           quote_identifier(schema_), quote_literal(*object_name)))
          .value_or(*object_name);
  const SchemaSnapshot before = read_schema(db_, schema_, table);
  const SchemaObject* old_table = before.find(table);
  if (old_table != nullptr && old_table->without_rowid) {
    throw Error(fmt::format("cannot rebuild {}: it is a WITHOUT ROWID table", table));
  }
  const TableDefinition definition = parse_table_definition(create_table_sql);
  std::vector<std::string> unknown, shared;
  for (const ColumnInfo& column : live) {
    const std::string name = lower_name(column.name);
    const bool known = std::find(definition.columns.begin(), definition.columns.end(), name) !=
                       definition.columns.end();
    (known ? shared : unknown).push_back(name);
  }
  if (!unknown.empty()) {
    throw Error(fmt::format(
        "{} has columns emf does not know ({}); rebuilding it would drop them: move their data "
        "elsewhere and drop them, then try again",
        table, fmt::join(unknown, ", ")));
  }

  const std::string scratch_name = "emf_rebuild_" + lower_name(table);
  if (query_optional_text(db_,
                          fmt::format("SELECT 1 FROM {}.sqlite_schema WHERE name = {} "
                                      "COLLATE NOCASE",
                                      quote_identifier(schema_), quote_literal(scratch_name)))) {
    throw Error(
        fmt::format("cannot rebuild {}: emf needs the name {} for the new table, and an "
                    "object of yours has it; rename it, then try again",
                    table, scratch_name));
  }
  set_aside();
  const std::string scratch = qualified(schema_, scratch_name);
  exec(db_, replace_object_name(create_table_sql, scratch));
  const SchemaSnapshot after_create = read_schema(db_, schema_, scratch_name);
  const SchemaObject* created = after_create.find(scratch_name);
  const std::string alias = created != nullptr ? created->rowid_alias : std::string();
  const std::string source = qualified(schema_, table);
  const std::int64_t misfits_before = misfits.count();

  // A column that becomes the rowid (INTEGER PRIMARY KEY) where it was not
  // one: SQLite would give a NULL a new id and refuse a text, so each value
  // must already be a distinct integer.
  // Those rows are left out of the copy (SQLite would refuse a text there
  // outright), named once here.
  std::string copied_rows;
  std::set<std::int64_t> unfit_ids;
  if (!alias.empty() && old_table != nullptr && old_table->rowid_alias != alias) {
    const std::string name = quote_identifier(alias);
    const std::string unfit_id = fmt::format(
        "typeof({0}) <> 'integer' OR {0} IN (SELECT {0} FROM {1} GROUP BY {0} HAVING count(*) > "
        "1)",
        name, source);
    Statement unfit(db_, fmt::format("SELECT rowid, quote({}) FROM {} WHERE {} ORDER BY rowid",
                                     name, source, unfit_id));
    while (unfit.step()) {
      misfits.add(table, alias, "it becomes the row's id, which must be a distinct integer",
                  unfit.column_int(0), unfit.column_text(1));
      unfit_ids.insert(unfit.column_int(0));
    }
    copied_rows = fmt::format(" WHERE NOT ({})", unfit_id);
  }

  std::string columns;
  for (const std::string& column : shared) {
    columns += (columns.empty() ? "" : ", ") + quote_identifier(column);
  }
  const std::string rowid = alias.empty() ? "rowid, " : "";
  const std::int64_t copied = copy_in_chunks(
      table,
      fmt::format("INSERT OR IGNORE INTO {} ({}{}) SELECT {}{} FROM {} WHERE {}", scratch, rowid,
                  columns, rowid, columns, source,
                  copied_rows.empty() ? "1" : copied_rows.substr(std::string(" WHERE ").size())),
      source);
  const std::int64_t total = query_int(db_, "SELECT count(*) FROM " + source + copied_rows);
  if (copied != total) {
    diagnose(db_, schema_, table, scratch_name, definition, shared, alias, unfit_ids, misfits);
  } else {
    // Affinity can change a value on the way (the text '007' into an INTEGER
    // column): compare the columns whose affinity differs.
    const std::vector<ColumnInfo> rebuilt = table_columns(db_, schema_, scratch_name);
    for (const ColumnInfo& column : live) {
      const std::string name = lower_name(column.name);
      for (const ColumnInfo& after : rebuilt) {
        if (lower_name(after.name) == name && affinity(after.type) != affinity(column.type)) {
          add_changed_values(db_, table, name, source, scratch, misfits);
        }
      }
    }
  }

  // The table's indexes drop with it and come back on the new table at once:
  // a conversion that follows then meets the user's UNIQUE indexes too, and
  // names the rows that would break them.
  std::vector<std::string> indexes;
  for (const SchemaObject& object : before.objects) {
    if (object.type == "index" && lower_name(object.table) == lower_name(table)) {
      indexes.push_back(object.sql);
    }
  }
  // AUTOINCREMENT: the new table must not hand out ids the old one used.
  std::optional<std::int64_t> sequence;
  if (query_optional_text(db_, "SELECT 1 FROM " + quote_identifier(schema_) +
                                   ".sqlite_schema WHERE name = 'sqlite_sequence'")) {
    Statement read(
        db_, "SELECT seq FROM " + quote_identifier(schema_) + ".sqlite_sequence WHERE name = ?1");
    read.bind_text(1, table);
    if (read.step()) sequence = read.column_int(0);
  }
  // Even when rows do not fit, the new table takes the old one's place (with
  // the rows that fit) so that the rest of the migration meets its
  // constraints and finds the other misfits; the caller then rolls back.
  exec(db_, "DROP TABLE " + source);
  exec(db_, fmt::format("ALTER TABLE {} RENAME TO {}", scratch, quote_identifier(table)));
  for (const std::string& index : indexes) exec(db_, statement_in_schema(index, schema_));
  if (sequence) {
    Statement update(db_, "UPDATE " + quote_identifier(schema_) +
                              ".sqlite_sequence SET seq = max(seq, ?2) WHERE name = ?1");
    update.bind_text(1, table).bind_int(2, *sequence);
    update.run();
  }
  if (misfits.count() != misfits_before) return false;
  rebuilt_.push_back(table);
  return true;
}

void Rebuild::finish(const std::set<std::string>& dropped) {
  if (!set_aside_done_) return;
  const SchemaSnapshot now = read_schema(db_, schema_);
  const SchemaSnapshot temp_now = read_schema(db_, "temp");
  for (const auto& [schema, object] : set_aside_) {
    const bool temp = schema != schema_;
    if (temp ? temp_now.find(object.name) != nullptr
             : dropped.contains(lower_name(object.name)) || now.find(object.name) != nullptr) {
      continue;
    }
    try {
      exec(db_, statement_in_schema(object.sql, schema));
    } catch (const Error& error) {
      throw Error(fmt::format("cannot put back the {} {} on emf's new definitions: {}; "
                              "drop or change it, then try again (nothing was changed)",
                              object.type, object.name, error.what()),
                  error.code());
    }
  }
  std::vector<std::string> new_violations;
  for (const std::string& violation : foreign_key_violations(db_, schema_)) {
    if (!violations_before_.contains(violation)) new_violations.push_back(violation);
  }
  if (!new_violations.empty()) {
    throw Error(fmt::format("the rebuild would break foreign keys ({}); nothing was changed",
                            fmt::join(new_violations, "; ")),
                SQLITE_CONSTRAINT);
  }
}

}  // namespace emf
