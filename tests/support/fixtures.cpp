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
      fmt::format("INSERT INTO emf_schema_history (kind, version, name, checksum, duration_ms) "
                  "VALUES ('{}', 1, 'initial', '{}', 0)",
                  kind, sha256_of_file(std::string(EMF_SOURCE_DIR) + "/" + path)));
}

void make_legacy(Db& db, const std::string& kind) {
  db.exec(source_file(fmt::format("tests/fixtures/legacy_{}.sql", kind)));
}

}  // namespace emf::test
