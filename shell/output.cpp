// Command output; see output.h.
#include "output.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

namespace emf::shell {

Output::Output(const Terminal& terminal, const ReportReader& reader, bool json, std::string command)
    : terminal_(terminal), reader_(reader), json_(json), command_(std::move(command)) {}

void Output::add(const Target& target, Outcome outcome) {
  ok_ = ok_ && outcome.ok;
  if (json_) {
    json::Members members = {
        {"kind", target.kind}, {"path", target.path.string()}, {"ok", outcome.ok}};
    for (auto& field : outcome.fields) members.push_back(std::move(field));
    databases_.push_back(json::Raw{json::object(reader_.scratch(), members)});
    return;
  }
  fmt::print("{:<14} {:<32} {}\n", target.kind, display_path(target.path),
             terminal_.paint(outcome.tone, outcome.state));
  for (const std::string& detail : outcome.details) fmt::print("    {}\n", detail);
}

void Output::add_error(const Target& target, const std::string& message) {
  Outcome outcome;
  outcome.ok = false;
  outcome.tone = Tone::bad;
  outcome.state = "failed";
  outcome.fields.emplace_back("error", message);
  add(target, std::move(outcome));
  if (!json_) {
    std::fflush(stdout);
    fmt::print(stderr, "emf {}: {} ({}): {}\n", command_, target.kind, display_path(target.path),
               message);
  }
}

int Output::finish() {
  if (json_) {
    fmt::print("{}\n", json::object(
                           reader_.scratch(),
                           {{"command", command_},
                            {"ok", ok_},
                            {"databases", json::Raw{json::array(reader_.scratch(), databases_)}}}));
  }
  return ok_ ? 0 : 1;
}

Outcome missing_database(std::string_view what_to_do) {
  Outcome outcome;
  outcome.ok = false;
  outcome.tone = Tone::bad;
  outcome.state = fmt::format("missing: {}", what_to_do);
  outcome.fields = {{"exists", false}};
  return outcome;
}

std::string remedy(const ReportReader& reader, const std::string& check_report) {
  bool drift = false, modified = false;
  for (const ObjectLine& line : reader.objects(check_report)) {
    drift = drift || line.status == "missing" || line.status == "changed";
    modified = modified || line.status == "modified";
  }
  if (modified) {
    return "restore the modified migration files as this emf ships them (see emf status), then "
           "run emf init";
  }
  if (drift) return "run emf repair (emf repair --dry-run says what it would do)";
  return "run emf init";
}

std::vector<std::string> object_table(const ReportReader& reader, const Terminal& terminal,
                                      const std::string& check_report, bool all) {
  std::vector<ObjectLine> lines = reader.objects(check_report);
  if (!all) {
    std::erase_if(lines, [](const ObjectLine& line) { return line.status == "ok"; });
  }
  std::size_t type_width = 4, name_width = 4, status_width = 6;
  for (const ObjectLine& line : lines) {
    type_width = std::max(type_width, line.type.size());
    name_width = std::max(name_width, line.name.size());
    status_width = std::max(status_width, line.status.size());
  }
  std::vector<std::string> table;
  for (const ObjectLine& line : lines) {
    const Tone tone = line.status == "ok"      ? Tone::good
                      : line.status == "extra" ? Tone::warn
                                               : Tone::bad;
    // Pad before painting, so colour codes do not break the alignment.
    const std::string status = fmt::format("{:<{}}", line.status, status_width);
    table.push_back(fmt::format("{:<{}}  {:<{}}  {}  {}", line.type, type_width, line.name,
                                name_width, terminal.paint(tone, status), line.detail));
  }
  return table;
}

}  // namespace emf::shell
