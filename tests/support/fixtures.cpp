// Fixtures; see fixtures.h.
#include "support/fixtures.h"

#include <fmt/format.h>
#include <openssl/evp.h>

namespace emf::test {

std::string sha256_of_file(const std::string& path) {
  const std::string content = read_file(path);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(content.data(), content.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string source_file(const std::string& relative_path) {
  return read_file(std::string(EMF_SOURCE_DIR) + "/" + relative_path);
}

void make_version_1(Db& db, const std::string& kind) {
  const std::string path = fmt::format("sql/{}/001_initial.sql", kind);
  db.exec(source_file("sql/emf_schema_history.sql"));
  db.exec(source_file(path));
  db.exec(
      // Version 1 wrote its times in the 'T...Z' form.
      fmt::format("INSERT INTO emf_schema_history (kind, version, name, checksum, duration_ms, "
                  "applied_at) VALUES ('{}', 1, 'initial', '{}', 0, "
                  "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                  kind, sha256_of_file(std::string(EMF_SOURCE_DIR) + "/" + path)));
}

void make_legacy(Db& db, const std::string& kind) {
  db.exec(source_file(fmt::format("tests/fixtures/legacy_{}.sql", kind)));
}

void drop_constraints(Db& db, const std::string& table) {
  std::string columns;
  for (const auto& column :
       db.rows(fmt::format("SELECT name, type, pk FROM pragma_table_info('{}')", table))) {
    columns += fmt::format("{}{} {}{}", columns.empty() ? "" : ", ", column[0], column[1],
                           column[2] == "1" ? " PRIMARY KEY AUTOINCREMENT" : "");
  }
  // SQLite's documented way to drop a CHECK without a rebuild: edit the
  // stored definition (lang_altertable.html, "otheralter").
  const std::int64_t version = db.integer("PRAGMA schema_version");
  db.exec("PRAGMA writable_schema = ON");
  db.exec(fmt::format("UPDATE sqlite_schema SET sql = 'CREATE TABLE {} ({})' WHERE name = '{}'",
                      table, columns, table));
  db.exec(fmt::format("PRAGMA schema_version = {}", version + 1));
  db.exec("PRAGMA writable_schema = OFF");
}

}  // namespace emf::test
