// Target 6: SELECT emf_backup(path) of a large database (1 GiB at full size;
// EMF_BENCH_BACKUP_MB sets it) reaches at least 0.5x the throughput of `cp`
// of the same checkpointed file, both alternating so both read it from a warm
// page cache; and a writer doing small transactions meanwhile never waits
// longer than one step of the backup.
//
// emf_backup syncs its copy before naming it, so the baseline is the same
// durable copy made with cp: `cp`, then `sync` of the copy. A bare cp of a
// file smaller than the kernel's dirty limit never reaches the disk and
// measures memory, not the disk (cp_unsynced_ms reports it beside).
//
// A writer's wait: this disk alone makes commits wait longer than a step
// now and then, so the writer also runs as long with no backup, and the
// backup blocks it by the difference of the longest waits (writer_met).
#include <fmt/format.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <thread>
#include <vector>

#include "support.h"

namespace emf::bench {
namespace {

std::int64_t backup_megabytes() {
  const char* value = std::getenv("EMF_BENCH_BACKUP_MB");
  if (value != nullptr && *value != '\0') return std::stoll(value);
  return scaled(1024, 16);
}

// A writer committing one video_metrics row every millisecond on its own
// connection while `during` runs: how long each of its transactions took.
std::vector<double> writer_waits(const std::string& source, const std::function<void()>& during) {
  std::atomic<bool> stop{false};
  std::vector<double> waits;
  std::thread writer([&] {
    Db w(source, false);
    // A lock, if the backup ever held one, is waited for and timed.
    sqlite3_busy_timeout(w.get(), 10'000);
    Query insert(w,
                 "INSERT INTO video_metrics (video_id, platform, views, timestamp, created_at) "
                 "VALUES ('writer', 'tiktok', 1, strftime('%Y-%m-%d %H:%M:%f', 'now', "
                 "'+' || (SELECT count(*) FROM video_metrics) || ' seconds'), "
                 "strftime('%Y-%m-%d %H:%M:%f', 'now'))");
    while (!stop) {
      waits.push_back(time_it([&] {
        w.exec("BEGIN IMMEDIATE");
        insert.run();
        w.exec("COMMIT");
      }));
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  during();
  stop = true;
  writer.join();
  return waits;
}

void backup(benchmark::State& state) {
  for (auto _ : state) {
    TempDir folder;
    const std::string source = folder.file("metrics.db");
    Db db(source);
    db.exec("SELECT emf_init('metrics')");
    // Videos with long descriptions, about 3 KiB a row, up to the size asked.
    const std::int64_t videos = backup_megabytes() * 1024 * 1024 / 3200;
    db.exec(
        fmt::format("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {}) "
                    "INSERT INTO video_metadata (video_id, title, description, status) "
                    "SELECT 'video ' || i, 'title ' || i, hex(randomblob(1500)), 'posted' FROM n",
                    videos));
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const double bytes = static_cast<double>(std::filesystem::file_size(source));
    const std::int64_t pages = db.integer("PRAGMA page_count");
    const std::string copy = folder.file("copy.db");
    Query emf_backup(db, "SELECT emf_backup(?)", {copy});
    const Comparison comparison = compare(
        [&] {
          const double seconds = time_it([&] { emf_backup.run(); });
          std::filesystem::remove(copy);
          return seconds;
        },
        [&] {
          const double seconds =
              run_process({"cp", source, copy}).seconds + run_process({"sync", copy}).seconds;
          std::filesystem::remove(copy);
          return seconds;
        },
        std::min(repetitions(), 3));
    std::vector<double> unsynced;
    for (int i = 0; i < std::min(repetitions(), 3); ++i) {
      unsynced.push_back(run_process({"cp", source, copy}).seconds);
      std::filesystem::remove(copy);
    }
    // Throughput ratio: cp's time over the backup's.
    report(state, comparison.baseline_median() / comparison.subject_median(), 0.5, false,
           comparison.subject_median(), comparison.baseline_median());
    state.counters["megabytes"] = bytes / 1024 / 1024;
    state.counters["backup_mb_per_s"] = bytes / 1024 / 1024 / comparison.subject_median();
    state.counters["cp_mb_per_s"] = bytes / 1024 / 1024 / comparison.baseline_median();
    state.counters["cp_unsynced_ms"] = median(unsynced) * 1e3;
    state.counters["ratio_to_unsynced_cp"] = median(unsynced) / comparison.subject_median();

    // The backup again, with a writer committing a row every millisecond;
    // then the same writer as long again with no backup: what a commit waits
    // on this disk anyway.
    const double steps = std::ceil(static_cast<double>(pages) / 1024);
    const double step_seconds = comparison.subject_median() / steps;
    double with_writer = 0;
    const std::vector<double> waits =
        writer_waits(source, [&] { with_writer = time_it([&] { emf_backup.run(); }); });
    std::filesystem::remove(copy);
    const std::vector<double> alone = writer_waits(
        source, [&] { std::this_thread::sleep_for(std::chrono::duration<double>(with_writer)); });
    state.counters["step_ms"] = step_seconds * 1e3;
    state.counters["steps"] = steps;
    state.counters["writer_max_wait_ms"] = maximum(waits) * 1e3;
    state.counters["writer_median_wait_ms"] = median(waits) * 1e3;
    state.counters["writer_transactions"] = static_cast<double>(waits.size());
    state.counters["writer_alone_max_wait_ms"] = maximum(alone) * 1e3;
    state.counters["writer_alone_median_wait_ms"] = median(alone) * 1e3;
    state.counters["backup_with_writer_ms"] = with_writer * 1e3;
    state.counters["writer_added_wait_ms"] = (maximum(waits) - maximum(alone)) * 1e3;
    state.counters["writer_met"] = maximum(waits) - maximum(alone) <= step_seconds ? 1 : 0;
  }
}

const bool registered = [] {
  add_benchmark("backup/emf_backup_vs_cp", backup);
  return true;
}();

}  // namespace
}  // namespace emf::bench
