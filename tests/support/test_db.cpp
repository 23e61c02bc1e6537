// Test helpers; see test_db.h.
#include "support/test_db.h"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace emf::test {

TempDir::TempDir(Where where) {
  const bool memory = where == Where::memory && access("/dev/shm", W_OK) == 0;
  const std::filesystem::path base =
      memory ? std::filesystem::path("/dev/shm") : std::filesystem::temp_directory_path();
  std::string pattern = (base / "emf-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

Db::Db(const std::string& path, bool load_extension, const char* vfs) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, vfs) != SQLITE_OK) {
    throw std::runtime_error(fmt::format("cannot open {}: {}", path, sqlite3_errmsg(db_)));
  }
  exec("PRAGMA recursive_triggers = ON");
  if (load_extension) {
    sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 1, nullptr);
    char* message = nullptr;
    if (sqlite3_load_extension(db_, EMF_EXTENSION_PATH, nullptr, &message) != SQLITE_OK) {
      std::string reason = message != nullptr ? message : "unknown error";
      sqlite3_free(message);
      throw std::runtime_error("cannot load " EMF_EXTENSION_PATH ": " + reason);
    }
  }
}

Db::~Db() {
  sqlite3_close_v2(db_);
}

void Db::exec(const std::string& sql) {
  if (auto message = error(sql)) throw std::runtime_error(*message + "\n  in: " + sql);
}

std::vector<std::vector<std::string>> Db::rows(const std::string& sql) {
  std::vector<std::vector<std::string>> result;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string(sqlite3_errmsg(db_)) + "\n  in: " + sql);
  }
  int rc;
  while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(statement); ++i) {
      const auto* text = sqlite3_column_text(statement, i);
      row.emplace_back(text == nullptr ? "NULL" : reinterpret_cast<const char*>(text));
    }
    result.push_back(std::move(row));
  }
  std::string message = sqlite3_errmsg(db_);
  sqlite3_finalize(statement);
  if (rc != SQLITE_DONE) throw std::runtime_error(message + "\n  in: " + sql);
  return result;
}

std::string Db::text(const std::string& sql) {
  auto result = rows(sql);
  if (result.empty() || result.front().empty()) throw std::runtime_error("no row from: " + sql);
  return result.front().front();
}

std::int64_t Db::integer(const std::string& sql) {
  return std::stoll(text(sql));
}

std::optional<std::string> Db::error(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) == SQLITE_OK) return std::nullopt;
  std::string reason = message != nullptr ? message : sqlite3_errmsg(db_);
  sqlite3_free(message);
  return reason;
}

std::string Db::json(const std::string& report, const std::string& path) {
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db_, "SELECT json_extract(?1, ?2)", -1, &statement, nullptr);
  sqlite3_bind_text(statement, 1, report.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(statement, 2, path.c_str(), -1, SQLITE_TRANSIENT);
  std::string value = "NULL";
  if (sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_type(statement, 0) != SQLITE_NULL) {
    value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  }
  sqlite3_finalize(statement);
  return value;
}

std::string Db::dump() {
  std::ostringstream out;
  for (const auto& object : rows("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name")) {
    out << object[0] << ' ' << object[1] << ": " << object[2] << '\n';
    if (object[0] != "table") continue;
    for (const auto& row : rows(fmt::format("SELECT * FROM \"{}\" ORDER BY rowid", object[1]))) {
      for (const auto& cell : row) out << cell << '|';
      out << '\n';
    }
  }
  return out.str();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace emf::test
