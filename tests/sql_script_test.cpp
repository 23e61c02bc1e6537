// SQL scripts with their expected output, in the manner of SQLite's and
// sqlean's script tests: each tests/sql/<name>.sql runs on a fresh
// in-memory connection with the built libemf loaded, and what it prints must
// be exactly tests/sql/<name>.out. Each statement is echoed as written (its
// comments included), then each of its rows, columns joined by '|' and NULL
// shown as NULL, or the error it raised:
//
//   SELECT emf_init('trend');
//   error 1: emf_init: unknown kind 'trend' (expected trends, metrics or image_library)
//
// A new script's output is written beside it with
// EMF_SQL_SCRIPT_UPDATE=1 ctest -R SqlScript; read it before committing it:
// the .out file is the claim the test checks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/test_db.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;

fs::path script_folder() {
  return fs::path(EMF_SOURCE_DIR) / "tests" / "sql";
}

std::vector<std::string> script_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(script_folder())) {
    if (entry.path().extension() == ".sql") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

// Runs every statement of the script on the connection, as described at the
// top of this file.
std::string run_script(sqlite3* db, const std::string& script) {
  std::string output;
  const char* rest = script.c_str();
  while (!trimmed(rest).empty()) {
    sqlite3_stmt* statement = nullptr;
    const char* tail = nullptr;
    const int prepared = sqlite3_prepare_v2(db, rest, -1, &statement, &tail);
    if (prepared != SQLITE_OK) {
      // The statement cannot be parsed: echo up to the next semicolon.
      const char* end = std::strchr(rest, ';');
      tail = end == nullptr ? rest + std::strlen(rest) : end + 1;
    }
    output += trimmed(std::string_view(rest, static_cast<std::size_t>(tail - rest))) + "\n";
    rest = tail;
    int rc = prepared;
    if (statement != nullptr) {
      while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(statement); ++i) {
          const auto* text = sqlite3_column_text(statement, i);
          if (i > 0) output += '|';
          output += text == nullptr ? "NULL" : reinterpret_cast<const char*>(text);
        }
        output += '\n';
      }
      sqlite3_finalize(statement);
    }
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
      output += "error " + std::to_string(sqlite3_extended_errcode(db)) + ": " +
                sqlite3_errmsg(db) + "\n";
    }
  }
  return output;
}

class SqlScript : public ::testing::TestWithParam<std::string> {};

TEST_P(SqlScript, PrintsItsExpectedOutput) {
  const fs::path script = script_folder() / (GetParam() + ".sql");
  const fs::path expected_file = script_folder() / (GetParam() + ".out");
  Db db;
  sqlite3_extended_result_codes(db.get(), 1);
  const std::string actual = run_script(db.get(), read_file(script.string()));
  const char* update = std::getenv("EMF_SQL_SCRIPT_UPDATE");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(expected_file, std::ios::binary) << actual;
  }
  ASSERT_TRUE(fs::exists(expected_file)) << expected_file << " is missing";
  EXPECT_EQ(actual, read_file(expected_file.string()))
      << "the output of " << script << " differs from " << expected_file;
}

INSTANTIATE_TEST_SUITE_P(Scripts, SqlScript, ::testing::ValuesIn(script_names()),
                         [](const auto& info) { return info.param; });

TEST(SqlScriptRunner, EchoesEachStatementThenItsRowsOrItsError) {
  Db db;
  sqlite3_extended_result_codes(db.get(), 1);
  EXPECT_EQ(run_script(db.get(),
                       "-- a comment\nSELECT 1, NULL, 'a';\n\n"
                       "SELECT x FROM nowhere;\nCREATE TABLE t (a UNIQUE);"
                       "INSERT INTO t VALUES (1), (1);  -- trailing\n"),
            "-- a comment\nSELECT 1, NULL, 'a';\n1|NULL|a\n"
            "SELECT x FROM nowhere;\nerror 1: no such table: nowhere\n"
            "CREATE TABLE t (a UNIQUE);\n"
            "INSERT INTO t VALUES (1), (1);\nerror 2067: UNIQUE constraint failed: t.a\n"
            "-- trailing\n");
  // The scripts found are the ones in the folder, each with its output.
  EXPECT_FALSE(script_names().empty());
}

}  // namespace
}  // namespace emf::test
