// Report reading; see report_reader.h.
#include "report_reader.h"

#include <fmt/format.h>

namespace emf::shell {

namespace {

// Reports a command reads at once are few; older ones are dropped.
constexpr std::size_t kReportsKept = 32;

}  // namespace

const ReportReader::Tree& ReportReader::tree(std::string_view report) const {
  if (const auto found = parsed_.find(report); found != parsed_.end()) return found->second;
  if (parsed_.size() >= kReportsKept) parsed_.clear();
  Tree tree;
  std::unordered_map<std::int64_t, std::string> paths;  // json_tree id -> path
  // Paths are made here as the callers spell them ($.a_b[0]); json_tree's
  // fullkey would quote some keys ($."a_b").
  Statement statement(scratch_.get(),
                      "SELECT id, parent, key, type, CASE WHEN type IN ('object', 'array') THEN "
                      "value ELSE atom END FROM json_tree(?1)");
  statement.bind_text(1, report);
  while (statement.step()) {
    std::string path = "$";
    if (!statement.column_is_null(1)) {
      const std::string& parent = paths.at(statement.column_int(1));
      const std::string key = statement.column_text(2);
      Node& parent_node = tree.at(parent);
      path = parent_node.is_array ? fmt::format("{}[{}]", parent, key)
                                  : fmt::format("{}.{}", parent, key);
      parent_node.children.emplace_back(key, path);
    }
    Node& node = tree[path];
    node.text = statement.column_optional_text(4);
    node.is_array = statement.column_text(3) == "array";
    paths[statement.column_int(0)] = path;
  }
  return parsed_.emplace(std::string(report), std::move(tree)).first->second;
}

const ReportReader::Node* ReportReader::find(std::string_view report, std::string_view path) const {
  const Tree& parsed = tree(report);
  const auto found = parsed.find(std::string(path));
  return found != parsed.end() ? &found->second : nullptr;
}

std::optional<std::string> ReportReader::value(std::string_view report,
                                               std::string_view path) const {
  const Node* node = find(report, path);
  return node != nullptr ? node->text : std::nullopt;
}

std::int64_t ReportReader::length(std::string_view report, std::string_view path) const {
  const Node* node = find(report, path);
  return node != nullptr && node->is_array ? static_cast<std::int64_t>(node->children.size()) : 0;
}

std::vector<ObjectLine> ReportReader::objects(std::string_view check_report) const {
  std::vector<ObjectLine> lines;
  const auto field = [&](const std::string& object, const char* name) {
    return value(check_report, fmt::format("{}.{}", object, name));
  };
  for (std::int64_t k = 0; k < length(check_report, "$.kinds"); ++k) {
    const std::string kind = fmt::format("$.kinds[{}]", k);
    for (std::int64_t o = 0; o < length(check_report, kind + ".objects"); ++o) {
      const std::string object = fmt::format("{}.objects[{}]", kind, o);
      const std::string detail = field(object, "detail").value_or("");
      lines.push_back(
          ObjectLine{field(kind, "kind").value_or(""), field(object, "type").value_or(""),
                     field(object, "name").value_or(""), field(object, "status").value_or(""),
                     detail, field(object, "summary").value_or(detail)});
    }
  }
  return lines;
}

std::vector<std::pair<std::string, std::string>> ReportReader::members(
    std::string_view report, std::string_view path) const {
  std::vector<std::pair<std::string, std::string>> result;
  const Node* node = find(report, path);
  if (node == nullptr) return result;
  for (const auto& [key, child] : node->children) {
    result.emplace_back(key, value(report, child).value_or(""));
  }
  return result;
}

}  // namespace emf::shell
