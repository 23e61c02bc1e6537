// Target 1: emf_seed(kind, N) inserts rows at least 1.5x as fast as SQLite's
// own in-engine WITH RECURSIVE ... INSERT ... SELECT of the same rows into
// the same schema at default pragmas: the statements of
// sql/<kind>/synthetic.sql, run as they are in one transaction, each once for
// all N rows. Each side starts from a database freshly initialised by
// emf_init, in a folder of its own.
#include <fmt/format.h>

#include "support.h"

namespace emf::bench {
namespace {

// The naive load: every statement of the file, prepared by SQLite's own
// parser one after the other, bound and run to its end.
void run_synthetic_sql(Db& db, const std::string& script, std::int64_t rows) {
  db.exec("BEGIN");
  const char* tail = script.c_str();
  while (*tail != '\0') {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db.get(), tail, -1, &statement, &tail) != SQLITE_OK) {
      throw std::runtime_error(fmt::format("synthetic.sql: {}", sqlite3_errmsg(db.get())));
    }
    if (statement == nullptr) continue;  // only comments and spaces were left
    const auto bind = [&](const char* name, std::int64_t value) {
      const int index = sqlite3_bind_parameter_index(statement, name);
      if (index > 0) sqlite3_bind_int64(statement, index, value);
    };
    bind(":seed", 1);
    bind(":rows", rows);
    bind(":first", 0);
    bind(":last", rows - 1);
    int rc = SQLITE_ROW;
    while (rc == SQLITE_ROW) rc = sqlite3_step(statement);
    const std::string message = sqlite3_errmsg(db.get());
    sqlite3_finalize(statement);
    if (rc != SQLITE_DONE) throw std::runtime_error(fmt::format("synthetic.sql: {}", message));
  }
  db.exec("COMMIT");
}

double timed_on_new_database(const std::string& kind, const std::function<void(Db&)>& load) {
  TempDir folder;
  Db db(folder.file(kind + ".db"));
  db.exec(fmt::format("SELECT emf_init('{}')", kind));
  return time_it([&] { load(db); });
}

void seed(benchmark::State& state, const std::string& kind) {
  for (auto _ : state) {
    const std::string script = read_file(source_dir() + "/sql/" + kind + "/synthetic.sql");
    const std::int64_t rows = emf::bench::rows();
    const Comparison comparison = compare(
        [&] {
          return timed_on_new_database(kind, [&](Db& db) {
            db.exec(fmt::format("SELECT emf_seed('{}', {}, 1)", kind, rows));
          });
        },
        [&] {
          return timed_on_new_database(kind, [&](Db& db) { run_synthetic_sql(db, script, rows); });
        },
        std::min(repetitions(), 3));
    // A speed: the naive load's time over emf_seed's, for the same rows.
    report(state, comparison.baseline_median() / comparison.subject_median(), 1.5, false,
           comparison.subject_median(), comparison.baseline_median());
    state.counters["rows_per_table"] = static_cast<double>(rows);
  }
}

const bool registered = [] {
  for (const std::string kind : {"trends", "metrics", "image_library"}) {
    add_benchmark(fmt::format("seed/{}/emf_seed_vs_insert_select", kind),
                  [kind](benchmark::State& state) { seed(state, kind); });
  }
  return true;
}();

}  // namespace
}  // namespace emf::bench
