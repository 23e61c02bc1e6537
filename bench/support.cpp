#include "support.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace emf::bench {

namespace {

std::int64_t from_environment(const char* name, std::int64_t fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  return std::stoll(value);
}

}  // namespace

std::int64_t rows() {
  static const std::int64_t value = from_environment("EMF_BENCH_ROWS", 1'000'000);
  return value;
}

std::int64_t scaled(std::int64_t at_full_size, std::int64_t floor) {
  return std::max(floor, at_full_size * rows() / 1'000'000);
}

int repetitions() {
  static const int value = static_cast<int>(from_environment("EMF_BENCH_REPETITIONS", 5));
  return std::max(1, value);
}

Query::Query(Db& db, const std::string& sql, const std::vector<std::string>& parameters) {
  if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &statement_, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string(sqlite3_errmsg(db.get())) + " in: " + sql);
  }
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    sqlite3_bind_text(statement_, static_cast<int>(i + 1), parameters[i].c_str(), -1,
                      SQLITE_TRANSIENT);
  }
}

Query::~Query() {
  sqlite3_finalize(statement_);
}

std::int64_t Query::run() {
  std::int64_t count = 0;
  int code;
  while ((code = sqlite3_step(statement_)) == SQLITE_ROW) ++count;
  sqlite3_reset(statement_);
  if (code != SQLITE_DONE) {
    throw std::runtime_error(sqlite3_errmsg(sqlite3_db_handle(statement_)));
  }
  return count;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double time_it(const std::function<void()>& work) {
  const auto start = Clock::now();
  work();
  return seconds_since(start);
}

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

double maximum(const std::vector<double>& values) {
  return values.empty() ? 0 : *std::max_element(values.begin(), values.end());
}

Comparison compare(const std::function<double()>& subject, const std::function<double()>& baseline,
                   int times) {
  Comparison comparison;
  // EMF_BENCH_SIDE=subject or baseline: only that side runs, so that a
  // profiler sees it alone (the ratios of such a run mean nothing).
  const char* side = std::getenv("EMF_BENCH_SIDE");
  if (side != nullptr && (std::string(side) == "subject" || std::string(side) == "baseline")) {
    const bool subject_side = std::string(side) == "subject";
    for (int i = 0; i < times; ++i) {
      (subject_side ? comparison.subject : comparison.baseline)
          .push_back(subject_side ? subject() : baseline());
    }
    (subject_side ? comparison.baseline : comparison.subject) =
        (subject_side ? comparison.subject : comparison.baseline);
    return comparison;
  }
  for (int i = 0; i < times; ++i) {
    // Alternate which goes first, so that neither always meets the warmer cache.
    if (i % 2 == 0) {
      comparison.subject.push_back(subject());
      comparison.baseline.push_back(baseline());
    } else {
      comparison.baseline.push_back(baseline());
      comparison.subject.push_back(subject());
    }
  }
  return comparison;
}

void report(benchmark::State& state, double ratio, double target, bool lower_is_better,
            double subject_seconds, double baseline_seconds) {
  state.counters["ratio"] = ratio;
  state.counters["target"] = target;
  state.counters["met"] = (lower_is_better ? ratio <= target : ratio >= target) ? 1 : 0;
  state.counters["subject_ms"] = subject_seconds * 1e3;
  state.counters["baseline_ms"] = baseline_seconds * 1e3;
}

void add_benchmark(const std::string& name, std::function<void(benchmark::State&)> body) {
  benchmark::RegisterBenchmark(name.c_str(),
                               [body](benchmark::State& state) {
                                 try {
                                   body(state);
                                 } catch (const std::exception& error) {
                                   state.SkipWithError(error.what());
                                 }
                               })
      ->Iterations(1)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
}

ProcessOutcome run_process(const std::vector<std::string>& argv, const std::string& cwd,
                           const std::string& stdin_path) {
  char output_name[] = "/tmp/emf-bench-output-XXXXXX";
  const int output = mkstemp(output_name);
  if (output < 0) throw std::runtime_error("mkstemp failed");
  unlink(output_name);
  const auto start = Clock::now();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    const int input = open(stdin_path.empty() ? "/dev/null" : stdin_path.c_str(), O_RDONLY);
    if (input < 0) _exit(126);
    dup2(input, 0);
    dup2(output, 1);
    dup2(output, 2);
    std::vector<char*> arguments;
    for (const auto& argument : argv) arguments.push_back(const_cast<char*>(argument.c_str()));
    arguments.push_back(nullptr);
    execvp(arguments[0], arguments.data());
    _exit(127);
  }
  int status = 0;
  struct rusage usage {};
  if (wait4(pid, &status, 0, &usage) != pid) throw std::runtime_error("wait4 failed");
  ProcessOutcome outcome;
  outcome.seconds = seconds_since(start);
  outcome.max_rss_bytes = static_cast<std::int64_t>(usage.ru_maxrss) * 1024;  // KiB on Linux
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  lseek(output, 0, SEEK_SET);
  char buffer[4096];
  ssize_t got;
  while ((got = read(output, buffer, sizeof buffer)) > 0) outcome.output.append(buffer, got);
  close(output);
  if (outcome.exit_code != 0) {
    throw std::runtime_error(fmt::format("{} exited with {}: {}", argv[0], outcome.exit_code,
                                         outcome.output.substr(0, 500)));
  }
  return outcome;
}

std::string extension_path() {
  return EMF_EXTENSION_PATH;
}
std::string shell_path() {
  return EMF_SHELL_PATH;
}
std::string source_dir() {
  return EMF_SOURCE_DIR;
}

// ---- the pipeline's data -------------------------------------------------

namespace {

// Row i's pseudo-random numbers in [0, 1), from i alone (the same rows every
// run), and a time in the stored form, `step` seconds apart from 2026-01-01.
std::string numbers(std::int64_t count) {
  return fmt::format(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {}), "
      "r(i, h, g) AS (SELECT i, ((i * 2654435761) % 4294967291) / 4294967291.0, "
      "((i * 40503 + 12345) % 65521) / 65521.0 FROM n) ",
      count);
}

std::string time_of(const std::string& seconds) {
  return fmt::format("strftime('%Y-%m-%d %H:%M:%f', 1767225600 + {}, 'unixepoch')", seconds);
}

}  // namespace

PipelineSizes full_sizes() {
  return {rows(), scaled(50'000, 10), scaled(200'000, 10), scaled(50'000, 10), scaled(200'000, 10)};
}

PipelineSizes small_sizes() {
  const PipelineSizes full = full_sizes();
  const auto small = [](std::int64_t n) { return std::min<std::int64_t>(n, 1000); };
  return {small(full.video_metrics), small(full.video_metadata), small(full.trending_topics),
          small(full.image_library), small(full.image_usage)};
}

void fill_trends(Db& db, std::int64_t topics) {
  // Most topics used already (the pipeline claims them), scores spread evenly.
  db.exec(numbers(topics) +
          fmt::format("INSERT INTO trending_topics (topic, source, timestamp, relevance_score, "
                      "used_flag, category, metadata, created_at, updated_at) "
                      "SELECT 'topic ' || i, 'source ' || (i % 4), {0}, h, "
                      "CASE WHEN g < 0.8 THEN 1 ELSE 0 END, 'category ' || (i % 5), "
                      "json_object('rank', i), {0}, {0} FROM r",
                      time_of("i * 10")));
}

std::string video_metrics_insert(std::int64_t snapshots, std::int64_t videos,
                                 const std::string& table, bool version_1_times) {
  // Video h^3 * videos: a few videos hold most snapshots; platforms skewed too.
  return numbers(snapshots) +
         fmt::format(
             "INSERT INTO {0} (video_id, platform, views, likes, comments, shares, saves, "
             "watch_time_seconds, engagement_rate, timestamp, created_at) "
             "SELECT 'video ' || CAST({1} * h * h * h AS INTEGER), "
             "CASE CAST(4 * g * g AS INTEGER) WHEN 0 THEN 'tiktok' WHEN 1 THEN 'youtube' "
             "WHEN 2 THEN 'instagram' ELSE 'x' END, "
             "i * 7 % 100000, i % 5000, i % 300, i % 200, i % 100, (i % 1000) * 1.5, "
             "(i % 1000) / 1000.0, {2}, {2} FROM r",
             table, videos,
             version_1_times ? "strftime('%Y-%m-%dT%H:%M:%fZ', 1767225600 + i * 3, 'unixepoch')"
                             : time_of("i * 3"));
}

void fill_metrics(Db& db, std::int64_t snapshots, std::int64_t videos, const std::string& table) {
  db.exec(numbers(videos) +
          fmt::format("INSERT INTO video_metadata (video_id, title, topic, duration_seconds, "
                      "created_at, posted_at, status) "
                      "SELECT 'video ' || (i - 1), 'title ' || i, 'topic ' || (i % 7), "
                      "30.0 + i % 60, {0}, CASE WHEN i % 4 = 2 THEN {0} END, "
                      "CASE i % 4 WHEN 0 THEN 'draft' WHEN 1 THEN 'rendered' "
                      "WHEN 2 THEN 'posted' ELSE 'archived' END FROM r",
                      time_of("i * 60")));
  db.exec(video_metrics_insert(snapshots, videos, table));
}

void fill_images(Db& db, std::int64_t images) {
  db.exec(numbers(images) +
          fmt::format("INSERT INTO image_library (character, emotion, pose, file_path, source, "
                      "quality_score, timestamp, created_at) "
                      "SELECT CASE i % 2 WHEN 0 THEN 'butcher' ELSE 'nutsy' END, "
                      "'emotion ' || (i / 2 % 8), 'pose ' || (i % 5), 'images/' || i || '.png', "
                      "'generated', h, {0}, {0} FROM r",
                      time_of("i * 30")));
}

std::string image_usage_insert(std::int64_t uses, std::int64_t images, std::int64_t videos) {
  // Image 1 + h^3 * images: a few images are used most.
  return numbers(uses) +
         fmt::format(
             "INSERT INTO image_usage (image_id, video_id, scene_number, timestamp) "
             "SELECT 1 + CAST({} * h * h * h AS INTEGER), 'video ' || (i % {}), i % 12, "
             "{} FROM r",
             images, videos, time_of("i * 5"));
}

void redefine_table(Db& db, const std::string& table, const std::string& sql) {
  // SQLite's documented way to change a definition without a rebuild
  // (lang_altertable.html, "otheralter").
  const std::int64_t version = db.integer("PRAGMA schema_version");
  db.exec("PRAGMA writable_schema = ON");
  Query replace(db, "UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?",
                {sql, table});
  replace.run();
  db.exec(fmt::format("PRAGMA schema_version = {}; PRAGMA writable_schema = OFF", version + 1));
}

namespace {

void build_pipeline(const std::filesystem::path& folder, const PipelineSizes& sizes) {
  {
    Db db((folder / "trends.db").string());
    db.exec("SELECT emf_init('trends')");
    db.exec("BEGIN");
    fill_trends(db, sizes.trending_topics);
    db.exec("COMMIT; ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)");
  }
  {
    Db db((folder / "metrics.db").string());
    db.exec("SELECT emf_init('metrics')");
    db.exec("BEGIN");
    fill_metrics(db, sizes.video_metrics, sizes.video_metadata, "video_metrics");
    db.exec("COMMIT; ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)");
  }
  {
    Db db((folder / "image_library.db").string());
    db.exec("SELECT emf_init('image_library')");
    db.exec("BEGIN");
    fill_images(db, sizes.image_library);
    db.exec(image_usage_insert(sizes.image_usage, sizes.image_library, sizes.video_metadata));
    db.exec("COMMIT; ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)");
  }
}

}  // namespace

const std::filesystem::path& pipeline_folder(bool full) {
  static std::unique_ptr<TempDir> folders[2];
  static std::filesystem::path kept[2];
  const int which = full ? 1 : 0;
  // EMF_BENCH_KEEP=DIR: the databases are built in DIR/full and DIR/small
  // and left there, to be profiled (docs/PERFORMANCE.md).
  const char* keep = std::getenv("EMF_BENCH_KEEP");
  if (keep != nullptr && *keep != '\0') {
    if (kept[which].empty()) {
      kept[which] = std::filesystem::path(keep) / (full ? "full" : "small");
      std::filesystem::create_directories(kept[which]);
      build_pipeline(kept[which], full ? full_sizes() : small_sizes());
    }
    return kept[which];
  }
  auto& folder = folders[which];
  if (!folder) {
    folder = std::make_unique<TempDir>();
    build_pipeline(folder->path(), full ? full_sizes() : small_sizes());
  }
  return folder->path();
}

}  // namespace emf::bench
