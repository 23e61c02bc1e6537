// Target 3: emf_check, without a kind and with one, on each database of the
// pipeline at full size costs at most 1.5x what it costs on the same kind
// freshly initialised and empty.
#include <fmt/format.h>

#include "support.h"

namespace emf::bench {
namespace {

void check(benchmark::State& state, const std::string& kind, bool with_kind) {
  for (auto _ : state) {
    TempDir empty_folder;
    Db empty(empty_folder.file(kind + ".db"));
    empty.exec(fmt::format("SELECT emf_init('{}')", kind));
    Db full((pipeline_folder(true) / (kind + ".db")).string());
    const std::string sql =
        with_kind ? fmt::format("SELECT emf_check('{}')", kind) : "SELECT emf_check()";
    Query on_full(full, sql), on_empty(empty, sql);
    on_full.run();  // the schema read once on each, as a long-lived connection has it
    on_empty.run();
    const Comparison comparison =
        compare([&] { return time_it([&] { on_full.run(); }); },
                [&] { return time_it([&] { on_empty.run(); }); }, std::max(repetitions(), 9));
    report(state, comparison.ratio(), 1.5, true, comparison.subject_median(),
           comparison.baseline_median());
  }
}

const bool registered = [] {
  for (const std::string kind : {"trends", "metrics", "image_library"}) {
    for (const bool with_kind : {false, true}) {
      add_benchmark(fmt::format("check/{}/{}", kind, with_kind ? "emf_check_kind" : "emf_check"),
                    [kind, with_kind](benchmark::State& state) { check(state, kind, with_kind); });
    }
  }
  return true;
}();

}  // namespace
}  // namespace emf::bench
