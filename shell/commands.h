// The shell's commands over the selected databases. Each does its work
// through the extension's SQL functions and returns the exit status: 0 when
// all went well, 1 when a check found problems or an operation failed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "targets.h"
#include "terminal.h"

namespace emf::shell {

struct CommandOptions {
  bool json = false;
  bool verbose = false;
  bool yes = false;
  std::optional<std::int64_t> rows;
  std::int64_t random_seed = 0;
  std::optional<std::string> backup_dir;
  bool dry_run = false;    // init: print the plan, change nothing
  bool no_backup = false;  // init, seed, repair: no backup before changing a database with data
  // backup: delete the oldest backups beyond this many; other commands: the
  // automatic backups kept (kAutomaticBackupsKept when not given).
  std::optional<std::int64_t> keep;
  bool list = false;                        // backup: list the backups instead of making one
  std::optional<std::string> restore_from;  // restore: the backup file (else --latest)
};

int run_init(const std::vector<Target>& targets, const CommandOptions& options,
             const Terminal& terminal);
int run_check(const std::vector<Target>& targets, const CommandOptions& options,
              const Terminal& terminal);
int run_seed(const std::vector<Target>& targets, const CommandOptions& options,
             const Terminal& terminal);
int run_reset(const std::vector<Target>& targets, const CommandOptions& options,
              const Terminal& terminal);
int run_backup(const std::vector<Target>& targets, const CommandOptions& options,
               const Terminal& terminal);
int run_status(const std::vector<Target>& targets, const CommandOptions& options,
               const Terminal& terminal);
int run_restore(const std::vector<Target>& targets, const CommandOptions& options,
                const Terminal& terminal);
int run_optimize(const std::vector<Target>& targets, const CommandOptions& options,
                 const Terminal& terminal);
int run_repair(const std::vector<Target>& targets, const CommandOptions& options,
               const Terminal& terminal);

}  // namespace emf::shell
