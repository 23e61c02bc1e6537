// Fuzzes the config/.env reader (shell/dotenv.h) with arbitrary bytes: it
// either returns KEY=VALUE pairs whose keys are valid names, or throws
// DotenvError naming the file and line; anything else (a crash, another
// exception, a sanitizer report) is a bug.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dotenv.h"

namespace {

// What dotenv.h promises of a key: letters, digits and _, not starting with a digit.
bool valid_key(std::string_view key) {
  if (key.empty() || std::isdigit(static_cast<unsigned char>(key.front()))) return false;
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& [key, value] : emf::shell::parse_dotenv(text, "config/.env")) {
      if (!valid_key(key)) std::abort();
    }
  } catch (const emf::shell::DotenvError& error) {
    // A rejected file must be named in the message, with its line.
    if (std::string_view(error.what()).rfind("config/.env:", 0) != 0) std::abort();
  }
  return 0;
}
