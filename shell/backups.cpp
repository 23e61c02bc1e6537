// reset, backup and repair (see commands.h), and the backup files they
// write (see backup_files.h). A reset never loses data by accident: it asks
// (or needs --yes), and backs each database up before touching it.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <regex>
#include <tuple>

#include "backup_files.h"
#include "commands.h"
#include "connection.h"
#include "db.h"
#include "output.h"
#include "progress.h"
#include "rebuild_estimate.h"
#include "report_reader.h"
#include "task_progress.h"

namespace emf::shell {

namespace {

namespace fs = std::filesystem;

// Asks on a terminal; elsewhere only --yes will do. `command` is reset or
// restore; `change` what it does to each database.
bool confirmed(const std::vector<Target>& targets, const CommandOptions& options,
               const Terminal& terminal, std::string_view command, std::string_view change) {
  if (options.yes) return true;
  if (!terminal.stdin_interactive()) {
    fmt::print(stderr,
               "emf {0}: refusing to {0} without confirmation; run it again with --yes "
               "(each database is backed up first)\n",
               command);
    return false;
  }
  fmt::print("This {}:\n", change);
  for (const Target& target : targets) {
    fmt::print("  {:<14} {}\n", target.kind, display_path(target.path));
  }
  fmt::print("Each one is backed up first. Type yes to go on: ");
  std::fflush(stdout);
  std::string answer;
  std::getline(std::cin, answer);
  if (answer == "yes") return true;
  fmt::print(stderr, "emf {}: nothing was changed\n", command);
  return false;
}

}  // namespace

fs::path backup_folder(const Target& target, const std::optional<std::string>& folder) {
  return folder ? fs::absolute(*folder).lexically_normal() : target.path.parent_path() / "backups";
}

namespace {

void create_backup_folder(const fs::path& folder) {
  std::error_code error;
  fs::create_directories(folder, error);
  if (error) {
    throw DatabaseError(fmt::format("cannot create the backup folder {}: {}; choose another with "
                                    "--dir (backup) or --backup-dir (the other commands)",
                                    display_path(folder), error.message()),
                        SQLITE_CANTOPEN);
  }
}

// The attempt-th name of a backup made now: <name>_backup_YYYYmmdd_HHMMSS
// (UTC), then _2, _3, ..., and _before_<operation> for an automatic one.
fs::path backup_name(const Target& target, const fs::path& folder, std::string_view operation,
                     int attempt) {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  const std::string stem =
      fmt::format("{}_backup_{:%Y%m%d_%H%M%S}", target.path.stem().string(), utc);
  const std::string suffix = operation.empty() ? ".db" : fmt::format("_before_{}.db", operation);
  return folder / (attempt == 1 ? stem + suffix : fmt::format("{}_{}{}", stem, attempt, suffix));
}

constexpr int kBackupNameAttempts = 100;

[[noreturn]] void no_free_backup_name(const Target& target, const fs::path& folder) {
  throw DatabaseError(fmt::format("{} backups of {} of this second already exist in {}",
                                  kBackupNameAttempts, target.kind, display_path(folder)),
                      SQLITE_CANTOPEN);
}

}  // namespace

fs::path next_backup_name(const Target& target, const fs::path& folder,
                          std::string_view operation) {
  create_backup_folder(folder);
  for (int attempt = 1; attempt <= kBackupNameAttempts; ++attempt) {
    fs::path candidate = backup_name(target, folder, operation, attempt);
    if (!fs::exists(candidate)) return candidate;
  }
  no_free_backup_name(target, folder);
}

std::string back_up(Connection& connection, const Target& target, const fs::path& folder,
                    const Terminal& terminal, std::string_view operation) {
  create_backup_folder(folder);
  ProgressBar bar(terminal.progress_enabled(), fmt::format("backing up {}", target.kind));
  set_progress_observer(connection.get(), [&bar](std::string_view, std::int64_t done,
                                                 std::int64_t total) { bar.update(done, total); });
  struct ClearObserver {
    sqlite3* db;
    ~ClearObserver() { set_progress_observer(db, nullptr); }
  } clear{connection.get()};

  for (int attempt = 1; attempt <= kBackupNameAttempts; ++attempt) {
    const fs::path candidate = backup_name(target, folder, operation, attempt);
    if (fs::exists(candidate)) continue;
    try {
      return connection.call("emf_backup", {candidate.string()});
    } catch (const DatabaseError&) {
      if (fs::exists(candidate)) continue;  // another backup took the name first
      throw;
    }
  }
  no_free_backup_name(target, folder);
}

std::vector<BackupFile> list_backups(const Target& target, const fs::path& folder) {
  // <stem>_backup_YYYYmmdd_HHMMSS[_N][_before_<operation>].db: the names
  // back_up gives, in the order they were made once sorted by time and N.
  const std::regex name(
      fmt::format(R"(^{}_backup_(\d{{8}}_\d{{6}})(?:_(\d+))?(?:_before_([a-z]+))?\.db$)",
                  std::regex_replace(target.path.stem().string(),
                                     std::regex(R"([.^$|()\[\]{{}}*+?\\])"), R"(\$&)")));
  std::vector<BackupFile> found;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    std::smatch match;
    const std::string file = entry.path().filename().string();
    if (!entry.is_regular_file(error) || !std::regex_match(file, match, name)) continue;
    found.push_back({entry.path(), match[1].str(), match[2].matched ? std::stoi(match[2].str()) : 1,
                     match[3].str(), entry.last_write_time(error)});
  }
  std::sort(found.begin(), found.end(), [](const BackupFile& a, const BackupFile& b) {
    // Two backups of one second: the one written first. Their numbers only
    // count the names taken of one sort (_2_before_repair.db can be older
    // than _before_reset.db), so they decide only between equal times.
    return std::tie(a.time, a.written, a.counter) < std::tie(b.time, b.written, b.counter);
  });
  return found;
}

namespace {

// A file pruning may delete: a regular file itself (not a link to one)
// that begins as every SQLite database does. A file of yours that only
// bears a backup's name is not a backup.
bool holds_a_database(const fs::path& path) {
  std::error_code error;
  if (!fs::is_regular_file(fs::symlink_status(path, error))) return false;
  constexpr std::string_view kHeader("SQLite format 3\0", 16);
  std::string header(kHeader.size(), '\0');
  std::ifstream file(path, std::ios::binary);
  file.read(header.data(), static_cast<std::streamsize>(header.size()));
  return file.gcount() == static_cast<std::streamsize>(kHeader.size()) && header == kHeader;
}

}  // namespace

std::vector<fs::path> prune_backups(const Target& target, const fs::path& folder, bool automatic,
                                    std::int64_t keep, const fs::path& just_made) {
  std::vector<BackupFile> sort;
  std::error_code error;
  for (BackupFile& file : list_backups(target, folder)) {
    if (file.operation.empty() == automatic) continue;
    // The backup this command made is never pruned, and is one of those kept,
    // whatever its name says of its time against the others'.
    if (!just_made.empty() && fs::equivalent(file.path, just_made, error)) {
      --keep;
      continue;
    }
    sort.push_back(std::move(file));
  }
  std::vector<fs::path> deleted;
  const std::size_t kept = static_cast<std::size_t>(std::max<std::int64_t>(keep, 0));
  for (std::size_t i = 0; i + kept < sort.size(); ++i) {
    if (holds_a_database(sort[i].path) && fs::remove(sort[i].path, error)) {
      deleted.push_back(sort[i].path);
    }
  }
  return deleted;
}

std::string back_up_before(std::string_view operation, Connection& connection, const Target& target,
                           const CommandOptions& options, const Terminal& terminal,
                           const ReportReader& reader, Outcome& outcome) {
  const fs::path folder = backup_folder(target, options.backup_dir);
  const std::string backup = back_up(connection, target, folder, terminal, operation);
  const std::string path = reader.value(backup, "$.path").value_or("");
  outcome.details.push_back(fmt::format("backup before {}: {}", operation, display_path(path)));
  outcome.fields.emplace_back("backup", json::Raw{backup});
  prune_automatic_backups(target, folder, options, outcome, path);
  return path;
}

void prune_automatic_backups(const Target& target, const fs::path& folder,
                             const CommandOptions& options, Outcome& outcome,
                             const fs::path& just_made) {
  const std::int64_t keep = options.keep.value_or(kAutomaticBackupsKept);
  const auto pruned = prune_backups(target, folder, true, keep, just_made);
  if (!pruned.empty()) {
    outcome.details.push_back(fmt::format("deleted {} older automatic backup{} (keeping {})",
                                          pruned.size(), pruned.size() == 1 ? "" : "s", keep));
  }
}

int run_reset(const std::vector<Target>& targets, const CommandOptions& options,
              const Terminal& terminal) {
  if (!confirmed(targets, options, terminal, "reset", "deletes every row of")) return 1;
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
    std::string backup;
    if (existed) {
      connection.rows("BEGIN IMMEDIATE", {});
      transaction.open = true;
      // A newer emf's database, which emf_reset refuses, is not backed up
      // for nothing: the call below says why.
      const std::string check = connection.call("emf_check", {target.kind});
      if (!migrated_by_a_newer_emf(reader, check)) {
        Connection reader_connection(target, Connection::Mode::existing);
        backup =
            back_up_before("reset", reader_connection, target, options, terminal, reader, outcome);
      }
    }
    const std::string report = keeping_backup(backup, [&] {
      std::string done = connection.call("emf_reset", {target.kind});
      if (transaction.open) {
        connection.rows("COMMIT", {});
        transaction.open = false;
      }
      return done;
    });
    outcome.fields.emplace_back("reset", json::Raw{report});
    outcome.state =
        fmt::format("reset (version {}){}", reader.value(report, "$.version").value_or("?"),
                    existed ? "" : ", nothing to back up");
    return outcome;
  });
}

namespace {

// emf backup --list: the backups of one database in its backup folder,
// oldest first, each with its size, time and the version it holds.
Outcome list_of_backups(const Target& target, const CommandOptions& options,
                        const ReportReader& reader) {
  Outcome outcome;
  const fs::path folder = backup_folder(target, options.backup_dir);
  std::vector<json::Value> items;
  for (const BackupFile& file : list_backups(target, folder)) {
    std::string version = "?";
    try {
      Target backup = target;
      backup.path = file.path;
      Connection connection(backup, Connection::Mode::read_only);
      const auto rows = connection.rows(
          "SELECT coalesce(max(version), 0) FROM emf_schema_history WHERE kind = ?1",
          {target.kind});
      version = rows.at(0).at(0);
    } catch (const std::exception&) {
      version = "unreadable";
    }
    std::error_code error;
    const auto bytes = static_cast<std::int64_t>(fs::file_size(file.path, error));
    // 20261201_091500 as 2026-12-01 09:15:00 UTC.
    const std::string& t = file.time;
    const std::string when =
        fmt::format("{}-{}-{} {}:{}:{} UTC", t.substr(0, 4), t.substr(4, 2), t.substr(6, 2),
                    t.substr(9, 2), t.substr(11, 2), t.substr(13, 2));
    outcome.details.push_back(fmt::format(
        "{}  {:>9}  version {:<3}  {}{}", when, human_size(bytes), version, display_path(file.path),
        file.operation.empty() ? "" : " (before " + file.operation + ")"));
    items.emplace_back(json::Raw{
        json::object(reader.scratch(), {{"path", file.path.string()},
                                        {"time", when},
                                        {"bytes", bytes},
                                        {"version", version},
                                        {"before", json::text_or_null(file.operation)}})});
  }
  outcome.tone = Tone::dim;
  outcome.state = fmt::format("{} backup{} in {}", items.size(), items.size() == 1 ? "" : "s",
                              display_path(folder));
  outcome.fields.emplace_back("backups", json::Raw{json::array(reader.scratch(), items)});
  return outcome;
}

}  // namespace

int run_backup(const std::vector<Target>& targets, const CommandOptions& options,
               const Terminal& terminal) {
  ReportReader reader;
  Output output(terminal, reader, options.json, "backup");
  return for_each_target(targets, output, [&](const Target& target) {
    if (options.list) return list_of_backups(target, options, reader);
    if (!fs::exists(target.path)) return missing_database("nothing to back up");
    Outcome outcome;
    Connection connection(target, Connection::Mode::read_only);
    const std::string backup =
        back_up(connection, target, backup_folder(target, options.backup_dir), terminal);
    outcome.state = fmt::format(
        "backed up to {} ({})", display_path(reader.value(backup, "$.path").value_or("?")),
        human_size(std::stoll(reader.value(backup, "$.bytes").value_or("0"))));
    outcome.fields.emplace_back("backup", json::Raw{backup});
    if (options.keep) {
      const auto pruned = prune_backups(target, backup_folder(target, options.backup_dir), false,
                                        *options.keep, reader.value(backup, "$.path").value_or(""));
      std::vector<json::Value> names;
      for (const fs::path& file : pruned) names.emplace_back(file.string());
      outcome.fields.emplace_back("deleted", json::Raw{json::array(reader.scratch(), names)});
      if (!pruned.empty()) {
        outcome.details.push_back(fmt::format("deleted {} older backup{} (keeping {})",
                                              pruned.size(), pruned.size() == 1 ? "" : "s",
                                              *options.keep));
      }
    }
    return outcome;
  });
}

namespace {

// What emf repair would do, from emf_check on a read-only connection: the
// tables it would rebuild (with their rows: a rebuild copies each one while
// it holds the write lock), the objects it would recreate.
// Why emf_repair would refuse the database emf_check reported on, with the
// remedy emf check gives; nullopt when it would go ahead. Asked before the
// backup too: a database repair refuses is not copied for nothing.
std::optional<std::string> repair_refusal(const ReportReader& reader, const std::string& check) {
  if (reader.value(check, "$.kinds[0].installed") != "1" ||
      reader.length(check, "$.kinds[0].pending") > 0) {
    return "emf repair needs it initialised and up to date first: run emf init";
  }
  const std::vector<ObjectLine> objects = reader.objects(check);
  if (migrated_by_a_newer_emf(reader, check) ||
      std::any_of(objects.begin(), objects.end(),
                  [](const ObjectLine& object) { return object.status == "modified"; })) {
    return "emf repair would refuse it: " + remedy(reader, check);
  }
  return std::nullopt;
}

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
  // What emf repair refuses, its dry run says, and exits as it would.
  if (auto refusal = repair_refusal(reader, check)) {
    outcome.ok = false;
    outcome.tone = Tone::bad;
    outcome.state = std::move(*refusal);
    if (reader.value(check, "$.kinds[0].installed") == "1" &&
        reader.length(check, "$.kinds[0].pending") == 0) {
      outcome.details = object_table(reader, terminal, check, verbose);
    }
    return outcome;
  }
  const std::vector<ObjectLine> objects = reader.objects(check);
  // What is left is drift: each object missing or changed is a step.
  std::vector<std::string> steps, rebuilt;
  for (const ObjectLine& object : objects) {
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
  outcome.state = fmt::format("would {}", fmt::join(steps, ", "));
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
      // The schema is as emf expects; emf_repair still compares the tables
      // emf derives from the rows with them, and fills again one that was
      // edited by hand. Nothing of the user's can change: no backup.
      const std::string report = connection.call("emf_repair", {target.kind});
      outcome.fields.emplace_back("repair", json::Raw{report});
      outcome.fields.emplace_back("check", json::Raw{before});
      std::vector<std::string> refilled;
      for (const auto& [index, table] : reader.members(report, "$.refilled"))
        refilled.push_back("refilled " + table);
      outcome.tone = refilled.empty() ? Tone::dim : Tone::good;
      outcome.state =
          refilled.empty() ? "nothing to repair" : fmt::format("{}", fmt::join(refilled, ", "));
      return outcome;
    }
    // A database emf_repair refuses is not backed up: the call below says why.
    std::string backup;
    if (!options.no_backup && !repair_refusal(reader, before)) {
      backup = back_up_before("repair", connection, target, options, terminal, reader, outcome);
    }
    const std::string report = keeping_backup(backup, [&] {
      const TaskProgress progress(connection.get(), terminal, target.kind);
      return connection.call("emf_repair", {target.kind});
    });
    const std::string after = connection.call("emf_check", {target.kind});
    outcome.fields.emplace_back("repair", json::Raw{report});
    outcome.fields.emplace_back("check", json::Raw{after});
    std::vector<std::string> done;
    for (const auto& [index, table] : reader.members(report, "$.rebuilt"))
      done.push_back("rebuilt " + table);
    for (const auto& [index, name] : reader.members(report, "$.recreated"))
      done.push_back("recreated " + name);
    for (const auto& [index, table] : reader.members(report, "$.refilled"))
      done.push_back("refilled " + table);
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

namespace {

// The kinds a file holds, by emf_check on it.
std::vector<std::string> kinds_in(const Target& target, const fs::path& file,
                                  const ReportReader& reader) {
  Target backup = target;
  backup.path = file;
  Connection connection(backup, Connection::Mode::read_only);
  std::vector<std::string> kinds;
  const std::string check = connection.call("emf_check", {});
  for (std::int64_t i = 0; i < reader.length(check, "$.kinds"); ++i) {
    kinds.push_back(reader.value(check, fmt::format("$.kinds[{}].kind", i)).value_or(""));
  }
  return kinds;
}

}  // namespace

int run_restore(const std::vector<Target>& all_targets, const CommandOptions& options,
                const Terminal& terminal) {
  ReportReader reader;
  // A file names its kind; --latest takes each database's newest backup.
  std::vector<Target> targets;
  if (options.restore_from) {
    const fs::path file = fs::absolute(*options.restore_from);
    std::error_code error;
    if (!fs::is_regular_file(file, error)) {
      fmt::print(stderr, "emf restore: {} {}\n", display_path(file),
                 fs::exists(file, error) ? "is not a file" : "does not exist");
      return 2;
    }
    std::vector<std::string> kinds;
    try {
      kinds = kinds_in(all_targets.front(), file, reader);
    } catch (const DatabaseError& unreadable) {
      // Said of the backup named, not of a database: the advice of an
      // unreadable database (point TRENDS_DB_PATH elsewhere) is wrong here.
      fmt::print(stderr,
                 "emf restore: {} cannot be read as a database ({}); name a backup that emf made "
                 "(emf backup --list shows them)\n",
                 display_path(file), sqlite3_errstr(unreadable.code()));
      return 1;
    }
    for (const Target& target : all_targets) {
      if (std::find(kinds.begin(), kinds.end(), target.kind) != kinds.end()) {
        targets.push_back(target);
      }
    }
    if (targets.empty()) {
      fmt::print(stderr, "emf restore: {} holds {}, none of the databases chosen\n",
                 display_path(file),
                 kinds.empty() ? "no emf database" : fmt::format("{}", fmt::join(kinds, ", ")));
      return 1;
    }
  } else {
    targets = all_targets;
  }
  if (!confirmed(targets, options, terminal, "restore", "replaces every row of")) return 1;
  Output output(terminal, reader, options.json, "restore");
  return for_each_target(targets, output, [&](const Target& target) {
    Outcome outcome;
    const fs::path folder = backup_folder(target, options.backup_dir);
    fs::path from;
    if (options.restore_from) {
      from = fs::absolute(*options.restore_from);
    } else {
      // The newest backup, but not one a restore made of what it replaced:
      // a second --latest would undo the first.
      auto backups = list_backups(target, folder);
      std::erase_if(backups, [](const BackupFile& file) { return file.operation == "restore"; });
      if (backups.empty()) {
        outcome.ok = false;
        outcome.tone = Tone::bad;
        outcome.state = fmt::format("no backup to restore in {}", display_path(folder));
        return outcome;
      }
      from = backups.back().path;
    }
    // A database that was lost is created and filled; one that exists is
    // saved first, under the same write lock as the restore.
    const bool existed = fs::exists(target.path);
    Connection connection(target, existed ? Connection::Mode::existing : Connection::Mode::create);
    std::optional<fs::path> save;
    if (existed && !options.no_backup) save = next_backup_name(target, folder, "restore");
    const std::string report =
        save ? connection.call("emf_restore", {from.string(), std::string("main"), save->string()})
             : connection.call("emf_restore", {from.string()});
    outcome.fields.emplace_back("restore", json::Raw{report});
    if (save) {
      outcome.details.push_back(fmt::format("backup before restore: {}", display_path(*save)));
      prune_automatic_backups(target, folder, options, outcome, *save);
    }
    const std::string check = connection.call("emf_check", {target.kind});
    outcome.fields.emplace_back("check", json::Raw{check});
    outcome.ok = reader.value(check, "$.ok") == "1";
    outcome.tone = outcome.ok ? Tone::good : Tone::warn;
    outcome.state =
        fmt::format("restored from {} ({}){}", display_path(from),
                    human_size(std::stoll(reader.value(report, "$.bytes").value_or("0"))),
                    outcome.ok ? "" : "; " + remedy(reader, check));
    return outcome;
  });
}

}  // namespace emf::shell
