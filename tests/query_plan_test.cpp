// The pipeline's queries are answered through an index: each kind is filled
// with skewed data of a representative size, and each query's plan (EXPLAIN
// QUERY PLAN, with its parameters bound) must name the index meant for it,
// scan no table and sort nothing in a temporary B-tree; running it must step
// through no full scan and sort nothing. Both before ANALYZE (a database
// never optimized) and after it (as `emf optimize` leaves one).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstdint>
#include <regex>
#include <string>
#include <vector>

#include "support/test_db.h"

namespace emf::test {
namespace {

struct Query {
  std::string name;
  std::string sql;
  std::vector<std::string> parameters;  // bound as text
  // Each entry is a regular expression that one line of the plan must match:
  // the indexes meant to answer the query.
  std::vector<std::string> expected;
};

// A statement with its parameters bound as text; finalized when it goes.
class Statement {
 public:
  Statement(Db& db, const std::string& sql, const std::vector<std::string>& parameters) {
    if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &statement_, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sql + ": " + sqlite3_errmsg(db.get()));
    }
    for (std::size_t i = 0; i < parameters.size(); ++i) {
      sqlite3_bind_text(statement_, static_cast<int>(i + 1), parameters[i].c_str(), -1,
                        SQLITE_TRANSIENT);
    }
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Every row, the first column of each as text.
  std::vector<std::string> run(int column = 0) {
    std::vector<std::string> values;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(statement_)) == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(statement_, column);
      values.emplace_back(text == nullptr ? "NULL" : reinterpret_cast<const char*>(text));
    }
    if (rc != SQLITE_DONE) {
      throw std::runtime_error(sqlite3_errmsg(sqlite3_db_handle(statement_)));
    }
    return values;
  }
  int status(int counter) { return sqlite3_stmt_status(statement_, counter, 0); }

 private:
  sqlite3_stmt* statement_ = nullptr;
};

// The plan's lines (EXPLAIN QUERY PLAN's detail column).
std::vector<std::string> plan_of(Db& db, const Query& query) {
  Statement statement(db, "EXPLAIN QUERY PLAN " + query.sql, query.parameters);
  return statement.run(3);
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += "\n  " + line;
  return text;
}

void expect_answered_through_indexes(Db& db, const Query& query, const std::string& stage) {
  SCOPED_TRACE(query.name + ", " + stage);
  const auto plan = plan_of(db, query);
  ASSERT_FALSE(plan.empty());
  for (const auto& line : plan) {
    EXPECT_NE(line.rfind("SCAN ", 0), 0U) << "a scan in the plan:" << joined(plan);
    EXPECT_EQ(line.find("TEMP B-TREE"), std::string::npos)
        << "a temporary B-tree in the plan:" << joined(plan);
    EXPECT_EQ(line.find("AUTOMATIC"), std::string::npos)
        << "an automatic index in the plan:" << joined(plan);
  }
  for (const auto& expected : query.expected) {
    const std::regex pattern(expected);
    bool found = false;
    for (const auto& line : plan) found = found || std::regex_search(line, pattern);
    EXPECT_TRUE(found) << "no line of the plan matches " << expected << ":" << joined(plan);
  }

  // Run it: no step of a full scan, no sort, no automatic index. An UPDATE
  // runs in a savepoint rolled back, so that every stage sees the same data.
  db.exec("SAVEPOINT query_plan_run");
  Statement statement(db, query.sql, query.parameters);
  const auto rows = statement.run();
  EXPECT_FALSE(rows.empty()) << "the data should give the query something to find";
  EXPECT_EQ(statement.status(SQLITE_STMTSTATUS_FULLSCAN_STEP), 0);
  EXPECT_EQ(statement.status(SQLITE_STMTSTATUS_SORT), 0);
  EXPECT_EQ(statement.status(SQLITE_STMTSTATUS_AUTOINDEX), 0);
  db.exec("ROLLBACK TO query_plan_run; RELEASE query_plan_run");
}

void expect_all(Db& db, const std::vector<Query>& queries) {
  for (const auto& query : queries) expect_answered_through_indexes(db, query, "before ANALYZE");
  db.exec("ANALYZE");
  ASSERT_GT(db.integer("SELECT count(*) FROM sqlite_stat1"), 0);
  for (const auto& query : queries) expect_answered_through_indexes(db, query, "after ANALYZE");
}

// Topics collected over time; the pipeline has used most of the older, more
// relevant ones, and none of the newest: the unused are a minority, and the
// most relevant topics are mostly used.
void fill_trends(Db& db, int topics) {
  db.exec("SELECT emf_init('trends')");
  db.exec(fmt::format(R"(
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {0}),
      t(i, relevance) AS (SELECT i, ((i * 7919) % 1000) / 1000.0 FROM n)
      INSERT INTO trending_topics (topic, source, timestamp, relevance_score, used_flag, category,
                                   priority)
      SELECT 'topic ' || i,
             CASE i % 7 WHEN 0 THEN 'twitter' WHEN 1 THEN 'reddit' WHEN 2 THEN 'news'
                        ELSE 'google_trends' END,
             strftime('%Y-%m-%d %H:%M:%f', '2025-01-01', '+' || (i * 600) || ' seconds'),
             relevance,
             CASE WHEN i <= {0} * 0.95 AND relevance >= 0.2 THEN 1 ELSE 0 END,
             'category ' || (i % 13), i % 3
      FROM t)",
                      topics));
}

// Snapshots taken over time of videos whose popularity is skewed (a few
// videos have most snapshots), on three platforms of unequal weight, and
// the videos' metadata, most of them posted.
void fill_metrics(Db& db, int snapshots, int videos) {
  db.exec("SELECT emf_init('metrics')");
  db.exec(fmt::format(R"(
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {0}),
      s(i, x) AS (SELECT i, ((i * 7919) % 10007) / 10007.0 FROM n)
      INSERT INTO video_metrics (video_id, platform, views, likes, comments, shares, saves,
                                 watch_time_seconds, engagement_rate, timestamp)
      SELECT 'video-' || CAST({1} * x * x * x AS INTEGER),
             CASE WHEN i % 10 < 6 THEN 'tiktok' WHEN i % 10 < 9 THEN 'youtube'
                  ELSE 'instagram' END,
             i % 100000, i % 5000, i % 300, i % 200, i % 100, (i % 9000) * 1.5,
             ((i * 104729) % 1000) / 1000.0,
             strftime('%Y-%m-%d %H:%M:%f', '2025-01-01', '+' || (i * 60) || ' seconds')
      FROM s)",
                      snapshots, videos));
  db.exec(fmt::format(R"(
      WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {0} - 1)
      INSERT INTO video_metadata (video_id, title, topic, duration_seconds, created_at, posted_at,
                                  status)
      SELECT 'video-' || i, 'Video ' || i, 'topic ' || (i % 50), 30.0 + i % 60,
             strftime('%Y-%m-%d %H:%M:%f', '2025-01-01', '+' || (i * 3600) || ' seconds'),
             CASE WHEN i % 10 < 7
                  THEN strftime('%Y-%m-%d %H:%M:%f', '2025-01-01', '+' || (i * 3600 + 7200) ||
                                ' seconds') END,
             CASE WHEN i % 10 < 7 THEN 'posted' WHEN i % 10 = 7 THEN 'draft'
                  WHEN i % 10 = 8 THEN 'rendered' ELSE 'archived' END
      FROM n)",
                      videos));
}

// Images of two characters (one drawn far more often), emotions of unequal
// frequency, and the uses of the images in videos' scenes, the popular
// images used far more often (the trigger counts each use).
void fill_image_library(Db& db, int images, int uses) {
  db.exec("SELECT emf_init('image_library')");
  db.exec(fmt::format(R"(
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {0})
      INSERT INTO image_library (character, emotion, pose, file_path, source, format,
                                 quality_score, timestamp)
      SELECT CASE WHEN i % 10 < 7 THEN 'butcher' ELSE 'nutsy' END,
             CASE i % 16 WHEN 0 THEN 'angry' WHEN 1 THEN 'sad' WHEN 2 THEN 'surprised'
                         WHEN 3 THEN 'confused' WHEN 4 THEN 'neutral' WHEN 5 THEN 'neutral'
                         ELSE 'happy' END,
             'pose ' || (i % 6), 'images/' || i || '.png', 'generated', 'png',
             ((i * 7919) % 1000) / 1000.0,
             strftime('%Y-%m-%d %H:%M:%f', '2025-01-01', '+' || (i * 60) || ' seconds')
      FROM n)",
                      images));
  db.exec(fmt::format(R"(
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {0}),
      u(i, x) AS (SELECT i, ((i * 7919) % 10007) / 10007.0 FROM n)
      INSERT INTO image_usage (image_id, video_id, scene_number, timestamp)
      SELECT 1 + CAST(({1} - 1) * x * x AS INTEGER), 'video-' || (i / 8), i % 8,
             strftime('%Y-%m-%d %H:%M:%f', '2025-01-01', '+' || (i * 600) || ' seconds')
      FROM u)",
                      uses, images));
}

// A fifth of the sizes the pipeline reaches (200,000 topics, 1,000,000
// snapshots, 50,000 images, 200,000 uses): large enough that every
// alternative plan costs more, small enough to fill in seconds.
constexpr int topics = 40000;
constexpr int snapshots = 200000;
constexpr int videos = 4000;
constexpr int images = 10000;
constexpr int uses = 40000;

TEST(QueryPlan, TrendsQueriesUseTheirIndexes) {
  TempDir dir(TempDir::Where::memory);
  Db db(dir.file("trends.db"));
  fill_trends(db, topics);
  ASSERT_GT(db.integer("SELECT count(*) FROM trending_topics WHERE used_flag = 0"), topics / 10);
  ASSERT_GT(db.integer("SELECT count(*) FROM trending_topics WHERE used_flag = 1"), topics / 2);

  const std::vector<Query> queries = {
      {"next topics",
       "SELECT * FROM trending_topics WHERE used_flag = 0 ORDER BY relevance_score DESC LIMIT 5",
       {},
       {"^SEARCH trending_topics USING INDEX idx_trending_topics_unused_by_relevance "
        "\\(used_flag=\\?\\)$"}},
      {"recent unused topics",
       "SELECT * FROM trending_topics WHERE used_flag = 0 AND timestamp >= ? "
       "ORDER BY timestamp DESC LIMIT 20",
       {"2025-06-01 00:00:00.000"},
       {"^SEARCH trending_topics USING INDEX idx_trending_topics_unused_recent "
        "\\(used_flag=\\? AND timestamp>\\?\\)$"}},
      {"claiming a topic",
       "UPDATE trending_topics SET used_flag = 1 WHERE id = (SELECT id FROM trending_topics "
       "WHERE used_flag = 0 ORDER BY relevance_score DESC LIMIT 1) RETURNING topic",
       {},
       {"^SEARCH trending_topics USING INTEGER PRIMARY KEY \\(rowid=\\?\\)$",
        "^SEARCH trending_topics USING COVERING INDEX idx_trending_topics_unused_by_relevance "
        "\\(used_flag=\\?\\)$"}},
  };
  expect_all(db, queries);

  // The claim takes one of the most relevant unused topics, and only it.
  const auto best =
      db.text("SELECT max(relevance_score) FROM trending_topics NOT INDEXED WHERE used_flag = 0");
  const auto unused = db.integer("SELECT count(*) FROM trending_topics WHERE used_flag = 0");
  const auto claimed = db.text(queries[2].sql);
  EXPECT_EQ(db.integer("SELECT count(*) FROM trending_topics WHERE used_flag = 0"), unused - 1);
  EXPECT_EQ(db.rows("SELECT used_flag, relevance_score FROM trending_topics WHERE topic = '" +
                    claimed + "'"),
            (std::vector<std::vector<std::string>>{{"1", best}}));
}

TEST(QueryPlan, MetricsQueriesUseTheirIndexes) {
  TempDir dir(TempDir::Where::memory);
  Db db(dir.file("metrics.db"));
  fill_metrics(db, snapshots, videos);
  // Skewed: the most watched video has far more snapshots than the average.
  ASSERT_GT(db.integer("SELECT max(n) FROM (SELECT count(*) AS n FROM video_metrics "
                       "GROUP BY video_id)"),
            10 * snapshots / videos);

  // The view reads video_metrics_latest first: a seek there for the pairs
  // asked for, then each latest snapshot by its id, then its metadata. No
  // snapshot that is not the latest is read.
  const std::string snapshot_by_id = "^SEARCH m USING INTEGER PRIMARY KEY \\(rowid=\\?\\)$";
  const std::string metadata_by_video =
      "^SEARCH v USING INDEX sqlite_autoindex_video_metadata_1 \\(video_id=\\?\\) LEFT-JOIN$";
  const std::vector<Query> queries = {
      {"one video's latest metrics",
       "SELECT * FROM latest_video_metrics WHERE video_id = ?",
       {"video-0"},
       {"^SEARCH l USING COVERING INDEX sqlite_autoindex_video_metrics_latest_1 "
        "\\(video_id=\\?\\)$",
        snapshot_by_id, metadata_by_video}},
      {"all latest metrics on one platform",
       "SELECT * FROM latest_video_metrics WHERE platform = ?",
       {"instagram"},
       {"^SEARCH l USING COVERING INDEX idx_video_metrics_latest_platform \\(platform=\\?\\)$",
        snapshot_by_id, metadata_by_video}},
      {"top engagement on a platform since a date",
       "SELECT * FROM video_metrics WHERE platform = ? AND timestamp >= ? "
       "ORDER BY engagement_rate DESC LIMIT 10",
       {"tiktok", "2025-05-01 00:00:00.000"},
       {"^SEARCH video_metrics USING INDEX idx_video_metrics_platform_engagement "
        "\\(platform=\\?\\)$"}},
      {"posted videos, newest first",
       "SELECT * FROM video_metadata WHERE status = 'posted' ORDER BY created_at DESC LIMIT 20",
       {},
       {"^SEARCH video_metadata USING INDEX idx_video_metadata_status_created "
        "\\(status=\\?\\)$"}},
  };
  expect_all(db, queries);
}

TEST(QueryPlan, ImageLibraryQueriesUseTheirIndexes) {
  TempDir dir(TempDir::Where::memory);
  Db db(dir.file("image_library.db"));
  fill_image_library(db, images, uses);
  ASSERT_EQ(db.integer("SELECT sum(usage_count) FROM image_library"), uses);
  ASSERT_GT(db.integer("SELECT max(usage_count) FROM image_library"), 10 * uses / images);

  const std::vector<Query> queries = {
      {"picking an image",
       "SELECT * FROM image_library WHERE character = ? AND emotion = ? "
       "ORDER BY usage_count, quality_score DESC LIMIT 1",
       {"butcher", "happy"},
       {"^SEARCH image_library USING INDEX idx_image_library_pick "
        "\\(character=\\? AND emotion=\\?\\)$"}},
      {"a video's images",
       "SELECT image_id FROM image_usage WHERE video_id = ? ORDER BY scene_number",
       {"video-7"},
       {"^SEARCH image_usage USING COVERING INDEX idx_image_usage_video_scene "
        "\\(video_id=\\?\\)$"}},
  };
  expect_all(db, queries);

  // The pick is the least used image, the best of those.
  EXPECT_EQ(db.text("SELECT id FROM image_library WHERE character = 'butcher' AND emotion = "
                    "'happy' ORDER BY usage_count, quality_score DESC LIMIT 1"),
            db.text("SELECT id FROM image_library NOT INDEXED WHERE character = 'butcher' AND "
                    "emotion = 'happy' ORDER BY usage_count, quality_score DESC, id LIMIT 1"));
}

// The VM steps of reading the latest metrics of one platform, and of one
// video (video-0, on both platforms), with `snapshots_per_pair` snapshots of
// each (video, platform) pair.
struct LatestWork {
  double platform_steps_per_row = 0;
  std::int64_t video_steps = 0;
};

LatestWork latest_work(int snapshots_per_pair) {
  constexpr int platform_videos = 200;
  TempDir dir(TempDir::Where::memory);
  Db db(dir.file("metrics.db"));
  db.exec("SELECT emf_init('metrics')");
  db.exec(fmt::format(R"(
      WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {0} - 1)
      INSERT INTO video_metrics (video_id, platform, views, engagement_rate, timestamp)
      SELECT 'video-' || (i % {1}), CASE WHEN (i / {1}) % 2 = 0 THEN 'tiktok' ELSE 'youtube' END,
             i, 0.5, strftime('%Y-%m-%d %H:%M:%f', '2025-01-01', '+' || (i * 60) || ' seconds')
      FROM n)",
                      2 * platform_videos * snapshots_per_pair, platform_videos));
  LatestWork work;
  Statement platform(db, "SELECT video_id FROM latest_video_metrics WHERE platform = ?",
                     {"tiktok"});
  const auto rows = platform.run();
  EXPECT_EQ(rows.size(), static_cast<std::size_t>(platform_videos));
  work.platform_steps_per_row =
      platform.status(SQLITE_STMTSTATUS_VM_STEP) / static_cast<double>(rows.size());
  Statement video(db, "SELECT * FROM latest_video_metrics WHERE video_id = ?", {"video-0"});
  const auto latest = video.run(10);
  EXPECT_EQ(latest.size(), 2U);
  work.video_steps = video.status(SQLITE_STMTSTATUS_VM_STEP);
  return work;
}

TEST(QueryPlan, LatestMetricsCostWhatTheyReturn) {
  // A hundred times the snapshots of each pair, the same pairs: the same
  // steps, where reading each pair's snapshots would take a hundred times
  // as many.
  const LatestWork few = latest_work(2);
  const LatestWork many = latest_work(200);
  EXPECT_LT(many.platform_steps_per_row, few.platform_steps_per_row * 1.2)
      << few.platform_steps_per_row << " steps a row with 2 snapshots a pair, "
      << many.platform_steps_per_row << " with 200";
  EXPECT_LT(many.video_steps, few.video_steps * 1.2)
      << few.video_steps << " steps with 2 snapshots a pair, " << many.video_steps << " with 200";
}

}  // namespace
}  // namespace emf::test
