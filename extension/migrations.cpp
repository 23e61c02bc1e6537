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
    if (file_name == "sample.sql") continue;
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
// read main.u). Qualifies each table after FROM or JOIN in an INSERT,
// UPDATE or DELETE, except the statement's own WITH names.
std::string qualify_tables_read(const std::string& statement, std::string_view schema) {
  if (!starts_with_words(statement, {"INSERT"}) && !starts_with_words(statement, {"UPDATE"}) &&
      !starts_with_words(statement, {"DELETE"}) && !starts_with_words(statement, {"REPLACE"}) &&
      !starts_with_words(statement, {"WITH"})) {
    return statement;
  }
  const std::vector<Token> tokens = tokenize(statement);
  std::set<std::string> common_tables;
  for (std::size_t i = 0; i + 2 < tokens.size(); ++i) {
    const bool after_with =
        i > 0 && (is_word(tokens[i - 1], "WITH") || is_word(tokens[i - 1], "RECURSIVE") ||
                  is_punctuation(tokens[i - 1], ","));
    if (after_with && names_an_object(tokens[i]) && is_word(tokens[i + 1], "AS") &&
        is_punctuation(tokens[i + 2], "(")) {
      common_tables.insert(identifier_name(tokens[i]));
    }
  }
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (!is_word(tokens[i], "FROM") && !is_word(tokens[i], "JOIN")) continue;
    const Token& name = tokens[i + 1];
    const bool qualified_or_call = i + 2 < tokens.size() && (is_punctuation(tokens[i + 2], ".") ||
                                                             is_punctuation(tokens[i + 2], "("));
    if (names_an_object(name) && !qualified_or_call &&
        !common_tables.contains(identifier_name(name))) {
      offsets.push_back(name.offset);
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

bool table_exists(sqlite3* db, std::string_view schema, std::string_view name) {
  Statement statement(db, "SELECT 1 FROM " + quote_identifier(schema) +
                              ".sqlite_schema WHERE type = 'table' AND name = ?1 COLLATE NOCASE");
  statement.bind_text(1, name);
  return statement.step();
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

MigrationOutcome run_migration(sqlite3* db, std::string_view schema, const Migration& migration,
                               Misfits& misfits) {
  MigrationOutcome outcome;
  Rebuild rebuild(db, std::string(schema));
  std::set<std::string> dropped;
  for (std::string_view statement : split_statements(migration.sql)) {
    const std::optional<std::string> name = statement_object_name(statement);
    if (starts_with_words(statement, {"CREATE", "TABLE"}) && name &&
        table_exists(db, schema, *name)) {
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
