// The one exception type of the core. It carries a SQLite result code so that
// a busy or read-only database reaches the caller as SQLITE_BUSY or
// SQLITE_READONLY, not as a generic error.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "sqlite_api.h"

namespace emf {

// A path for a message: whole, unless it is absurdly long (then its two
// ends and its length), so that an error stays readable.
std::string shown_path(std::string_view path);

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, int code = SQLITE_ERROR)
      : std::runtime_error(message), code_(code) {}
  int code() const noexcept { return code_; }

 private:
  int code_;
};

}  // namespace emf
