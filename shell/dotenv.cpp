// .env parsing; see dotenv.h.
#include "dotenv.h"

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace emf::shell {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

bool valid_key(std::string_view key) {
  if (key.empty() || std::isdigit(static_cast<unsigned char>(key.front()))) return false;
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// A value: quoted (the rest of the line may hold only a comment) or bare (up
// to an unquoted " #" comment). Returns nullopt-like via the error string.
std::string parse_value(std::string_view raw, std::string& error) {
  raw = trim(raw);
  if (raw.empty()) return {};
  const char quote = raw.front();
  if (quote != '"' && quote != '\'') {
    const std::size_t comment = raw.find(" #");
    return std::string(trim(raw.substr(0, comment)));
  }
  std::string value;
  std::size_t i = 1;
  for (; i < raw.size() && raw[i] != quote; ++i) {
    if (quote == '"' && raw[i] == '\\' && i + 1 < raw.size()) {
      const char escaped = raw[++i];
      switch (escaped) {
        case 'n':
          value += '\n';
          break;
        case 't':
          value += '\t';
          break;
        case '"':
          value += '"';
          break;
        case '\\':
          value += '\\';
          break;
        default:
          value += '\\';
          value += escaped;
      }
      continue;
    }
    value += raw[i];
  }
  if (i >= raw.size()) {
    error = fmt::format("unterminated {}-quoted value", quote == '"' ? "double" : "single");
    return {};
  }
  const std::string_view rest = trim(raw.substr(i + 1));
  if (!rest.empty() && rest.front() != '#') {
    error = fmt::format("unexpected text after the closing quote: {}", rest);
  }
  return value;
}

}  // namespace

std::map<std::string, std::string> parse_dotenv(std::string_view text, std::string_view file_name) {
  std::map<std::string, std::string> values;
  // A byte order mark, which some editors write, is no part of the first key.
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("export ") || line.starts_with("export\t")) line = trim(line.substr(7));
    const std::size_t equals = line.find('=');
    auto fail = [&](std::string_view reason) {
      return DotenvError(
          fmt::format("{}:{}: {} (expected KEY=VALUE)", file_name, line_number, reason));
    };
    if (equals == std::string_view::npos) throw fail("no '=' in this line");
    const std::string_view key = trim(line.substr(0, equals));
    if (!valid_key(key)) {
      throw fail(fmt::format(
          "'{}' is not a valid name (letters, digits and _, not starting with a digit)", key));
    }
    std::string error;
    std::string value = parse_value(line.substr(equals + 1), error);
    if (!error.empty()) throw fail(error);
    values[std::string(key)] = std::move(value);
  }
  return values;
}

std::map<std::string, std::string> read_dotenv(const std::string& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    throw DotenvError(fmt::format("{}: is a folder, expected a file of KEY=VALUE lines", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    // errno still holds why open() failed: say it, and what to do.
    throw DotenvError(
        fmt::format("{}: cannot be read ({}); check its permissions, or point "
                    "--env-file elsewhere",
                    path, std::strerror(errno)));
  }
  std::ostringstream content;
  content << in.rdbuf();
  return parse_dotenv(content.str(), path);
}

}  // namespace emf::shell
