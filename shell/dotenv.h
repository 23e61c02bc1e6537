// config/.env files: KEY=VALUE lines, as the pipeline's other tools write
// them. Accepts blank lines, # comments (whole-line, or after an unquoted
// value), an `export ` prefix, and 'single' (literal) or "double" (with \n,
// \t, \" and \\ escapes) quoted values. Anything else is rejected with the
// file's name and the line's number.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace emf::shell {

class DotenvError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::map<std::string, std::string> parse_dotenv(std::string_view text, std::string_view file_name);
// Throws DotenvError when the file cannot be read too.
std::map<std::string, std::string> read_dotenv(const std::string& path);

}  // namespace emf::shell
