// Target 2: each query of the pipeline at full size (EMF_BENCH_ROWS
// video_metrics snapshots, and the other tables in proportion) within 3x of
// its latency at 1,000 rows a table. Both sizes are open at once; the two
// latencies are measured alternately, each as the median of repetitions.
#include <fmt/format.h>

#include <memory>

#include "support.h"

namespace emf::bench {
namespace {

struct PipelineQuery {
  const char* name = "";
  const char* database = "";  // file in the pipeline folder
  const char* sql = "";
  // The parameters, computed on each database (a time relative to its data).
  std::vector<std::string> parameters = {};
  std::vector<std::string> parameter_queries = {};
  bool in_rolled_back_transaction = false;
  bool per_result_row = false;  // the result grows with size: time per row
};

const std::vector<PipelineQuery>& queries() {
  static const std::vector<PipelineQuery> all = {
      {.name = "next_topics",
       .database = "trends.db",
       .sql = "SELECT * FROM trending_topics WHERE used_flag = 0 "
              "ORDER BY relevance_score DESC LIMIT 5"},
      {.name = "recent_unused_topics",
       .database = "trends.db",
       .sql = "SELECT * FROM trending_topics WHERE used_flag = 0 AND timestamp >= ? "
              "ORDER BY timestamp DESC LIMIT 20",
       // The last hour of topics.
       .parameter_queries = {"SELECT strftime('%Y-%m-%d %H:%M:%f', "
                             "julianday(max(timestamp)) - 1.0 / 24) FROM trending_topics"}},
      {.name = "claim_topic",
       .database = "trends.db",
       .sql = "UPDATE trending_topics SET used_flag = 1 WHERE id = (SELECT id FROM "
              "trending_topics WHERE used_flag = 0 ORDER BY relevance_score DESC LIMIT 1) "
              "RETURNING topic",
       .in_rolled_back_transaction = true},
      // The video with the most snapshots: the worst case of the skew.
      {.name = "video_latest_metrics",
       .database = "metrics.db",
       .sql = "SELECT * FROM latest_video_metrics WHERE video_id = ?",
       .parameters = {"video 0"}},
      {.name = "platform_latest_metrics_per_row",
       .database = "metrics.db",
       .sql = "SELECT * FROM latest_video_metrics WHERE platform = ?",
       .parameters = {"tiktok"},
       .per_result_row = true},
      // The last day of snapshots on the busiest platform.
      {.name = "top_engagement",
       .database = "metrics.db",
       .sql = "SELECT * FROM video_metrics WHERE platform = ? AND timestamp >= ? "
              "ORDER BY engagement_rate DESC LIMIT 10",
       .parameters = {"tiktok"},
       .parameter_queries = {"SELECT strftime('%Y-%m-%d %H:%M:%f', julianday(max(timestamp)) - 1) "
                             "FROM video_metrics"}},
      {.name = "pick_image",
       .database = "image_library.db",
       .sql = "SELECT * FROM image_library WHERE character = ? AND emotion = ? "
              "ORDER BY usage_count, quality_score DESC LIMIT 1",
       .parameters = {"butcher", "emotion 0"}},
      {.name = "video_images",
       .database = "image_library.db",
       .sql = "SELECT image_id FROM image_usage WHERE video_id = ? ORDER BY scene_number",
       .parameters = {"video 1"}},
      {.name = "posted_videos",
       .database = "metrics.db",
       .sql = "SELECT * FROM video_metadata WHERE status = 'posted' "
              "ORDER BY created_at DESC LIMIT 20"},
  };
  return all;
}

// One size's database and prepared query, run in batches long enough to time.
struct Side {
  std::unique_ptr<Db> db;
  std::unique_ptr<Query> query;
  std::int64_t batch = 1;
  std::int64_t result_rows = 0;
  bool rolled_back = false;

  Side(bool full, const PipelineQuery& q) {
    db = std::make_unique<Db>((pipeline_folder(full) / q.database).string());
    std::vector<std::string> parameters = q.parameters;
    for (const auto& parameter_query : q.parameter_queries) {
      parameters.push_back(db->text(parameter_query));
    }
    query = std::make_unique<Query>(*db, q.sql, parameters);
    rolled_back = q.in_rolled_back_transaction;
    // Batches of at least 2 ms, so that the clock's resolution does not count.
    const double once = run_once();
    batch = std::clamp<std::int64_t>(static_cast<std::int64_t>(0.002 / std::max(once, 1e-9)), 1,
                                     100'000);
  }

  double run_once() {
    return time_it([&] {
      if (rolled_back) db->exec("BEGIN");
      result_rows = query->run();
      if (rolled_back) db->exec("ROLLBACK");
    });
  }

  // Seconds per execution (per result row when asked).
  double measure(bool per_row) {
    const double seconds = time_it([&] {
      for (std::int64_t i = 0; i < batch; ++i) {
        if (rolled_back) db->exec("BEGIN");
        result_rows = query->run();
        if (rolled_back) db->exec("ROLLBACK");
      }
    });
    const double each = seconds / static_cast<double>(batch);
    return per_row ? each / static_cast<double>(std::max<std::int64_t>(result_rows, 1)) : each;
  }
};

void pipeline_query(benchmark::State& state, const PipelineQuery& q) {
  for (auto _ : state) {
    Side small(false, q), full(true, q);
    const Comparison comparison =
        compare([&] { return full.measure(q.per_result_row); },
                [&] { return small.measure(q.per_result_row); }, std::max(repetitions(), 7));
    report(state, comparison.ratio(), 3.0, true, comparison.subject_median(),
           comparison.baseline_median());
    state.counters["full_result_rows"] = static_cast<double>(full.result_rows);
    state.counters["small_result_rows"] = static_cast<double>(small.result_rows);
  }
}

const bool registered = [] {
  for (const auto& q : queries()) {
    add_benchmark(fmt::format("pipeline/{}", q.name),
                  [&q](benchmark::State& state) { pipeline_query(state, q); });
  }
  return true;
}();

}  // namespace
}  // namespace emf::bench
