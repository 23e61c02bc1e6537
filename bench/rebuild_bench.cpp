// Target 7: a rebuild of video_metrics (EMF_BENCH_ROWS rows) by emf_repair,
// and by the migration from metrics version 1, reaches at least 0.7x the
// throughput of a bare `INSERT INTO copy SELECT * FROM video_metrics` into an
// empty table identical to the rebuilt one (emf's definition and indexes,
// as a fresh emf_init makes them), on a copy of the same file, in the same run.
#include <fmt/format.h>

#include <filesystem>
#include <regex>

#include "support.h"

namespace emf::bench {
namespace {

// `copy`: video_metrics as emf defines it, with its indexes, empty.
void create_copy_table(Db& db) {
  TempDir folder;
  Db fresh(folder.file("fresh.db"));
  fresh.exec("SELECT emf_init('metrics')");
  const std::string table =
      fresh.text("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'video_metrics'");
  db.exec(std::regex_replace(table, std::regex("^CREATE TABLE \"?video_metrics\"?"),
                             "CREATE TABLE copy"));
  for (const auto& row : fresh.rows("SELECT sql FROM sqlite_schema WHERE type = 'index' AND "
                                    "tbl_name = 'video_metrics' AND sql IS NOT NULL")) {
    std::string index = std::regex_replace(row[0], std::regex("INDEX (\\w+)"), "INDEX copy_$1");
    db.exec(std::regex_replace(index, std::regex("ON \"?video_metrics\"?"), "ON copy"));
  }
}

double bare_copy(const std::string& original, const std::string& work) {
  std::filesystem::copy_file(original, work, std::filesystem::copy_options::overwrite_existing);
  double seconds;
  {
    Db db(work, false);
    create_copy_table(db);
    seconds =
        time_it([&] { db.exec("BEGIN; INSERT INTO copy SELECT * FROM video_metrics; COMMIT"); });
  }
  std::filesystem::remove(work);
  std::filesystem::remove(work + "-wal");
  std::filesystem::remove(work + "-shm");
  return seconds;
}

double timed_statement(const std::string& original, const std::string& work,
                       const std::string& sql) {
  std::filesystem::copy_file(original, work, std::filesystem::copy_options::overwrite_existing);
  double seconds;
  {
    Db db(work);
    seconds = time_it([&] { db.exec(sql); });
  }
  std::filesystem::remove(work);
  std::filesystem::remove(work + "-wal");
  std::filesystem::remove(work + "-shm");
  return seconds;
}

void checkpoint(const std::string& path) {
  Db db(path, false);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

void repair(benchmark::State& state) {
  for (auto _ : state) {
    TempDir folder;
    const std::string original = folder.file("drifted.db");
    {
      Db db(original);
      db.exec("SELECT emf_init('metrics')");
      db.exec("BEGIN");
      db.exec(video_metrics_insert(rows(), scaled(50'000, 10), "video_metrics"));
      db.exec("COMMIT");
      // The drift of a hand edit: the table's definition without its CHECKs.
      redefine_table(db, "video_metrics",
                     without_checks(db.text("SELECT sql FROM sqlite_schema WHERE type = 'table' "
                                            "AND name = 'video_metrics'")));
      if (db.text("SELECT emf_check('metrics') ->> '$.ok'") != "0") {
        throw std::runtime_error("the drifted table is not reported");
      }
    }
    checkpoint(original);
    const std::string work = folder.file("work.db");
    const Comparison comparison =
        compare([&] { return timed_statement(original, work, "SELECT emf_repair('metrics')"); },
                [&] { return bare_copy(original, work); }, std::min(repetitions(), 3));
    report(state, comparison.baseline_median() / comparison.subject_median(), 0.7, false,
           comparison.subject_median(), comparison.baseline_median());
    state.counters["rows"] = static_cast<double>(rows());
  }
}

void migration(benchmark::State& state) {
  for (auto _ : state) {
    TempDir folder;
    const std::string original = folder.file("version_1.db");
    {
      // Version 1 as the first emf made it: its SQL and its history row.
      Db db(original, false);
      emf::test::make_version_1(db, "metrics");
      db.exec("PRAGMA journal_mode = WAL; BEGIN");
      db.exec(video_metrics_insert(rows(), scaled(50'000, 10), "video_metrics", true));
      db.exec("COMMIT");
    }
    checkpoint(original);
    const std::string work = folder.file("work.db");
    const Comparison comparison =
        compare([&] { return timed_statement(original, work, "SELECT emf_init('metrics')"); },
                [&] { return bare_copy(original, work); }, std::min(repetitions(), 3));
    report(state, comparison.baseline_median() / comparison.subject_median(), 0.7, false,
           comparison.subject_median(), comparison.baseline_median());
    state.counters["rows"] = static_cast<double>(rows());
  }
}

const bool registered = [] {
  add_benchmark("rebuild/emf_repair_vs_insert_select", repair);
  add_benchmark("rebuild/migration_from_1_vs_insert_select", migration);
  return true;
}();

}  // namespace
}  // namespace emf::bench
