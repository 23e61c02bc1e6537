// Rebuild estimates for the dry runs; see rebuild_estimate.h.
#include "rebuild_estimate.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cmath>

#include "db.h"

namespace emf::shell {

namespace {

// Enough rows that the per-row cost dominates the fixed costs, few enough
// that a dry run stays quick.
constexpr std::int64_t kSampleRows = 20000;

}  // namespace

std::variant<RebuildEstimate, std::string> estimate_rebuild(
    Connection& source, const Target& target, const std::vector<std::string>& tables) {
  RebuildEstimate estimate;
  try {
    Connection scratch(target, Connection::Mode::scratch);
    scratch.call("emf_init", {target.kind});
    // A rebuild runs with foreign keys off; a sample has no parents anyway.
    scratch.rows("PRAGMA foreign_keys = OFF", {});
    scratch.rows("ATTACH ?1 AS source", {target.path.string()});
    std::chrono::steady_clock::duration spent{};
    for (const std::string& table : tables) {
      const std::int64_t rows = std::stoll(
          source.rows("SELECT count(*) FROM " + quote_identifier(table), {}).at(0).at(0));
      // The columns the rebuilt table keeps: those both definitions name.
      std::vector<std::string> columns;
      for (const auto& row :
           scratch.rows("SELECT name FROM pragma_table_info(?1, 'main') WHERE name IN "
                        "(SELECT name FROM pragma_table_info(?1, 'source'))",
                        {table})) {
        columns.push_back(quote_identifier(row.at(0)));
      }
      const std::string copy =
          fmt::format("INSERT OR IGNORE INTO main.{0} ({1}) SELECT {1} FROM source.{0} LIMIT {2}",
                      quote_identifier(table), fmt::join(columns, ", "), kSampleRows);
      const auto start = std::chrono::steady_clock::now();
      scratch.rows(copy, {});
      const auto elapsed = std::chrono::steady_clock::now() - start;
      const std::int64_t sampled = std::min(rows, kSampleRows);
      estimate.rows += rows;
      estimate.sampled += sampled;
      if (sampled > 0) spent += elapsed * rows / sampled;
    }
    scratch.rows("DETACH source", {});
    estimate.seconds = std::chrono::duration<double>(spent).count();
  } catch (const std::exception& error) {
    return std::string(error.what());
  }
  return estimate;
}

std::string add_rebuild_estimate(Outcome& outcome, Connection& source, const Target& target,
                                 const std::vector<std::string>& tables,
                                 const ReportReader& reader) {
  const auto measured = estimate_rebuild(source, target, tables);
  json::Members fields;
  fields.emplace_back("tables",
                      json::Raw{json::array(reader.scratch(), {tables.begin(), tables.end()})});
  std::string sentence;
  if (const auto* why_not = std::get_if<std::string>(&measured)) {
    fields.emplace_back("error", *why_not);
    sentence = fmt::format("no time estimate ({})", *why_not);
  } else {
    const RebuildEstimate& estimate = std::get<RebuildEstimate>(measured);
    fields.emplace_back("rows", estimate.rows);
    fields.emplace_back("sampled", estimate.sampled);
    fields.emplace_back("seconds", estimate.seconds);
    sentence = estimate.seconds < 1 ? "under a second"
               : estimate.seconds < 120
                   ? fmt::format("about {} s", std::llround(estimate.seconds))
                   : fmt::format("about {} min", std::llround(estimate.seconds / 60));
    sentence += " holding the write lock";
  }
  outcome.fields.emplace_back("rebuild_estimate",
                              json::Raw{json::object(reader.scratch(), fields)});
  return sentence;
}

}  // namespace emf::shell
