// The three schemas as the guide names them: every object, every constraint
// (a bad row rejected, a good one accepted), both triggers with recursive
// triggers on, the latest_video_metrics view and its plan, and cascades.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/frozen_clock_vfs.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

struct Expected {
  std::string kind;
  std::string type;
  std::string name;
};

// Every table, index, trigger and view the guide names, under its name.
const std::vector<Expected> kGuideObjects = {
    {"trends", "table", "trending_topics"},
    {"trends", "table", "search_history"},
    {"trends", "index", "idx_trending_topics_timestamp"},
    {"trends", "index", "idx_trending_topics_used_flag"},
    {"trends", "index", "idx_trending_topics_source"},
    {"trends", "index", "idx_trending_topics_relevance"},
    {"trends", "index", "idx_trending_topics_unused_recent"},
    {"trends", "trigger", "update_trending_topics_timestamp"},
    {"metrics", "table", "video_metrics"},
    {"metrics", "table", "video_metadata"},
    {"metrics", "view", "latest_video_metrics"},
    {"metrics", "index", "idx_video_metrics_video_id"},
    {"metrics", "index", "idx_video_metrics_platform"},
    {"metrics", "index", "idx_video_metrics_timestamp"},
    {"metrics", "index", "idx_video_metrics_engagement"},
    {"metrics", "index", "idx_video_metadata_status"},
    {"metrics", "index", "idx_video_metadata_topic"},
    {"metrics", "index", "idx_video_metadata_created"},
    {"image_library", "table", "image_library"},
    {"image_library", "table", "image_usage"},
    {"image_library", "table", "image_collections"},
    {"image_library", "table", "collection_images"},
    {"image_library", "index", "idx_image_library_character"},
    {"image_library", "index", "idx_image_library_emotion"},
    {"image_library", "index", "idx_image_library_pose"},
    {"image_library", "index", "idx_image_library_source"},
    {"image_library", "index", "idx_image_library_quality"},
    {"image_library", "index", "idx_image_library_char_emotion"},
    {"image_library", "index", "idx_image_usage_image_id"},
    {"image_library", "index", "idx_image_usage_video_id"},
    {"image_library", "trigger", "update_image_usage_stats"},
};

// The guide's columns of each table, in order.
const std::vector<std::pair<std::string, std::string>> kGuideColumns = {
    // ...and priority, which migration 002 adds (the guide's own example).
    {"trending_topics",
     "id,topic,source,timestamp,relevance_score,used_flag,category,metadata,created_at,updated_at,"
     "priority"},
    {"search_history", "id,query,source,result_count,timestamp"},
    {"video_metrics",
     "id,video_id,platform,views,likes,comments,shares,saves,watch_time_seconds,engagement_rate,"
     "timestamp,created_at"},
    {"video_metadata",
     "id,video_id,title,description,topic,script_path,audio_path,video_path,duration_seconds,"
     "created_at,posted_at,status"},
    {"image_library",
     "id,character,emotion,pose,file_path,source,file_size_bytes,width,height,format,generation_"
     "prompt,generation_model,quality_score,usage_count,tags,metadata,timestamp,created_at,last_"
     "used_at"},
    {"image_usage", "id,image_id,video_id,scene_number,timestamp"},
    {"image_collections", "id,name,description,character,created_at"},
    {"collection_images", "collection_id,image_id,sort_order"},
};

// One connection with all three kinds, as one file may hold them.
class SchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* kind : {"trends", "metrics", "image_library"}) {
      db.exec(std::string("SELECT emf_init('") + kind + "')");
    }
  }
  Db db;
};

TEST_F(SchemaTest, EveryObjectOfTheGuideExists) {
  for (const Expected& object : kGuideObjects) {
    EXPECT_EQ(db.integer("SELECT count(*) FROM sqlite_schema WHERE type = '" + object.type +
                         "' AND name = '" + object.name + "'"),
              1)
        << object.kind << ": " << object.type << " " << object.name;
  }
}

TEST_F(SchemaTest, EveryTableHasTheGuidesColumns) {
  for (const auto& [table, columns] : kGuideColumns) {
    EXPECT_EQ(db.text("SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('" +
                      table + "') ORDER BY cid)"),
              columns)
        << table;
  }
}

struct ConstraintCase {
  std::string description;
  std::string good;  // accepted
  std::string bad;   // rejected with a constraint error
};

const std::vector<ConstraintCase> kConstraintCases = {
    {"topic required", "INSERT INTO trending_topics (topic, source) VALUES ('t', 's')",
     "INSERT INTO trending_topics (topic, source) VALUES (NULL, 's')"},
    {"topic not blank", "INSERT INTO trending_topics (topic, source) VALUES ('t', 's')",
     "INSERT INTO trending_topics (topic, source) VALUES ('  ', 's')"},
    {"source required", "INSERT INTO trending_topics (topic, source) VALUES ('t', 's')",
     "INSERT INTO trending_topics (topic) VALUES ('t')"},
    {"relevance_score at most 1",
     "INSERT INTO trending_topics (topic, source, relevance_score) VALUES ('t', 's', 1.0)",
     "INSERT INTO trending_topics (topic, source, relevance_score) VALUES ('t', 's', 1.01)"},
    {"relevance_score at least 0",
     "INSERT INTO trending_topics (topic, source, relevance_score) VALUES ('t', 's', 0.0)",
     "INSERT INTO trending_topics (topic, source, relevance_score) VALUES ('t', 's', -0.1)"},
    {"used_flag 0 or 1",
     "INSERT INTO trending_topics (topic, source, used_flag) VALUES ('t', 's', 1)",
     "INSERT INTO trending_topics (topic, source, used_flag) VALUES ('t', 's', 2)"},
    {"trending metadata is JSON",
     "INSERT INTO trending_topics (topic, source, metadata) VALUES ('t', 's', '{\"a\": 1}')",
     "INSERT INTO trending_topics (topic, source, metadata) VALUES ('t', 's', '{a: 1')"},
    {"trending timestamp is a time",
     "INSERT INTO trending_topics (topic, source, timestamp) VALUES ('t', 's', "
     "'2026-01-02 03:04:05.000')",
     "INSERT INTO trending_topics (topic, source, timestamp) VALUES ('t', 's', 'yesterday')"},
    {"query required", "INSERT INTO search_history (query) VALUES ('q')",
     "INSERT INTO search_history (query) VALUES (NULL)"},
    {"result_count non-negative",
     "INSERT INTO search_history (query, result_count) VALUES ('q', 0)",
     "INSERT INTO search_history (query, result_count) VALUES ('q', -1)"},
    {"video_metrics video_id required",
     "INSERT INTO video_metrics (video_id, platform) VALUES ('v1', 'tiktok')",
     "INSERT INTO video_metrics (platform) VALUES ('tiktok')"},
    {"platform required", "INSERT INTO video_metrics (video_id, platform) VALUES ('v2', 'tiktok')",
     "INSERT INTO video_metrics (video_id) VALUES ('v2')"},
    {"views non-negative",
     "INSERT INTO video_metrics (video_id, platform, views) VALUES ('v3', 'tiktok', 0)",
     "INSERT INTO video_metrics (video_id, platform, views) VALUES ('v3', 'youtube', -1)"},
    {"likes non-negative",
     "INSERT INTO video_metrics (video_id, platform, likes) VALUES ('v4', 'tiktok', 5)",
     "INSERT INTO video_metrics (video_id, platform, likes) VALUES ('v4', 'youtube', -5)"},
    {"comments non-negative",
     "INSERT INTO video_metrics (video_id, platform, comments) VALUES ('v5', 'tiktok', 5)",
     "INSERT INTO video_metrics (video_id, platform, comments) VALUES ('v5', 'youtube', -5)"},
    {"shares non-negative",
     "INSERT INTO video_metrics (video_id, platform, shares) VALUES ('v6', 'tiktok', 5)",
     "INSERT INTO video_metrics (video_id, platform, shares) VALUES ('v6', 'youtube', -5)"},
    {"saves non-negative",
     "INSERT INTO video_metrics (video_id, platform, saves) VALUES ('v7', 'tiktok', 5)",
     "INSERT INTO video_metrics (video_id, platform, saves) VALUES ('v7', 'youtube', -5)"},
    {"watch time non-negative",
     "INSERT INTO video_metrics (video_id, platform, watch_time_seconds) VALUES ('v8', 'tiktok', "
     "1.5)",
     "INSERT INTO video_metrics (video_id, platform, watch_time_seconds) VALUES ('v8', 'youtube', "
     "-1.5)"},
    {"engagement_rate in [0, 1]",
     "INSERT INTO video_metrics (video_id, platform, engagement_rate) VALUES ('v9', 'tiktok', 0.5)",
     "INSERT INTO video_metrics (video_id, platform, engagement_rate) VALUES ('v9', 'youtube', "
     "1.5)"},
    {"snapshot unique per (video_id, platform, timestamp)",
     "INSERT INTO video_metrics (video_id, platform, timestamp) VALUES ('v10', 'tiktok', "
     "'2026-01-01 00:00:00.000'), ('v10', 'tiktok', '2026-01-01 00:00:01.000')",
     "INSERT INTO video_metrics (video_id, platform, timestamp) VALUES ('v11', 'tiktok', "
     "'2026-01-01 00:00:00.000'), ('v11', 'tiktok', '2026-01-01 00:00:00.000')"},
    {"video_metadata video_id unique",
     "INSERT INTO video_metadata (video_id) VALUES ('m1'), ('m2')",
     "INSERT INTO video_metadata (video_id) VALUES ('m3'), ('m3')"},
    {"video_metadata video_id required", "INSERT INTO video_metadata (video_id) VALUES ('m4')",
     "INSERT INTO video_metadata (title) VALUES ('no id')"},
    {"status is a known state",
     "INSERT INTO video_metadata (video_id, status) VALUES ('m5', 'archived')",
     "INSERT INTO video_metadata (video_id, status) VALUES ('m6', 'published')"},
    {"duration non-negative",
     "INSERT INTO video_metadata (video_id, duration_seconds) VALUES ('m7', 12.5)",
     "INSERT INTO video_metadata (video_id, duration_seconds) VALUES ('m8', -1)"},
    {"character is butcher or nutsy",
     "INSERT INTO image_library (character, file_path) VALUES ('nutsy', 'a.png')",
     "INSERT INTO image_library (character, file_path) VALUES ('bob', 'b.png')"},
    {"file_path unique",
     "INSERT INTO image_library (character, file_path) VALUES ('butcher', 'c.png'), ('butcher', "
     "'d.png')",
     "INSERT INTO image_library (character, file_path) VALUES ('butcher', 'e.png'), ('nutsy', "
     "'e.png')"},
    {"file_path required",
     "INSERT INTO image_library (character, file_path) VALUES ('butcher', 'f.png')",
     "INSERT INTO image_library (character) VALUES ('butcher')"},
    {"quality_score in [0, 1]",
     "INSERT INTO image_library (character, file_path, quality_score) VALUES ('butcher', 'g.png', "
     "1)",
     "INSERT INTO image_library (character, file_path, quality_score) VALUES ('butcher', 'h.png', "
     "2)"},
    {"file size non-negative",
     "INSERT INTO image_library (character, file_path, file_size_bytes) VALUES ('butcher', "
     "'i.png', 0)",
     "INSERT INTO image_library (character, file_path, file_size_bytes) VALUES ('butcher', "
     "'j.png', -1)"},
    {"usage_count non-negative",
     "INSERT INTO image_library (character, file_path, usage_count) VALUES ('butcher', 'k.png', 3)",
     "INSERT INTO image_library (character, file_path, usage_count) VALUES ('butcher', 'l.png', "
     "-3)"},
    {"tags is a JSON array",
     "INSERT INTO image_library (character, file_path, tags) VALUES ('butcher', 'm.png', "
     "'[\"a\"]')",
     "INSERT INTO image_library (character, file_path, tags) VALUES ('butcher', 'n.png', '{\"a\": "
     "1}')"},
    {"tags is valid JSON",
     "INSERT INTO image_library (character, file_path, tags) VALUES ('butcher', 'o.png', '[]')",
     "INSERT INTO image_library (character, file_path, tags) VALUES ('butcher', 'p.png', "
     "'[unclosed')"},
    {"image metadata is JSON",
     "INSERT INTO image_library (character, file_path, metadata) VALUES ('butcher', 'q.png', '{}')",
     "INSERT INTO image_library (character, file_path, metadata) VALUES ('butcher', 'r.png', "
     "'nope')"},
    {"image_usage needs an existing image",
     "INSERT INTO image_library (character, file_path) VALUES ('nutsy', 's.png'); "
     "INSERT INTO image_usage (image_id) SELECT id FROM image_library WHERE file_path = 's.png'",
     "INSERT INTO image_usage (image_id) VALUES (999999)"},
    {"image_usage image_id required",
     "INSERT INTO image_library (character, file_path) VALUES ('nutsy', 't.png'); "
     "INSERT INTO image_usage (image_id) SELECT id FROM image_library WHERE file_path = 't.png'",
     "INSERT INTO image_usage (video_id) VALUES ('v')"},
    {"scene_number non-negative",
     "INSERT INTO image_library (character, file_path) VALUES ('nutsy', 'u.png'); "
     "INSERT INTO image_usage (image_id, scene_number) SELECT id, 0 FROM image_library WHERE "
     "file_path = 'u.png'",
     "INSERT INTO image_usage (image_id, scene_number) SELECT id, -1 FROM image_library WHERE "
     "file_path = 'u.png'"},
    {"collection name unique", "INSERT INTO image_collections (name) VALUES ('c1'), ('c2')",
     "INSERT INTO image_collections (name) VALUES ('c3'), ('c3')"},
    {"collection name required", "INSERT INTO image_collections (name) VALUES ('c4')",
     "INSERT INTO image_collections (description) VALUES ('nameless')"},
    {"collection character is butcher, nutsy or none",
     "INSERT INTO image_collections (name, character) VALUES ('c5', NULL), ('c6', 'butcher')",
     "INSERT INTO image_collections (name, character) VALUES ('c7', 'bob')"},
    {"collection_images (collection_id, image_id) is the primary key",
     "INSERT INTO image_collections (name) VALUES ('c8'); "
     "INSERT INTO image_library (character, file_path) VALUES ('nutsy', 'v.png'); "
     "INSERT INTO collection_images (collection_id, image_id) SELECT c.id, i.id FROM "
     "image_collections c, image_library i WHERE c.name = 'c8' AND i.file_path = 'v.png'",
     "INSERT INTO collection_images (collection_id, image_id) SELECT c.id, i.id FROM "
     "image_collections c, image_library i WHERE c.name = 'c8' AND i.file_path = 'v.png'"},
    {"collection_images needs an existing collection",
     "INSERT INTO image_collections (name) VALUES ('c9'); "
     "INSERT INTO image_library (character, file_path) VALUES ('nutsy', 'w.png'); "
     "INSERT INTO collection_images (collection_id, image_id) SELECT c.id, i.id FROM "
     "image_collections c, image_library i WHERE c.name = 'c9' AND i.file_path = 'w.png'",
     "INSERT INTO collection_images (collection_id, image_id) SELECT 999999, id FROM "
     "image_library WHERE file_path = 'w.png'"},
};

TEST_F(SchemaTest, EachConstraintRejectsABadRowAndAcceptsAGoodOne) {
  for (const ConstraintCase& test : kConstraintCases) {
    EXPECT_EQ(db.error(test.good), std::nullopt) << test.description;
    const std::optional<std::string> error = db.error(test.bad);
    ASSERT_TRUE(error.has_value()) << test.description << ": accepted " << test.bad;
    EXPECT_NE(error->find("constraint failed"), std::string::npos)
        << test.description << ": " << *error;
  }
}

TEST_F(SchemaTest, DefaultsAreUtcIsoTimesZeroCountersAndDraft) {
  db.exec("INSERT INTO trending_topics (topic, source) VALUES ('t', 's')");
  const auto row =
      db.rows("SELECT used_flag, timestamp, created_at, updated_at FROM trending_topics")[0];
  EXPECT_EQ(row[0], "0");
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(db.integer("SELECT '" + row[i] +
                         "' GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:"
                         "[0-9][0-9].[0-9][0-9][0-9]'"),
              1)
        << row[i];
  }
  db.exec("INSERT INTO video_metadata (video_id) VALUES ('v')");
  EXPECT_EQ(db.text("SELECT status FROM video_metadata"), "draft");
  db.exec("INSERT INTO video_metrics (video_id, platform) VALUES ('v', 'p')");
  EXPECT_EQ(db.text("SELECT views || likes || comments || shares || saves FROM video_metrics"),
            "00000");
  db.exec("INSERT INTO image_library (character, file_path) VALUES ('butcher', 'x')");
  EXPECT_EQ(db.text("SELECT usage_count FROM image_library"), "0");
  EXPECT_EQ(db.text("SELECT coalesce(last_used_at, 'none') FROM image_library"), "none");
}

TEST_F(SchemaTest, UpdatedAtIsSetOnUpdate) {
  ASSERT_EQ(db.integer("PRAGMA recursive_triggers"), 1);
  db.exec(
      "INSERT INTO trending_topics (topic, source, updated_at) "
      "VALUES ('t', 's', '2000-01-01 00:00:00.000')");
  db.exec("UPDATE trending_topics SET used_flag = 1");
  EXPECT_GT(db.text("SELECT updated_at FROM trending_topics"), "2025");
  EXPECT_EQ(db.integer("SELECT used_flag FROM trending_topics"), 1);
}

TEST(UpdatedAtTrigger, DoesNotRecurseWhenTheUpdateLandsInTheSameInstantAsTheInsert) {
  // 2026-03-04 05:06:07.890 as SQLite's Julian-day milliseconds.
  register_frozen_clock_vfs(212639360767890LL);
  Db db(":memory:", true, kFrozenClockVfs);
  ASSERT_EQ(db.integer("PRAGMA recursive_triggers"), 1);
  db.exec("SELECT emf_init('trends')");
  db.exec("INSERT INTO trending_topics (topic, source) VALUES ('t', 's')");
  ASSERT_EQ(db.text("SELECT updated_at FROM trending_topics"), "2026-03-04 05:06:07.890");
  // The trigger's new time equals the old one: a trigger guarded only by
  // WHEN NEW.updated_at IS OLD.updated_at would fire itself forever.
  db.exec("UPDATE trending_topics SET relevance_score = 0.5");
  db.exec("UPDATE trending_topics SET category = 'c', used_flag = 1");
  EXPECT_EQ(db.text("SELECT category || used_flag || updated_at FROM trending_topics"),
            "c12026-03-04 05:06:07.890");

  // The control: that naive trigger does recurse here, so this setup would
  // catch emf's trigger if it did.
  db.exec(
      "CREATE TABLE naive (id INTEGER PRIMARY KEY, x, updated_at DEFAULT "
      "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))");
  db.exec(
      "CREATE TRIGGER naive_touch AFTER UPDATE ON naive WHEN NEW.updated_at IS "
      "OLD.updated_at BEGIN UPDATE naive SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', "
      "'now') WHERE id = NEW.id; END");
  db.exec("INSERT INTO naive (x) VALUES (1)");
  const auto error = db.error("UPDATE naive SET x = 2");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("too many levels of trigger recursion"), std::string::npos) << *error;
}

TEST_F(SchemaTest, UpdatingOnlyThePriorityOfMigration002SetsUpdatedAt) {
  db.exec(
      "INSERT INTO trending_topics (topic, source, updated_at) "
      "VALUES ('t', 's', '2000-01-01 00:00:00.000')");
  EXPECT_EQ(db.integer("SELECT priority FROM trending_topics"), 0);
  db.exec("UPDATE trending_topics SET priority = 5");
  EXPECT_GT(db.text("SELECT updated_at FROM trending_topics"), "2025");
  EXPECT_TRUE(
      db.error("INSERT INTO trending_topics (topic, source, priority) VALUES ('t', 's', NULL)"));
}

TEST_F(SchemaTest, UpdatedAtSetExplicitlyIsKept) {
  db.exec("INSERT INTO trending_topics (topic, source) VALUES ('t', 's')");
  db.exec("UPDATE trending_topics SET used_flag = 1, updated_at = '2030-05-05 05:05:05.555'");
  EXPECT_EQ(db.text("SELECT updated_at FROM trending_topics"), "2030-05-05 05:05:05.555");
  db.exec("UPDATE trending_topics SET updated_at = '2031-01-01 00:00:00.000'");
  EXPECT_EQ(db.text("SELECT updated_at FROM trending_topics"), "2031-01-01 00:00:00.000");
}

TEST_F(SchemaTest, UsageTriggerCountsUsesAndKeepsTheLatestTime) {
  db.exec("INSERT INTO image_library (character, file_path) VALUES ('nutsy', 'n.png')");
  db.exec(
      "INSERT INTO image_usage (image_id, video_id, timestamp) VALUES "
      "(1, 'a', '2026-01-02 00:00:00.000')");
  EXPECT_EQ(db.text("SELECT usage_count || ' ' || last_used_at FROM image_library"),
            "1 2026-01-02 00:00:00.000");
  db.exec(
      "INSERT INTO image_usage (image_id, video_id, timestamp) VALUES "
      "(1, 'b', '2026-01-01 00:00:00.000')");
  EXPECT_EQ(db.text("SELECT usage_count || ' ' || last_used_at FROM image_library"),
            "2 2026-01-02 00:00:00.000");
  db.exec("INSERT INTO image_usage (image_id, video_id) VALUES (1, 'c')");
  EXPECT_EQ(db.integer("SELECT usage_count FROM image_library"), 3);
  EXPECT_GT(db.text("SELECT last_used_at FROM image_library"), "2026-01-02 00:00:00.000");
}

TEST_F(SchemaTest, LatestVideoMetricsHasOneRowPerVideoAndPlatform) {
  db.exec(
      "INSERT INTO video_metadata (video_id, title, topic, status, posted_at) VALUES "
      "('v1', 'Title', 'Topic', 'posted', '2026-01-01 12:00:00.000')");
  db.exec(
      "INSERT INTO video_metrics (video_id, platform, views, timestamp) VALUES "
      "('v1', 'tiktok', 10, '2026-01-01 00:00:00.000'),"
      "('v1', 'tiktok', 30, '2026-01-03 00:00:00.000'),"
      "('v1', 'tiktok', 20, '2026-01-02 00:00:00.000'),"
      "('v1', 'youtube', 5, '2026-01-01 00:00:00.000'),"
      "('orphan', 'tiktok', 1, '2026-01-01 00:00:00.000'),"
      "('orphan', 'tiktok', 2, '2026-01-05 00:00:00.000')");
  const auto rows = db.rows(
      "SELECT video_id, platform, views, timestamp, coalesce(title, '-'), coalesce(topic, '-'), "
      "coalesce(status, '-'), coalesce(posted_at, '-') FROM latest_video_metrics "
      "ORDER BY video_id, platform");
  const std::vector<std::vector<std::string>> expected = {
      {"orphan", "tiktok", "2", "2026-01-05 00:00:00.000", "-", "-", "-", "-"},
      {"v1", "tiktok", "30", "2026-01-03 00:00:00.000", "Title", "Topic", "posted",
       "2026-01-01 12:00:00.000"},
      {"v1", "youtube", "5", "2026-01-01 00:00:00.000", "Title", "Topic", "posted",
       "2026-01-01 12:00:00.000"},
  };
  EXPECT_EQ(rows, expected);
  // Every metrics column is there, and every metadata column (video_id once;
  // its id and created_at renamed beside the snapshot's).
  EXPECT_EQ(
      db.text("SELECT group_concat(name, ',') FROM pragma_table_info('latest_video_metrics')"),
      "id,video_id,platform,views,likes,comments,shares,saves,watch_time_seconds,"
      "engagement_rate,timestamp,created_at,metadata_id,title,description,topic,script_path,"
      "audio_path,video_path,duration_seconds,metadata_created_at,posted_at,status");
}

TEST_F(SchemaTest, LatestVideoMetricsIsServedByAnIndex) {
  // The plan SQLite picks with statistics of a large table: the view reads
  // one row of video_metrics_latest per pair, and each latest snapshot by its
  // id, never a scan of the snapshots.
  db.exec(
      "WITH RECURSIVE n(value) AS (SELECT 0 UNION ALL SELECT value + 1 FROM n WHERE value < 29999) "
      "INSERT INTO video_metrics (video_id, platform, timestamp) "
      "SELECT 'v' || (value % 1000), 'p' || (value % 3), "
      "strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || value || ' seconds') FROM n");
  db.exec("ANALYZE");
  std::string plan;
  for (const auto& row : db.rows("EXPLAIN QUERY PLAN SELECT * FROM latest_video_metrics")) {
    plan += row[3] + "\n";
  }
  EXPECT_NE(plan.find("SEARCH m USING INTEGER PRIMARY KEY (rowid=?)"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("SCAN m"), std::string::npos) << plan;
  EXPECT_EQ(db.integer("SELECT count(*) FROM latest_video_metrics"), 3000);

  plan.clear();
  for (const auto& row :
       db.rows("EXPLAIN QUERY PLAN SELECT * FROM latest_video_metrics WHERE video_id = 'v7'")) {
    plan += row[3] + "\n";
  }
  EXPECT_EQ(plan.find("SCAN m"), std::string::npos) << plan;
}

TEST_F(SchemaTest, DeletingAnImageCascadesToUsageAndCollections) {
  ASSERT_EQ(db.integer("PRAGMA foreign_keys"), 1);  // emf_init turned it on
  db.exec(
      "INSERT INTO image_library (character, file_path) VALUES ('butcher', 'a'), ('nutsy', 'b')");
  db.exec("INSERT INTO image_usage (image_id) VALUES (1), (1), (2)");
  db.exec("INSERT INTO image_collections (name) VALUES ('c')");
  db.exec("INSERT INTO collection_images (collection_id, image_id) VALUES (1, 1), (1, 2)");
  db.exec("DELETE FROM image_library WHERE id = 1");
  EXPECT_EQ(db.integer("SELECT count(*) FROM image_usage"), 1);
  EXPECT_EQ(db.integer("SELECT count(*) FROM collection_images"), 1);
  db.exec("DELETE FROM image_collections");
  EXPECT_EQ(db.integer("SELECT count(*) FROM collection_images"), 0);
  EXPECT_EQ(db.integer("SELECT count(*) FROM image_library"), 1);
}

}  // namespace
}  // namespace emf::test
