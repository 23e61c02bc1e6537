// Backup files of the shell: where they go and how they are named.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "connection.h"
#include "targets.h"
#include "terminal.h"

namespace emf::shell {

// The folder given, or backups/ beside the database.
std::filesystem::path backup_folder(const Target& target, const std::optional<std::string>& folder);

// Backs the database up as <name>_backup_YYYYmmdd_HHMMSS.db (UTC) in the
// folder, adding _2, _3, ... when a backup of the same second exists; the
// extension never overwrites, so a race only moves on to the next name. Shows
// progress on a terminal. Returns emf_backup's report.
std::string back_up(Connection& connection, const Target& target,
                    const std::filesystem::path& folder, const Terminal& terminal);

}  // namespace emf::shell
