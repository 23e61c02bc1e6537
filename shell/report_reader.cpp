// Report reading; see report_reader.h.
#include "report_reader.h"

namespace emf::shell {

std::optional<std::string> ReportReader::value(std::string_view report,
                                               std::string_view path) const {
  Statement statement(scratch_.get(), "SELECT json_extract(?1, ?2)");
  statement.bind_text(1, report).bind_text(2, path);
  if (!statement.step()) return std::nullopt;
  return statement.column_optional_text(0);
}

std::int64_t ReportReader::length(std::string_view report, std::string_view path) const {
  Statement statement(scratch_.get(), "SELECT coalesce(json_array_length(?1, ?2), 0)");
  statement.bind_text(1, report).bind_text(2, path);
  statement.step();
  return statement.column_int(0);
}

std::vector<ObjectLine> ReportReader::objects(std::string_view check_report) const {
  Statement statement(scratch_.get(),
                      "SELECT k.value ->> 'kind', o.value ->> 'type', o.value ->> 'name', "
                      "o.value ->> 'status', coalesce(o.value ->> 'detail', ''), "
                      "coalesce(o.value ->> 'summary', o.value ->> 'detail', '') "
                      "FROM json_each(?1, '$.kinds') AS k, json_each(k.value, '$.objects') AS o");
  statement.bind_text(1, check_report);
  std::vector<ObjectLine> lines;
  while (statement.step()) {
    lines.push_back(ObjectLine{statement.column_text(0), statement.column_text(1),
                               statement.column_text(2), statement.column_text(3),
                               statement.column_text(4), statement.column_text(5)});
  }
  return lines;
}

std::vector<std::pair<std::string, std::string>> ReportReader::members(
    std::string_view report, std::string_view path) const {
  Statement statement(scratch_.get(), "SELECT key, value FROM json_each(?1, ?2)");
  statement.bind_text(1, report).bind_text(2, path);
  std::vector<std::pair<std::string, std::string>> result;
  while (statement.step()) result.emplace_back(statement.column_text(0), statement.column_text(1));
  return result;
}

}  // namespace emf::shell
