// init, check and seed; see commands.h. reset and backup are in backups.cpp.
#include <fmt/format.h>

#include <filesystem>

#include "commands.h"
#include "connection.h"
#include "output.h"
#include "progress.h"

namespace emf::shell {

namespace {

// Initialises one database and reads its check: what `emf init` prints.
Outcome initialise(Connection& connection, const Target& target, const ReportReader& reader,
                   const Terminal& terminal, bool verbose) {
  const std::string report = connection.call("emf_init", {target.kind});
  const std::string check = connection.call("emf_check", {target.kind});
  Outcome outcome;
  outcome.fields = {{"init", json::Raw{report}}, {"check", json::Raw{check}}};
  const std::string version = reader.value(report, "$.version").value_or("?");
  const std::int64_t applied = reader.length(report, "$.applied");
  if (reader.value(check, "$.ok") != "1") {
    outcome.ok = false;
    outcome.tone = Tone::bad;
    outcome.state = fmt::format("problems (version {}): see below, or run emf check", version);
  } else if (applied == 0) {
    outcome.tone = Tone::dim;
    outcome.state = fmt::format("up to date (version {})", version);
  } else if (reader.value(report, "$.applied[0]") == "1") {
    outcome.state = fmt::format("created (version {})", version);
  } else {
    outcome.state = fmt::format("upgraded to version {}", version);
  }
  for (const auto& [index, warning] : reader.members(report, "$.warnings")) {
    outcome.details.push_back(terminal.paint(Tone::warn, "warning: " + warning));
  }
  if (!outcome.ok || verbose) {
    for (std::string& line : object_table(reader, terminal, check, verbose)) {
      outcome.details.push_back(std::move(line));
    }
  }
  return outcome;
}

Outcome check(const Target& target, const ReportReader& reader, const Terminal& terminal,
              bool verbose) {
  Outcome outcome;
  if (!std::filesystem::exists(target.path)) {
    outcome.ok = false;
    outcome.tone = Tone::bad;
    outcome.state = "missing: run emf init";
    outcome.fields = {{"exists", false}};
    return outcome;
  }
  Connection connection(target, Connection::Mode::existing);
  const std::string report = connection.call("emf_check", {target.kind});
  outcome.fields = {{"exists", true}, {"check", json::Raw{report}}};
  const std::string version = reader.value(report, "$.kinds[0].version").value_or("0");
  const std::int64_t pending = reader.length(report, "$.kinds[0].pending");
  outcome.ok = reader.value(report, "$.ok") == "1";
  if (outcome.ok) {
    outcome.state = fmt::format("ok (version {})", version);
  } else if (reader.value(report, "$.kinds[0].installed") != "1") {
    outcome.tone = Tone::bad;
    outcome.state = "not initialised: run emf init";
  } else if (pending > 0) {
    outcome.tone = Tone::warn;
    outcome.state = fmt::format("version {}, {} migration{} pending: run emf init", version,
                                pending, pending == 1 ? "" : "s");
  } else {
    outcome.tone = Tone::bad;
    outcome.state = fmt::format("problems (version {})", version);
  }
  outcome.details = object_table(reader, terminal, report, verbose);
  return outcome;
}

}  // namespace

int run_init(const std::vector<Target>& targets, const CommandOptions& options,
             const Terminal& terminal) {
  ReportReader reader;
  Output output(terminal, reader, options.json, "init");
  return for_each_target(targets, output, [&](const Target& target) {
    Connection connection(target, Connection::Mode::create);
    return initialise(connection, target, reader, terminal, options.verbose);
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

int run_seed(const std::vector<Target>& targets, const CommandOptions& options,
             const Terminal& terminal) {
  ReportReader reader;
  Output output(terminal, reader, options.json, "seed");
  return for_each_target(targets, output, [&](const Target& target) {
    Connection connection(target, Connection::Mode::create);
    Outcome outcome = initialise(connection, target, reader, terminal, false);
    if (!outcome.ok) return outcome;

    ProgressBar bar(terminal.progress_enabled() && options.rows.has_value(),
                    fmt::format("seeding {}", target.kind));
    set_progress_observer(connection.get(),
                          [&bar](std::string_view, std::int64_t done, std::int64_t total) {
                            bar.update(done, total);
                          });
    std::string report;
    try {
      report = options.rows
                   ? connection.call("emf_seed", {target.kind, *options.rows, options.random_seed})
                   : connection.call("emf_seed", {target.kind});
    } catch (...) {
      set_progress_observer(connection.get(), nullptr);
      throw;
    }
    set_progress_observer(connection.get(), nullptr);

    std::string counts;
    for (const auto& [table, count] : reader.members(report, "$.inserted")) {
      counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", table, count);
    }
    outcome.state = fmt::format("seeded: {}", counts);
    outcome.fields.emplace_back("seed", json::Raw{report});
    return outcome;
  });
}

}  // namespace emf::shell
