// Connections and queries for the harnesses; see connection.h.
#include "connection.h"

#include <cstdio>
#include <cstdlib>

#include "emf.h"

namespace emf::fuzz {

namespace {

struct FinalizeStatement {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, FinalizeStatement>;

}  // namespace

void fail(const std::string& message) {
  std::fprintf(stderr, "emf fuzz: %s\n", message.c_str());
  std::abort();
}

Connection open_connection(const std::string& path) {
  static const int registered =
      sqlite3_auto_extension(reinterpret_cast<void (*)()>(sqlite3_emf_init));
  if (registered != SQLITE_OK) fail("cannot register emf");
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Connection connection(db);
  if (rc != SQLITE_OK) fail("cannot open " + path + ": " + sqlite3_errmsg(db));
  return connection;
}

std::optional<std::string> try_exec(sqlite3* db, const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) == SQLITE_OK) return std::nullopt;
  std::string error = message != nullptr ? message : sqlite3_errmsg(db);
  sqlite3_free(message);
  return error;
}

void exec(sqlite3* db, const std::string& sql) {
  if (const auto error = try_exec(db, sql)) fail(sql + ": " + *error);
}

std::vector<std::vector<std::string>> rows(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    fail(sql + ": " + sqlite3_errmsg(db));
  }
  Statement statement(raw);
  std::vector<std::vector<std::string>> result;
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(raw); ++i) {
      const unsigned char* value = sqlite3_column_text(raw, i);
      if (value == nullptr) {
        row.emplace_back("NULL");
      } else {
        row.emplace_back(reinterpret_cast<const char*>(value),
                         static_cast<std::size_t>(sqlite3_column_bytes(raw, i)));
      }
    }
    result.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) fail(sql + ": " + sqlite3_errmsg(db));
  return result;
}

std::string text(sqlite3* db, const std::string& sql) {
  const auto result = rows(db, sql);
  if (result.size() != 1 || result[0].empty()) fail(sql + ": expected one row");
  return result[0][0];
}

}  // namespace emf::fuzz
