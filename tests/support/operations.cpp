// See operations.h.
#include "support/operations.h"

#include <fmt/format.h>

#include "support/fixtures.h"

namespace emf::test {

const std::vector<Operation>& writing_operations() {
  static const std::vector<Operation> all = [] {
    std::vector<Operation> list;
    list.push_back({"InitFreshFile", [](Db&) {}, "SELECT emf_init('trends')"});
    // The oldest version, with rows: the upgrade applies the migrations that
    // rebuild every table (trends 3, metrics 2, image_library 2).
    for (const std::string kind : {"trends", "metrics", "image_library"}) {
      list.push_back({"UpgradeVersion1_" + kind,
                      [kind](Db& db) {
                        make_version_1(db, kind);
                        fill_rows(db, kind, /*legacy=*/false, kStartingRows);
                      },
                      "SELECT emf_init('" + kind + "')"});
    }
    for (const std::string kind : {"trends", "metrics", "image_library"}) {
      list.push_back({"AdoptLegacy_" + kind,
                      [kind](Db& db) {
                        make_legacy(db, kind);
                        fill_rows(db, kind, /*legacy=*/true, kStartingRows);
                      },
                      "SELECT emf_init('" + kind + "')"});
    }
    list.push_back({"SeedRows",
                    [](Db& db) { db.exec("SELECT emf_init('trends'), emf_seed('trends', 50, 1)"); },
                    fmt::format("SELECT emf_seed('trends', {}, 7)", kStartingRows)});
    list.push_back({"SeedSample", [](Db& db) { db.exec("SELECT emf_init('image_library')"); },
                    "SELECT emf_seed('image_library')"});
    list.push_back(
        {"Reset",
         [](Db& db) {
           db.exec(fmt::format("SELECT emf_init('trends'), emf_seed('trends', {})", kStartingRows));
           // The user's own objects, which a reset puts back.
           db.exec("CREATE INDEX my_topics ON trending_topics (category, topic)");
           db.exec("CREATE VIEW my_searches AS SELECT query FROM search_history");
         },
         "SELECT emf_reset('trends')"});
    list.push_back(
        {"Repair",
         [](Db& db) {
           db.exec(fmt::format("SELECT emf_init('trends'), emf_seed('trends', {})", kStartingRows));
           drop_constraints(db, "search_history");            // a rebuild
           db.exec("DROP INDEX idx_trending_topics_source");  // a recreation
         },
         "SELECT emf_repair('trends')"});
    list.push_back(
        {"Backup",
         [](Db& db) {
           db.exec(fmt::format("SELECT emf_init('trends'), emf_seed('trends', {})", kStartingRows));
         },
         "SELECT emf_backup('{target}')", /*backup=*/true});
    return list;
  }();
  return all;
}

std::string problem_counts(const std::map<std::string, std::int64_t>& problems) {
  std::string counts;
  for (const auto& [problem, count] : problems)
    counts += fmt::format("\n  {} x {}", count, problem);
  return counts;
}

}  // namespace emf::test
