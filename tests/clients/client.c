/*
** The clients scenario from a C program that loads libemf with
** sqlite3_load_extension, as any C or C++ application would:
**
**   emf_c_client EXTENSION FOLDER
**
** Creates, seeds and checks the three databases in FOLDER, then does what one
** pipeline run does with prepared statements. Prints key=value lines, the
** same keys as scenario.sql; clients_test.cpp checks them. Exits 1 naming the
** statement that failed.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char* const kinds[] = {"trends", "metrics", "image_library"};

static void fail(sqlite3* db, const char* what) {
  fprintf(stderr, "emf_c_client: %s: %s\n", what, sqlite3_errmsg(db));
  exit(1);
}

static sqlite3_stmt* prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) fail(db, sql);
  return stmt;
}

static void exec(sqlite3* db, const char* sql) {
  char* message = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK) {
    fprintf(stderr, "emf_c_client: %s: %s\n", sql, message);
    exit(1);
  }
}

/* Steps a statement that must yield a row; prints its first column as key=value. */
static void show_row(sqlite3* db, sqlite3_stmt* stmt, const char* key) {
  if (sqlite3_step(stmt) != SQLITE_ROW) fail(db, sqlite3_sql(stmt));
  printf("%s=%s\n", key, (const char*)sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
}

static void show(sqlite3* db, const char* key, const char* sql) {
  show_row(db, prepare(db, sql), key);
}

/* The same with one text parameter. */
static void show_with(sqlite3* db, const char* key, const char* sql, const char* parameter) {
  sqlite3_stmt* stmt = prepare(db, sql);
  sqlite3_bind_text(stmt, 1, parameter, -1, SQLITE_TRANSIENT);
  show_row(db, stmt, key);
}

static sqlite3* open_kind(const char* folder, const char* kind, const char* extension) {
  char path[4096];
  sqlite3* db = NULL;
  snprintf(path, sizeof path, "%s/%s.db", folder, kind);
  if (sqlite3_open(path, &db) != SQLITE_OK) fail(db, path);
  /* Only the C API may load; SQL's load_extension() stays off. */
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 1, NULL);
  char* message = NULL;
  if (sqlite3_load_extension(db, extension, NULL, &message) != SQLITE_OK) {
    fprintf(stderr, "emf_c_client: cannot load %s: %s\n", extension, message);
    exit(1);
  }
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
  return db;
}

static void upsert_snapshot(sqlite3* db, const char* platform, int views, int likes,
                            const char* timestamp) {
  sqlite3_stmt* stmt = prepare(db,
                               "INSERT INTO video_metrics (video_id, platform, views, likes, "
                               "timestamp) VALUES ('emf-0004', ?1, ?2, ?3, ?4) "
                               "ON CONFLICT (video_id, platform, timestamp) DO UPDATE "
                               "SET views = excluded.views, likes = excluded.likes");
  sqlite3_bind_text(stmt, 1, platform, -1, SQLITE_STATIC);
  sqlite3_bind_int(stmt, 2, views);
  sqlite3_bind_int(stmt, 3, likes);
  sqlite3_bind_text(stmt, 4, timestamp, -1, SQLITE_STATIC);
  if (sqlite3_step(stmt) != SQLITE_DONE) fail(db, "upsert snapshot");
  sqlite3_finalize(stmt);
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: emf_c_client EXTENSION FOLDER\n");
    return 2;
  }
  sqlite3* dbs[3];
  for (int i = 0; i < 3; ++i) {
    char key[64];
    dbs[i] = open_kind(argv[2], kinds[i], argv[1]);
    snprintf(key, sizeof key, "%s.init", kinds[i]);
    show_with(dbs[i], key, "SELECT emf_init(?)", kinds[i]);
    snprintf(key, sizeof key, "%s.seed", kinds[i]);
    show_with(dbs[i], key, "SELECT emf_seed(?)", kinds[i]);
    snprintf(key, sizeof key, "%s.check_ok", kinds[i]);
    show_with(dbs[i], key, "SELECT json_extract(emf_check(?), '$.ok')", kinds[i]);
  }
  sqlite3* trends = dbs[0];
  sqlite3* metrics = dbs[1];
  sqlite3* images = dbs[2];

  /* The write lock before the read: two runs never claim the same topic. */
  exec(trends, "BEGIN IMMEDIATE");
  sqlite3_stmt* claim = prepare(trends,
                                "UPDATE trending_topics SET used_flag = 1 "
                                "WHERE id = (SELECT id FROM trending_topics WHERE used_flag = 0 "
                                "ORDER BY priority DESC, relevance_score DESC, id LIMIT 1) "
                                "RETURNING topic");
  if (sqlite3_step(claim) != SQLITE_ROW) fail(trends, "claim a topic");
  char topic[512];
  snprintf(topic, sizeof topic, "%s", (const char*)sqlite3_column_text(claim, 0));
  if (sqlite3_step(claim) != SQLITE_DONE) fail(trends, "claim a topic");
  sqlite3_finalize(claim);
  exec(trends, "COMMIT");
  printf("claimed=%s\n", topic);
  show(trends, "unused_topics", "SELECT count(*) FROM trending_topics WHERE used_flag = 0");

  exec(metrics, "BEGIN");
  sqlite3_stmt* video = prepare(metrics,
                                "INSERT INTO video_metadata (video_id, title, topic, "
                                "duration_seconds, status) VALUES ('emf-0004', "
                                "'Butcher reviews AI art', ?1, 41.0, 'rendered') "
                                "ON CONFLICT (video_id) DO UPDATE SET title = excluded.title, "
                                "topic = excluded.topic, status = excluded.status");
  sqlite3_bind_text(video, 1, topic, -1, SQLITE_STATIC);
  if (sqlite3_step(video) != SQLITE_DONE) fail(metrics, "record the video");
  sqlite3_finalize(video);
  upsert_snapshot(metrics, "tiktok", 100, 10, "2026-11-23 18:00:00.000");
  upsert_snapshot(metrics, "tiktok", 250, 30, "2026-11-23 18:00:00.000"); /* the same poll */
  upsert_snapshot(metrics, "tiktok", 900, 120, "2026-11-24 18:00:00.000");
  upsert_snapshot(metrics, "instagram", 40, 2, "2026-11-24 18:00:00.000");
  exec(metrics, "COMMIT");
  show(metrics, "video.snapshots",
       "SELECT count(*) FROM video_metrics WHERE video_id = 'emf-0004'");
  show(metrics, "video.upserted_views",
       "SELECT views FROM video_metrics WHERE video_id = 'emf-0004' AND platform = 'tiktok' "
       "AND timestamp = '2026-11-23 18:00:00.000'");
  show(metrics, "video_metrics.rows", "SELECT count(*) FROM video_metrics");
  show(metrics, "latest.rows", "SELECT count(*) FROM latest_video_metrics");
  show(metrics, "latest.emf-0004",
       "SELECT group_concat(platform || ':' || views, ',') FROM (SELECT platform, views "
       "FROM latest_video_metrics WHERE video_id = 'emf-0004' ORDER BY platform)");
  show(
      metrics, "latest.emf-0004.topic",
      "SELECT topic FROM latest_video_metrics WHERE video_id = 'emf-0004' AND platform = 'tiktok'");
  show(metrics, "latest.top",
       "SELECT video_id || '/' || platform || '/' || views FROM latest_video_metrics "
       "ORDER BY views DESC LIMIT 1");

  exec(images,
       "INSERT INTO image_library (character, emotion, pose, file_path, source, quality_score) "
       "VALUES ('butcher', 'happy', 'sitting', 'images/butcher/happy_sitting.png', 'generated', "
       "0.8)");
  exec(images, "BEGIN IMMEDIATE");
  sqlite3_stmt* pick = prepare(images,
                               "SELECT id, file_path FROM image_library WHERE character = ?1 "
                               "AND emotion = ?2 ORDER BY usage_count, quality_score DESC, id "
                               "LIMIT 1");
  sqlite3_bind_text(pick, 1, "butcher", -1, SQLITE_STATIC);
  sqlite3_bind_text(pick, 2, "happy", -1, SQLITE_STATIC);
  if (sqlite3_step(pick) != SQLITE_ROW) fail(images, "pick an image");
  const sqlite3_int64 image_id = sqlite3_column_int64(pick, 0);
  printf("picked=%s\n", (const char*)sqlite3_column_text(pick, 1));
  sqlite3_finalize(pick);
  sqlite3_stmt* use = prepare(images,
                              "INSERT INTO image_usage (image_id, video_id, scene_number, "
                              "timestamp) VALUES (?1, 'emf-0004', 1, '2026-11-24T18:30:00Z')");
  sqlite3_bind_int64(use, 1, image_id);
  if (sqlite3_step(use) != SQLITE_DONE) fail(images, "record the image's use");
  sqlite3_finalize(use);
  exec(images, "COMMIT");
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT usage_count FROM image_library WHERE id = %lld",
           (long long)image_id);
  show(images, "picked.usage_count", sql);
  snprintf(sql, sizeof sql, "SELECT last_used_at FROM image_library WHERE id = %lld",
           (long long)image_id);
  show(images, "picked.last_used_at", sql);
  show(images, "image_usage.rows", "SELECT count(*) FROM image_usage");

  for (int i = 0; i < 3; ++i) {
    char key[64];
    snprintf(key, sizeof key, "%s.final_check_ok", kinds[i]);
    show_with(dbs[i], key, "SELECT json_extract(emf_check(?), '$.ok')", kinds[i]);
    if (sqlite3_close(dbs[i]) != SQLITE_OK) fail(dbs[i], "close");
  }
  return 0;
}
