// Finding the programs the shell runs (sqlite3, emf-node).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace emf::shell {

// The executable `name` in a folder of PATH (/usr/bin:/bin when unset).
std::optional<std::filesystem::path> find_program(const std::string& name);

}  // namespace emf::shell
