// Indexes the embedded sql/ files by kind and version; see migrations.h.
#include "migrations.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <set>

#include "checksum.h"
#include "db.h"
#include "embedded_sql.h"
#include "error.h"
#include "expected_schema.h"
#include "rebuild.h"
#include "schema_snapshot.h"
#include "sql_text.h"

namespace emf {

namespace {

const EmbeddedFile* find_file(std::string_view path) {
  for (const EmbeddedFile& file : embedded_sql_files()) {
    if (file.path == path) return &file;
  }
  return nullptr;
}

std::vector<Migration> load_migrations(Kind kind) {
  const std::string prefix = std::string(kind_name(kind)) + "/";
  std::vector<Migration> list;
  for (const EmbeddedFile& file : embedded_sql_files()) {
    if (!file.path.starts_with(prefix)) continue;
    std::string_view file_name = file.path.substr(prefix.size());
    if (file_name == "sample.sql" || file_name == "synthetic.sql") continue;
    // EmbedSql.cmake admits only NNN_name.sql here.
    int version = 0;
    std::from_chars(file_name.data(), file_name.data() + 3, version);
    std::string_view name = file_name.substr(4, file_name.size() - 4 - 4);
    list.push_back(Migration{kind, version, std::string(name), std::string(file_name), file.text,
                             sha256_hex(file.text)});
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i].version != static_cast<int>(i) + 1) {
      throw Error(fmt::format("sql/{}: migration versions must run 001, 002, ... without gaps",
                              kind_name(kind)));
    }
  }
  if (list.empty()) throw Error(fmt::format("sql/{}: no migrations embedded", kind_name(kind)));
  return list;
}

}  // namespace

const std::vector<Migration>& migrations(Kind kind) {
  // Built once per process (thread-safe static initialisation).
  static const std::array<std::vector<Migration>, kAllKinds.size()> all = {
      load_migrations(Kind::trends), load_migrations(Kind::metrics),
      load_migrations(Kind::image_library)};
  return all[static_cast<std::size_t>(kind)];
}

int latest_version(Kind kind) {
  return migrations(kind).back().version;
}

std::string_view sample_data_sql(Kind kind) {
  const EmbeddedFile* file = find_file(std::string(kind_name(kind)) + "/sample.sql");
  if (file == nullptr)
    throw Error(fmt::format("sql/{}/sample.sql is not embedded", kind_name(kind)));
  return file->text;
}

std::string_view synthetic_data_sql(Kind kind) {
  const EmbeddedFile* file = find_file(std::string(kind_name(kind)) + "/synthetic.sql");
  if (file == nullptr)
    throw Error(fmt::format("sql/{}/synthetic.sql is not embedded", kind_name(kind)));
  return file->text;
}

std::string_view history_table_sql() {
  const EmbeddedFile* file = find_file("emf_schema_history.sql");
  if (file == nullptr) throw Error("sql/emf_schema_history.sql is not embedded");
  return file->text;
}

}  // namespace emf

namespace emf {

namespace {

bool names_an_object(const Token& token) {
  return token.type == Token::Type::word || token.type == Token::Type::quoted_identifier;
}

// SQLite resolves an unqualified name in temp, then main, then the attached
// schemas: a statement directed at an attached schema must name that schema
// for every table it reads too (INSERT INTO aux.t SELECT ... FROM u would
// read main.u). Qualifies each table of a FROM clause (after FROM, JOIN or a
// comma of the clause) in an INSERT, UPDATE or DELETE, except the
// statement's own WITH names.
std::string qualify_tables_read(const std::string& statement, std::string_view schema) {
  if (!starts_with_words(statement, {"INSERT"}) && !starts_with_words(statement, {"UPDATE"}) &&
      !starts_with_words(statement, {"DELETE"}) && !starts_with_words(statement, {"REPLACE"})) {
    return statement;
  }
  const std::vector<Token> tokens = tokenize(statement);
  // WITH names: "name [(columns)] AS [[NOT] MATERIALIZED] (" after WITH,
  // RECURSIVE or a comma.
  std::set<std::string> common_tables;
  for (std::size_t i = 1; i + 1 < tokens.size(); ++i) {
    const bool after_with = is_word(tokens[i - 1], "WITH") || is_word(tokens[i - 1], "RECURSIVE") ||
                            is_punctuation(tokens[i - 1], ",");
    if (!after_with || !names_an_object(tokens[i])) continue;
    std::size_t next = i + 1;
    if (is_punctuation(tokens[next], "(")) {
      for (int depth = 0; next < tokens.size(); ++next) {
        if (is_punctuation(tokens[next], "(")) ++depth;
        if (is_punctuation(tokens[next], ")") && --depth == 0) break;
      }
      ++next;
    }
    if (next >= tokens.size() || !is_word(tokens[next], "AS")) continue;
    ++next;
    if (next < tokens.size() && is_word(tokens[next], "NOT")) ++next;
    if (next < tokens.size() && is_word(tokens[next], "MATERIALIZED")) ++next;
    if (next < tokens.size() && is_punctuation(tokens[next], "(")) {
      common_tables.insert(identifier_name(tokens[i]));
    }
  }
  static constexpr std::string_view kEndsFromList[] = {
      "WHERE", "GROUP", "ORDER",  "LIMIT",     "HAVING",    "WINDOW", "ON",     "USING",
      "JOIN",  "UNION", "EXCEPT", "INTERSECT", "RETURNING", "SET",    "VALUES", "SELECT"};
  std::vector<std::size_t> offsets;
  std::vector<char> in_from_list(1, 0);  // per parenthesis depth (a FROM list open)
  const auto qualify_at = [&](std::size_t at) {
    if (at >= tokens.size() || !names_an_object(tokens[at])) return;
    const bool qualified_or_call = at + 1 < tokens.size() && (is_punctuation(tokens[at + 1], ".") ||
                                                              is_punctuation(tokens[at + 1], "("));
    if (!qualified_or_call && !common_tables.contains(identifier_name(tokens[at]))) {
      offsets.push_back(tokens[at].offset);
    }
  };
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const Token& token = tokens[i];
    if (is_punctuation(token, "(")) {
      in_from_list.push_back(0);
      continue;
    }
    if (is_punctuation(token, ")")) {
      if (in_from_list.size() > 1) in_from_list.pop_back();
      continue;
    }
    char& listing = in_from_list.back();
    const bool distinct_from =
        is_word(token, "FROM") && i > 0 && is_word(tokens[i - 1], "DISTINCT");
    if ((is_word(token, "FROM") && !distinct_from) || is_word(token, "JOIN")) {
      qualify_at(i + 1);
      listing = is_word(token, "FROM");
      continue;
    }
    if (listing && is_punctuation(token, ",")) {
      qualify_at(i + 1);
      continue;
    }
    for (std::string_view keyword : kEndsFromList) {
      if (is_word(token, keyword)) listing = false;
    }
  }
  std::string result = statement;
  for (auto at = offsets.rbegin(); at != offsets.rend(); ++at) {
    result.insert(*at, quote_identifier(schema) + ".");
  }
  return result;
}

}  // namespace

// Qualified for main too: a TEMP object of the same name would otherwise be
// what an unqualified name finds.
std::string statement_in_schema(std::string_view statement, std::string_view schema) {
  return qualify_tables_read(qualify_statement(statement, schema), schema);
}

void apply_sql(sqlite3* db, std::string_view schema, std::string_view sql) {
  for (std::string_view statement : split_statements(sql)) {
    exec(db, statement_in_schema(statement, schema));
  }
}

namespace {

// The type of the schema's object of that name, or empty.
std::string object_type(sqlite3* db, std::string_view schema, const std::string& name) {
  return query_optional_text(db, fmt::format("SELECT type FROM {}.sqlite_schema WHERE name = {} "
                                             "COLLATE NOCASE",
                                             quote_identifier(schema), quote_literal(name)))
      .value_or("");
}

}  // namespace

bool migration_rebuilds(const Migration& migration) {
  if (migration.version <= 1) return false;
  const SchemaSnapshot& before = expected_schema(migration.kind, migration.version - 1);
  for (std::string_view statement : split_statements(migration.sql)) {
    if (!starts_with_words(statement, {"CREATE", "TABLE"})) continue;
    const std::optional<std::string> name = statement_object_name(statement);
    const SchemaObject* existing = name ? before.find(*name) : nullptr;
    if (existing != nullptr && existing->type == "table") return true;
  }
  return false;
}

namespace {

// For ALTER TABLE t ADD [COLUMN] c ...: t and c (lower case).
std::optional<std::pair<std::string, std::string>> added_column(std::string_view statement) {
  const std::vector<Token> tokens = tokenize(statement);
  if (tokens.size() < 5 || !is_word(tokens[0], "ALTER") || !is_word(tokens[1], "TABLE") ||
      !is_word(tokens[3], "ADD")) {
    return std::nullopt;
  }
  const std::size_t column = is_word(tokens[4], "COLUMN") ? 5 : 4;
  if (column >= tokens.size()) return std::nullopt;
  return std::pair{identifier_name(tokens[2]), identifier_name(tokens[column])};
}

bool column_exists(sqlite3* db, std::string_view schema, const std::string& table,
                   const std::string& column) {
  Statement statement(db,
                      "SELECT 1 FROM pragma_table_xinfo(?1, ?2) WHERE name = ?3 COLLATE NOCASE");
  statement.bind_text(1, table).bind_text(2, schema).bind_text(3, column);
  return statement.step();
}

}  // namespace

MigrationOutcome run_migration(sqlite3* db, std::string_view schema, const Migration& migration,
                               Misfits& misfits, const MigrationContext& context) {
  const std::set<std::string>* kind_tables = context.kind_tables;
  MigrationOutcome outcome;
  Rebuild rebuild(db, std::string(schema));
  std::set<std::string> dropped;
  for (std::string_view statement : split_statements(migration.sql)) {
    const std::optional<std::string> name = statement_object_name(statement);
    if (starts_with_words(statement, {"CREATE", "TABLE"}) && name &&
        object_type(db, schema, *name) == "table") {
      if (kind_tables != nullptr && !kind_tables->contains(*name)) {
        throw Error(
            fmt::format("a table of yours is named {}, which this migration creates; "
                        "rename yours, then try again (nothing was changed)",
                        *name));
      }
      rebuild.rebuild_table(statement, misfits);
      continue;
    }
    const bool update = starts_with_words(statement, {"UPDATE"});
    if (!misfits.empty()) {
      // The migration will be refused: only look for more rows that do not
      // fit, so that the refusal lists them all.
      if (!update) continue;
      try {
        convert_rows(db, schema, statement, misfits);
      } catch (const Error&) {
        // It failed otherwise (its table was not rebuilt): nothing to add.
      }
      continue;
    }
    if (context.adopting) {
      if (const auto added = added_column(statement);
          added && column_exists(db, schema, added->first, added->second)) {
        continue;  // made by hand already; a later rebuild conforms it
      }
      for (const char* type : {"INDEX", "TRIGGER", "VIEW"}) {
        if (!starts_with_words(statement, {"CREATE", type}) &&
            !(std::string_view(type) == "INDEX" &&
              starts_with_words(statement, {"CREATE", "UNIQUE", "INDEX"}))) {
          continue;
        }
        if (name && object_type(db, schema, *name) == lower_name(type)) {
          if (std::string_view(type) == "VIEW") rebuild.set_aside();
          exec(db, fmt::format("DROP {} IF EXISTS {}.{}", type, quote_identifier(schema),
                               quote_identifier(*name)));
        }
      }
    }
    if (starts_with_words(statement, {"DROP"}) && name) dropped.insert(*name);
    // Replacing a view drops the triggers on it: set them aside to come back.
    if (starts_with_words(statement, {"DROP", "VIEW"}) ||
        starts_with_words(statement, {"CREATE", "VIEW"})) {
      rebuild.set_aside();
    }
    if (update) {
      outcome.converted += convert_rows(db, schema, statement, misfits);
    } else if (starts_with_words(statement, {"CREATE", "UNIQUE", "INDEX"})) {
      create_index_or_diagnose(db, schema, statement, misfits);
    } else {
      exec(db, statement_in_schema(statement, schema));
    }
  }
  if (misfits.empty()) rebuild.finish(dropped);
  outcome.rebuilt = rebuild.rebuilt();
  return outcome;
}

}  // namespace emf
