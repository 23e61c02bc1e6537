// What every benchmark of bench/ shares: connections with the built libemf
// loaded, a temporary folder, the scale of the run, timing, and the figures a
// benchmark reports. Every figure is a ratio against a baseline timed in the
// same run, subject and baseline alternating (docs/PERFORMANCE.md).
#pragma once

#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "support/fixtures.h"
#include "support/test_db.h"

namespace emf::bench {

// EMF_BENCH_ROWS (default 1,000,000): the video_metrics snapshots of the full
// size; every other size is a fixed share of it.
std::int64_t rows();
// A size scaled from its value at 1,000,000 rows, never below `floor`.
std::int64_t scaled(std::int64_t at_full_size, std::int64_t floor = 1);
// EMF_BENCH_REPETITIONS (default 5): subject/baseline pairs per benchmark.
int repetitions();

// Temporary folders, connections with libemf loaded and the fixtures of
// earlier versions are the tests' own (tests/support), so that a benchmark
// builds its databases exactly as the tests do.
using emf::test::Db;
using emf::test::read_file;
using emf::test::sha256_of_file;
using emf::test::TempDir;

// A prepared statement run to its end again and again; returns the rows.
class Query {
 public:
  Query(Db& db, const std::string& sql, const std::vector<std::string>& parameters = {});
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  std::int64_t run();

 private:
  sqlite3_stmt* statement_ = nullptr;
};

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start);
// The seconds one call of `work` takes.
double time_it(const std::function<void()>& work);
double median(std::vector<double> values);
double maximum(const std::vector<double>& values);

// The figures of one comparison: subject and baseline timed alternately,
// `repetitions()` times each, compared by their medians.
struct Comparison {
  std::vector<double> subject, baseline;  // seconds
  double subject_median() const { return median(subject); }
  double baseline_median() const { return median(baseline); }
  double ratio() const { return subject_median() / baseline_median(); }
};
Comparison compare(const std::function<double()>& subject, const std::function<double()>& baseline,
                   int times = repetitions());

// Reports the ratio as user counters: ratio, target, met (1 or 0), and the
// two medians in milliseconds. `lower_is_better`: the ratio must stay at or
// below the target (a cost); otherwise at or above it (a throughput).
void report(benchmark::State& state, double ratio, double target, bool lower_is_better,
            double subject_seconds, double baseline_seconds);

// Registers a benchmark run once (it repeats and times inside, with
// compare()), in milliseconds of real time. An exception (a failed
// statement, a program that exits with an error) marks that benchmark as
// failed with its message and the run goes on: its temporary folders are
// removed as the exception unwinds.
void add_benchmark(const std::string& name, std::function<void(benchmark::State&)> body);

// Runs a program, waits for it, and returns its wall time; its peak resident
// memory in bytes goes to *max_rss when given. Throws when it fails.
struct ProcessOutcome {
  double seconds = 0;
  std::int64_t max_rss_bytes = 0;
  int exit_code = -1;
  std::string output;
};
ProcessOutcome run_process(const std::vector<std::string>& argv, const std::string& cwd = {},
                           const std::string& stdin_path = {});

// Paths of the built programs and of the repository.
std::string extension_path();
std::string shell_path();
std::string source_dir();

// The databases of the pipeline at a given size, built once per process:
// trends.db, metrics.db, image_library.db in a folder of their own,
// initialised by emf_init, filled with skewed rows by plain SQL, analysed.
struct PipelineSizes {
  std::int64_t video_metrics, video_metadata, trending_topics, image_library, image_usage;
};
PipelineSizes full_sizes();
PipelineSizes small_sizes();  // 1,000 rows a table (fewer when the full size is smaller)
const std::filesystem::path& pipeline_folder(bool full);

// Fill helpers (plain SQL, WITH RECURSIVE), on databases emf_init made.
void fill_trends(Db& db, std::int64_t topics);
void fill_metrics(Db& db, std::int64_t snapshots, std::int64_t videos,
                  const std::string& table = "video_metrics");
void fill_images(Db& db, std::int64_t images);
// The INSERT of `uses` image_usage rows over `images` images, skewed.
std::string image_usage_insert(std::int64_t uses, std::int64_t images, std::int64_t videos);
// Times in the stored form, or (`version_1_times`) in version 1's 'T...Z'.
std::string video_metrics_insert(std::int64_t snapshots, std::int64_t videos,
                                 const std::string& table, bool version_1_times = false);
// A CREATE TABLE without its CHECK constraints (write_bench.cpp).
std::string without_checks(const std::string& sql);
// Replaces a table's stored definition, its rows kept (writable_schema).
void redefine_table(Db& db, const std::string& table, const std::string& sql);

}  // namespace emf::bench
