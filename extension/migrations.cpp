// Indexes the embedded sql/ files by kind and version; see migrations.h.
#include "migrations.h"

#include <fmt/format.h>

#include <array>
#include <charconv>

#include "checksum.h"
#include "db.h"
#include "embedded_sql.h"
#include "error.h"
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

std::string statement_in_schema(std::string_view statement, std::string_view schema) {
  return lower_name(schema) == "main" ? std::string(statement)
                                      : qualify_statement(statement, schema);
}

void apply_sql(sqlite3* db, std::string_view schema, std::string_view sql) {
  for (std::string_view statement : split_statements(sql)) {
    exec(db, statement_in_schema(statement, schema));
  }
}

}  // namespace emf
