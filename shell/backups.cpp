// reset, backup and repair (see commands.h), and the backup files they
// write (see backup_files.h). A reset never loses data by accident: it asks
// (or needs --yes), and backs each database up before touching it.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <ctime>
#include <filesystem>
#include <iostream>

#include "backup_files.h"
#include "commands.h"
#include "connection.h"
#include "db.h"
#include "output.h"
#include "progress.h"
#include "rebuild_estimate.h"

namespace emf::shell {

namespace {

namespace fs = std::filesystem;

// Asks on a terminal; elsewhere only --yes will do.
bool confirmed(const std::vector<Target>& targets, const CommandOptions& options,
               const Terminal& terminal) {
  if (options.yes) return true;
  if (!terminal.stdin_interactive()) {
    fmt::print(stderr,
               "emf reset: refusing to reset without confirmation; run it again with --yes "
               "(each database is backed up first)\n");
    return false;
  }
  fmt::print("This deletes every row of:\n");
  for (const Target& target : targets) {
    fmt::print("  {:<14} {}\n", target.kind, display_path(target.path));
  }
  fmt::print("Each one is backed up first. Type yes to go on: ");
  std::fflush(stdout);
  std::string answer;
  std::getline(std::cin, answer);
  if (answer == "yes") return true;
  fmt::print(stderr, "emf reset: nothing was reset\n");
  return false;
}

}  // namespace

fs::path backup_folder(const Target& target, const std::optional<std::string>& folder) {
  return folder ? fs::absolute(*folder).lexically_normal() : target.path.parent_path() / "backups";
}

std::string back_up(Connection& connection, const Target& target, const fs::path& folder,
                    const Terminal& terminal) {
  std::error_code error;
  fs::create_directories(folder, error);
  if (error) {
    throw DatabaseError(fmt::format("cannot create the backup folder {}: {}; choose another with "
                                    "--dir (backup) or --backup-dir (reset)",
                                    display_path(folder), error.message()),
                        SQLITE_CANTOPEN);
  }
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  const std::string stem =
      fmt::format("{}_backup_{:%Y%m%d_%H%M%S}", target.path.stem().string(), utc);

  ProgressBar bar(terminal.progress_enabled(), fmt::format("backing up {}", target.kind));
  set_progress_observer(connection.get(), [&bar](std::string_view, std::int64_t done,
                                                 std::int64_t total) { bar.update(done, total); });
  struct ClearObserver {
    sqlite3* db;
    ~ClearObserver() { set_progress_observer(db, nullptr); }
  } clear{connection.get()};

  for (int attempt = 1; attempt <= 100; ++attempt) {
    const fs::path candidate =
        folder / (attempt == 1 ? stem + ".db" : fmt::format("{}_{}.db", stem, attempt));
    if (fs::exists(candidate)) continue;
    try {
      return connection.call("emf_backup", {candidate.string()});
    } catch (const DatabaseError&) {
      if (fs::exists(candidate)) continue;  // another backup took the name first
      throw;
    }
  }
  throw DatabaseError(
      fmt::format("100 backups named {}* already exist in {}", stem, display_path(folder)),
      SQLITE_CANTOPEN);
}

int run_reset(const std::vector<Target>& targets, const CommandOptions& options,
              const Terminal& terminal) {
  if (!confirmed(targets, options, terminal)) return 1;
  ReportReader reader;
  Output output(terminal, reader, options.json, "reset");
  return for_each_target(targets, output, [&](const Target& target) {
    Outcome outcome;
    const bool existed = fs::exists(target.path);
    Connection connection(target, existed ? Connection::Mode::existing : Connection::Mode::create);
    // The backup and the reset must see the same rows: the reset's
    // connection takes the write lock first, the backup is read through a
    // second connection (readers go on under the lock, writers wait), then
    // the reset runs in the same transaction.
    struct Transaction {
      Connection& connection;
      bool open = false;
      ~Transaction() {
        if (open) sqlite3_exec(connection.get(), "ROLLBACK", nullptr, nullptr, nullptr);
      }
    } transaction{connection};
    if (existed) {
      connection.rows("BEGIN IMMEDIATE", {});
      transaction.open = true;
      Connection reader_connection(target, Connection::Mode::existing);
      const std::string backup =
          back_up(reader_connection, target, backup_folder(target, options.backup_dir), terminal);
      outcome.details.push_back(
          fmt::format("backup: {}", display_path(reader.value(backup, "$.path").value_or("?"))));
      outcome.fields.emplace_back("backup", json::Raw{backup});
    }
    const std::string report = connection.call("emf_reset", {target.kind});
    if (transaction.open) {
      connection.rows("COMMIT", {});
      transaction.open = false;
    }
    outcome.fields.emplace_back("reset", json::Raw{report});
    outcome.state =
        fmt::format("reset (version {}){}", reader.value(report, "$.version").value_or("?"),
                    existed ? "" : ", nothing to back up");
    return outcome;
  });
}

int run_backup(const std::vector<Target>& targets, const CommandOptions& options,
               const Terminal& terminal) {
  ReportReader reader;
  Output output(terminal, reader, options.json, "backup");
  return for_each_target(targets, output, [&](const Target& target) {
    if (!fs::exists(target.path)) return missing_database("nothing to back up");
    Outcome outcome;
    Connection connection(target, Connection::Mode::read_only);
    const std::string backup =
        back_up(connection, target, backup_folder(target, options.backup_dir), terminal);
    outcome.state = fmt::format(
        "backed up to {} ({})", display_path(reader.value(backup, "$.path").value_or("?")),
        human_size(std::stoll(reader.value(backup, "$.bytes").value_or("0"))));
    outcome.fields.emplace_back("backup", json::Raw{backup});
    return outcome;
  });
}

namespace {

// What emf repair would do, from emf_check on a read-only connection: the
// tables it would rebuild (with their rows: a rebuild copies each one while
// it holds the write lock), the objects it would recreate.
Outcome plan_repair(const Target& target, const ReportReader& reader, const Terminal& terminal,
                    bool verbose) {
  Outcome outcome;
  Connection connection(target, Connection::Mode::read_only);
  const std::string check = connection.call("emf_check", {target.kind});
  outcome.fields.emplace_back("check", json::Raw{check});
  if (reader.value(check, "$.ok") == "1") {
    outcome.tone = Tone::dim;
    outcome.state = "nothing to repair";
    return outcome;
  }
  // emf repair refuses a database that is not up to date: say so, as it would.
  if (reader.value(check, "$.kinds[0].installed") != "1" ||
      reader.length(check, "$.kinds[0].pending") > 0) {
    outcome.ok = false;
    outcome.tone = Tone::bad;
    outcome.state = "emf repair needs it initialised and up to date first: run emf init";
    return outcome;
  }
  std::vector<std::string> steps, rebuilt;
  for (const ObjectLine& object : reader.objects(check)) {
    if (object.status == "changed" && object.type == "table") {
      const auto rows =
          connection.rows("SELECT count(*) FROM " + emf::quote_identifier(object.name), {});
      steps.push_back(fmt::format("rebuild {} ({} rows)", object.name, rows.at(0).at(0)));
      rebuilt.push_back(object.name);
    } else if (object.status == "changed" || object.status == "missing") {
      steps.push_back(
          fmt::format("{} {}", object.status == "missing" ? "create" : "recreate", object.name));
    }
  }
  outcome.tone = Tone::warn;
  outcome.state = steps.empty() ? "nothing emf repair can do: see below"
                                : fmt::format("would {}", fmt::join(steps, ", "));
  if (!rebuilt.empty()) {
    outcome.state +=
        fmt::format(": {}; run it in a quiet moment",
                    add_rebuild_estimate(outcome, connection, target, rebuilt, reader));
  }
  outcome.details = object_table(reader, terminal, check, verbose);
  return outcome;
}

}  // namespace

int run_repair(const std::vector<Target>& targets, const CommandOptions& options,
               const Terminal& terminal) {
  ReportReader reader;
  Output output(terminal, reader, options.json, "repair");
  return for_each_target(targets, output, [&](const Target& target) {
    if (!fs::exists(target.path)) return missing_database("run emf init");
    if (options.dry_run) return plan_repair(target, reader, terminal, options.verbose);
    Outcome outcome;
    Connection connection(target, Connection::Mode::existing);
    const std::string before = connection.call("emf_check", {target.kind});
    if (reader.value(before, "$.ok") == "1") {
      outcome.tone = Tone::dim;
      outcome.state = "nothing to repair";
      outcome.fields.emplace_back("check", json::Raw{before});
      return outcome;
    }
    if (!options.no_backup) {
      const std::string backup =
          back_up(connection, target, backup_folder(target, options.backup_dir), terminal);
      outcome.details.push_back(
          fmt::format("backup: {}", display_path(reader.value(backup, "$.path").value_or("?"))));
      outcome.fields.emplace_back("backup", json::Raw{backup});
    }
    const std::string report = connection.call("emf_repair", {target.kind});
    const std::string after = connection.call("emf_check", {target.kind});
    outcome.fields.emplace_back("repair", json::Raw{report});
    outcome.fields.emplace_back("check", json::Raw{after});
    std::vector<std::string> done;
    for (const auto& [index, table] : reader.members(report, "$.rebuilt"))
      done.push_back("rebuilt " + table);
    for (const auto& [index, name] : reader.members(report, "$.recreated"))
      done.push_back("recreated " + name);
    outcome.ok = reader.value(after, "$.ok") == "1";
    outcome.tone = outcome.ok ? Tone::good : Tone::bad;
    outcome.state = fmt::format(
        "{}{}", done.empty() ? "nothing rebuilt" : fmt::format("{}", fmt::join(done, ", ")),
        outcome.ok ? "" : "; problems remain: " + remedy(reader, after));
    if (!outcome.ok) {
      for (std::string& line : object_table(reader, terminal, after, options.verbose)) {
        outcome.details.push_back(std::move(line));
      }
    }
    return outcome;
  });
}

}  // namespace emf::shell
