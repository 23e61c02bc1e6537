// Fuzzes emf_check and emf_repair over randomly mutated schemas. A kind
// (sometimes two) is initialised and seeded in a scratch in-memory
// database; the input then chooses mutations a user or another tool might
// make: drop or add indexes, triggers and views, rebuild a table with an
// edited definition (SQLite's procedure for what ALTER TABLE cannot do),
// add or rename columns and tables, change values, add tables of their own
// with foreign keys and triggers into emf's, tamper with the history.
//
// Then emf_check and emf_repair of the kind must not crash, and:
// - a repair that reports success leaves emf_check ok, every table of
//   before still there with the same rows (the values of the columns it
//   keeps, compared exactly but for a numeric text or an integer that a
//   numeric column now holds as the same number, as docs/migrations.md
//   allows), and every object of the user's still there;
// - a repair that refuses changes nothing (schema and rows alike).
// EMF_FUZZ_VERBOSE=1 prints the SQL of each mutation, for turning a crash
// into a test.
#include <fmt/format.h>
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "connection.h"
#include "error.h"
#include "sql_text.h"

namespace {

using emf::fuzz::fail;

const std::vector<std::string> kKinds = {"trends", "metrics", "image_library"};

// Pieces of SQL spliced into a table's definition when it is rebuilt.
const std::vector<std::string> kDefinitionEdits = {
    "TEXT",
    "INTEGER",
    "REAL",
    "BLOB",
    "NUMERIC",
    "ANY",
    "DATETIME",
    "NOT NULL",
    "NULL",
    "UNIQUE",
    "DEFAULT 0",
    "DEFAULT 'x'",
    "DEFAULT (strftime('%s', 'now'))",
    "COLLATE NOCASE",
    "CHECK (1)",
    "CHECK (typeof(id) = 'integer')",
    "PRIMARY KEY",
    "AUTOINCREMENT",
    "REFERENCES trending_topics (id) ON DELETE CASCADE",
    ",",
    "(",
    ")",
    "fuzz_column",
    "fuzz_column TEXT,",
    "DESC",
    "GENERATED ALWAYS AS (1)",
    "ON CONFLICT REPLACE",
    "STRICT",
    "WITHOUT ROWID",
    "CONSTRAINT fuzz",
    "-- comment\n",
    "\"quoted name\"",
};

// Values a mutation writes into a row.
const std::vector<std::string> kValues = {
    "NULL",
    "-1",
    "0",
    "1",
    "1.5",
    "'x'",
    "''",
    "x'00'",
    "'1.2K'",
    "'2026-11-24T06:15:23Z'",
    "9223372036854775807",
    "'007'",
    "1e400",
};

// One of the values, chosen by the input.
template <typename T>
const T& pick_from(FuzzedDataProvider& input, const std::vector<T>& values) {
  return values[input.ConsumeIntegralInRange<std::size_t>(0, values.size() - 1)];
}

std::string quote_identifier(const std::string& name) {
  std::string quoted = "\"";
  for (char c : name) {
    quoted += c;
    if (c == '"') quoted += '"';
  }
  return quoted + "\"";
}

std::string quote_literal(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    quoted += c;
    if (c == '\'') quoted += '\'';
  }
  return quoted + "'";
}

std::vector<std::string> column_of(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::string> column;
  for (const auto& row : rows) column.push_back(row.at(0));
  return column;
}

// Names of the objects of one type (tables without SQLite's own).
std::vector<std::string> objects(sqlite3* db, const std::string& type) {
  return column_of(emf::fuzz::rows(
      db, fmt::format("SELECT name FROM sqlite_schema WHERE type = '{}' AND sql IS NOT NULL "
                      "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
                      type)));
}

std::vector<std::string> columns(sqlite3* db, const std::string& table) {
  return column_of(emf::fuzz::rows(
      db, fmt::format("SELECT name FROM pragma_table_info({})", quote_literal(table))));
}

class Mutator {
 public:
  Mutator(sqlite3* db, FuzzedDataProvider& input, bool verbose)
      : db_(db), input_(input), verbose_(verbose) {}

  void mutate() {
    // Rebuilds reach the most of emf_repair: a quarter of the mutations.
    const int choice = input_.ConsumeIntegralInRange(0, 20);
    switch (choice > 15 ? 6 : choice) {
      case 0:
        drop("INDEX", "index");
        break;
      case 1:
        drop("TRIGGER", "trigger");
        break;
      case 2:
        drop("VIEW", "view");
        break;
      case 3:
        add_index();
        break;
      case 4:
        add_user_table();
        break;
      case 5:
        add_column();
        break;
      case 6:
        rebuild_table();
        break;
      case 7:
        if (auto table = pick("table")) {
          run(fmt::format("ALTER TABLE {} RENAME TO {}", quote_identifier(*table),
                          quote_identifier(*table + "_renamed")));
        }
        break;
      case 8:
        rename_column();
        break;
      case 9:
        change_value();
        break;
      case 10:
        add_user_trigger();
        break;
      case 11:
        if (auto table = pick("table")) {
          run(fmt::format("CREATE VIEW fuzz_view_{} AS SELECT * FROM {}", counter_++,
                          quote_identifier(*table)));
        }
        break;
      case 12:
        edit_trigger_or_view();
        break;
      case 13:
        run(input_.PickValueInArray<std::string>(
            {"PRAGMA foreign_keys = ON", "PRAGMA foreign_keys = OFF",
             "PRAGMA recursive_triggers = ON", "PRAGMA trusted_schema = OFF",
             "PRAGMA legacy_alter_table = ON"}));
        break;
      case 14:
        run(input_.PickValueInArray<std::string>(
            {"UPDATE emf_schema_history SET checksum = 'x' WHERE version = "
             "(SELECT max(version) FROM emf_schema_history)",
             "DELETE FROM emf_schema_history WHERE version = "
             "(SELECT max(version) FROM emf_schema_history)",
             "INSERT INTO emf_schema_history (kind, version, name, checksum) "
             "SELECT kind, 99, 'future', 'x' FROM emf_schema_history LIMIT 1"}));
        break;
      default:
        if (auto table = pick("table")) run(fmt::format("DROP TABLE {}", quote_identifier(*table)));
    }
  }

 private:
  std::optional<std::string> pick(const std::string& type) {
    const std::vector<std::string> names = objects(db_, type);
    if (names.empty()) return std::nullopt;
    return names[input_.ConsumeIntegralInRange<std::size_t>(0, names.size() - 1)];
  }

  std::string pick_column(const std::string& table) {
    const std::vector<std::string> names = columns(db_, table);
    if (names.empty()) return "rowid";
    return names[input_.ConsumeIntegralInRange<std::size_t>(0, names.size() - 1)];
  }

  // Runs a mutation in a savepoint: one that SQLite refuses changes nothing.
  bool run(const std::string& sql) {
    emf::fuzz::exec(db_, "SAVEPOINT mutation");
    const auto error = emf::fuzz::try_exec(db_, sql);
    if (verbose_)
      std::fprintf(stderr, "%s;%s\n", sql.c_str(), error ? (" -- " + *error).c_str() : "");
    emf::fuzz::exec(db_, error ? "ROLLBACK TO mutation; RELEASE mutation" : "RELEASE mutation");
    return !error;
  }

  void drop(const std::string& keyword, const std::string& type) {
    if (auto name = pick(type)) run(fmt::format("DROP {} {}", keyword, quote_identifier(*name)));
  }

  void add_index() {
    const auto table = pick("table");
    if (!table) return;
    const std::string column = pick_column(*table);
    // An emf index's name on other columns, or a name of the user's.
    std::string name = fmt::format("fuzz_index_{}", counter_++);
    if (input_.ConsumeBool()) {
      if (auto existing = pick("index")) {
        run(fmt::format("DROP INDEX {}", quote_identifier(*existing)));
        name = *existing;
      }
    }
    run(fmt::format("CREATE {}INDEX {} ON {} ({}{}){}", input_.ConsumeBool() ? "UNIQUE " : "",
                    quote_identifier(name), quote_identifier(*table), quote_identifier(column),
                    input_.ConsumeBool() ? " DESC" : "",
                    input_.ConsumeBool() ? fmt::format(" WHERE {} IS NOT NULL", column) : ""));
  }

  // A table of the user's, its rows pointing at an emf table's, with a
  // cascading foreign key: a repair that deleted parents would empty it.
  void add_user_table() {
    const auto parent = pick("table");
    if (!parent) return;
    const auto key = emf::fuzz::rows(
        db_,
        fmt::format("SELECT name FROM pragma_table_info({}) WHERE pk = 1", quote_literal(*parent)));
    if (key.empty()) return;
    const std::string name = fmt::format("fuzz_table_{}", counter_++);
    run(
        fmt::format("CREATE TABLE {} (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES {} "
                    "({}) ON DELETE CASCADE ON UPDATE CASCADE, note TEXT)",
                    name, quote_identifier(*parent), quote_identifier(key[0][0])));
    run(fmt::format("INSERT INTO {} (parent_id, note) SELECT {}, 'kept' FROM {}", name,
                    quote_identifier(key[0][0]), quote_identifier(*parent)));
    run(fmt::format("INSERT INTO {} (parent_id, note) VALUES (NULL, 'orphan')", name));
  }

  void add_column() {
    if (auto table = pick("table")) {
      run(fmt::format("ALTER TABLE {} ADD COLUMN fuzz_column_{} {}", quote_identifier(*table),
                      counter_++, pick_from(input_, kDefinitionEdits)));
    }
  }

  void rename_column() {
    if (auto table = pick("table")) {
      const std::string column = pick_column(*table);
      run(fmt::format("ALTER TABLE {} RENAME COLUMN {} TO {}", quote_identifier(*table),
                      quote_identifier(column), quote_identifier(column + "_renamed")));
    }
  }

  void change_value() {
    if (auto table = pick("table")) {
      run(fmt::format("UPDATE {} SET {} = {} WHERE rowid = (SELECT {}(rowid) FROM {})",
                      quote_identifier(*table), quote_identifier(pick_column(*table)),
                      pick_from(input_, kValues), input_.ConsumeBool() ? "min" : "max",
                      quote_identifier(*table)));
    }
  }

  void add_user_trigger() {
    const auto table = pick("table");
    if (!table) return;
    run(fmt::format("CREATE TRIGGER fuzz_trigger_{} {} {} ON {} BEGIN {}; END", counter_++,
                    input_.ConsumeBool() ? "AFTER" : "BEFORE",
                    input_.PickValueInArray<std::string>({"INSERT", "UPDATE", "DELETE"}),
                    quote_identifier(*table),
                    input_.PickValueInArray<std::string>(
                        {"SELECT 1", "DELETE FROM fuzz_table_0",
                         "INSERT INTO fuzz_table_0 (note) VALUES ('from a trigger')",
                         "SELECT RAISE(ABORT, 'refused by the user')"})));
  }

  // A CREATE TABLE with one edit of its column list: a column or
  // constraint dropped, a column's type replaced, a constraint added to a
  // column or removed from it, a column added, two items swapped, or a
  // table option added; otherwise (and for other SQL) token-level edits.
  std::string edited_table(const std::string& sql) {
    std::vector<emf::Token> tokens;
    try {
      tokens = emf::tokenize(sql);
    } catch (const emf::Error&) {
      return sql;
    }
    std::size_t open = 0;
    while (open < tokens.size() && !emf::is_punctuation(tokens[open], "(")) ++open;
    if (open == tokens.size()) return edited(sql);
    const std::size_t close = emf::past_matching(tokens, open);
    std::vector<std::vector<std::string>> items;
    emf::for_each_item(tokens, open, close, [&](std::size_t begin, std::size_t end) {
      std::vector<std::string> item;
      for (std::size_t i = begin; i < end; ++i) item.emplace_back(tokens[i].text);
      items.push_back(item);
    });
    if (items.empty()) return edited(sql);
    auto& item = items[input_.ConsumeIntegralInRange<std::size_t>(0, items.size() - 1)];
    std::string options;
    switch (input_.ConsumeIntegralInRange(0, 7)) {
      case 0:
        items.erase(items.begin() + (&item - items.data()));
        break;
      case 1:
        if (item.size() > 1) {
          item[1] = input_.PickValueInArray<std::string>({"TEXT", "INTEGER", "INT", "REAL", "BLOB",
                                                          "NUMERIC", "ANY", "DATETIME",
                                                          "VARCHAR(10)", "BOOLEAN"});
        }
        break;
      case 2:
        item.push_back(pick_from(input_, kDefinitionEdits));
        break;
      case 3: {
        // From a constraint's first keyword to the next one.
        const auto starts = [](const std::string& token) {
          for (const char* keyword :
               {"NOT", "DEFAULT", "CHECK", "COLLATE", "UNIQUE", "REFERENCES", "PRIMARY"}) {
            if (emf::is_word(emf::Token{emf::Token::Type::word, token, 0}, keyword)) return true;
          }
          return false;
        };
        std::vector<std::size_t> at;
        for (std::size_t i = 1; i < item.size(); ++i) {
          if (starts(item[i])) at.push_back(i);
        }
        if (at.empty()) break;
        const std::size_t from = at[input_.ConsumeIntegralInRange<std::size_t>(0, at.size() - 1)];
        std::size_t to = from + 1;
        while (to < item.size() && !starts(item[to])) ++to;
        item.erase(item.begin() + static_cast<std::ptrdiff_t>(from),
                   item.begin() + static_cast<std::ptrdiff_t>(to));
        break;
      }
      case 4:
        items.push_back({"fuzz_column", pick_from(input_, kDefinitionEdits)});
        break;
      case 5:
        std::swap(item, items[input_.ConsumeIntegralInRange<std::size_t>(0, items.size() - 1)]);
        break;
      case 6:
        options = input_.PickValueInArray<std::string>({" STRICT", " WITHOUT ROWID"});
        break;
      default:
        return edited(sql);
    }
    std::string result;
    for (std::size_t i = 0; i < open; ++i) result += std::string(tokens[i].text) + " ";
    result += "(";
    for (std::size_t i = 0; i < items.size(); ++i) {
      result += i == 0 ? "\n  " : ",\n  ";
      for (const std::string& token : items[i]) result += token + " ";
    }
    result += "\n)";
    for (std::size_t i = close; i < tokens.size(); ++i) result += " " + std::string(tokens[i].text);
    return result + options;
  }

  // SQL with one to three token-level edits from the fuzz input.
  std::string edited(const std::string& sql) {
    std::vector<emf::Token> tokens;
    try {
      tokens = emf::tokenize(sql);
    } catch (const emf::Error&) {
      return sql;
    }
    std::vector<std::string> pieces;
    for (const emf::Token& token : tokens) pieces.emplace_back(token.text);
    const int edits = input_.ConsumeIntegralInRange(1, 3);
    for (int i = 0; i < edits && !pieces.empty(); ++i) {
      const std::size_t at = input_.ConsumeIntegralInRange<std::size_t>(0, pieces.size() - 1);
      switch (input_.ConsumeIntegralInRange(0, 2)) {
        case 0:
          pieces.erase(pieces.begin() + static_cast<std::ptrdiff_t>(at));
          break;
        case 1:
          pieces[at] = pick_from(input_, kDefinitionEdits);
          break;
        default:
          pieces.insert(pieces.begin() + static_cast<std::ptrdiff_t>(at),
                        pick_from(input_, kDefinitionEdits));
      }
    }
    std::string result;
    for (const std::string& piece : pieces) result += piece + " ";
    return result;
  }

  // SQLite's procedure for a change ALTER TABLE cannot make
  // (lang_altertable.html): a new table with the edited definition, the rows
  // of the columns it keeps, the old one dropped, the new one renamed, its
  // indexes, triggers and views back.
  void rebuild_table() {
    const auto table = pick("table");
    if (!table) return;
    const std::string create = emf::fuzz::text(
        db_, fmt::format("SELECT sql FROM sqlite_schema WHERE name = {}", quote_literal(*table)));
    std::string new_create;
    try {
      new_create = emf::replace_object_name(edited_table(create), "fuzz_rebuilt");
    } catch (const emf::Error&) {
      return;  // the edit removed the name
    }
    const auto dependents = column_of(emf::fuzz::rows(
        db_, fmt::format("SELECT sql FROM sqlite_schema WHERE type IN ('index', 'trigger') AND "
                         "tbl_name = {} AND sql IS NOT NULL",
                         quote_literal(*table))));
    const auto views =
        emf::fuzz::rows(db_, "SELECT name, sql FROM sqlite_schema WHERE type = 'view'");
    const bool foreign_keys = emf::fuzz::text(db_, "PRAGMA foreign_keys") == "1";
    emf::fuzz::exec(db_, "PRAGMA foreign_keys = OFF");
    emf::fuzz::exec(db_, "BEGIN");
    bool done = run(new_create);
    if (done) {
      std::string kept;
      const std::vector<std::string> new_columns = columns(db_, "fuzz_rebuilt");
      for (const std::string& column : columns(db_, *table)) {
        if (std::find(new_columns.begin(), new_columns.end(), column) != new_columns.end()) {
          kept += (kept.empty() ? "" : ", ") + quote_identifier(column);
        }
      }
      for (const auto& view : views) done = done && run("DROP VIEW " + quote_identifier(view[0]));
      done = done && !kept.empty() &&
             run(fmt::format("INSERT INTO fuzz_rebuilt ({0}) SELECT {0} FROM {1}", kept,
                             quote_identifier(*table))) &&
             run("DROP TABLE " + quote_identifier(*table)) &&
             run("ALTER TABLE fuzz_rebuilt RENAME TO " + quote_identifier(*table));
      for (const std::string& sql : dependents) done = done && run(sql);
      for (const auto& view : views) done = done && run(view[1]);
    }
    emf::fuzz::exec(db_, done ? "COMMIT" : "ROLLBACK");
    if (foreign_keys) emf::fuzz::exec(db_, "PRAGMA foreign_keys = ON");
  }

  void edit_trigger_or_view() {
    const auto found = emf::fuzz::rows(
        db_, "SELECT type, name, sql FROM sqlite_schema WHERE type IN ('trigger', 'view')");
    if (found.empty()) return;
    const auto& object = found[input_.ConsumeIntegralInRange<std::size_t>(0, found.size() - 1)];
    emf::fuzz::exec(db_, "SAVEPOINT edit");
    const bool done = run(fmt::format("DROP {} {}", object[0], quote_identifier(object[1]))) &&
                      run(edited(object[2]));
    emf::fuzz::exec(db_, done ? "RELEASE edit" : "ROLLBACK TO edit; RELEASE edit");
  }

  sqlite3* db_;
  FuzzedDataProvider& input_;
  bool verbose_;
  int counter_ = 0;
};

// A table's rows, each value as quote() spells it (type and value exactly).
using TableRows = std::vector<std::vector<std::string>>;

// A value as quote() spells it; or, `as_number`, a numeric text that spells
// its number exactly as that number, and a real that is a whole number as
// that integer: the values a rebuild keeps (docs/migrations.md, "a numeric
// text that spells the number exactly ... and an integer into a REAL column
// arrive as the same number").
std::string spelled(const std::string& column, bool as_number) {
  const std::string name = quote_identifier(column);
  if (!as_number) return fmt::format("quote({})", name);
  const std::string number = fmt::format(
      "CASE WHEN typeof({0}) = 'text' AND CAST(CAST({0} AS NUMERIC) AS TEXT) = {0} "
      "THEN CAST({0} AS NUMERIC) ELSE {0} END",
      name);
  return fmt::format(
      "CASE WHEN typeof({0}) = 'real' AND {0} = CAST({0} AS INTEGER) THEN "
      "quote(CAST({0} AS INTEGER)) ELSE quote({0}) END",
      "(" + number + ")");
}

TableRows table_rows(sqlite3* db, const std::string& table,
                     const std::vector<std::string>& table_columns, bool as_number) {
  std::string values;
  for (const std::string& column : table_columns) {
    values += (values.empty() ? "" : ", ") + spelled(column, as_number);
  }
  return emf::fuzz::rows(
      db, fmt::format("SELECT {} FROM {}", values.empty() ? "1" : values, quote_identifier(table)));
}

// The rows over the columns named `kept`, sorted, for comparison.
std::vector<std::string> projected(const TableRows& rows, const std::vector<std::string>& columns,
                                   const std::vector<std::string>& kept) {
  std::vector<std::size_t> indexes;
  for (const std::string& column : kept) {
    indexes.push_back(static_cast<std::size_t>(std::find(columns.begin(), columns.end(), column) -
                                               columns.begin()));
  }
  std::vector<std::string> result;
  for (const auto& row : rows) {
    std::string joined;
    for (std::size_t index : indexes) joined += row.at(index) + "\x1f";
    result.push_back(joined);
  }
  std::sort(result.begin(), result.end());
  return result;
}

struct Snapshot {
  std::vector<std::vector<std::string>> schema;  // type, name, sql of every object
  std::map<std::string, std::vector<std::string>> columns;
  std::map<std::string, TableRows> rows;
  std::map<std::string, TableRows> numbers;  // the rows, spelled as_number
  bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot(sqlite3* db) {
  Snapshot result;
  result.schema = emf::fuzz::rows(
      db, "SELECT type, name, coalesce(sql, '') FROM sqlite_schema ORDER BY type, name");
  for (const std::string& table : objects(db, "table")) {
    result.columns[table] = columns(db, table);
    result.rows[table] = table_rows(db, table, result.columns[table], false);
    result.numbers[table] = table_rows(db, table, result.columns[table], true);
  }
  return result;
}

// The names of every object of every kind, as emf_init makes them.
const std::set<std::string>& emf_object_names() {
  static const std::set<std::string> names = [] {
    const emf::fuzz::Connection db = emf::fuzz::open_connection(":memory:");
    for (const std::string& kind : kKinds)
      emf::fuzz::text(db.get(), "SELECT emf_init('" + kind + "')");
    const auto found = column_of(emf::fuzz::rows(db.get(), "SELECT name FROM sqlite_schema"));
    return std::set<std::string>(found.begin(), found.end());
  }();
  return names;
}

// Calls emf_x(kind); the report, or nullopt when it refused.
std::optional<std::string> call(sqlite3* db, const std::string& function, const std::string& kind,
                                bool verbose) {
  sqlite3_stmt* statement = nullptr;
  const std::string sql = fmt::format("SELECT {}('{}')", function, kind);
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    fail(sql + ": " + sqlite3_errmsg(db));
  }
  std::optional<std::string> report;
  if (sqlite3_step(statement) == SQLITE_ROW) {
    report = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  }
  if (verbose)
    std::fprintf(stderr, "%s -- %s\n", sql.c_str(), report ? report->c_str() : sqlite3_errmsg(db));
  sqlite3_finalize(statement);
  return report;
}

void check_repaired(sqlite3* db, const std::string& kind, const Snapshot& before, bool verbose) {
  const auto report = call(db, "emf_check", kind, verbose);
  if (!report) fail("emf_check failed after a successful repair");
  if (emf::fuzz::text(db, "SELECT json_extract(" + quote_literal(*report) + ", '$.ok')") != "1") {
    fail("emf_repair reported success, but emf_check is not ok: " + *report);
  }
  const Snapshot after = snapshot(db);
  // emf's own summary of video_metrics, which a repair fills again from the
  // snapshots whenever it differs from them: after a repair of metrics it
  // holds their latest.
  if (kind == "metrics") {
    const std::string derived =
        "SELECT m.id, m.video_id, m.platform FROM video_metrics AS m WHERE NOT EXISTS (SELECT 1 "
        "FROM video_metrics AS n WHERE n.video_id = m.video_id AND n.platform = m.platform AND "
        "n.timestamp > m.timestamp)";
    const std::string held = "SELECT snapshot_id, video_id, platform FROM video_metrics_latest";
    if (emf::fuzz::text(db, "SELECT EXISTS (" + held + " EXCEPT " + derived + ") OR EXISTS (" +
                                derived + " EXCEPT " + held + ")") != "0") {
      fail("after emf_repair, video_metrics_latest does not hold the latest snapshots");
    }
  }
  for (const auto& [table, table_columns] : before.columns) {
    // Its rows are emf's, not the user's: checked above.
    if (table == "video_metrics_latest") continue;
    const auto found = after.columns.find(table);
    if (found == after.columns.end()) fail("emf_repair lost the table " + table);
    std::vector<std::string> kept;
    for (const std::string& column : table_columns) {
      if (std::find(found->second.begin(), found->second.end(), column) != found->second.end()) {
        kept.push_back(column);
      }
    }
    if (projected(before.numbers.at(table), table_columns, kept) !=
        projected(after.numbers.at(table), found->second, kept)) {
      fail("emf_repair changed the rows of " + table);
    }
  }
  for (const auto& object : before.schema) {
    if (emf_object_names().count(object[1]) != 0 || object[1].starts_with("sqlite_")) continue;
    const bool kept = std::any_of(after.schema.begin(), after.schema.end(), [&](const auto& now) {
      return now[0] == object[0] && now[1] == object[1];
    });
    if (!kept) fail(fmt::format("emf_repair lost the {} {} of the user's", object[0], object[1]));
  }
}

}  // namespace

// A kind initialised and seeded, sometimes with the next kind beside it,
// in memory: made once per process (emf_init is the slow part) and copied
// for each input.
emf::fuzz::Connection starting_database(std::size_t kind_index, bool with_other_kind,
                                        bool synthetic_rows) {
  static std::map<std::tuple<std::size_t, bool, bool>, std::vector<unsigned char>> images;
  auto& image = images[{kind_index, with_other_kind, synthetic_rows}];
  if (image.empty()) {
    const emf::fuzz::Connection db = emf::fuzz::open_connection(":memory:");
    const std::string& kind = kKinds[kind_index];
    emf::fuzz::text(db.get(), fmt::format("SELECT emf_init('{}')", kind));
    if (with_other_kind) {
      const std::string& other = kKinds[(kind_index + 1) % kKinds.size()];
      emf::fuzz::text(db.get(), fmt::format("SELECT emf_init('{}')", other));
    }
    emf::fuzz::text(db.get(), synthetic_rows ? fmt::format("SELECT emf_seed('{}', 4, 1)", kind)
                                             : fmt::format("SELECT emf_seed('{}')", kind));
    sqlite3_int64 size = 0;
    unsigned char* bytes = sqlite3_serialize(db.get(), "main", &size, 0);
    if (bytes == nullptr) fail("cannot serialize the starting database");
    image.assign(bytes, bytes + size);
    sqlite3_free(bytes);
  }
  emf::fuzz::Connection db = emf::fuzz::open_connection(":memory:");
  auto* copy = static_cast<unsigned char*>(sqlite3_malloc64(image.size()));
  if (copy == nullptr) fail("out of memory");
  std::copy(image.begin(), image.end(), copy);
  const auto size = static_cast<sqlite3_int64>(image.size());
  if (sqlite3_deserialize(db.get(), "main", copy, size, size,
                          SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE) !=
      SQLITE_OK) {
    fail(std::string("cannot deserialize the starting database: ") + sqlite3_errmsg(db.get()));
  }
  return db;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool verbose = std::getenv("EMF_FUZZ_VERBOSE") != nullptr;
  FuzzedDataProvider input(data, size);
  const std::size_t kind_index = input.ConsumeIntegralInRange<std::size_t>(0, kKinds.size() - 1);
  const std::string& kind = kKinds[kind_index];
  const emf::fuzz::Connection connection =
      starting_database(kind_index, input.ConsumeBool(), input.ConsumeBool());
  sqlite3* db = connection.get();
  Mutator mutator(db, input, verbose);
  const int mutations = input.ConsumeIntegralInRange(1, 8);
  for (int i = 0; i < mutations && input.remaining_bytes() > 0; ++i) mutator.mutate();

  const Snapshot before = snapshot(db);
  call(db, "emf_check", kind, verbose);
  if (snapshot(db) != before) fail("emf_check changed the database");
  if (call(db, "emf_repair", kind, verbose)) {
    check_repaired(db, kind, before, verbose);
  } else if (snapshot(db) != before) {
    fail("emf_repair refused, but changed the database");
  }
  return 0;
}
