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
    // Built member by member, each value in place (json.h says why).
    json::Members members;
    members.emplace_back("kind", target.kind);
    members.emplace_back("path", target.path.string());
    members.emplace_back("ok", outcome.ok);
    for (auto& field : outcome.fields) members.push_back(std::move(field));
    databases_.emplace_back(json::Raw{json::object(reader_.scratch(), members)});
    return;
  }
  if (terminal_.quiet() && outcome.ok) return;
  const std::string head = fmt::format("{:<14} {:<32} ", target.kind, display_path(target.path));
  // A long state wraps to the terminal, under the details' indent.
  const std::vector<std::string> state = wrap(outcome.state, terminal_.width(), head.size(), 4);
  fmt::print("{}{}\n", head, terminal_.paint(outcome.tone, state.front()));
  for (std::size_t i = 1; i < state.size(); ++i) {
    fmt::print("    {}\n", terminal_.paint(outcome.tone, std::string_view(state[i]).substr(4)));
  }
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
  outcome.fields.emplace_back("exists", false);
  return outcome;
}

bool migrated_by_a_newer_emf(const ReportReader& reader, const std::string& check_report) {
  const std::int64_t kinds = reader.length(check_report, "$.kinds");
  for (std::int64_t i = 0; i < kinds; ++i) {
    const std::string kind = fmt::format("$.kinds[{}]", i);
    const auto version = reader.value(check_report, kind + ".version");
    const auto latest = reader.value(check_report, kind + ".latest");
    if (version && latest && std::stoll(*version) > std::stoll(*latest)) return true;
  }
  return false;
}

std::string remedy(const ReportReader& reader, const std::string& check_report) {
  if (migrated_by_a_newer_emf(reader, check_report)) {
    return "upgrade emf (a newer emf migrated this database)";
  }
  bool drift = false, modified = false;
  for (const ObjectLine& line : reader.objects(check_report)) {
    drift = drift || line.status == "missing" || line.status == "changed";
    modified = modified || line.status == "modified";
  }
  if (modified) {
    return "restore the modified migration files as this emf ships them (see emf status), then "
           "run emf init";
  }
  if (drift) return "run emf repair";
  return "run emf init";
}

std::vector<std::string> object_table(const ReportReader& reader, const Terminal& terminal,
                                      const std::string& check_report, bool verbose) {
  std::vector<ObjectLine> lines = reader.objects(check_report);
  if (!verbose) {
    std::erase_if(lines, [](const ObjectLine& line) { return line.status == "ok"; });
  }
  std::size_t type_width = 4, name_width = 4, status_width = 6;
  for (const ObjectLine& line : lines) {
    type_width = std::max(type_width, line.type.size());
    name_width = std::max(name_width, line.name.size());
    status_width = std::max(status_width, line.status.size());
  }
  // Details are printed four columns in (Output::add); wrapped lines align
  // under the text column.
  constexpr std::size_t kIndent = 4;
  const std::size_t text_column = type_width + 2 + name_width + 2 + status_width + 2;
  const std::size_t width = terminal.width() > kIndent ? terminal.width() - kIndent : 0;
  // Where that leaves too narrow a column, wrapped lines start further left.
  constexpr std::size_t kNarrow = 40;
  const std::size_t hanging = width > text_column + kNarrow ? text_column : 2;
  std::vector<std::string> table;
  for (const ObjectLine& line : lines) {
    const Tone tone = line.status == "ok"      ? Tone::good
                      : line.status == "extra" ? Tone::warn
                                               : Tone::bad;
    // Pad before painting, so colour codes do not break the alignment.
    const std::string status = fmt::format("{:<{}}", line.status, status_width);
    const std::vector<std::string> text =
        wrap(verbose ? line.detail : line.summary, width, text_column, hanging);
    table.push_back(fmt::format("{:<{}}  {:<{}}  {}  {}", line.type, type_width, line.name,
                                name_width, terminal.paint(tone, status), text.front()));
    table.insert(table.end(), text.begin() + 1, text.end());
  }
  return table;
}

}  // namespace emf::shell
