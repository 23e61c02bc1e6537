// The result of a command, one database at a time: a line for a person
// (path, version, state, then any detail lines), or, with --json, one JSON
// document with the extension's own reports. Decides the exit status.
#pragma once

#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <vector>

#include "error.h"
#include "json.h"
#include "report_reader.h"
#include "targets.h"
#include "terminal.h"

namespace emf::shell {

struct Outcome {
  bool ok = true;
  std::string state;
  Tone tone = Tone::good;
  std::vector<std::string> details;  // printed indented under the line
  json::Members fields;              // in the JSON document, beside kind, path and ok
};

class Output {
 public:
  Output(const Terminal& terminal, const ReportReader& reader, bool json, std::string command);
  void add(const Target& target, Outcome outcome);
  void add_error(const Target& target, const std::string& message);
  // Prints the JSON document (with --json); returns 0 when all went well, else 1.
  int finish();

 private:
  const Terminal& terminal_;
  const ReportReader& reader_;
  bool json_;
  std::string command_;
  bool ok_ = true;
  std::vector<json::Value> databases_;
};

// A database whose file does not exist: "missing: <what to do>", not ok.
Outcome missing_database(std::string_view what_to_do);

// Runs work(target) -> Outcome for each target; an exception becomes that
// database's error, and the others go on.
template <typename Work>
int for_each_target(const std::vector<Target>& targets, Output& output, Work work) {
  for (const Target& target : targets) {
    try {
      output.add(target, work(target));
    } catch (const std::filesystem::filesystem_error& error) {
      // Its message repeats the path whole, however long: say it once, shortened.
      output.add_error(target, fmt::format("{}: {}", error.code().message(),
                                           shown_path(error.path1().string())));
    } catch (const std::exception& error) {
      output.add_error(target, error.what());
    }
  }
  return output.finish();
}

// True when a kind of the check report is at a version this emf does not
// know.
bool migrated_by_a_newer_emf(const ReportReader& reader, const std::string& check_report);

// What fixes the problems of a check report, as the command to run:
// "run emf repair" for missing or changed objects, the restoring of a
// modified migration's file, "run emf init" for pending migrations.
std::string remedy(const ReportReader& reader, const std::string& check_report);

// Objects of a check report as aligned lines: those with problems, each with
// what differs in a few words ("3 column types, 1 default differ"); with
// verbose, every object and every difference. Wrapped to the terminal.
std::vector<std::string> object_table(const ReportReader& reader, const Terminal& terminal,
                                      const std::string& check_report, bool verbose);

}  // namespace emf::shell
