// Database path resolution; see targets.h.
#include "targets.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>

#include <fmt/format.h>

#include "dotenv.h"
#include "error.h"
#include "kinds.h"

namespace emf::shell {

namespace fs = std::filesystem;

const std::vector<std::pair<std::string, std::string>>& known_kinds() {
  // The extension's list; each kind's variable is its name in capitals.
  static const std::vector<std::pair<std::string, std::string>> kinds = [] {
    std::vector<std::pair<std::string, std::string>> list;
    for (const Kind kind : kAllKinds) {
      std::string variable(kind_name(kind));
      std::transform(variable.begin(), variable.end(), variable.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      list.emplace_back(std::string(kind_name(kind)), variable + "_DB_PATH");
    }
    return list;
  }();
  return kinds;
}

std::vector<Target> resolve_targets(const TargetOptions& options) {
  std::map<std::string, std::string> dotenv;
  std::string dotenv_name = "config/.env";
  if (options.env_file) {
    dotenv_name = *options.env_file;
    dotenv = read_dotenv(*options.env_file);
  } else if (fs::exists(dotenv_name)) {
    dotenv = read_dotenv(dotenv_name);
  }

  std::vector<Target> targets;
  for (const auto& [kind, variable] : known_kinds()) {
    if (!options.only.empty() &&
        std::find(options.only.begin(), options.only.end(), kind) == options.only.end()) {
      continue;
    }
    Target target{kind, variable, {}, {}};
    if (options.data_dir) {
      target.path = fs::path(*options.data_dir) / (kind + ".db");
      target.origin = "--data-dir";
    } else if (const char* value = std::getenv(variable.c_str()); value != nullptr && *value) {
      target.path = value;
      target.origin = variable;
    } else if (auto found = dotenv.find(variable);
               found != dotenv.end() && !found->second.empty()) {
      target.path = found->second;
      target.origin = dotenv_name;
    } else {
      target.path = fs::path("data") / (kind + ".db");
      target.origin = "default";
    }
    // A control character in a path would forge lines of emf's output.
    const std::string text = target.path.string();
    if (std::any_of(text.begin(), text.end(),
                    [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
      throw DotenvError(
          fmt::format("{} (from {}) holds a control character; a database path "
                      "must not",
                      kind, target.origin));
    }
    target.path = fs::absolute(target.path).lexically_normal();
    targets.push_back(std::move(target));
  }
  return targets;
}

std::string display_path(const fs::path& path) {
  const fs::path relative = path.lexically_relative(fs::current_path());
  if (!relative.empty() && *relative.begin() != "..") return shown_path(relative.string());
  return shown_path(path.string());
}

}  // namespace emf::shell
