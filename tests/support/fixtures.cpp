// Fixtures; see fixtures.h.
#include "support/fixtures.h"

#include <fmt/format.h>
#include <openssl/evp.h>

namespace emf::test {

std::string sha256_of_file(const std::string& path) {
  const std::string content = read_file(path);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(content.data(), content.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string source_file(const std::string& relative_path) {
  return read_file(std::string(EMF_SOURCE_DIR) + "/" + relative_path);
}

void make_version_1(Db& db, const std::string& kind) {
  const std::string path = fmt::format("sql/{}/001_initial.sql", kind);
  db.exec(source_file("sql/emf_schema_history.sql"));
  db.exec(source_file(path));
  db.exec(
      // Version 1 wrote its times in the 'T...Z' form.
      fmt::format("INSERT INTO emf_schema_history (kind, version, name, checksum, duration_ms, "
                  "applied_at) VALUES ('{}', 1, 'initial', '{}', 0, "
                  "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                  kind, sha256_of_file(std::string(EMF_SOURCE_DIR) + "/" + path)));
}

void make_metrics_version_3(Db& db) {
  const std::string version_2 = source_file("sql/metrics/002_exact_values.sql");
  const auto begin = version_2.find("CREATE VIEW latest_video_metrics");
  const auto end = version_2.find(");", begin);
  db.exec(
      "DROP TRIGGER video_metrics_latest_on_insert; DROP TRIGGER video_metrics_latest_on_update; "
      "DROP TRIGGER video_metrics_latest_on_delete; DROP VIEW latest_video_metrics; "
      "DROP TABLE video_metrics_latest; "
      "DELETE FROM emf_schema_history WHERE kind = 'metrics' AND version = 4");
  db.exec(version_2.substr(begin, end + 2 - begin));
}

void make_image_library_version_3(Db& db) {
  const std::string version_2 = source_file("sql/image_library/002_exact_values.sql");
  const auto trigger = [&](const std::string& name) {
    const auto begin = version_2.find("CREATE TRIGGER " + name + "\n");
    const auto end = version_2.find("\nEND;", begin);
    return version_2.substr(begin, end + 5 - begin);
  };
  db.exec(
      "DROP TRIGGER update_image_usage_stats; DROP TRIGGER image_library_times_on_update; "
      "DELETE FROM emf_schema_history WHERE kind = 'image_library' AND version = 4");
  db.exec(trigger("update_image_usage_stats"));
  db.exec(trigger("image_library_times_on_update"));
}

namespace {

// The time of row i, in the form of version 1 or of the old tool.
std::string time_of_row(bool legacy) {
  return legacy ? "datetime('2026-01-01', '+' || i || ' minutes')"
                : "strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || i || ' minutes')";
}

}  // namespace

void fill_rows(Db& db, const std::string& kind, bool legacy, int rows) {
  const std::string numbers = fmt::format(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {}) ", rows);
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
            std::to_string(rows / 2));
  }
}

void make_legacy(Db& db, const std::string& kind) {
  db.exec(source_file(fmt::format("tests/fixtures/legacy_{}.sql", kind)));
}

void drop_constraints(Db& db, const std::string& table) {
  std::string columns;
  for (const auto& column :
       db.rows(fmt::format("SELECT name, type, pk FROM pragma_table_info('{}')", table))) {
    columns += fmt::format("{}{} {}{}", columns.empty() ? "" : ", ", column[0], column[1],
                           column[2] == "1" ? " PRIMARY KEY AUTOINCREMENT" : "");
  }
  // SQLite's documented way to drop a CHECK without a rebuild: edit the
  // stored definition (lang_altertable.html, "otheralter").
  const std::int64_t version = db.integer("PRAGMA schema_version");
  db.exec("PRAGMA writable_schema = ON");
  db.exec(fmt::format("UPDATE sqlite_schema SET sql = 'CREATE TABLE {} ({})' WHERE name = '{}'",
                      table, columns, table));
  db.exec(fmt::format("PRAGMA schema_version = {}", version + 1));
  db.exec("PRAGMA writable_schema = OFF");
}

}  // namespace emf::test
