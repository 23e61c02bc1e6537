// init, check, seed and status; see commands.h. reset, backup and repair are
// in backups.cpp.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <thread>

#include "backup_files.h"
#include "commands.h"
#include "connection.h"
#include "describe.h"
#include "output.h"
#include "progress.h"
#include "rebuild_estimate.h"
#include "task_progress.h"

namespace emf::shell {

namespace {

// Rows of every table per emf_seed call when seeding synthetic rows (a few
// tenths of a second of writing), and the pause after each: longer than the
// longest sleep of SQLite's busy handler (100 ms), so that a writer waiting
// with a busy timeout always gets its turn between two batches.
constexpr std::int64_t kSeedBatchRows = 5000;
constexpr std::chrono::milliseconds kSeedPause{120};

// What an upgrade did to the tables, in a few words: ": 2 tables rebuilt
// (trending_topics, search_history), 11 values converted".
std::string changes(const ReportReader& reader, const std::string& report) {
  std::vector<std::string> tables;
  for (const auto& [index, table] : reader.members(report, "$.rebuilt")) tables.push_back(table);
  if (tables.empty()) return "";
  const std::string converted = reader.value(report, "$.converted").value_or("0");
  return fmt::format(": {} table{} rebuilt ({}), {} value{} converted", tables.size(),
                     tables.size() == 1 ? "" : "s", fmt::join(tables, ", "), converted,
                     converted == "1" ? "" : "s");
}

// Initialises one database and reads its check: what `emf init` prints.
// Before a migration changes a database that holds data, it is backed up
// (unless --no-backup).
Outcome initialise(Connection& connection, const Target& target, const ReportReader& reader,
                   const Terminal& terminal, const CommandOptions& options) {
  Outcome outcome;
  std::string backup;
  if (!options.no_backup) {
    const std::string plan = connection.call("emf_plan", {target.kind});
    if (reader.length(plan, "$.steps") > 0 && reader.value(plan, "$.has_data") == "1") {
      backup = back_up_before("migrating", connection, target, options, terminal, reader, outcome);
    }
  }
  const std::string report = keeping_backup(backup, [&] {
    const TaskProgress progress(connection.get(), terminal, target.kind);
    return connection.call("emf_init", {target.kind});
  });
  describe_init(outcome, report, connection.call("emf_check", {target.kind}), reader, terminal,
                options.verbose);
  return outcome;
}

}  // namespace

void describe_init(Outcome& outcome, const std::string& report, const std::string& check,
                   const ReportReader& reader, const Terminal& terminal, bool verbose) {
  outcome.fields.emplace_back("init", json::Raw{report});
  outcome.fields.emplace_back("check", json::Raw{check});
  const std::string version = reader.value(report, "$.version").value_or("?");
  const std::int64_t applied = reader.length(report, "$.applied");
  if (reader.value(check, "$.ok") != "1") {
    outcome.ok = false;
    outcome.tone = Tone::bad;
    outcome.state = fmt::format("problems (version {}): {}", version, remedy(reader, check));
  } else if (applied == 0) {
    outcome.tone = Tone::dim;
    outcome.state = fmt::format("up to date (version {})", version);
  } else if (reader.value(report, "$.baseline") == "1") {
    outcome.state =
        fmt::format("adopted, upgraded to version {}{}", version, changes(reader, report));
  } else if (reader.value(report, "$.applied[0]") == "1") {
    outcome.state = fmt::format("created (version {})", version);
  } else {
    outcome.state = fmt::format("upgraded to version {}{}", version, changes(reader, report));
  }
  for (const auto& [index, warning] : reader.members(report, "$.warnings")) {
    outcome.details.push_back(terminal.paint(Tone::warn, "warning: " + warning));
  }
  if (!outcome.ok || verbose) {
    for (std::string& line : object_table(reader, terminal, check, verbose)) {
      outcome.details.push_back(std::move(line));
    }
  }
}

namespace {

// What init would do, changing nothing: the plan of emf_plan, with its SQL.
Outcome plan(const Target& target, const ReportReader& reader) {
  const bool exists = std::filesystem::exists(target.path);
  // A database that does not exist yet is planned on an empty one in memory.
  Connection connection(target, exists ? Connection::Mode::read_only : Connection::Mode::scratch);
  const std::string report = connection.call("emf_plan", {target.kind});
  Outcome outcome;
  outcome.fields.emplace_back("exists", exists);
  outcome.fields.emplace_back("plan", json::Raw{report});
  const std::string version = reader.value(report, "$.version").value_or("0");
  const std::string latest = reader.value(report, "$.latest").value_or("?");
  std::vector<std::string> names;
  const std::int64_t steps = reader.length(report, "$.steps");
  for (std::int64_t i = 0; i < steps; ++i) {
    const std::string step = fmt::format("$.steps[{}]", i);
    const std::string name =
        fmt::format("{:0>3}_{}", reader.value(report, step + ".version").value_or("?"),
                    reader.value(report, step + ".name").value_or("?"));
    names.push_back(name);
    const bool baseline = reader.value(report, step + ".baseline") == "1";
    outcome.details.push_back(
        fmt::format("-- {}{}", name, baseline ? " (baseline: adopt the existing tables)" : ""));
    std::string sql = reader.value(report, step + ".sql").value_or("");
    std::size_t start = 0;
    while (start < sql.size()) {
      const std::size_t end = sql.find('\n', start);
      outcome.details.push_back(sql.substr(start, end == std::string::npos ? end : end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  std::vector<std::string> rebuilds;
  for (const auto& [index, table] : reader.members(report, "$.rebuilds")) {
    rebuilds.push_back(table);
  }
  if (!rebuilds.empty()) {
    const std::string estimate =
        add_rebuild_estimate(outcome, connection, target, rebuilds, reader);
    outcome.details.insert(outcome.details.begin(),
                           fmt::format("rebuilds {}: {}; run it in a quiet moment",
                                       fmt::join(rebuilds, ", "), estimate));
  }
  outcome.tone = steps == 0 ? Tone::dim : Tone::warn;
  if (steps == 0) {
    outcome.state = fmt::format("up to date (version {}): nothing to do", version);
  } else if (!exists) {
    outcome.state =
        fmt::format("would create it at version {}: {}", latest, fmt::join(names, ", "));
  } else if (reader.value(report, "$.adopt") == "1") {
    outcome.state = fmt::format("would adopt it and bring it to version {}: {}", latest,
                                fmt::join(names, ", "));
  } else {
    outcome.state = fmt::format("would upgrade it from version {} to {}: {}", version, latest,
                                fmt::join(names, ", "));
  }
  return outcome;
}

// The migrations of each database: version, and what is pending or modified.
Outcome status(const Target& target, const ReportReader& reader, const Terminal& terminal,
               bool verbose) {
  if (!std::filesystem::exists(target.path)) return missing_database("run emf init");
  Connection connection(target, Connection::Mode::read_only);
  return describe_status(connection.rows(std::string(kMigrationsQuery), {target.kind}), reader,
                         terminal, verbose);
}

}  // namespace

Outcome describe_status(const std::vector<std::vector<std::string>>& rows,
                        const ReportReader& reader, const Terminal& terminal, bool verbose) {
  Outcome outcome;
  std::vector<json::Value> migrations;
  std::vector<std::string> pending, modified, newer;
  int version = 0, latest = 0, latest_known = 0;
  for (const auto& row : rows) {
    const std::string name = fmt::format("{:0>3}_{}", row[0], row[1]);
    latest = std::max(latest, std::stoi(row[0]));
    if (row[2] != "newer") latest_known = std::max(latest_known, std::stoi(row[0]));
    if (row[2] != "pending") version = std::max(version, std::stoi(row[0]));
    if (row[2] == "pending") pending.push_back(name);
    if (row[2] == "modified") modified.push_back(name);
    if (row[2] == "newer") newer.push_back(name);
    if (verbose || row[2] != "applied") {
      const Tone tone = row[2] == "applied"   ? Tone::good
                        : row[2] == "pending" ? Tone::warn
                                              : Tone::bad;
      outcome.details.push_back(fmt::format(
          "{:<24} {} {}", name, terminal.paint(tone, fmt::format("{:<8}", row[2])), row[3]));
    }
    migrations.push_back(
        json::Raw{json::object(reader.scratch(), {{"version", std::stoi(row[0])},
                                                  {"name", row[1]},
                                                  {"status", row[2]},
                                                  {"applied_at", json::text_or_null(row[3])}})});
  }
  outcome.fields.emplace_back("exists", true);
  outcome.fields.emplace_back("version", version);
  outcome.fields.emplace_back("migrations", json::Raw{json::array(reader.scratch(), migrations)});
  outcome.ok = pending.empty() && modified.empty() && newer.empty();
  if (!newer.empty()) {
    // As emf check and emf init say: this emf must not touch it.
    outcome.tone = Tone::bad;
    outcome.state = fmt::format(
        "version {}, migrated by a newer emf ({}): upgrade emf (this one knows version {})",
        version, fmt::join(newer, ", "), latest_known);
  } else if (version == 0) {
    outcome.tone = Tone::bad;
    outcome.state = "not initialised: run emf init";
  } else if (!modified.empty()) {
    outcome.tone = Tone::bad;
    outcome.state = fmt::format(
        "version {}; modified after they were applied: {}; restore their files as this emf "
        "ships them",
        version, fmt::join(modified, ", "));
  } else if (!pending.empty()) {
    outcome.tone = Tone::warn;
    outcome.state = fmt::format("version {} of {}; pending: {} (run emf init)", version, latest,
                                fmt::join(pending, ", "));
  } else {
    outcome.state = fmt::format("version {} (latest)", version);
  }
  return outcome;
}

Outcome describe_check(const std::string& report, const ReportReader& reader,
                       const Terminal& terminal, bool verbose) {
  Outcome outcome;
  outcome.fields.emplace_back("exists", true);
  outcome.fields.emplace_back("check", json::Raw{report});
  const std::string version = reader.value(report, "$.kinds[0].version").value_or("0");
  const std::int64_t pending = reader.length(report, "$.kinds[0].pending");
  outcome.ok = reader.value(report, "$.ok") == "1";
  if (outcome.ok) {
    outcome.state = fmt::format("ok (version {})", version);
  } else if (reader.value(report, "$.kinds[0].installed") != "1") {
    outcome.tone = Tone::bad;
    outcome.state = "not initialised: run emf init";
  } else if (pending > 0 && !migrated_by_a_newer_emf(reader, report)) {
    outcome.tone = Tone::warn;
    outcome.state = fmt::format("version {}, {} migration{} pending: run emf init", version,
                                pending, pending == 1 ? "" : "s");
  } else {
    outcome.tone = Tone::bad;
    outcome.state = fmt::format("problems (version {}): {}", version, remedy(reader, report));
  }
  outcome.details = object_table(reader, terminal, report, verbose);
  return outcome;
}

namespace {

Outcome check(const Target& target, const ReportReader& reader, const Terminal& terminal,
              bool verbose) {
  if (!std::filesystem::exists(target.path)) return missing_database("run emf init");
  Connection connection(target, Connection::Mode::read_only);
  return describe_check(connection.call("emf_check", {target.kind}), reader, terminal, verbose);
}

}  // namespace

int run_init(const std::vector<Target>& targets, const CommandOptions& options,
             const Terminal& terminal) {
  ReportReader reader;
  Output output(terminal, reader, options.json, "init");
  if (options.dry_run) {
    return for_each_target(targets, output,
                           [&](const Target& target) { return plan(target, reader); });
  }
  return for_each_target(targets, output, [&](const Target& target) {
    Connection connection(target, Connection::Mode::create);
    return initialise(connection, target, reader, terminal, options);
  });
}

int run_check(const std::vector<Target>& targets, const CommandOptions& options,
              const Terminal& terminal) {
  ReportReader reader;
  Output output(terminal, reader, options.json, "check");
  return for_each_target(targets, output, [&](const Target& target) {
    return check(target, reader, terminal, options.verbose);
  });
}

int run_status(const std::vector<Target>& targets, const CommandOptions& options,
               const Terminal& terminal) {
  ReportReader reader;
  Output output(terminal, reader, options.json, "status");
  return for_each_target(targets, output, [&](const Target& target) {
    return status(target, reader, terminal, options.verbose);
  });
}

int run_seed(const std::vector<Target>& targets, const CommandOptions& options,
             const Terminal& terminal) {
  ReportReader reader;
  Output output(terminal, reader, options.json, "seed");
  return for_each_target(targets, output, [&](const Target& target) {
    Connection connection(target, Connection::Mode::create);
    CommandOptions quiet = options;
    quiet.verbose = false;
    Outcome outcome = initialise(connection, target, reader, terminal, quiet);
    if (!outcome.ok) {
      outcome.state = "not seeded: " + outcome.state;
      return outcome;
    }

    ProgressBar bar(terminal.progress_enabled() && options.rows.has_value(),
                    fmt::format("seeding {}", target.kind));
    const std::int64_t total = options.rows.value_or(0);
    std::int64_t seeded = 0;
    set_progress_observer(
        connection.get(), [&](std::string_view, std::int64_t done, std::int64_t batch_total) {
          const std::int64_t batch = std::min(kSeedBatchRows, total - seeded);
          if (batch > 0)
            bar.update(seeded * (batch_total / batch) + done, total * (batch_total / batch));
        });
    try {
      seed_in_batches(outcome, target.kind, options, reader,
                      [&](const Connection::Arguments& arguments, std::int64_t done) {
                        seeded = done;
                        return connection.call("emf_seed", arguments);
                      });
    } catch (...) {
      set_progress_observer(connection.get(), nullptr);
      throw;
    }
    set_progress_observer(connection.get(), nullptr);
    return outcome;
  });
}

void seed_in_batches(
    Outcome& outcome, const std::string& kind, const CommandOptions& options,
    const ReportReader& reader,
    const std::function<std::string(const Connection::Arguments&, std::int64_t)>& seed) {
  // Synthetic rows go in batches, each emf_seed call its own short
  // transaction: a pipeline writing meanwhile waits a moment at most,
  // never its whole busy timeout. The batches are fixed, so the same
  // --rows and --random-seed give the same rows.
  const std::int64_t total = options.rows.value_or(0);
  std::int64_t seeded = 0;
  std::map<std::string, std::int64_t> inserted;
  std::vector<std::string> order;
  do {
    const std::string report =
        options.rows
            ? seed({kind, std::min(kSeedBatchRows, total - seeded), options.random_seed}, seeded)
            : seed({kind}, seeded);
    for (const auto& [table, count] : reader.members(report, "$.inserted")) {
      if (!inserted.contains(table)) order.push_back(table);
      inserted[table] += std::stoll(count);
    }
    seeded += std::min(kSeedBatchRows, total - seeded);
    if (seeded < total) std::this_thread::sleep_for(kSeedPause);
  } while (seeded < total);
  {
    std::string counts;
    json::Members members;
    for (const std::string& table : order) {
      counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", table, inserted[table]);
      members.emplace_back(table, inserted[table]);
    }
    outcome.state = fmt::format("seeded: {}", counts);
    outcome.fields.emplace_back(
        "seed",
        json::Raw{json::object(
            reader.scratch(),
            {{"kind", kind}, {"inserted", json::Raw{json::object(reader.scratch(), members)}}})});
  }
}

int run_optimize(const std::vector<Target>& targets, const CommandOptions& options,
                 const Terminal& terminal) {
  ReportReader reader;
  Output output(terminal, reader, options.json, "optimize");
  return for_each_target(targets, output, [&](const Target& target) {
    if (!std::filesystem::exists(target.path)) return missing_database("run emf init");
    Outcome outcome;
    Connection connection(target, Connection::Mode::existing);
    const std::filesystem::path folder = backup_folder(target, options.backup_dir);
    // Used only when it vacuums: the state before is saved there first.
    std::optional<std::filesystem::path> save;
    if (!options.no_backup) save = next_backup_name(target, folder, "optimize");
    const std::string report =
        save ? connection.call("emf_optimize", {target.kind, std::string("main"), save->string()})
             : connection.call("emf_optimize", {target.kind});
    outcome.fields.emplace_back("optimize", json::Raw{report});
    if (const auto saved = reader.value(report, "$.saved_current")) {
      outcome.details.push_back(fmt::format("backup before optimize: {}", display_path(*saved)));
      prune_automatic_backups(target, folder, options, outcome, *saved);
    }
    const auto size = [&](const char* path) {
      return human_size(std::stoll(reader.value(report, path).value_or("0")));
    };
    const std::string checkpoint = reader.value(report, "$.checkpoint").value_or("");
    outcome.state = fmt::format("{} -> {}; statistics updated{}; {}", size("$.bytes_before"),
                                size("$.bytes_after"),
                                checkpoint.empty() ? "" : "; WAL checkpoint " + checkpoint,
                                reader.value(report, "$.vacuum").value_or(""));
    return outcome;
  });
}

}  // namespace emf::shell
