// Versioned migrations: a version-1 database full of rows upgrades with
// every row intact; emf_migrations and emf_plan say what is applied and what
// would be; a changed migration or a newer database blocks emf_init (migrators
// at once: concurrency_test).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "support/fixtures.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

// Every row of the guide's trends columns, as one text; times as the
// instants they stand for (milliseconds since 1970), whatever their form.
std::string trends_rows(Db& db) {
  const auto instant = [](const char* column) {
    return fmt::format("CAST(round((julianday({}) - 2440587.5) * 86400000) AS INTEGER)", column);
  };
  return db.text(fmt::format(
      "SELECT group_concat(id || '|' || topic || '|' || source || '|' || {} || '|' || "
      "coalesce(relevance_score, '-') || '|' || used_flag || '|' || coalesce(category, '-') || '|' "
      "|| coalesce(metadata, '-') || '|' || {} || '|' || {}, char(10)) FROM "
      "(SELECT * FROM trending_topics ORDER BY id)",
      instant("timestamp"), instant("created_at"), instant("updated_at")));
}

void fill_version_1_trends(Db& db, int rows) {
  db.exec(fmt::format(
      "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < {}) "
      "INSERT INTO trending_topics (topic, source, timestamp, relevance_score, used_flag, "
      "category, "
      "metadata, created_at, updated_at) SELECT 'topic ' || v, 'src' || (v % 5), "
      "strftime('%Y-%m-%dT%H:%M:%fZ', '2025-01-01', '+' || v || ' minutes'), (v % 100) / 100.0, "
      "v % 2, 'cat' || (v % 3), json_object('v', v), '2025-01-01T00:00:00.000Z', "
      "'2025-01-02T00:00:00.000Z' FROM n",
      rows));
  db.exec("INSERT INTO search_history (query, result_count) VALUES ('a', 1), ('b', 2)");
}

TEST(Migrations, AVersion1DatabaseUpgradesWithEveryRowIntact) {
  TempDir dir;
  Db db(dir.file("trends.db"));
  make_version_1(db, "trends");
  fill_version_1_trends(db, 2000);
  const std::string before = trends_rows(db);
  ASSERT_EQ(db.json(db.text("SELECT emf_check('trends')"), "$.kinds[0].pending"), "[2,3,4]");
  const std::int64_t sequence =
      db.integer("SELECT seq FROM sqlite_sequence WHERE name = 'trending_topics'");

  const std::string report = db.text("SELECT emf_init('trends')");
  EXPECT_EQ(db.json(report, "$.applied"), "[2,3,4]");
  EXPECT_EQ(db.json(report, "$.version"), "4");
  EXPECT_EQ(db.json(report, "$.baseline"), "NULL");
  EXPECT_EQ(db.json(report, "$.rebuilt"), "[\"trending_topics\",\"search_history\"]");
  // Every stored time converted: 2,000 rows of three times, and two searches.
  EXPECT_EQ(db.json(report, "$.converted"), "6002");
  // Instant for instant the same rows (updated_at untouched by the migration
  // too), every time now in the one stored form.
  EXPECT_EQ(trends_rows(db), before);
  EXPECT_EQ(db.integer("SELECT count(*) FROM trending_topics WHERE timestamp GLOB '*[TZ]*' OR "
                       "created_at GLOB '*[TZ]*' OR updated_at GLOB '*[TZ]*' OR "
                       "timestamp <> strftime('%Y-%m-%d %H:%M:%f', timestamp)"),
            0);
  EXPECT_EQ(db.integer("SELECT seq FROM sqlite_sequence WHERE name = 'trending_topics'"), sequence);
  EXPECT_EQ(db.integer("PRAGMA foreign_keys"), 1);
  // emf's own history too.
  EXPECT_EQ(db.integer("SELECT count(*) FROM emf_schema_history WHERE applied_at <> "
                       "strftime('%Y-%m-%d %H:%M:%f', applied_at)"),
            0);
  EXPECT_EQ(db.integer("SELECT count(*) FROM trending_topics WHERE priority = 0"), 2000);
  EXPECT_EQ(db.integer("SELECT count(*) FROM search_history"), 2);
  EXPECT_EQ(db.json(db.text("SELECT emf_check('trends')"), "$.ok"), "1");
  // The upgraded schema checks clean against a fresh install of version 4.
  Db fresh;
  fresh.exec("SELECT emf_init('trends')");
  EXPECT_EQ(db.rows("SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite%' "
                    "ORDER BY name"),
            fresh.rows("SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite%' "
                       "ORDER BY name"));
}

TEST(Migrations, EmfMigrationsListsAppliedPendingAndModified) {
  Db db;
  make_version_1(db, "trends");
  auto rows = db.rows(
      "SELECT version, name, checksum, applied_at IS NOT NULL, "
      "status FROM emf_migrations('trends')");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{"1", "initial",
                                      sha256_of_file(EMF_SOURCE_DIR "/sql/trends/001_initial.sql"),
                                      "1", "applied"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{
                         "2", "topic_priority",
                         sha256_of_file(EMF_SOURCE_DIR "/sql/trends/002_topic_priority.sql"), "0",
                         "pending"}));
  db.exec("SELECT emf_init('trends')");
  EXPECT_EQ(
      db.rows("SELECT status FROM emf_migrations('trends')"),
      (std::vector<std::vector<std::string>>{{"applied"}, {"applied"}, {"applied"}, {"applied"}}));
  db.exec("UPDATE emf_schema_history SET checksum = 'changed' WHERE version = 2");
  EXPECT_EQ(db.rows("SELECT version, checksum, status FROM emf_migrations('trends')")[1],
            (std::vector<std::string>{"2", "changed", "modified"}));
  // Not installed: everything pending. The kind is required.
  EXPECT_EQ(db.integer("SELECT count(*) FROM emf_migrations('metrics') WHERE status = 'pending'"),
            4);
  EXPECT_EQ(*db.error("SELECT * FROM emf_migrations"),
            "emf_migrations: kind is NULL (expected trends, metrics or image_library)");
}

TEST(Migrations, AChangedMigrationBlocksInitAndSaysHow) {
  TempDir dir;
  Db db(dir.file("t.db"));
  make_version_1(db, "trends");
  db.exec("UPDATE emf_schema_history SET checksum = 'abc123'");
  const std::string before = db.dump();
  const auto error = db.error("SELECT emf_init('trends')");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error,
            "emf_init: sql/trends/001_initial.sql was applied with checksum abc123, but the "
            "embedded file now has " +
                sha256_of_file(EMF_SOURCE_DIR "/sql/trends/001_initial.sql") +
                "; an applied migration must never change: restore its text and add a new "
                "migration instead");
  EXPECT_EQ(db.dump(), before);
  EXPECT_EQ(db.text("PRAGMA journal_mode"), "delete");
  EXPECT_TRUE(db.error("SELECT emf_plan('trends')").has_value());
}

TEST(Migrations, ADatabaseFromANewerEmfIsRefused) {
  Db db;
  db.exec("SELECT emf_init('metrics')");
  db.exec(
      "INSERT INTO emf_schema_history (kind, version, name, checksum) "
      "VALUES ('metrics', 7, 'from_the_future', 'x')");
  const auto error = db.error("SELECT emf_init('metrics')");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error,
            "emf_init: metrics is at version 7, applied by a newer emf; this emf knows versions up "
            "to 4; upgrade emf");
  const std::string check = db.text("SELECT emf_check('metrics')");
  EXPECT_EQ(db.json(check, "$.ok"), "0");
  EXPECT_EQ(db.text("SELECT status || ' ' || detail FROM emf_objects('metrics') WHERE type = "
                    "'migration'"),
            "extra applied by a newer emf; this one knows versions up to 4");
  EXPECT_EQ(db.text("SELECT status FROM emf_migrations('metrics') WHERE version = 7"), "newer");
  // Every function that writes refuses it the same way, changing nothing:
  // repair would put older definitions back, reset an older schema.
  db.exec("DROP INDEX idx_video_metrics_platform");
  const std::string before = db.dump();
  for (const char* call : {"emf_repair('metrics')", "emf_seed('metrics')", "emf_seed('metrics', 3)",
                           "emf_reset('metrics')"}) {
    SCOPED_TRACE(call);
    const auto refused = db.error(fmt::format("SELECT {}", call));
    ASSERT_TRUE(refused.has_value());
    EXPECT_NE(refused->find(": metrics is at version 7, applied by a newer emf; this emf knows "
                            "versions up to 4; upgrade emf"),
              std::string::npos)
        << *refused;
    EXPECT_EQ(db.dump(), before);
  }
}

// The pipeline's indexes (trends 4, metrics 3, image_library 3): a database
// at the version before, full of rows, gains them and nothing else; every
// row stays as it was and the database checks clean (later versions undone
// first and applied again).
TEST(Migrations, ThePipelineIndexesArriveOnAPreviousVersionWithItsRows) {
  struct Added {
    std::string kind;
    int version;  // the migration that adds them
    std::vector<std::string> indexes;
  };
  const std::vector<Added> added = {
      {"trends", 4, {"idx_trending_topics_unused_by_relevance"}},
      {"metrics",
       3,
       {"idx_video_metrics_platform_engagement", "idx_video_metadata_status_created"}},
      {"image_library", 3, {"idx_image_library_pick", "idx_image_usage_video_scene"}},
  };
  for (const auto& [kind, version, indexes] : added) {
    SCOPED_TRACE(kind);
    TempDir dir;
    Db db(dir.file(kind + ".db"));
    db.exec(fmt::format("SELECT emf_init('{0}'), emf_seed('{0}', 500)", kind));
    const std::int64_t latest = db.integer(
        fmt::format("SELECT max(version) FROM emf_schema_history WHERE kind = '{}'", kind));
    // The version before, as an emf of that version left it: the migration
    // only adds these indexes (metrics 4 comes after it: undone first).
    const auto back_to_the_version_before = [&, &kind = kind, &version = version,
                                             &indexes = indexes] {
      if (kind == "metrics") make_metrics_version_3(db);
      if (kind == "image_library") make_image_library_version_3(db);
      for (const auto& index : indexes) db.exec("DROP INDEX " + index);
      db.exec(fmt::format("DELETE FROM emf_schema_history WHERE kind = '{}' AND version = {}", kind,
                          version));
    };
    back_to_the_version_before();
    std::string pending;
    for (std::int64_t each = version; each <= latest; ++each) {
      pending += (pending.empty() ? "" : ",") + std::to_string(each);
    }
    ASSERT_EQ(db.json(db.text(fmt::format("SELECT emf_check('{}')", kind)), "$.kinds[0].pending"),
              "[" + pending + "]");
    const std::string before = db.dump();

    const std::string report = db.text(fmt::format("SELECT emf_init('{}')", kind));
    EXPECT_EQ(db.json(report, "$.applied"), "[" + pending + "]");
    EXPECT_EQ(db.json(report, "$.rebuilt"), "NULL") << report;
    for (const auto& index : indexes) {
      EXPECT_EQ(db.integer("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = '" +
                           index + "'"),
                1)
          << index;
    }
    EXPECT_EQ(db.json(db.text(fmt::format("SELECT emf_check('{}')", kind)), "$.ok"), "1");
    // The same rows and objects: only the indexes and the history row differ.
    back_to_the_version_before();
    EXPECT_EQ(db.dump(), before);
  }
}

// image_library 4 makes a use cheaper and changes nothing else: a database
// at version 3, with its rows, upgrades with every row as it was, and then
// the same uses and updates leave every row as version 3's triggers leave
// them: late uses, times in other forms, NULLs, a time set to itself.
TEST(Migrations, ImageLibrary4KeepsWhatUsesAndUpdatesWrite) {
  TempDir dir;
  Db version_4(dir.file("4.db"));
  version_4.exec("SELECT emf_init('image_library'), emf_seed('image_library', 300)");
  make_image_library_version_3(version_4);
  version_4.exec(fmt::format("VACUUM INTO '{}'", dir.file("3.db")));
  Db version_3(dir.file("3.db"));
  const std::string before = version_4.dump();
  const std::string report = version_4.text("SELECT emf_init('image_library')");
  EXPECT_EQ(version_4.json(report, "$.applied"), "[4]");
  EXPECT_EQ(version_4.json(report, "$.rebuilt"), "NULL") << report;
  EXPECT_EQ(version_4.json(version_4.text("SELECT emf_check('image_library')"), "$.ok"), "1");
  // Only the two triggers and the history row differ.
  make_image_library_version_3(version_4);
  EXPECT_EQ(version_4.dump(), before);
  version_4.exec("SELECT emf_init('image_library')");

  const auto expect_same_rows = [&] {
    for (const char* table : {"image_library", "image_usage"}) {
      const std::string rows = fmt::format("SELECT * FROM {} ORDER BY id", table);
      ASSERT_EQ(version_4.rows(rows), version_3.rows(rows)) << table;
    }
  };
  const std::vector<std::string> writes = {
      // A first use of images never used, and uses of images used already:
      // later, earlier (recorded late), equal, in every form.
      "INSERT INTO image_library (id, character, file_path, timestamp, created_at) "
      "VALUES (9001, 'nutsy', 'new.png', '2026-11-24', '2026-11-24')",
      "INSERT INTO image_usage (image_id, timestamp) VALUES (9001, '2026-11-25T09:00:00Z')",
      "INSERT INTO image_usage (image_id, timestamp) VALUES (9001, '2026-11-25 08:00')",
      "INSERT INTO image_usage (image_id, timestamp) VALUES (9001, '2026-11-25 11:00:00+02:00')",
      "INSERT INTO image_usage (image_id, timestamp) VALUES (9001, '2026-11-25 09:00:00.0005')",
      "INSERT INTO image_usage (image_id, timestamp) "
      "SELECT id, strftime('%Y-%m-%dT%H:%M:%fZ', coalesce(last_used_at, timestamp), "
      "(id % 7 - 3) || ' hours') FROM image_library WHERE id % 3 = 0",
      "INSERT INTO image_usage (image_id, timestamp) "
      "SELECT id, coalesce(last_used_at, '2026-01-01') FROM image_library WHERE id % 5 = 0",
      // Updates of one time, of another with the rest set to themselves, of
      // a time to the same instant in another form, and to NULL.
      "UPDATE image_library SET created_at = '2026-11-25T09:08:07Z' WHERE id % 4 = 1",
      "UPDATE image_library SET timestamp = timestamp, created_at = created_at, "
      "last_used_at = '2026-11-25 11:08:07.5+02:00' WHERE id % 4 = 2",
      "UPDATE image_library SET last_used_at = replace(last_used_at, ' ', 'T') || 'Z' "
      "WHERE id % 4 = 3 AND last_used_at IS NOT NULL",
      "UPDATE image_library SET timestamp = '2026-11-25 09:08', last_used_at = last_used_at "
      "WHERE id % 6 = 0",
      "UPDATE image_library SET last_used_at = NULL, usage_count = 0 WHERE id % 9 = 0",
      "INSERT INTO image_usage (image_id, timestamp) "
      "SELECT id, '2026-11-26T00:00:00-01:00' FROM image_library WHERE id % 9 = 0",
  };
  for (const std::string& write : writes) {
    SCOPED_TRACE(write);
    version_3.exec(write);
    version_4.exec(write);
    expect_same_rows();
  }
  EXPECT_EQ(
      version_4.integer("SELECT count(*) FROM image_library WHERE last_used_at IS NOT "
                        "strftime('%Y-%m-%d %H:%M:%f', julianday(last_used_at)) OR "
                        "created_at IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday(created_at))"),
      0);
}

TEST(Migrations, PlanSaysWhatInitWouldDoAndChangesNothing) {
  TempDir dir;
  Db db(dir.file("t.db"));
  make_version_1(db, "trends");
  fill_version_1_trends(db, 3);
  const std::string before = db.dump();
  const std::string plan = db.text("SELECT emf_plan('trends')");
  EXPECT_EQ(db.json(plan, "$.version"), "1");
  EXPECT_EQ(db.json(plan, "$.latest"), "4");
  EXPECT_EQ(db.json(plan, "$.adopt"), "0");
  EXPECT_EQ(db.json(plan, "$.has_data"), "1");
  EXPECT_EQ(db.json(plan, "$.steps[0].name"), "topic_priority");
  EXPECT_EQ(db.json(plan, "$.steps[0].sql")
                .find("ALTER TABLE \"main\".trending_topics ADD COLUMN priority INTEGER NOT NULL "
                      "DEFAULT 0;"),
            0u);
  EXPECT_EQ(db.json(plan, "$.steps[1].name"), "exact_values");
  EXPECT_EQ(db.json(plan, "$.steps[2].name"), "pipeline_indexes");
  EXPECT_EQ(db.json(plan, "$.steps[3]"), "NULL");
  EXPECT_EQ(db.dump(), before);
  db.exec("SELECT emf_init('trends')");
  EXPECT_EQ(db.json(db.text("SELECT emf_plan('trends')"), "$.steps"), "[]");
  // On an attached schema the SQL names it.
  db.exec(fmt::format("ATTACH '{}' AS aux", dir.file("aux.db")));
  EXPECT_NE(db.json(db.text("SELECT emf_plan('metrics', 'aux')"), "$.steps[0].sql")
                .find("CREATE TABLE \"aux\".video_metrics"),
            std::string::npos);
}

// The plan of a database holding only the user's empty table and a view:
// nothing to adopt or rebuild, and no rows until one is added.
TEST(Migrations, ThePlanOfADatabaseWithoutRowsSaysSo) {
  Db db;
  db.exec("CREATE VIEW my_view AS SELECT 1 AS one; CREATE TABLE my_empty (x)");
  const std::string before = db.dump();
  const std::string plan = db.text("SELECT emf_plan('trends')");
  EXPECT_EQ(db.json(plan, "$.version"), "0");
  EXPECT_EQ(db.json(plan, "$.adopt"), "0");
  EXPECT_EQ(db.json(plan, "$.has_data"), "0");
  EXPECT_EQ(db.json(plan, "$.rebuilds"), "[]");
  EXPECT_EQ(db.json(plan, "$.steps[2].name"), "exact_values");
  EXPECT_EQ(db.dump(), before);
  db.exec("INSERT INTO my_empty VALUES (1)");
  EXPECT_EQ(db.json(db.text("SELECT emf_plan('trends')"), "$.has_data"), "1");
}

}  // namespace
}  // namespace emf::test
