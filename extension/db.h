// Small RAII helpers over the SQLite C API: a prepared statement that throws
// emf::Error on failure, one-shot queries, identifier quoting, a private
// in-memory connection, and the write transaction every change runs in.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "sqlite_api.h"

namespace emf {

// Throws emf::Error with the connection's message (after "context: ", unless
// empty), the cause where that message does not say it (failure_cause.h),
// and the extended result code.
[[noreturn]] void throw_sqlite_error(sqlite3* db, int rc, std::string_view context);

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);

  // Steps once: true for a row, false when done; throws on an error.
  bool step();
  // Steps to the end, for statements that return no rows.
  void run();
  void reset();

  Statement& bind_text(int index, std::string_view text);
  Statement& bind_int(int index, std::int64_t value);
  Statement& bind_double(int index, double value);
  Statement& bind_null(int index);

  std::int64_t column_int(int index) const;
  std::string column_text(int index) const;
  std::optional<std::string> column_optional_text(int index) const;
  bool column_is_null(int index) const;

  sqlite3_stmt* get() const { return stmt_.get(); }

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
  };
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
  std::string head_;  // the start of the SQL, for error messages
};

// How long an emf function waits out other connections before it reports
// SQLITE_BUSY: the connection's own busy timeout (PRAGMA busy_timeout), or
// kBusyPatience when it has none. A call that found the database busy is run
// again until then (functions.cpp), since SQLite reports some waits at once,
// without the busy handler: BEGIN IMMEDIATE against another writer on a
// connection without a busy timeout, a journal mode switch while another
// process has the file open, a reader while another connection recovers the
// WAL index.
inline constexpr std::chrono::milliseconds kBusyPatience{5000};
std::chrono::milliseconds busy_patience(sqlite3* db);

// Runs work() again while it throws an Error with SQLITE_BUSY, pausing a
// little longer each time, for up to busy_patience(db); then lets it throw. The
// work must be all or nothing, so that each try starts from a clean slate.
template <typename Work>
auto with_patience(sqlite3* db, Work work) -> decltype(work()) {
  const auto deadline = std::chrono::steady_clock::now() + busy_patience(db);
  int pause_ms = 1;
  for (;;) {
    try {
      return work();
    } catch (const Error& error) {
      if ((error.code() & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline) {
        throw;
      }
    }
    sqlite3_sleep(pause_ms);
    pause_ms = pause_ms < 50 ? pause_ms * 2 : 50;
  }
}

// Runs every statement of sql (no parameters, rows ignored).
void exec(sqlite3* db, std::string_view sql);
// The first column of the first row, or nullopt when there is no row.
std::optional<std::string> query_optional_text(sqlite3* db, std::string_view sql);
std::int64_t query_int(sqlite3* db, std::string_view sql);

// "file:<path>" for sqlite3_open_v2 with SQLITE_OPEN_URI, with %, ? and #
// escaped (uri.html, 3.1); add the query ("?immutable=1") after it.
std::string file_uri(std::string_view path);

// "name" with embedded quotes doubled: safe to paste as an identifier.
std::string quote_identifier(std::string_view name);
// 'text' with embedded quotes doubled: safe to paste as a string literal.
std::string quote_literal(std::string_view text);

// Lower case, for comparing names the way SQLite does (ASCII only).
std::string lower_name(std::string_view name);

// The schemas of the connection (main, temp and attached ones), in order.
std::vector<std::string> schema_names(sqlite3* db);
// The schema's name as SQLite lists it (names are case-insensitive), or
// nullopt when no such schema is attached.
std::optional<std::string> find_schema(sqlite3* db, std::string_view name);
// True when the schema is backed by a file (not :memory:, a temporary one, or
// one inside dqlite, which keeps it in memory: dqlite.h).
bool is_file_schema(sqlite3* db, std::string_view schema);
std::string journal_mode(sqlite3* db, std::string_view schema);
bool foreign_keys_enabled(sqlite3* db);

// A connection of our own to a fresh in-memory database, closed on scope exit.
class PrivateConnection {
 public:
  PrivateConnection();
  ~PrivateConnection();
  PrivateConnection(const PrivateConnection&) = delete;
  PrivateConnection& operator=(const PrivateConnection&) = delete;
  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// The transaction every change runs in. Outside a transaction it is
// BEGIN IMMEDIATE: SQLite's write lock is taken first, waiting out other
// writers, so that what is read inside cannot change before the write. Inside
// the caller's transaction it is a savepoint that joins it. Rolled back unless
// commit() is reached.
class WriteTransaction {
 public:
  WriteTransaction(sqlite3* db, std::string_view savepoint_name);
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

  void commit();
  bool joined_caller() const { return joined_caller_; }

 private:
  sqlite3* db_;
  std::string savepoint_;
  bool joined_caller_;
  // Prepared before the transaction begins, so that undoing it needs no
  // memory: running out of memory is one reason to undo, and a destructor
  // that cannot allocate would end the host program (std::terminate) or
  // leave the caller's connection in a transaction.
  Statement undo_;                    // ROLLBACK, or ROLLBACK TO the savepoint
  std::optional<Statement> release_;  // RELEASE the savepoint, when joined
  bool finished_ = false;
};

// A savepoint nested in an open transaction, rolled back unless released.
class Savepoint {
 public:
  Savepoint(sqlite3* db, std::string_view name);
  ~Savepoint();
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;
  void release();

 private:
  sqlite3* db_;
  std::string name_;
  // Prepared before the savepoint opens: undoing it needs no memory (see
  // WriteTransaction).
  Statement rollback_;
  Statement release_;
  bool released_ = false;
};

}  // namespace emf
