// The command line; see cli.h. Every command is a CLI11 subcommand, so that
// its --help, its errors and the suggestions for a mistyped name come from
// one place.
#include "cli.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string_view>

#include "backup_files.h"
#include "cluster_commands.h"
#include "commands.h"
#include "connection.h"
#include "dotenv.h"
#include "sqlite_api.h"
#include "sqlite_shell.h"
#include "targets.h"
#include "terminal.h"
#include "version.h"

namespace emf::shell {

namespace {

using Runner = int (*)(const std::vector<Target>&, const CommandOptions&, const Terminal&);

// What the command line asked for.
struct Invocation {
  TargetOptions targets;
  CommandOptions options;
  std::string color = "auto";
  bool quiet = false;
  int busy_timeout_ms = kDefaultBusyTimeoutMs;
  std::string help_topic;
  std::optional<std::string> cluster;  // --cluster ADDRESS,...: a dqlite cluster of emf-node
  // The old script's flags, run in its order: reset, seed, check.
  bool old_check = false, old_seed = false, old_reset = false;
  bool latest = false;  // restore --latest
};

struct Command {
  const char* name;
  const char* description;
  const char* example;
  Runner runner;  // nullptr: handled here (shell, help)
};

const std::vector<Command>& commands() {
  static const std::vector<Command> list = {
      {"init", "Create or upgrade the databases (the default command)",
       "emf init --dry-run --only trends", run_init},
      {"status", "Each database's version and pending migrations", "emf status --verbose",
       run_status},
      {"check", "Report each database's health; exit 1 on problems", "emf check --json", run_check},
      {"repair", "Back up, then rebuild what drifted from emf's schema (rows kept)",
       "emf repair --dry-run", run_repair},
      {"seed", "Initialise, then add sample data (or synthetic rows)",
       "emf seed --rows 1000 --random-seed 42", run_seed},
      {"reset", "Back each database up, then drop and recreate it",
       "emf reset --yes --only metrics", run_reset},
      {"backup", "Write consistent online backups", "emf backup --dir /srv/backups", run_backup},
      {"restore", "Put a backup back while the database is live (the current state saved first)",
       "emf restore --latest --only trends --yes", run_restore},
      {"optimize", "Update statistics, checkpoint the WAL, and vacuum when much space is free",
       "emf optimize --only metrics", run_optimize},
      {"shell",
       "The sqlite3 shell with libemf loaded: [trends|metrics|image_library|PATH] [sqlite3 "
       "arguments...]",
       "emf shell metrics \"SELECT count(*) FROM video_metrics\"", nullptr},
      {"help", "Show the help of emf, or of one command", "emf help seed", nullptr},
  };
  return list;
}

// Edits (insertions, deletions, substitutions) from a to b.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::optional<std::string> nearest(std::string_view word, const std::vector<std::string>& names) {
  std::optional<std::string> best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const std::string& name : names) {
    const std::size_t distance =
        name.starts_with(word) && !word.empty() ? 1 : edit_distance(word, name);
    if (distance < best_distance) {
      best = name;
      best_distance = distance;
    }
  }
  // Far from every name: no guess.
  if (best_distance > std::max<std::size_t>(2, word.size() / 3)) return std::nullopt;
  return best;
}

namespace {

// A whole number in [min, max], checked on the text (CLI11's range check
// would accept "abc" as out of range, and clamp what overflows).
CLI::Validator whole_number(std::int64_t min, std::int64_t max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        std::int64_t value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error != std::errc() || end != text.data() + text.size() || value < min ||
            value > max) {
          return fmt::format("expected a whole number from {} to {}, got {}", min, max, text);
        }
        return {};
      },
      "");
}

std::vector<std::string> kind_names() {
  std::vector<std::string> names;
  for (const auto& [kind, variable] : known_kinds()) names.push_back(kind);
  return names;
}

// The options every command takes, before or after its name.
void add_common_options(CLI::App& app, Invocation& invocation) {
  app.add_option("--only", invocation.targets.only,
                 fmt::format("Work on these databases only ({}; comma-separated)",
                             fmt::join(kind_names(), ", ")))
      ->delimiter(',')
      ->check(CLI::IsMember(kind_names()))
      ->type_name("KINDS");
  app.add_flag("--json", invocation.options.json, "Print one JSON document with the reports");
  app.add_option("--data-dir", invocation.targets.data_dir,
                 "Keep all three databases in this folder")
      ->type_name("DIR");
  app.add_option("--env-file", invocation.targets.env_file,
                 "Read the database paths from this file, not config/.env")
      ->check(CLI::ExistingFile)
      ->type_name("FILE");
  app.add_option("--cluster", invocation.cluster,
                 "Work on a dqlite cluster of emf-node, not on files: init, check, status and "
                 "seed (docs/cluster.md)")
      ->type_name("ADDRESS,...");
  app.add_flag("-v,--verbose", invocation.options.verbose, "List every object, not only problems");
  app.add_flag("-q,--quiet", invocation.quiet, "Print only what went wrong");
  app.add_option("--color", invocation.color,
                 "Colour the output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), "
                 "always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->type_name("WHEN");
  app.add_option("--busy-timeout", invocation.busy_timeout_ms,
                 fmt::format("Wait this long for another program's write lock (milliseconds, "
                             "default {})",
                             kDefaultBusyTimeoutMs))
      ->check(whole_number(0, std::numeric_limits<int>::max()))
      ->type_name("MS");
}

void add_backup_dir(CLI::App& app, Invocation& invocation) {
  app.add_option("--backup-dir", invocation.options.backup_dir,
                 "Write the backup made before changing a database here (default: backups/ "
                 "beside it)")
      ->type_name("DIR");
  app.add_option("--keep", invocation.options.keep,
                 fmt::format("Keep the newest N backups made before changes, per database "
                             "(default {})",
                             kAutomaticBackupsKept))
      ->check(whole_number(1, std::numeric_limits<std::int64_t>::max()))
      ->type_name("N");
}

void add_dry_run(CLI::App& app, Invocation& invocation, const char* what) {
  app.add_flag("--dry-run", invocation.options.dry_run, what);
}

void add_no_backup(CLI::App& app, Invocation& invocation) {
  app.add_flag("--no-backup", invocation.options.no_backup,
               "No backup before changing a database that has data");
}

// Each command's own options.
void add_command_options(CLI::App& app, const std::string& name, Invocation& invocation) {
  if (name == "init") {
    add_dry_run(app, invocation, "Print what it would do, with the SQL; change nothing");
    add_no_backup(app, invocation);
    add_backup_dir(app, invocation);
  } else if (name == "repair") {
    add_dry_run(app, invocation, "Print what it would rebuild and for how long; change nothing");
    add_no_backup(app, invocation);
    add_backup_dir(app, invocation);
  } else if (name == "seed") {
    auto* rows = app.add_option("--rows", invocation.options.rows,
                                "Synthetic rows for every table (instead of the sample data)")
                     ->check(whole_number(0, 100'000'000))
                     ->type_name("N");
    app.add_option("--random-seed", invocation.options.random_seed,
                   "Seed of the synthetic rows (default 0): the same seed, the same rows")
        ->check(whole_number(std::numeric_limits<std::int64_t>::min(),
                             std::numeric_limits<std::int64_t>::max()))
        ->type_name("N")
        ->needs(rows);
    add_no_backup(app, invocation);
    add_backup_dir(app, invocation);
  } else if (name == "reset") {
    app.add_flag("-y,--yes", invocation.options.yes, "Do not ask for confirmation");
    add_backup_dir(app, invocation);
  } else if (name == "backup") {
    app.add_option("--dir,--backup-dir", invocation.options.backup_dir,
                   "Write the backups here (default: backups/ beside each database)")
        ->type_name("DIR");
    auto* list =
        app.add_flag("--list", invocation.options.list,
                     "List the backups in that folder (size, time, version) instead of making one");
    app.add_option("--keep", invocation.options.keep,
                   "Then delete the oldest backups emf backup made of each database in that "
                   "folder, keeping the newest N")
        ->check(whole_number(1, std::numeric_limits<std::int64_t>::max()))
        ->type_name("N")
        ->excludes(list);
  } else if (name == "restore") {
    auto* file = app.add_option("backup", invocation.options.restore_from,
                                "The backup file to put back (its kind says which database)")
                     ->type_name("FILE");
    app.add_flag("--latest", invocation.latest,
                 "Put back the newest backup of each database, from its backup folder")
        ->excludes(file);
    app.add_flag("-y,--yes", invocation.options.yes, "Do not ask for confirmation");
    add_no_backup(app, invocation);
    add_backup_dir(app, invocation);
  } else if (name == "optimize") {
    add_no_backup(app, invocation);
    add_backup_dir(app, invocation);
  } else if (name == "help") {
    app.add_option("command", invocation.help_topic, "The command to explain");
  }
}

// A message cut to its two ends when a value in it is absurdly long: CLI11
// repeats the value given, which may be 100 KB.
std::string readable(const std::string& message) {
  constexpr std::size_t kLongest = 400, kEnds = 150;
  if (message.size() <= kLongest) return message;
  return fmt::format("{}...{} ({} characters)", message.substr(0, kEnds),
                     message.substr(message.size() - kEnds), message.size());
}

// "emf: ..." and a pointer to the help, exit status 2.
int usage_error(const std::string& message, const std::string& command = {}) {
  fmt::print(stderr, "emf{}: {}\nRun 'emf {}--help' for the options.\n",
             command.empty() ? "" : " " + command, readable(message),
             command.empty() ? "" : command + " ");
  return kUsageError;
}

// Arguments CLI11 left over: a mistyped command, or an option the command
// does not have.
int unexpected(const std::vector<std::string>& extras, const std::string& command) {
  const std::string& first = extras.front();
  if (command.empty() && !first.starts_with("-")) {
    std::vector<std::string> names;
    for (const Command& each : commands()) names.push_back(each.name);
    const auto guess = nearest(first, names);
    return usage_error(fmt::format("'{}' is not an emf command{}", first,
                                   guess ? fmt::format("; did you mean '{}'?", *guess) : ""));
  }
  if (first.starts_with("-")) {
    return usage_error(
        fmt::format("{} is not an option of {}", first, command.empty() ? "emf" : "emf " + command),
        command);
  }
  return usage_error(fmt::format("unexpected argument '{}'", first), command);
}

int run_old_flags(const Invocation& invocation, const std::vector<Target>& targets,
                  const Terminal& terminal) {
  // The order of the old script: reset, then seed, then check.
  int status = 0;
  if (invocation.old_reset) status = run_reset(targets, invocation.options, terminal);
  if (status == 0 && invocation.old_seed) status = run_seed(targets, invocation.options, terminal);
  if (status == 0 && invocation.old_check) {
    status = run_check(targets, invocation.options, terminal);
  }
  return status;
}

std::string version_text() {
  return fmt::format("emf {} (SQLite {})", EMF_VERSION, sqlite3_libversion());
}

}  // namespace

int run_command_line(int argc, char** argv) {
  Invocation invocation;
  CLI::App app{
      "emf: create, check, repair, seed, reset and back up the Excuse My French databases "
      "(trends, metrics, image_library)",
      "emf"};
  app.set_version_flag("--version", version_text(), "Print emf's version and SQLite's");
  app.require_subcommand(0, 1);
  app.allow_extras();
  app.footer(
      "Run 'emf help COMMAND' (or 'emf COMMAND --help') for a command's options.\n"
      "Paths: --data-dir, else TRENDS_DB_PATH, METRICS_DB_PATH, IMAGE_LIBRARY_DB_PATH from the "
      "environment, else from config/.env (or --env-file), else data/<kind>.db.\n"
      "Exit status: 0 success, 1 a check found problems or an operation failed, 2 bad usage.");
  add_common_options(app, invocation);
  // Without a command, emf is emf init: init's options work here too.
  add_command_options(app, "init", invocation);
  app.add_flag("--check", invocation.old_check, "The old script's flag: check");
  app.add_flag("--seed", invocation.old_seed, "The old script's flag: seed");
  app.add_flag("--reset", invocation.old_reset,
               "The old script's flag: reset (any of the three together run in the order reset, "
               "seed, check)");
  app.add_flag("-y,--yes", invocation.options.yes, "With --reset: do not ask");

  std::map<std::string, CLI::App*> subcommands;
  for (const Command& command : commands()) {
    CLI::App* sub = app.add_subcommand(command.name, command.description);
    sub->footer(fmt::format("Example:\n  {}", command.example));
    if (std::string_view(command.name) == "shell") {
      sub->prefix_command();  // everything after it is sqlite3's
    } else {
      sub->allow_extras();
      add_command_options(*sub, command.name, invocation);
      if (std::string_view(command.name) != "help") add_common_options(*sub, invocation);
    }
    subcommands[command.name] = sub;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string command;
    for (const auto& [name, sub] : subcommands) {
      if (sub->parsed()) command = name;
    }
    return usage_error(e.what(), command);
  }

  const CLI::App* chosen = app.get_subcommands().empty() ? nullptr : app.get_subcommands().front();
  const std::string command = chosen != nullptr ? chosen->get_name() : "";
  // Extras before a command are emf's; after it, the command's (sqlite3's
  // for shell).
  if (!app.remaining().empty()) return unexpected(app.remaining(), "");
  if (chosen != nullptr && command != "shell" && !chosen->remaining().empty()) {
    return unexpected(chosen->remaining(), command);
  }
  const bool old_flags = invocation.old_check || invocation.old_seed || invocation.old_reset;
  if (old_flags && invocation.options.dry_run) {
    return usage_error("--dry-run goes with init and repair, not with --check, --seed or --reset");
  }
  if (old_flags && chosen != nullptr) {
    return usage_error(
        fmt::format("--check, --seed and --reset stand for commands; use them "
                    "without one, or use '{}' alone",
                    command));
  }
  if (command == "restore" && invocation.latest == invocation.options.restore_from.has_value()) {
    return usage_error("name the backup to put back, or give --latest", command);
  }
  if (command == "help") {
    // As --help prints them (app.help() would describe the selected help
    // command itself).
    if (invocation.help_topic.empty()) {
      fmt::print("{}", app.get_formatter()->make_help(&app, "emf", CLI::AppFormatMode::Normal));
      return 0;
    }
    const auto found = subcommands.find(invocation.help_topic);
    if (found == subcommands.end()) return unexpected({invocation.help_topic}, "");
    fmt::print("{}", found->second->help("emf"));
    return 0;
  }

  if (invocation.cluster) {
    const std::string name = command.empty() ? "init" : command;
    if (invocation.cluster->find_first_not_of(" ,") == std::string::npos) {
      return usage_error("--cluster needs the address of a node (HOST:PORT,...)", command);
    }
    if (old_flags || (name != "init" && name != "check" && name != "status" && name != "seed")) {
      return usage_error("--cluster goes with init, check, status and seed", command);
    }
    if (invocation.options.dry_run || invocation.targets.data_dir || invocation.targets.env_file ||
        invocation.options.no_backup || invocation.options.backup_dir || invocation.options.keep) {
      return usage_error(
          "--cluster works on the cluster's databases: --dry-run, --data-dir, --env-file, "
          "--no-backup, --backup-dir and --keep are for files",
          command);
    }
  }

  Connection::set_busy_timeout(invocation.busy_timeout_ms);
  invocation.targets.only.erase(
      std::unique(invocation.targets.only.begin(), invocation.targets.only.end()),
      invocation.targets.only.end());
  try {
    if (command == "shell") {
      // Everything after `shell` is sqlite3's; a lone --help or -h never
      // gets here: CLI11 answers it with the command's help.
      return run_sqlite_shell(chosen->remaining(), invocation.targets);
    }
    const Terminal terminal(invocation.color == "always"  ? ColorMode::always
                            : invocation.color == "never" ? ColorMode::never
                                                          : ColorMode::automatic,
                            invocation.quiet);
    if (invocation.cluster) {
      std::vector<std::string> kinds;
      for (const std::string& kind : kind_names()) {
        const auto& only = invocation.targets.only;
        if (only.empty() || std::find(only.begin(), only.end(), kind) != only.end()) {
          kinds.push_back(kind);
        }
      }
      return run_on_cluster(command.empty() ? "init" : command, *invocation.cluster, kinds,
                            invocation.options, terminal);
    }
    const auto targets = resolve_targets(invocation.targets);
    if (old_flags) return run_old_flags(invocation, targets, terminal);
    const std::string name = command.empty() ? "init" : command;
    for (const Command& each : commands()) {
      if (name == each.name) return each.runner(targets, invocation.options, terminal);
    }
    // Every command without a runner (shell, help) returned above.
    return usage_error(fmt::format("'{}' is not an emf command", name));  // GCOVR_EXCL_LINE
  } catch (const DotenvError& error) {
    fmt::print(stderr, "emf: {}\n", error.what());
    return kUsageError;
  } catch (const std::exception& error) {
    fmt::print(stderr, "emf: {}\n", error.what());
    return 1;
  }
}

}  // namespace emf::shell
