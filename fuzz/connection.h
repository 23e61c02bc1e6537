// SQLite for the harnesses: a connection with emf registered (the core
// linked in, as the shell does), and the few queries they need. A failure
// the harness does not expect aborts the run, with SQLite's message.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace emf::fuzz {

struct CloseConnection {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Connection = std::unique_ptr<sqlite3, CloseConnection>;

// Opens `path` (":memory:" or a file) read-write, creating it.
Connection open_connection(const std::string& path);

// Runs SQL; returns SQLite's message when it fails.
std::optional<std::string> try_exec(sqlite3* db, const std::string& sql);
// Runs SQL that must succeed.
void exec(sqlite3* db, const std::string& sql);
// Every row of a query, each column as text (NULL as the word); the query
// must succeed.
std::vector<std::vector<std::string>> rows(sqlite3* db, const std::string& sql);
// The first column of the only row; the query must succeed and return one.
std::string text(sqlite3* db, const std::string& sql);

// Prints the message and aborts: libFuzzer then keeps the input.
[[noreturn]] void fail(const std::string& message);

}  // namespace emf::fuzz
