// One database of the shell: opened with a busy timeout and foreign keys on,
// and used only through the extension's SQL functions. Failures become a
// DatabaseError that names the database and says what to do.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

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

class Connection {
 public:
  enum class Mode {
    create,   // creates the file and its missing folders
    existing  // the file must exist; nothing is created
  };
  Connection(const Target& target, Mode mode);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* get() const { return db_; }
  // SELECT function(arguments...): the text it returns.
  std::string call(std::string_view function,
                   const std::vector<std::variant<std::string, std::int64_t>>& arguments);

 private:
  [[noreturn]] void fail(int code, std::string_view what) const;
  const Target& target_;
  sqlite3* db_ = nullptr;
};

}  // namespace emf::shell
