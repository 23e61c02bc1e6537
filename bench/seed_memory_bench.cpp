// Peak memory of `emf seed --rows N` (N = EMF_BENCH_ROWS) for each kind,
// the real program in a fresh folder: its maximum resident set (wait4) stays
// under 64 MiB. The same program seeding 1,000 rows is reported beside it.
#include <fmt/format.h>

#include "support.h"

namespace emf::bench {
namespace {

double seed_rss_mib(const std::string& kind, std::int64_t rows) {
  TempDir folder;
  const auto outcome = run_process({shell_path(), "seed", "-q", "--only", kind, "--rows",
                                    std::to_string(rows), "--data-dir", folder.path().string()});
  return static_cast<double>(outcome.max_rss_bytes) / 1024 / 1024;
}

void seed_memory(benchmark::State& state, const std::string& kind) {
  for (auto _ : state) {
    const double small = seed_rss_mib(kind, 1000);
    const double full = seed_rss_mib(kind, rows());
    state.counters["max_rss_mib"] = full;
    state.counters["max_rss_mib_at_1000_rows"] = small;
    state.counters["ratio"] = full / small;
    state.counters["target_mib"] = 64;
    state.counters["met"] = full < 64 ? 1 : 0;
  }
}

const bool registered = [] {
  for (const std::string kind : {"trends", "metrics", "image_library"}) {
    add_benchmark(fmt::format("seed_memory/{}", kind),
                  [kind](benchmark::State& state) { seed_memory(state, kind); });
  }
  return true;
}();

}  // namespace
}  // namespace emf::bench
