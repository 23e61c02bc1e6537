// latest_video_metrics reads video_metrics_latest (metrics 004), which its
// triggers keep exact: whatever the writes, the view returns exactly what
// version 2's definition returns (every snapshot that no snapshot of its
// pair is newer than), written here inline and compared row for row.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "support/fixtures.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

// Version 2's definition of the view, every column of it, in its order.
constexpr const char* kLatestByNotExists = R"(
    SELECT m.id, m.video_id, m.platform, m.views, m.likes, m.comments, m.shares, m.saves,
           m.watch_time_seconds, m.engagement_rate, m.timestamp, m.created_at,
           v.id AS metadata_id, v.title, v.description, v.topic, v.script_path, v.audio_path,
           v.video_path, v.duration_seconds, v.created_at AS metadata_created_at, v.posted_at,
           v.status
    FROM video_metrics AS m
    LEFT JOIN video_metadata AS v ON v.video_id = m.video_id
    WHERE NOT EXISTS (
        SELECT 1 FROM video_metrics AS newer
        WHERE newer.video_id = m.video_id AND newer.platform = m.platform
          AND newer.timestamp > m.timestamp)
    ORDER BY m.id)";

using Rows = std::vector<std::vector<std::string>>;

Rows view_rows(Db& db) {
  return db.rows("SELECT * FROM latest_video_metrics ORDER BY id");
}

// The view as version 2 defined it, and video_metrics_latest holds one row
// per pair with snapshots, naming its latest.
void expect_exact(Db& db) {
  EXPECT_EQ(view_rows(db), db.rows(kLatestByNotExists));
  EXPECT_EQ(db.rows("SELECT video_id, platform, snapshot_id FROM video_metrics_latest "
                    "ORDER BY video_id, platform"),
            db.rows("SELECT m.video_id, m.platform, m.id FROM video_metrics AS m WHERE NOT "
                    "EXISTS (SELECT 1 FROM video_metrics AS n WHERE n.video_id = m.video_id AND "
                    "n.platform = m.platform AND n.timestamp > m.timestamp) "
                    "ORDER BY m.video_id, m.platform"));
}

TEST(LatestMetrics, TheViewKeepsItsColumnsInTheirOrder) {
  Db db;
  db.exec("SELECT emf_init('metrics')");
  EXPECT_EQ(
      db.text("SELECT group_concat(name, ',') FROM pragma_table_info('latest_video_metrics')"),
      "id,video_id,platform,views,likes,comments,shares,saves,watch_time_seconds,"
      "engagement_rate,timestamp,created_at,metadata_id,title,description,topic,script_path,"
      "audio_path,video_path,duration_seconds,metadata_created_at,posted_at,status");
  db.exec("SELECT emf_seed('metrics')");
  expect_exact(db);
  EXPECT_EQ(db.integer("SELECT count(*) FROM latest_video_metrics"), 4);
}

// Each way a write can move a pair's latest snapshot, one at a time.
TEST(LatestMetrics, EachKindOfWriteKeepsTheLatestExact) {
  Db db;
  db.exec("SELECT emf_init('metrics'), emf_seed('metrics')");
  db.exec("INSERT INTO video_metadata (video_id, title) VALUES ('v', 'a video')");
  const auto latest_id = [&db](const char* video, const char* platform) {
    return db.text(
        fmt::format("SELECT coalesce((SELECT id FROM latest_video_metrics WHERE "
                    "video_id = '{}' AND platform = '{}'), 'none')",
                    video, platform));
  };
  const auto step = [&db](const std::string& sql) {
    SCOPED_TRACE(sql);
    db.exec(sql);
    expect_exact(db);
  };
  // A first snapshot, then a newer one in another time form (converted by
  // the time trigger after the insert), then an older one.
  step(
      "INSERT INTO video_metrics (id, video_id, platform, timestamp) "
      "VALUES (100, 'v', 'p', '2026-01-02 00:00:00.000')");
  EXPECT_EQ(latest_id("v", "p"), "100");
  step(
      "INSERT INTO video_metrics (id, video_id, platform, timestamp) "
      "VALUES (101, 'v', 'p', '2026-01-03T00:00:00Z')");
  EXPECT_EQ(latest_id("v", "p"), "101");
  step(
      "INSERT INTO video_metrics (id, video_id, platform, timestamp) "
      "VALUES (102, 'v', 'p', '2026-01-01')");
  EXPECT_EQ(latest_id("v", "p"), "101");
  // OR REPLACE of the latest's instant, written in another form.
  step(
      "INSERT OR REPLACE INTO video_metrics (id, video_id, platform, views, timestamp) "
      "VALUES (103, 'v', 'p', 7, '2026-01-03 00:00:00')");
  EXPECT_EQ(latest_id("v", "p"), "103");
  // OR REPLACE through the id of another pair's latest: that pair falls
  // back to its previous snapshot, or goes when it has none.
  step(
      "INSERT INTO video_metrics (id, video_id, platform, timestamp) "
      "VALUES (200, 'w', 'p', '2026-01-01 00:00:00.000'), "
      "(201, 'w', 'p', '2026-01-05 00:00:00.000'), (300, 'x', 'p', '2026-01-01 00:00:00.000')");
  step(
      "INSERT OR REPLACE INTO video_metrics (id, video_id, platform, timestamp) "
      "VALUES (201, 'v', 'p', '2026-01-04 00:00:00.000')");
  EXPECT_EQ(latest_id("v", "p"), "201");
  EXPECT_EQ(latest_id("w", "p"), "200");
  step(
      "INSERT OR REPLACE INTO video_metrics (id, video_id, platform, timestamp) "
      "VALUES (300, 'v', 'q', '2026-01-04 00:00:00.000')");
  EXPECT_EQ(latest_id("x", "p"), "none");
  // An upsert that moves the latest back in time.
  step(
      "INSERT INTO video_metrics (video_id, platform, views, timestamp) "
      "VALUES ('v', 'p', 9, '2026-01-04 00:00:00.000') "
      "ON CONFLICT DO UPDATE SET views = excluded.views, timestamp = '2025-12-31'");
  EXPECT_EQ(latest_id("v", "p"), "103");
  // Updates of the time, the video, the platform and the id.
  step("UPDATE video_metrics SET timestamp = '2026-02-01T00:00:00Z' WHERE id = 100");
  EXPECT_EQ(latest_id("v", "p"), "100");
  step("UPDATE video_metrics SET video_id = 'w' WHERE id = 100");
  EXPECT_EQ(latest_id("v", "p"), "103");
  EXPECT_EQ(latest_id("w", "p"), "100");
  step("UPDATE video_metrics SET platform = 'q' WHERE id = 100");
  EXPECT_EQ(latest_id("w", "p"), "200");
  step("UPDATE video_metrics SET id = 400 WHERE id = 103");
  EXPECT_EQ(latest_id("v", "p"), "400");
  // UPDATE OR REPLACE onto the id of another pair's latest.
  step("UPDATE OR REPLACE video_metrics SET id = 200 WHERE id = 102");
  EXPECT_EQ(latest_id("w", "p"), "none");
  // UPDATE OR REPLACE onto the instant of another snapshot of the pair.
  step("UPDATE OR REPLACE video_metrics SET timestamp = '2026-01-03 00:00:00.000' WHERE id = 101");
  // Deletes: the latest, then every snapshot of a pair.
  step(
      "DELETE FROM video_metrics WHERE id = (SELECT id FROM latest_video_metrics WHERE "
      "video_id = 'v' AND platform = 'p')");
  step("DELETE FROM video_metrics WHERE video_id = 'v' AND platform = 'p'");
  EXPECT_EQ(latest_id("v", "p"), "none");
  step("DELETE FROM video_metrics");
  EXPECT_EQ(db.integer("SELECT count(*) FROM video_metrics_latest"), 0);
}

// Many writes of every kind, in a random order fixed by the seed, with and
// without recursive triggers (with them, a REPLACE fires the delete trigger
// too): after each, the view is version 2's.
TEST(LatestMetrics, RandomWritesKeepTheViewVersion2s) {
  for (const bool recursive : {false, true}) {
    SCOPED_TRACE(recursive ? "recursive_triggers on" : "recursive_triggers off");
    Db db;
    db.exec("SELECT emf_init('metrics'), emf_seed('metrics')");
    db.exec(fmt::format("PRAGMA recursive_triggers = {}", recursive ? 1 : 0));
    db.exec("INSERT INTO video_metadata (video_id, title) VALUES ('a', 'A'), ('c', 'C')");
    std::mt19937 random(20261202);
    const auto pick = [&random](std::uint32_t n) { return random() % n; };
    const std::vector<std::string> videos = {"a", "b", "c", "d"};
    const std::vector<std::string> platforms = {"tiktok", "youtube", "instagram"};
    const auto time = [&] {
      const auto day = 1 + pick(20);
      const auto hour = pick(24);
      switch (pick(4)) {
        case 0:
          return fmt::format("'2026-01-{:02} {:02}:00:00.000'", day, hour);
        case 1:
          return fmt::format("'2026-01-{:02}T{:02}:00:00Z'", day, hour);
        case 2:
          return fmt::format("'2026-01-{:02} {:02}:00:00'", day, hour);
        default:
          return fmt::format("'2026-01-{:02}T{:02}:00:00.000+00:00'", day, hour);
      }
    };
    const std::string any_id = "(SELECT id FROM video_metrics ORDER BY random() LIMIT 1)";
    for (int i = 0; i < 1500; ++i) {
      const std::string video = videos[pick(videos.size())];
      const std::string platform = platforms[pick(platforms.size())];
      std::string sql;
      switch (pick(10)) {
        case 0:
        case 1:
        case 2:
          sql = fmt::format(
              "INSERT INTO video_metrics (video_id, platform, views, timestamp) "
              "VALUES ('{}', '{}', {}, {})",
              video, platform, i, time());
          break;
        case 3:
          sql = fmt::format(
              "INSERT OR REPLACE INTO video_metrics (video_id, platform, views, timestamp) "
              "VALUES ('{}', '{}', {}, {})",
              video, platform, i, time());
          break;
        case 4:
          sql = fmt::format(
              "INSERT OR REPLACE INTO video_metrics (id, video_id, platform, views, timestamp) "
              "VALUES ({}, '{}', '{}', {}, {})",
              1 + pick(i + 10), video, platform, i, time());
          break;
        case 5:
          sql = fmt::format(
              "INSERT INTO video_metrics (video_id, platform, views, timestamp) "
              "VALUES ('{}', '{}', {}, {}) ON CONFLICT DO UPDATE SET views = excluded.views, "
              "timestamp = {}",
              video, platform, i, time(), time());
          break;
        case 6:
          sql = fmt::format("UPDATE{} video_metrics SET timestamp = {} WHERE id = {}",
                            pick(2) == 0 ? "" : " OR REPLACE", time(), any_id);
          break;
        case 7:
          sql =
              fmt::format("UPDATE{} video_metrics SET {} = '{}' WHERE id = {}",
                          pick(2) == 0 ? "" : " OR REPLACE", pick(2) == 0 ? "video_id" : "platform",
                          pick(2) == 0 ? video : platform, any_id);
          break;
        case 8:
          sql = pick(8) == 0 ? fmt::format(
                                   "DELETE FROM video_metrics WHERE video_id = '{}' AND "
                                   "platform = '{}'",
                                   video, platform)
                             : "DELETE FROM video_metrics WHERE id = " + any_id;
          break;
        default:
          sql = fmt::format("UPDATE OR REPLACE video_metrics SET id = {} WHERE id = {}",
                            1 + pick(i + 10), any_id);
          break;
      }
      // A write a constraint refuses changes nothing; the view must agree
      // either way.
      (void)db.error(sql);
      const Rows view = view_rows(db);
      const Rows expected = db.rows(kLatestByNotExists);
      if (view != expected) {
        ADD_FAILURE() << "after write " << i << ": " << sql;
        break;
      }
    }
    expect_exact(db);
    EXPECT_GT(db.integer("SELECT count(*) FROM latest_video_metrics"), 5);
    EXPECT_EQ(db.json(db.text("SELECT emf_check('metrics')"), "$.ok"), "1");
  }
}

// Snapshots of several pairs in the time forms an older version let in.
void fill_snapshots(Db& db, const char* time_format) {
  db.exec(fmt::format(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) "
      "INSERT INTO video_metrics (video_id, platform, views, timestamp) "
      "SELECT 'video-' || (i % 7), CASE i % 3 WHEN 0 THEN 'tiktok' WHEN 1 THEN 'youtube' "
      "ELSE 'instagram' END, i, strftime('{}', '2026-01-01', '+' || ((i * 7919) % 1000) || "
      "' minutes') FROM n",
      time_format));
  db.exec(
      "INSERT INTO video_metadata (video_id, title) VALUES ('video-1', 'one'), "
      "('video-2', 'two')");
}

// A database at version 1, 2 or 3 with snapshots upgrades to a
// video_metrics_latest that names the latest of each pair, and checks clean.
TEST(LatestMetrics, AnUpgradeFillsTheLatestFromTheRows) {
  for (const int version : {1, 2, 3}) {
    SCOPED_TRACE(version);
    TempDir dir;
    Db db(dir.file("metrics.db"));
    if (version == 1) {
      make_version_1(db, "metrics");
      fill_snapshots(db, "%Y-%m-%dT%H:%M:%fZ");
    } else {
      db.exec("SELECT emf_init('metrics')");
      make_metrics_version_3(db);
      if (version == 2) {
        db.exec(
            "DROP INDEX idx_video_metrics_platform_engagement; "
            "DROP INDEX idx_video_metadata_status_created; "
            "DELETE FROM emf_schema_history WHERE kind = 'metrics' AND version = 3");
      }
      fill_snapshots(db, "%Y-%m-%d %H:%M:%f");
    }
    const Rows before = db.rows(kLatestByNotExists);
    ASSERT_EQ(before.size(), 21U);
    db.exec("SELECT emf_init('metrics')");
    EXPECT_EQ(db.integer("SELECT max(version) FROM emf_schema_history WHERE kind = 'metrics'"), 4);
    expect_exact(db);
    EXPECT_EQ(db.integer("SELECT count(*) FROM video_metrics_latest"), 21);
    EXPECT_EQ(db.json(db.text("SELECT emf_check('metrics')"), "$.ok"), "1");
    db.exec(
        "INSERT INTO video_metrics (video_id, platform, timestamp) "
        "VALUES ('video-1', 'tiktok', '2027-01-01T00:00:00Z')");
    expect_exact(db);
  }
}

// emf_repair rebuilds a drifted video_metrics by copying its rows, ids
// included: the latest stays exact, and the triggers work on the new table.
TEST(LatestMetrics, ARepairOfVideoMetricsKeepsTheLatestExact) {
  TempDir dir;
  Db db(dir.file("metrics.db"));
  db.exec("SELECT emf_init('metrics'), emf_seed('metrics', 300)");
  // A hand edit of the definition: one CHECK gone, everything else kept.
  const std::string sql =
      db.text("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'video_metrics'");
  const std::string check = "CHECK (typeof(saves) = 'integer' AND saves >= 0)";
  ASSERT_NE(sql.find(check), std::string::npos);
  const std::int64_t schema_version = db.integer("PRAGMA schema_version");
  db.exec("PRAGMA writable_schema = ON");
  db.exec(
      "UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (typeof(saves) = ''integer'' AND "
      "saves >= 0)', '') WHERE type = 'table' AND name = 'video_metrics'");
  db.exec(fmt::format("PRAGMA schema_version = {}", schema_version + 1));
  db.exec("PRAGMA writable_schema = OFF");
  expect_exact(db);
  const Rows before = view_rows(db);
  ASSERT_GT(before.size(), 10U);

  EXPECT_EQ(db.json(db.text("SELECT emf_repair('metrics')"), "$.rebuilt"), "[\"video_metrics\"]");
  EXPECT_EQ(view_rows(db), before);
  expect_exact(db);
  EXPECT_EQ(db.json(db.text("SELECT emf_check('metrics')"), "$.ok"), "1");
  db.exec("DELETE FROM video_metrics WHERE id IN (SELECT id FROM latest_video_metrics LIMIT 3)");
  db.exec(
      "INSERT INTO video_metrics (video_id, platform, timestamp) "
      "VALUES ('new', 'tiktok', '2030-01-01T00:00:00Z')");
  expect_exact(db);
}

// Writes made while a trigger of video_metrics_latest was missing, or the
// table itself: emf_repair recreates what is missing and fills the table
// again from the snapshots.
TEST(LatestMetrics, ARepairOfTheLatestFillsItAgain) {
  Db db;
  db.exec("SELECT emf_init('metrics'), emf_seed('metrics', 200)");
  db.exec("DROP TRIGGER video_metrics_latest_on_insert");
  db.exec(
      "INSERT INTO video_metrics (video_id, platform, timestamp) "
      "VALUES ('untracked', 'tiktok', '2030-01-01 00:00:00.000')");
  db.exec("DROP TRIGGER video_metrics_latest_on_delete");
  db.exec("DELETE FROM video_metrics WHERE id IN (SELECT id FROM latest_video_metrics LIMIT 5)");
  EXPECT_EQ(db.json(db.text("SELECT emf_check('metrics')"), "$.ok"), "0");
  db.exec("SELECT emf_repair('metrics')");
  expect_exact(db);
  EXPECT_EQ(db.integer("SELECT count(*) FROM latest_video_metrics WHERE video_id = 'untracked'"),
            1);

  db.exec("DROP TABLE video_metrics_latest");
  db.exec("SELECT emf_repair('metrics')");
  expect_exact(db);
  EXPECT_GT(db.integer("SELECT count(*) FROM latest_video_metrics"), 10);
  EXPECT_EQ(db.json(db.text("SELECT emf_check('metrics')"), "$.ok"), "1");
}

// video_metrics_latest is emf's, but nothing stops a hand edit of its rows.
// emf_check reads no rows, so it cannot see one; emf_repair compares the
// table with what the snapshots give, fills it again when they differ and
// says so, and writes nothing when they agree.
TEST(LatestMetrics, ARepairFindsAndUndoesHandEditsOfTheLatest) {
  TempDir dir;
  const std::string file = dir.file("metrics.db");
  {
    Db db(file);
    db.exec("SELECT emf_init('metrics'), emf_seed('metrics', 300)");
  }
  const std::string healthy = read_file(file);
  {
    Db db(file);
    EXPECT_EQ(db.json(db.text("SELECT emf_repair('metrics')"), "$.refilled"), "[]");
  }
  EXPECT_EQ(read_file(file), healthy) << "a repair with nothing to do wrote to the file";

  Db db(file);
  const Rows snapshots = db.rows("SELECT * FROM video_metrics ORDER BY id");
  const Rows expected = view_rows(db);
  const auto table = [&db] {
    return db.rows("SELECT snapshot_id, video_id, platform FROM video_metrics_latest ORDER BY 1");
  };
  const Rows expected_table = table();
  for (const char* edit :
       {"DELETE FROM video_metrics_latest WHERE rowid = (SELECT min(rowid) FROM "
        "video_metrics_latest)",
        "UPDATE video_metrics_latest SET snapshot_id = (SELECT min(id) FROM video_metrics "
        "WHERE id NOT IN (SELECT snapshot_id FROM video_metrics_latest)) WHERE rowid = (SELECT "
        "max(rowid) FROM video_metrics_latest)",
        "INSERT INTO video_metrics_latest (snapshot_id, video_id, platform) "
        "VALUES (999999, 'nobody', 'nowhere')",
        "UPDATE video_metrics_latest SET platform = 'elsewhere' WHERE rowid = (SELECT "
        "max(rowid) FROM video_metrics_latest)"}) {
    SCOPED_TRACE(edit);
    db.exec(edit);
    ASSERT_NE(table(), expected_table);
    EXPECT_EQ(db.json(db.text("SELECT emf_check('metrics')"), "$.ok"), "1");
    const std::string report = db.text("SELECT emf_repair('metrics')");
    EXPECT_EQ(db.json(report, "$.refilled"), "[\"video_metrics_latest\"]") << report;
    EXPECT_EQ(db.json(report, "$.rebuilt"), "[]") << report;
    EXPECT_EQ(view_rows(db), expected);
    EXPECT_EQ(table(), expected_table);
    expect_exact(db);
    EXPECT_EQ(db.rows("SELECT * FROM video_metrics ORDER BY id"), snapshots);
  }
}

}  // namespace
}  // namespace emf::test
