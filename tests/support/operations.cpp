// See operations.h.
#include "support/operations.h"

#include <fmt/format.h>

#include "support/fixtures.h"

namespace emf::test {

namespace {

// A time of row i in the form of the version 1 schema ('T...Z') or of the
// old tool (SQLite's CURRENT_TIMESTAMP form).
std::string time_of_row(bool legacy) {
  return legacy ? "datetime('2026-01-01', '+' || i || ' minutes')"
                : "strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || i || ' minutes')";
}

}  // namespace

void fill(Db& db, const std::string& kind, bool legacy) {
  const std::string numbers =
      fmt::format("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {}) ",
                  kStartingRows);
  const std::string time = time_of_row(legacy);
  if (kind == "trends") {
    db.exec(numbers +
            fmt::format("INSERT INTO trending_topics (topic, source, timestamp, relevance_score, "
                        "used_flag, category, metadata, created_at, updated_at) "
                        "SELECT 'topic ' || i, 'source ' || (i % 4), {0}, (i % 11) / 10.0, "
                        "i % 2, 'category ' || (i % 5), json_object('rank', i), {0}, {0} FROM n",
                        time));
    db.exec(numbers + fmt::format("INSERT INTO search_history (query, source, result_count, "
                                  "timestamp) SELECT 'query ' || i, 'source ' || (i % 3), i % 50, "
                                  "{} FROM n",
                                  time));
  } else if (kind == "metrics") {
    db.exec(numbers + fmt::format("INSERT INTO video_metadata (video_id, title, topic, "
                                  "duration_seconds, created_at, posted_at, status) "
                                  "SELECT 'video ' || i, 'title ' || i, 'topic ' || (i % 7), "
                                  "i * 1.5, {0}, CASE WHEN i % 2 = 0 THEN {0} END, "
                                  "CASE WHEN i % 2 = 0 THEN 'posted' ELSE 'draft' END FROM n",
                                  time));
    db.exec(numbers + fmt::format("INSERT INTO video_metrics (video_id, platform, views, likes, "
                                  "engagement_rate, timestamp, created_at) "
                                  "SELECT 'video ' || (i % 50), CASE i % 2 WHEN 0 THEN 'tiktok' "
                                  "ELSE 'youtube' END, i * 10, i, (i % 10) / 10.0, {0}, {0} "
                                  "FROM n",
                                  time));
  } else {
    db.exec(numbers + fmt::format("INSERT INTO image_library (character, emotion, pose, "
                                  "file_path, quality_score, tags, timestamp, created_at) "
                                  "SELECT CASE i % 2 WHEN 0 THEN 'butcher' ELSE 'nutsy' END, "
                                  "'emotion ' || (i % 6), 'pose ' || (i % 4), "
                                  "'images/' || i || '.png', (i % 10) / 10.0, "
                                  "json_array('tag ' || i), {0}, {0} FROM n",
                                  time));
    db.exec(numbers + fmt::format("INSERT INTO image_usage (image_id, video_id, scene_number, "
                                  "timestamp) SELECT (SELECT max(id) FROM image_library) - i + 1, "
                                  "'video ' || (i % 9), i % 5, {} FROM n",
                                  time));
    db.exec(numbers + fmt::format("INSERT INTO image_collections (name, character, created_at) "
                                  "SELECT 'collection ' || i, 'butcher', {} FROM n WHERE i <= 5",
                                  time));
    db.exec(numbers +
            "INSERT INTO collection_images (collection_id, image_id, sort_order) "
            "SELECT (SELECT max(id) FROM image_collections) - i % 5, "
            "(SELECT max(id) FROM image_library) - i, i FROM n WHERE i <= " +
            std::to_string(kStartingRows / 2));
  }
}

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
                        fill(db, kind, /*legacy=*/false);
                      },
                      "SELECT emf_init('" + kind + "')"});
    }
    for (const std::string kind : {"trends", "metrics", "image_library"}) {
      list.push_back({"AdoptLegacy_" + kind,
                      [kind](Db& db) {
                        make_legacy(db, kind);
                        fill(db, kind, /*legacy=*/true);
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

}  // namespace emf::test
