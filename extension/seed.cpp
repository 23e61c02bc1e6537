// Seeding; see seed.h.
#include "seed.h"

#include <fmt/format.h>

#include <set>

#include "db.h"
#include "expected_schema.h"
#include "history.h"
#include "json.h"
#include "migrations.h"
#include "sql_text.h"

namespace emf {

namespace {

constexpr std::string_view kSchema = "main";

void require_current(sqlite3* db, Kind kind) {
  const std::vector<AppliedMigration> applied = read_history(db, kSchema, kind);
  if (applied.empty()) {
    throw Error(fmt::format("{} is not initialised in schema main; run SELECT emf_init('{}') first",
                            kind_name(kind), kind_name(kind)));
  }
  refuse_newer(kind, applied);
  if (applied.back().version != latest_version(kind) ||
      static_cast<int>(applied.size()) != latest_version(kind)) {
    throw Error(fmt::format(
        "{} is at version {} of {}; run SELECT emf_init('{}') to upgrade it first", kind_name(kind),
        applied.back().version, latest_version(kind), kind_name(kind)));
  }
}

// Every table of the kind that rows are written to, with a zero count, in
// creation order. A table emf fills from the others by trigger
// (video_metrics_latest) is not among them: synthetic.sql, which writes to
// every other table, names none of it.
InsertCounts zero_counts(Kind kind) {
  std::set<std::string> written;
  for (std::string_view statement : split_statements(synthetic_data_sql(kind))) {
    written.insert(lower_name(target_table(statement)));
  }
  InsertCounts counts;
  for (const SchemaObject& object : expected_schema(kind, latest_version(kind)).objects) {
    if (object.type == "table" && written.contains(lower_name(object.name))) {
      counts.emplace_back(object.name, 0);
    }
  }
  return counts;
}

void add_count(InsertCounts& counts, std::string_view table, std::int64_t count) {
  for (auto& [name, total] : counts) {
    if (name == table) {
      total += count;
      return;
    }
  }
  counts.emplace_back(std::string(table), count);
}

}  // namespace

SeedReport seed_sample(sqlite3* db, Kind kind) {
  SeedReport report{kind, zero_counts(kind)};
  WriteTransaction transaction(db, "emf_seed");
  require_current(db, kind);
  for (std::string_view statement : split_statements(sample_data_sql(kind))) {
    Statement insert(db, statement);
    insert.run();
    add_count(report.inserted, statement_object_name(statement).value_or("?"), sqlite3_changes(db));
  }
  transaction.commit();
  return report;
}

SeedReport seed_synthetic(sqlite3* db, Kind kind, std::int64_t rows, std::int64_t random_seed) {
  SeedReport report{kind, zero_counts(kind)};
  WriteTransaction transaction(db, "emf_seed");
  require_current(db, kind);
  const auto table_count = static_cast<std::int64_t>(report.inserted.size());
  for (const auto& [table, count] :
       insert_synthetic_rows(db, kind, rows, random_seed, table_count)) {
    add_count(report.inserted, table, count);
  }
  transaction.commit();
  return report;
}

std::string seed_report_json(sqlite3* db, const SeedReport& report) {
  json::Members inserted;
  for (const auto& [table, count] : report.inserted) inserted.emplace_back(table, count);
  return json::object(
      db, {{"kind", kind_name(report.kind)}, {"inserted", json::Raw{json::object(db, inserted)}}});
}

}  // namespace emf
