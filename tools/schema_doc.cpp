// Writes the generated reference of docs/schema.md; see schema_doc.h.
//
// The schema is read the way emf itself reads it (read_schema: sqlite_schema
// and the pragmas), from a connection on which emf_init created the kind: the
// document shows what a user gets, not what the SQL files spell. Only what no
// pragma shows is taken from the stored SQL with emf's tokenizer: each
// column's CHECK constraints and the table-level constraints (as written,
// white space compacted), and a trigger's timing and event.
#include "schema_doc.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <map>
#include <stdexcept>
#include <vector>

#include "db.h"
#include "emf.h"
#include "kinds.h"
#include "schema_snapshot.h"
#include "sql_text.h"

namespace emf::schema_doc {

namespace {

constexpr std::string_view kHistoryTable = "emf_schema_history";

// ---------------------------------------------------------------- the SQL text

// Tokens [begin, end) as written, each run of white space or comments
// between two tokens one space (none just inside parentheses): the SQL's own
// spelling, on one line for a table cell.
std::string compact(const std::vector<Token>& tokens, std::size_t begin, std::size_t end) {
  std::string text;
  for (std::size_t i = begin; i < end; ++i) {
    if (i > begin) {
      const Token& previous = tokens[i - 1];
      const bool gap = tokens[i].offset > previous.offset + previous.text.size();
      if (gap && !is_punctuation(previous, "(") && !is_punctuation(tokens[i], ")")) text += ' ';
    }
    text += tokens[i].text;
  }
  return text;
}

struct Check {
  std::string name;  // the CONSTRAINT name; empty when it has none
  std::string expression;
};

// What a CREATE TABLE says that the pragmas do not: the CHECKs of each
// column and the constraints on the table as a whole.
struct TableText {
  std::map<std::string, std::vector<Check>> column_checks;  // by lower-case column name
  std::vector<std::string> constraints;                     // "UNIQUE (a, b)", as written
};

bool starts_table_constraint(const Token& token) {
  return is_word(token, "CONSTRAINT") || is_word(token, "PRIMARY") || is_word(token, "UNIQUE") ||
         is_word(token, "CHECK") || is_word(token, "FOREIGN");
}

// A keyword that begins a column constraint other than CHECK: a pending
// CONSTRAINT name belongs to it, not to a later CHECK.
bool starts_other_column_constraint(const Token& token) {
  for (std::string_view keyword : {"PRIMARY", "NOT", "NULL", "UNIQUE", "DEFAULT", "COLLATE",
                                   "REFERENCES", "GENERATED", "AS"}) {
    if (is_word(token, keyword)) return true;
  }
  return false;
}

TableText parse_table(std::string_view sql) {
  TableText result;
  const std::vector<Token> tokens = tokenize(sql);
  std::size_t open = 0;
  while (open < tokens.size() && !is_punctuation(tokens[open], "(")) ++open;
  if (open == tokens.size()) return result;
  const std::size_t close = past_matching(tokens, open);

  auto read_item = [&](std::size_t begin, std::size_t end) {
    if (starts_table_constraint(tokens[begin])) {
      result.constraints.push_back(compact(tokens, begin, end));
      return;
    }
    std::vector<Check>& checks = result.column_checks[identifier_name(tokens[begin])];
    std::string pending_name;
    for (std::size_t i = begin + 1; i < end; ++i) {
      if (is_word(tokens[i], "CONSTRAINT") && i + 1 < end) {
        pending_name = identifier_name(tokens[++i]);
      } else if (is_word(tokens[i], "CHECK") && i + 1 < end && is_punctuation(tokens[i + 1], "(")) {
        const std::size_t past = past_matching(tokens, i + 1);
        checks.push_back({pending_name, compact(tokens, i + 2, past - 1)});
        pending_name.clear();
        i = past - 1;
      } else if (is_punctuation(tokens[i], "(")) {
        i = past_matching(tokens, i) - 1;  // a type's arguments or a default
      } else if (starts_other_column_constraint(tokens[i])) {
        pending_name.clear();
      }
    }
  };

  for_each_item(tokens, open, close, read_item);
  return result;
}

struct TriggerText {
  std::string timing;  // BEFORE, AFTER or INSTEAD OF
  std::string event;   // DELETE, INSERT, UPDATE or "UPDATE OF a, b"
};

// CREATE [TEMP] TRIGGER [IF NOT EXISTS] name [BEFORE|AFTER|INSTEAD OF] event ON table ...
TriggerText parse_trigger(std::string_view sql) {
  const std::vector<Token> tokens = tokenize(sql);
  std::size_t i = 0;
  while (i < tokens.size() && !is_word(tokens[i], "TRIGGER")) ++i;
  ++i;
  if (i + 2 < tokens.size() && is_word(tokens[i], "IF") && is_word(tokens[i + 1], "NOT")) i += 3;
  ++i;                                                                  // the name
  if (i + 1 < tokens.size() && is_punctuation(tokens[i], ".")) i += 2;  // schema.name
  TriggerText result{"BEFORE", ""};                                     // SQLite's default
  if (i < tokens.size() && (is_word(tokens[i], "BEFORE") || is_word(tokens[i], "AFTER"))) {
    result.timing = std::string(tokens[i].text);
    ++i;
  } else if (i + 1 < tokens.size() && is_word(tokens[i], "INSTEAD")) {
    result.timing = "INSTEAD OF";
    i += 2;
  }
  for (char& c : result.timing) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (i < tokens.size()) {
    for (std::string_view event : {"DELETE", "INSERT", "UPDATE"}) {
      if (is_word(tokens[i], event)) result.event = std::string(event);
    }
    ++i;
  }
  if (i < tokens.size() && is_word(tokens[i], "OF")) {
    std::vector<std::string> columns;
    for (++i; i < tokens.size() && !is_word(tokens[i], "ON"); ++i) {
      if (!is_punctuation(tokens[i], ",")) columns.push_back(identifier_name(tokens[i]));
    }
    result.event += fmt::format(" OF {}", fmt::join(columns, ", "));
  }
  return result;
}

// ------------------------------------------------------------------ Markdown

// `text` as a code span: a fence longer than any run of backticks in it, and
// `|` escaped, which GitHub's tables require even inside code.
std::string code(std::string_view text) {
  std::size_t longest = 0, run = 0;
  std::string escaped;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
    if (c == '|') escaped += '\\';
    escaped += c;
  }
  const std::string fence(longest + 1, '`');
  const bool pad = !escaped.empty() && (escaped.front() == '`' || escaped.back() == '`');
  return pad ? fence + " " + escaped + " " + fence : fence + escaped + fence;
}

std::string codes(const std::vector<std::string>& names) {
  std::vector<std::string> spans;
  for (const std::string& name : names) spans.push_back(code(name));
  return fmt::format("{}", fmt::join(spans, ", "));
}

std::string details(std::string_view summary, std::string_view sql) {
  return fmt::format("<details><summary>{}</summary>\n\n```sql\n{}\n```\n\n</details>\n\n", summary,
                     sql);
}

// --------------------------------------------------------------- the schema

struct Connection {
  Connection() {
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
      throw std::runtime_error("cannot open an in-memory database");
    }
    char* error = nullptr;
    if (sqlite3_emf_init(db, &error, nullptr) != SQLITE_OK) {
      const std::string message = error ? error : "emf could not be registered";
      sqlite3_free(error);
      throw std::runtime_error(message);
    }
  }
  ~Connection() { sqlite3_close(db); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  sqlite3* db = nullptr;
};

// A UNIQUE constraint or a unique index on plain columns (not the primary
// key: that is PK already).
struct UniqueKey {
  std::vector<std::string> columns;  // lower case
};

std::vector<UniqueKey> unique_keys(sqlite3* db, const std::string& table) {
  std::vector<UniqueKey> keys;
  Statement list(db,
                 "SELECT name FROM pragma_index_list(?1) "
                 "WHERE \"unique\" AND NOT partial AND origin <> 'pk' ORDER BY name");
  list.bind_text(1, table);
  while (list.step()) {
    Statement info(db, "SELECT cid, name FROM pragma_index_info(?1) ORDER BY seqno");
    info.bind_text(1, list.column_text(0));
    UniqueKey key;
    bool plain = true;
    while (info.step()) {
      if (info.column_int(0) < 0) plain = false;  // an expression
      if (!info.column_is_null(1)) key.columns.push_back(lower_name(info.column_text(1)));
    }
    if (plain) keys.push_back(std::move(key));
  }
  return keys;
}

std::vector<std::string> view_columns(sqlite3* db, const std::string& view) {
  std::vector<std::string> columns;
  Statement statement(db, "SELECT name FROM pragma_table_info(?1) ORDER BY cid");
  statement.bind_text(1, view);
  while (statement.step()) columns.push_back(statement.column_text(0));
  return columns;
}

// The foreign keys of a table in the order of their columns (the pragma
// lists the last declared first).
std::vector<ForeignKey> ordered_foreign_keys(const SchemaObject& table) {
  std::vector<ForeignKey> keys = table.foreign_keys;
  auto position = [&](const ForeignKey& key) {
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      if (!key.from_columns.empty() && lower_name(table.columns[i].name) == key.from_columns[0]) {
        return i;
      }
    }
    return table.columns.size();
  };
  std::stable_sort(keys.begin(), keys.end(), [&](const ForeignKey& a, const ForeignKey& b) {
    return position(a) < position(b);
  });
  return keys;
}

std::string actions(const ForeignKey& key) {
  std::string text;
  if (key.on_delete != "NO ACTION") text += " ON DELETE " + key.on_delete;
  if (key.on_update != "NO ACTION") text += " ON UPDATE " + key.on_update;
  return text;
}

// One table: its columns, its constraints, its indexes and its SQL.
std::string table_section(sqlite3* db, const SchemaSnapshot& schema, const SchemaObject& table,
                          std::string_view heading) {
  std::string out = fmt::format("{} Table {}\n\n", heading, code(table.name));
  const TableText text = parse_table(table.sql);
  const std::vector<UniqueKey> uniques = unique_keys(db, table.name);
  const std::vector<ForeignKey> foreign_keys = ordered_foreign_keys(table);

  out += "| column | type | not null | default | key | check |\n";
  out += "|---|---|---|---|---|---|\n";
  for (const Column& column : table.columns) {
    const std::string name = lower_name(column.name);
    std::vector<std::string> key;
    if (column.primary_key_position > 0) key.push_back("PK");
    if (column.autoincrement) key.push_back("AUTOINCREMENT");
    for (const UniqueKey& unique : uniques) {
      if (unique.columns == std::vector{name}) key.push_back("UNIQUE");
    }
    for (const ForeignKey& foreign_key : foreign_keys) {
      if (foreign_key.from_columns == std::vector{name}) {
        key.push_back(fmt::format("FK → {} ({}){}", code(foreign_key.table),
                                  code(foreign_key.to_columns[0]), actions(foreign_key)));
      }
    }
    std::vector<std::string> checks;
    const auto found = text.column_checks.find(name);
    if (found != text.column_checks.end()) {
      for (const Check& check : found->second) {
        checks.push_back(check.name.empty()
                             ? code(check.expression)
                             : fmt::format("{}: {}", code(check.name), code(check.expression)));
      }
    }
    std::string default_value;
    if (!column.generated.empty()) {
      default_value = "generated: " + code(column.generated);
    } else if (column.default_value) {
      default_value = code(*column.default_value);
    }
    out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", code(column.name), column.type,
                       column.not_null ? "NOT NULL" : "", default_value, fmt::join(key, ", "),
                       fmt::join(checks, "<br>"));
  }
  out += '\n';

  if (!text.constraints.empty()) {
    out += fmt::format("Table constraints: {}.\n\n", codes(text.constraints));
  }
  std::vector<const SchemaObject*> indexes;
  for (const SchemaObject& object : schema.objects) {
    if (object.type == "index" && lower_name(object.table) == lower_name(table.name)) {
      indexes.push_back(&object);
    }
  }
  if (!indexes.empty()) {
    out += "| index | columns | unique | where |\n|---|---|---|---|\n";
    for (const SchemaObject* index : indexes) {
      out += fmt::format("| {} | {} | {} | {} |\n", code(index->name), codes(index->index_columns),
                         index->unique ? "UNIQUE" : "",
                         index->where.empty() ? "" : code(index->where));
    }
    out += '\n';
  }
  out += details(fmt::format("CREATE TABLE {}", table.name), table.sql + ";");
  return out;
}

// The Mermaid diagram of a kind: its tables with their key columns (PK, FK,
// UK: in a UNIQUE constraint or a unique index on plain columns) and one
// line per foreign key, the parent on the left.
std::string diagram(sqlite3* db, const std::vector<const SchemaObject*>& tables) {
  std::string out = "```mermaid\nerDiagram\n";
  std::string relations;
  for (const SchemaObject* table : tables) {
    const std::vector<UniqueKey> uniques = unique_keys(db, table->name);
    const std::vector<ForeignKey> foreign_keys = ordered_foreign_keys(*table);
    std::string attributes;
    for (const Column& column : table->columns) {
      const std::string name = lower_name(column.name);
      std::vector<std::string> keys;
      std::string comment;
      if (column.primary_key_position > 0) keys.push_back("PK");
      for (const ForeignKey& foreign_key : foreign_keys) {
        const auto& from = foreign_key.from_columns;
        if (std::find(from.begin(), from.end(), name) != from.end()) {
          keys.push_back("FK");
          break;
        }
      }
      for (const UniqueKey& unique : uniques) {
        const auto& columns = unique.columns;
        if (std::find(columns.begin(), columns.end(), name) == columns.end()) continue;
        keys.push_back("UK");
        if (columns.size() > 1) {
          comment = fmt::format(" \"UNIQUE ({})\"", fmt::join(columns, ", "));
        }
        break;
      }
      if (keys.empty()) continue;
      // Mermaid takes a type of letters, digits and underscores.
      std::string type = column.type.empty() ? "ANY" : column.type;
      for (char& c : type) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      attributes +=
          fmt::format("        {} {} {}{}\n", type, column.name, fmt::join(keys, ", "), comment);
    }
    out += attributes.empty() ? fmt::format("    {}\n", table->name)
                              : fmt::format("    {} {{\n{}    }}\n", table->name, attributes);
    for (const ForeignKey& foreign_key : foreign_keys) {
      bool optional = false;  // a child row may have no parent: a nullable key column
      for (const std::string& from : foreign_key.from_columns) {
        const Column* column = find_column(table->columns, from);
        if (column && !column->not_null) optional = true;
      }
      relations +=
          fmt::format("    {} {}--o{{ {} : \"{}\"\n", foreign_key.table, optional ? "|o" : "||",
                      table->name, fmt::join(foreign_key.from_columns, ", "));
    }
  }
  return out + relations + "```\n\n";
}

std::string kind_section(Kind kind) {
  Connection connection;
  sqlite3* db = connection.db;
  const std::string version =
      query_optional_text(db, fmt::format("SELECT json_extract(emf_init({}), '$.version')",
                                          quote_literal(kind_name(kind))))
          .value_or("?");
  const SchemaSnapshot schema = read_schema(db, "main");

  std::vector<const SchemaObject*> tables, triggers, views;
  for (const SchemaObject& object : schema.objects) {
    if (object.type == "table" && lower_name(object.name) != kHistoryTable) {
      tables.push_back(&object);
    }
    if (object.type == "trigger") triggers.push_back(&object);
    if (object.type == "view") views.push_back(&object);
  }

  std::string out = fmt::format("### {} (version {})\n\n", kind_name(kind), version);
  out += diagram(db, tables);
  for (const SchemaObject* table : tables) out += table_section(db, schema, *table, "####");

  if (!triggers.empty()) {
    out += fmt::format("#### Triggers of {}\n\n", kind_name(kind));
    out += "| trigger | table | timing | event |\n|---|---|---|---|\n";
    std::string sql;
    for (const SchemaObject* trigger : triggers) {
      const TriggerText text = parse_trigger(trigger->sql);
      out += fmt::format("| {} | {} | {} | {} |\n", code(trigger->name), code(trigger->table),
                         text.timing, text.event);
      sql += (sql.empty() ? "" : "\n\n") + trigger->sql + ";";
    }
    out += '\n' + details(fmt::format("The triggers of {}", kind_name(kind)), sql);
  }
  if (!views.empty()) {
    out += fmt::format("#### Views of {}\n\n", kind_name(kind));
    out += "| view | columns |\n|---|---|\n";
    std::string sql;
    for (const SchemaObject* view : views) {
      out += fmt::format("| {} | {} |\n", code(view->name), codes(view_columns(db, view->name)));
      sql += (sql.empty() ? "" : "\n\n") + view->sql + ";";
    }
    out += '\n' + details(fmt::format("The views of {}", kind_name(kind)), sql);
  }
  return out;
}

// emf's own table, the same in every database: listed once, not drawn.
std::string history_section() {
  Connection connection;
  sqlite3* db = connection.db;
  exec(db, fmt::format("SELECT emf_init({})", quote_literal(kind_name(kAllKinds[0]))));
  const SchemaSnapshot schema = read_schema(db, "main");
  const SchemaObject* table = schema.find(kHistoryTable);
  if (!table) throw std::runtime_error("emf_init created no emf_schema_history");
  std::string out = "### Every kind: emf's history\n\n";
  out += fmt::format(
      "Every database emf manages also holds {}, one row per migration\n"
      "applied (see `docs/functions.md`): emf's bookkeeping, left out of the diagrams.\n\n",
      code(kHistoryTable));
  return out + table_section(db, schema, *table, "####");
}

}  // namespace

std::string generate() {
  std::string out =
      "<!-- Made by `make schema-doc` (tools/schema_doc.cpp) from the schema libemf embeds: "
      "do not edit by hand. -->\n\n";
  // Prose wrapped as the hand-written docs are, so that the raw file reads well.
  out +=
      "What `emf_init` creates for each kind at its latest version, read back from\n"
      "SQLite (`sqlite_schema` and its pragmas). In each table of columns, *key* says\n"
      "PK (part of the primary key), AUTOINCREMENT, UNIQUE (unique on its own) and FK\n"
      "(the table and column it references, with its actions); *check* lists the\n"
      "column's CHECK constraints as written, a named one after its name. Constraints\n"
      "on several columns follow the table, and each table's whole CREATE statement\n"
      "is in the collapsed block under it. UNIQUE and PRIMARY KEY constraints have\n"
      "SQLite's automatic indexes (`sqlite_autoindex_*`), not listed. Each diagram\n"
      "shows the kind's tables with their key columns (PK, FK, and UK for a column in\n"
      "a UNIQUE constraint or unique index) and a line for each foreign key, from the\n"
      "referenced table to the table that references it.\n\n";
  for (Kind kind : kAllKinds) out += kind_section(kind);
  out += history_section();
  return out;  // ends with a blank line, before the end marker
}

namespace {

struct Markers {
  std::size_t content_begin;  // just past the begin marker's line
  std::size_t content_end;    // where the end marker's line begins
};

std::optional<Markers> find_markers(std::string_view document) {
  const std::size_t begin = document.find(kBeginMarker);
  if (begin == std::string_view::npos) return std::nullopt;
  std::size_t content_begin = document.find('\n', begin);
  if (content_begin == std::string_view::npos) return std::nullopt;
  ++content_begin;
  const std::size_t end = document.find(kEndMarker, content_begin);
  if (end == std::string_view::npos) return std::nullopt;
  return Markers{content_begin, end};
}

}  // namespace

std::optional<std::string> marked_part(std::string_view document) {
  const std::optional<Markers> markers = find_markers(document);
  if (!markers) return std::nullopt;
  return std::string(
      document.substr(markers->content_begin, markers->content_end - markers->content_begin));
}

std::string with_marked_part(std::string_view document, std::string_view generated) {
  if (const std::optional<Markers> markers = find_markers(document)) {
    return fmt::format("{}{}{}", document.substr(0, markers->content_begin), generated,
                       document.substr(markers->content_end));
  }
  std::string out(document);
  if (!out.empty() && out.back() != '\n') out += '\n';
  return fmt::format("{}\n{}\n\n{}\n{}{}\n", out, kSectionHeading, kBeginMarker, generated,
                     kEndMarker);
}

}  // namespace emf::schema_doc
