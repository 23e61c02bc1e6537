// Backup files of the shell: where they go and how they are named.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "commands.h"
#include "connection.h"
#include "output.h"
#include "report_reader.h"
#include "targets.h"
#include "terminal.h"

namespace emf::shell {

// The folder given, or backups/ beside the database.
std::filesystem::path backup_folder(const Target& target, const std::optional<std::string>& folder);

// Backs the database up as <name>_backup_YYYYmmdd_HHMMSS.db (UTC) in the
// folder, adding _2, _3, ... when a backup of the same second exists; the
// extension never overwrites, so a race only moves on to the next name. Shows
// progress on a terminal. Returns emf_backup's report.
// `operation` names the command an automatic backup comes before
// ("repair"): such a backup is named ..._before_repair.db.
std::string back_up(Connection& connection, const Target& target,
                    const std::filesystem::path& folder, const Terminal& terminal,
                    std::string_view operation = {});

// A backup file of a database, as back_up named it.
struct BackupFile {
  std::filesystem::path path;
  std::string time;       // YYYYmmdd_HHMMSS, UTC
  int counter = 1;        // _2, _3 ... for a second backup in the same second
  std::string operation;  // what an automatic backup came before; empty for emf backup's
  std::filesystem::file_time_type written;
};

// The backups of the database in the folder, oldest first.
std::vector<BackupFile> list_backups(const Target& target, const std::filesystem::path& folder);

// The name the next backup of the database would take in the folder
// (created if missing), for an operation that writes it itself.
std::filesystem::path next_backup_name(const Target& target, const std::filesystem::path& folder,
                                       std::string_view operation);

// Deletes the oldest backups of the database in the folder beyond the
// newest `keep`: those emf backup made (operation empty), or the automatic
// ones (any other operation), never the other sort. `just_made`, the backup
// the command has just made, is never deleted and counts as one of those
// kept. Only SQLite databases are deleted, never a link or another file
// that bears a backup's name. Returns what it deleted.
std::vector<std::filesystem::path> prune_backups(const Target& target,
                                                 const std::filesystem::path& folder,
                                                 bool automatic, std::int64_t keep,
                                                 const std::filesystem::path& just_made = {});

// How many automatic backups of each database are kept (--keep changes it).
inline constexpr std::int64_t kAutomaticBackupsKept = 10;

// The backup made before `operation` changes the database: a line of the
// outcome ("backup before repair: ..."), its report in the JSON, and the
// oldest automatic backups beyond the ones to keep deleted (said too).
// Returns its path.
std::string back_up_before(std::string_view operation, Connection& connection, const Target& target,
                           const CommandOptions& options, const Terminal& terminal,
                           const ReportReader& reader, Outcome& outcome);

// Deletes the automatic backups of the database in the folder beyond those
// to keep (--keep, else kAutomaticBackupsKept), never `just_made`, and says
// so in the outcome.
void prune_automatic_backups(const Target& target, const std::filesystem::path& folder,
                             const CommandOptions& options, Outcome& outcome,
                             const std::filesystem::path& just_made);

// Runs work(); when it fails, its error says where the backup made before
// it is, so that no backup goes unreported.
template <typename Work>
auto keeping_backup(const std::string& backup_path, Work work) -> decltype(work()) {
  if (backup_path.empty()) return work();
  try {
    return work();
  } catch (const DatabaseError& error) {
    throw DatabaseError(fmt::format("{} (the backup made before it is {})", error.what(),
                                    display_path(backup_path)),
                        error.code());
  }
}

}  // namespace emf::shell
