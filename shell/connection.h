// One database of the shell: opened with a busy timeout and foreign keys on,
// and used only through the extension's SQL functions. Failures become a
// DatabaseError that names the database and says what to do.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "call_arguments.h"
#include "sqlite_api.h"
#include "targets.h"

namespace emf::shell {

class DatabaseError : public std::runtime_error {
 public:
  DatabaseError(const std::string& message, int code) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

inline constexpr int kDefaultBusyTimeoutMs = 10000;

class Connection {
 public:
  enum class Mode {
    create,     // creates the file and its missing folders
    existing,   // the file must exist; nothing is created
    read_only,  // the file must exist; nothing is written
    scratch     // an empty in-memory database standing in for the file
  };
  Connection(const Target& target, Mode mode);
  // For every connection opened after it (the program's --busy-timeout).
  static void set_busy_timeout(int milliseconds);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* get() const { return db_; }
  // SELECT function(arguments...): the text it returns.
  using Arguments = CallArguments;
  std::string call(std::string_view function, const Arguments& arguments);
  // Every row of a query, each column as text (empty for NULL).
  std::vector<std::vector<std::string>> rows(std::string_view sql, const Arguments& arguments);

 private:
  void open_for_reading(const std::string& path);
  int try_read_schema();
  void read_schema();
  // What to do about a failure: its cause, or advice by result code.
  std::string help(int code) const;
  [[noreturn]] void fail(int code, std::string_view what) const;
  // Prepares and binds; steps are the caller's.
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> prepare(std::string_view sql,
                                                                const Arguments& arguments);
  const Target& target_;
  sqlite3* db_ = nullptr;
};

}  // namespace emf::shell
