// Target 5: what emf's triggers and rules cost on bulk inserts, each against
// the same insert, of the same rows, in the same run, into a twin without
// them. Each insert is one transaction, rolled back after it is timed, so
// every repetition starts from the same database.
#include <fmt/format.h>

#include <cctype>

#include "support.h"

namespace emf::bench {
namespace {

double rolled_back_insert(Db& db, const std::string& insert) {
  db.exec("BEGIN");
  const double seconds = time_it([&] { db.exec(insert); });
  db.exec("ROLLBACK");
  return seconds;
}

// 5a. 1,000,000 image_usage rows (at full size) with update_image_usage_stats
// at most 2x the same insert with that trigger dropped.
void usage_trigger(benchmark::State& state) {
  for (auto _ : state) {
    TempDir folder;
    const std::int64_t images = scaled(50'000, 10), videos = scaled(50'000, 10);
    Db with(folder.file("with.db")), without(folder.file("without.db"));
    for (Db* db : {&with, &without}) {
      db->exec("SELECT emf_init('image_library')");
      db->exec("BEGIN");
      fill_images(*db, images);
      db->exec("COMMIT");
    }
    without.exec("DROP TRIGGER update_image_usage_stats");
    const std::string insert = image_usage_insert(rows(), images, videos);
    const Comparison comparison =
        compare([&] { return rolled_back_insert(with, insert); },
                [&] { return rolled_back_insert(without, insert); }, std::min(repetitions(), 3));
    report(state, comparison.ratio(), 2.0, true, comparison.subject_median(),
           comparison.baseline_median());
    state.counters["rows"] = static_cast<double>(rows());
  }
}

bool word_at(const std::string& sql, std::size_t at, const std::string& word) {
  if (at + word.size() > sql.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(sql[at + i])) != word[i]) return false;
  }
  const auto is_name = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  };
  return (at == 0 || !is_name(sql[at - 1])) &&
         (at + word.size() == sql.size() || !is_name(sql[at + word.size()]));
}

}  // namespace

// A CREATE TABLE without its CHECK constraints: each `CHECK (...)`, with the
// `CONSTRAINT name` before it, is cut out up to its matching parenthesis
// (quoted text skipped, so a parenthesis in a string does not count).
std::string without_checks(const std::string& sql) {
  std::string out;
  std::size_t i = 0;
  char quote = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (quote) {
      out += c;
      if (c == quote) quote = 0;
      ++i;
      continue;
    }
    if (c == '\'' || c == '"' || c == '`') {
      quote = c;
      out += c;
      ++i;
      continue;
    }
    if (word_at(sql, i, "CONSTRAINT")) {
      // CONSTRAINT name CHECK (...): drop all of it; another constraint stays.
      std::size_t j = i + 10;
      while (j < sql.size() && std::isspace(static_cast<unsigned char>(sql[j]))) ++j;
      while (j < sql.size() && !std::isspace(static_cast<unsigned char>(sql[j]))) ++j;
      while (j < sql.size() && std::isspace(static_cast<unsigned char>(sql[j]))) ++j;
      if (word_at(sql, j, "CHECK")) i = j;
    }
    if (word_at(sql, i, "CHECK")) {
      std::size_t j = sql.find('(', i);
      int depth = 0;
      char inner_quote = 0;
      for (; j < sql.size(); ++j) {
        const char d = sql[j];
        if (inner_quote) {
          if (d == inner_quote) inner_quote = 0;
        } else if (d == '\'' || d == '"') {
          inner_quote = d;
        } else if (d == '(') {
          ++depth;
        } else if (d == ')' && --depth == 0) {
          break;
        }
      }
      i = j + 1;
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

namespace {

// 5b. The value rules of video_metrics (its CHECK constraints and its
// video_metrics_times_on_insert trigger) cost at most 1.2x on a bulk insert.
// The twin is the same database with the table's stored definition replaced
// by its SQL without the CHECKs (SQLite's documented way to drop a CHECK of
// an empty or valid table: writable_schema) and the trigger dropped; its
// indexes, its UNIQUE constraint and its other triggers stay.
void value_rules(benchmark::State& state) {
  for (auto _ : state) {
    TempDir folder;
    const std::int64_t videos = scaled(50'000, 10);
    Db with(folder.file("with.db")), without(folder.file("without.db"));
    with.exec("SELECT emf_init('metrics')");
    without.exec("SELECT emf_init('metrics')");
    const std::string sql =
        without.text("SELECT sql FROM sqlite_schema WHERE name = 'video_metrics'");
    const std::string twin = without_checks(sql);
    if (twin.find("CHECK") != std::string::npos || twin.find("check") != std::string::npos) {
      throw std::runtime_error("a CHECK is left in: " + twin);
    }
    redefine_table(without, "video_metrics", twin);
    without.exec("DROP TRIGGER video_metrics_times_on_insert");
    without.exec("PRAGMA integrity_check");
    const std::string insert = video_metrics_insert(rows(), videos, "video_metrics");
    const Comparison comparison =
        compare([&] { return rolled_back_insert(with, insert); },
                [&] { return rolled_back_insert(without, insert); }, std::min(repetitions(), 3));
    report(state, comparison.ratio(), 1.2, true, comparison.subject_median(),
           comparison.baseline_median());
    state.counters["rows"] = static_cast<double>(rows());
  }
}

const bool registered = [] {
  add_benchmark("write/image_usage_trigger", usage_trigger);
  add_benchmark("write/video_metrics_value_rules", value_rules);
  return true;
}();

}  // namespace
}  // namespace emf::bench
