// Which database files the shell works on, and why: each kind's path comes
// from --data-dir, else its *_DB_PATH environment variable, else the same
// variable in config/.env (or --env-file), else data/<kind>.db. Relative
// paths resolve against the current folder.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace emf::shell {

struct Target {
  std::string kind;            // trends, metrics or image_library
  std::string variable;        // TRENDS_DB_PATH, ...
  std::filesystem::path path;  // absolute
  std::string origin;          // where the path came from, for messages
};

// The kinds the shell knows, in order, with their variables.
const std::vector<std::pair<std::string, std::string>>& known_kinds();

struct TargetOptions {
  std::optional<std::string> data_dir;
  std::optional<std::string> env_file;  // when given, it must exist
  std::vector<std::string> only;        // empty: all kinds
};

// Throws DotenvError for a malformed or unreadable .env file.
std::vector<Target> resolve_targets(const TargetOptions& options);

// The path as a person would type it here: relative when under the current
// folder, absolute otherwise.
std::string display_path(const std::filesystem::path& path);

}  // namespace emf::shell
