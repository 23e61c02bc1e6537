// emf: the command line of the Excuse My French databases. It does what
// `python scripts/init_databases.py` did, through libemf's SQL functions:
//
//   emf                      create or upgrade trends, metrics and image_library
//   emf check --verbose      the status of each, every object listed
//   emf seed --rows 100000   synthetic rows in every table
//   emf reset --yes          back each database up, then recreate it
//   emf shell metrics        the sqlite3 shell on metrics.db with libemf loaded
//   emf init --dry-run       the migrations and SQL init would apply
//   emf status               each database's version and pending migrations
//   emf repair               back up, then rebuild tables that drifted
//
// Exit status: 0 success, 1 a check found problems or an operation failed,
// 2 bad usage.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <map>

#include "commands.h"
#include "dotenv.h"
#include "emf.h"
#include "sqlite_shell.h"
#include "targets.h"
#include "terminal.h"
#include "version.h"

namespace {

constexpr int kUsageError = 2;

struct Parsed {
  std::string command = "init";
  emf::shell::TargetOptions targets;
  emf::shell::CommandOptions options;
  std::vector<std::string> shell_arguments;
};

}  // namespace

int main(int argc, char** argv) {
  // Every connection this program opens has the emf functions, from the
  // same sources as libemf.so.
  sqlite3_auto_extension(reinterpret_cast<void (*)()>(sqlite3_emf_init));

  Parsed parsed;
  CLI::App app{
      "emf: create, check, seed, reset and back up the Excuse My French databases "
      "(trends, metrics, image_library)",
      "emf"};
  app.set_version_flag("--version", EMF_VERSION);
  app.require_subcommand(0, 1);
  app.footer(
      "Paths: --data-dir, else TRENDS_DB_PATH, METRICS_DB_PATH, IMAGE_LIBRARY_DB_PATH from the "
      "environment, else from config/.env (or --env-file), else data/<kind>.db.\n"
      "Exit status: 0 success, 1 a check found problems or an operation failed, 2 bad usage.");

  // Options every command accepts, before or after it.
  std::vector<std::string> only;
  app.add_option("--only", only, "Work on these databases only (comma-separated)")
      ->delimiter(',')
      ->check(CLI::IsMember({"trends", "metrics", "image_library"}));
  app.add_flag("--json", parsed.options.json, "Print one JSON document with the reports");
  app.add_option("--data-dir", parsed.targets.data_dir, "Keep all three databases in this folder");
  app.add_option("--env-file", parsed.targets.env_file,
                 "Read paths from this file, not config/.env")
      ->check(CLI::ExistingFile);
  app.add_flag("--verbose,-v", parsed.options.verbose, "List every object, not only problems");
  app.add_option("--backup-dir", parsed.options.backup_dir,
                 "reset and backup: write backups here (default: backups/ beside each database)");

  // The old flags of init_databases.py.
  bool old_check = false, old_seed = false, old_reset = false, yes = false;
  app.add_flag("--check", old_check, "Same as the check command");
  app.add_flag("--seed", old_seed, "Same as the seed command");
  app.add_flag("--reset", old_reset, "Same as the reset command");
  app.add_flag("--yes,-y", yes, "With --reset: do not ask");

  auto* init = app.add_subcommand("init", "Create or upgrade the databases (the default)");
  app.add_flag("--dry-run", parsed.options.dry_run,
               "init, repair: print what it would do (init: with the SQL); change nothing");
  app.add_flag("--no-backup", parsed.options.no_backup,
               "init, seed, repair: no backup before changing a database that has data");
  auto* status = app.add_subcommand("status", "Each database's version and pending migrations");
  auto* repair = app.add_subcommand(
      "repair", "Back up, then rebuild tables that drifted from emf's schema (rows kept)");
  auto* check = app.add_subcommand("check", "Report each database's status; exit 1 on problems");
  auto* seed = app.add_subcommand("seed", "Initialise, then add sample data (or synthetic rows)");
  seed->add_option("--rows", parsed.options.rows, "Synthetic rows for every table")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{100'000'000}));
  seed->add_option("--random-seed", parsed.options.random_seed,
                   "Seed of the synthetic rows (default 0): the same seed, the same rows");
  auto* reset = app.add_subcommand("reset", "Back each database up, then drop and recreate it");
  reset->add_flag("--yes,-y", yes, "Do not ask for confirmation");
  auto* backup = app.add_subcommand("backup", "Write consistent online backups");
  backup->add_option("--dir", parsed.options.backup_dir,
                     "Write the backups here (default: backups/ beside each database)");
  auto* shell = app.add_subcommand(
      "shell",
      "The sqlite3 shell with libemf loaded: emf shell [trends|metrics|image_library|PATH] "
      "[sqlite3 arguments...]");
  shell->prefix_command();
  for (CLI::App* command : {init, check, seed, reset, backup, status, repair})
    command->fallthrough();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kUsageError;
  }

  const int old_flags = int{old_check} + int{old_seed} + int{old_reset};
  if (old_flags > 1 || (old_flags == 1 && !app.get_subcommands().empty())) {
    fmt::print(stderr,
               "emf: use one command: --check, --seed and --reset stand for check, seed "
               "and reset\nRun with --help for more information.\n");
    return kUsageError;
  }
  if (!app.get_subcommands().empty()) parsed.command = app.get_subcommands().front()->get_name();
  if (old_check) parsed.command = "check";
  if (old_seed) parsed.command = "seed";
  if (old_reset) parsed.command = "reset";
  parsed.options.yes = yes;
  if (parsed.options.dry_run && parsed.command != "init" && parsed.command != "repair") {
    fmt::print(stderr,
               "emf: --dry-run goes with init and repair only\nRun with --help for more "
               "information.\n");
    return kUsageError;
  }
  parsed.targets.only = only;

  try {
    if (parsed.command == "shell") {
      // Everything after `shell` is sqlite3's, but a lone --help is ours.
      const std::vector<std::string> arguments = shell->remaining();
      if (arguments.size() == 1 && (arguments[0] == "--help" || arguments[0] == "-h")) {
        fmt::print("{}", shell->help());
        return 0;
      }
      return emf::shell::run_sqlite_shell(arguments, parsed.targets);
    }
    using Runner = int (*)(const std::vector<emf::shell::Target>&,
                           const emf::shell::CommandOptions&, const emf::shell::Terminal&);
    static const std::map<std::string, Runner> kRunners = {
        {"init", emf::shell::run_init},     {"check", emf::shell::run_check},
        {"seed", emf::shell::run_seed},     {"reset", emf::shell::run_reset},
        {"backup", emf::shell::run_backup}, {"status", emf::shell::run_status},
        {"repair", emf::shell::run_repair}};
    const auto runner = kRunners.find(parsed.command);
    if (runner == kRunners.end()) {
      fmt::print(stderr, "emf: no runner for the command {}\n", parsed.command);
      return 1;
    }
    const auto targets = emf::shell::resolve_targets(parsed.targets);
    const emf::shell::Terminal terminal;
    return runner->second(targets, parsed.options, terminal);
  } catch (const emf::shell::DotenvError& error) {
    fmt::print(stderr, "emf: {}\n", error.what());
    return kUsageError;
  } catch (const std::exception& error) {
    fmt::print(stderr, "emf: {}\n", error.what());
    return 1;
  }
}
