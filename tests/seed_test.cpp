// emf_seed: the canonical sample (idempotent), synthetic rows (deterministic
// for a seed, independent of the clock), and its preconditions.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>
#include <iterator>
#include <set>

#include "support/database_digest.h"
#include "support/fixtures.h"
#include "support/frozen_clock_vfs.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

TEST(Seed, SampleDataIsRealisticAndASecondRunAddsNothing) {
  Db db;
  for (const char* kind : {"trends", "metrics", "image_library"}) {
    db.exec(fmt::format("SELECT emf_init('{}')", kind));
  }
  EXPECT_EQ(db.text("SELECT emf_seed('trends')"),
            R"({"kind":"trends","inserted":{"trending_topics":6,"search_history":4}})");
  EXPECT_EQ(db.text("SELECT emf_seed('metrics')"),
            R"({"kind":"metrics","inserted":{"video_metrics":8,"video_metadata":3}})");
  EXPECT_EQ(db.text("SELECT emf_seed('image_library')"),
            R"({"kind":"image_library","inserted":{"image_library":6,"image_usage":4,)"
            R"("image_collections":2,"collection_images":5}})");
  const std::string before = db.dump();
  EXPECT_EQ(db.text("SELECT emf_seed('trends')"),
            R"({"kind":"trends","inserted":{"trending_topics":0,"search_history":0}})");
  db.exec("SELECT emf_seed('metrics'), emf_seed('image_library')");
  EXPECT_EQ(db.dump(), before);

  // Several sources, platforms, both characters, several emotions and poses.
  EXPECT_GE(db.integer("SELECT count(DISTINCT source) FROM trending_topics"), 3);
  EXPECT_GE(db.integer("SELECT count(DISTINCT platform) FROM video_metrics"), 3);
  EXPECT_EQ(db.integer("SELECT count(DISTINCT character) FROM image_library"), 2);
  EXPECT_GE(db.integer("SELECT count(DISTINCT emotion) FROM image_library"), 4);
  EXPECT_GE(db.integer("SELECT count(DISTINCT pose) FROM image_library"), 3);
  // The usage trigger counted each sample use exactly once.
  EXPECT_EQ(db.integer("SELECT sum(usage_count) FROM image_library"), 4);
  EXPECT_EQ(db.integer("SELECT count(*) FROM latest_video_metrics"), 4);
}

TEST(Seed, SyntheticRowsFillEveryTable) {
  Db db;
  db.exec("SELECT emf_init('image_library')");
  EXPECT_EQ(db.text("SELECT emf_seed('image_library', 500, 7)"),
            R"({"kind":"image_library","inserted":{"image_library":500,"image_usage":500,)"
            R"("image_collections":500,"collection_images":500}})");
  EXPECT_EQ(db.integer("SELECT count(*) FROM image_library"), 500);
  EXPECT_EQ(db.integer("SELECT sum(usage_count) FROM image_library"), 500);
  EXPECT_EQ(db.integer("SELECT count(*) FROM pragma_foreign_key_check"), 0);
  EXPECT_EQ(db.json(db.text("SELECT emf_check()"), "$.ok"), "1");
}

TEST(Seed, SyntheticRowsAreDeterministicForASeedAndDifferForAnother) {
  // Each run on a clock stopped at another instant: the rows must not care.
  auto seeded = [](std::int64_t seed, std::int64_t julian_ms) {
    register_frozen_clock_vfs(julian_ms);
    Db db(":memory:", true, kFrozenClockVfs);
    for (const char* kind : {"trends", "metrics", "image_library"}) {
      db.exec(fmt::format("SELECT emf_init('{}')", kind));
      db.exec(fmt::format("SELECT emf_seed('{}', 200, {})", kind, seed));
    }
    // History rows carry the time of the run; compare the data only.
    db.exec("DELETE FROM emf_schema_history");
    return db.dump();
  };
  constexpr std::int64_t kMarch2026 = 212639360767890LL;  // Julian-day milliseconds
  constexpr std::int64_t kDay = 86400000LL;
  const std::string first = seeded(42, kMarch2026);
  EXPECT_EQ(seeded(42, kMarch2026), first);
  EXPECT_EQ(seeded(42, kMarch2026 + 400 * kDay), first)
      << "synthetic rows must not depend on the clock";
  EXPECT_NE(seeded(43, kMarch2026), first);
}

TEST(Seed, ZeroRowsInsertsNothingAndSeedingTwiceAddsMore) {
  Db db;
  db.exec("SELECT emf_init('metrics')");
  EXPECT_EQ(db.text("SELECT emf_seed('metrics', 0)"),
            R"({"kind":"metrics","inserted":{"video_metrics":0,"video_metadata":0}})");
  db.exec("SELECT emf_seed('metrics', 50, 1)");
  db.exec("SELECT emf_seed('metrics', 50, 1)");
  EXPECT_EQ(db.integer("SELECT count(*) FROM video_metadata"), 100);
  EXPECT_EQ(db.integer("SELECT count(DISTINCT video_id) FROM video_metadata"), 100);
}

TEST(Seed, NeedsAnInitialisedKind) {
  Db db;
  const auto error = db.error("SELECT emf_seed('trends')");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(
      *error,
      "emf_seed: trends is not initialised in schema main; run SELECT emf_init('trends') first");
  EXPECT_EQ(db.integer("SELECT count(*) FROM sqlite_schema"), 0);
}

TEST(Seed, SyntheticSeedIsAllOrNothing) {
  Db db;
  db.exec("SELECT emf_init('metrics')");
  // A row the generator will collide with: the whole call must roll back.
  db.exec("INSERT INTO video_metadata (video_id) VALUES ('syn-000000002')");
  const auto error = db.error("SELECT emf_seed('metrics', 10, 1)");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("UNIQUE constraint failed"), std::string::npos) << *error;
  EXPECT_EQ(db.integer("SELECT count(*) FROM video_metadata"), 1);
  EXPECT_EQ(db.integer("SELECT count(*) FROM video_metrics"), 0);
}

// Seeding fills the latest version's tables: a kind at an older version is
// refused, changing nothing, whether or not the caller is in a transaction.
TEST(Seed, RefusesAKindAtAnOlderVersion) {
  Db db;
  make_version_1(db, "trends");
  const std::string before = digest(db);
  const std::string message =
      "emf_seed: trends is at version 1 of 4; run SELECT emf_init('trends') to upgrade it first";
  EXPECT_EQ(db.error("SELECT emf_seed('trends')"), message);
  EXPECT_EQ(db.error("SELECT emf_seed('trends', 10, 1)"), message);
  db.exec("BEGIN");
  EXPECT_EQ(db.error("SELECT emf_seed('trends')"), message);
  EXPECT_EQ(sqlite3_get_autocommit(db.get()), 0) << "the caller's transaction is still open";
  db.exec("COMMIT");
  EXPECT_EQ(digest(db), before);
}

// Inside the caller's transaction, a seed that fails undoes its own rows
// only: what the caller did before it stays, and the transaction stays open.
TEST(Seed, AFailureInsideTheCallersTransactionUndoesOnlyTheSeed) {
  Db db;
  db.exec("SELECT emf_init('metrics')");
  db.exec("BEGIN");
  db.exec("INSERT INTO video_metadata (video_id) VALUES ('syn-000000002')");
  const auto error = db.error("SELECT emf_seed('metrics', 10, 1)");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("UNIQUE constraint failed"), std::string::npos) << *error;
  ASSERT_EQ(sqlite3_get_autocommit(db.get()), 0) << "the caller's transaction is still open";
  EXPECT_EQ(db.integer("SELECT count(*) FROM video_metrics"), 0);
  db.exec("COMMIT");
  EXPECT_EQ(db.rows("SELECT video_id FROM video_metadata"),
            (std::vector<std::vector<std::string>>{{"syn-000000002"}}));
  EXPECT_EQ(db.integer("SELECT count(*) FROM video_metrics"), 0);
}

// emf_random: 63 bits from (seed, salt, row, stream) alone.
TEST(Random, IsAPureFunctionOfItsArguments) {
  Db db;
  EXPECT_EQ(db.text("SELECT emf_random(42, 'video_metrics', 7)"),
            db.text("SELECT emf_random(42, 'video_metrics', 7, 0)"));
  EXPECT_EQ(db.integer("SELECT count(DISTINCT emf_random(42, 'video_metrics', 7, s)) "
                       "FROM (SELECT value AS s FROM json_each('[0,1,2,3]'))"),
            4);
  EXPECT_NE(db.text("SELECT emf_random(42, 'video_metrics', 7)"),
            db.text("SELECT emf_random(43, 'video_metrics', 7)"));
  EXPECT_NE(db.text("SELECT emf_random(42, 'video_metrics', 7)"),
            db.text("SELECT emf_random(42, 'video_metadata', 7)"));
  EXPECT_NE(db.text("SELECT emf_random(42, 'video_metrics', 7)"),
            db.text("SELECT emf_random(42, 'video_metrics', 8)"));
  // Pinned: the same seed gives the same rows in every version of emf.
  EXPECT_EQ(db.text("SELECT emf_random(1, 'x', 2)"), "5055808742238300868");
  // Non-negative integers spread over 63 bits.
  EXPECT_EQ(
      db.rows("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9999) "
              "SELECT min(v) >= 0, max(v) > 9000000000000000000, "
              "typeof(min(v)), count(DISTINCT v) "
              "FROM (SELECT emf_random(-5, 't', i) AS v FROM n)"),
      (std::vector<std::vector<std::string>>{{"1", "1", "integer", "10000"}}));
  // Usable where SQLite asks for a deterministic, innocuous function.
  db.exec("PRAGMA trusted_schema = OFF");
  db.exec("CREATE TABLE t (x INTEGER, y AS (emf_random(1, 't', x)))");
  db.exec("CREATE INDEX t_r ON t (emf_random(1, 't', x))");
  db.exec("INSERT INTO t (x) VALUES (2)");
  EXPECT_EQ(db.text("SELECT y FROM t"), db.text("SELECT emf_random(1, 't', 2)"));
}

TEST(Random, BadArgumentsAreNamed) {
  Db db;
  EXPECT_EQ(db.error("SELECT emf_random('1', 'x', 2)"),
            "emf_random: seed must be a whole number, got '1' (expected a whole number from "
            "-9223372036854775808 to 9223372036854775807)");
  EXPECT_EQ(db.error("SELECT emf_random(1, NULL, 2)"),
            "emf_random: salt must be non-empty text, got NULL (expected text, such as a table "
            "name)");
  EXPECT_EQ(db.error("SELECT emf_random(1, '', 2)"),
            "emf_random: salt must be non-empty text, got '' (expected text, such as a table "
            "name)");
  EXPECT_EQ(db.error("SELECT emf_random(1, 'x', 2.5)"),
            "emf_random: row must be a whole number, got the real 2.5 (expected a whole number "
            "from -9223372036854775808 to 9223372036854775807)");
  EXPECT_EQ(db.error("SELECT emf_random(1, 'x', 2, x'00')"),
            "emf_random: stream must be a whole number, got a blob (expected a whole number from "
            "-9223372036854775808 to 9223372036854775807)");
  EXPECT_TRUE(db.error("SELECT emf_random(1, 'x')").has_value());
}

// Seeding again continues the ids after the rows there, the AUTOINCREMENT
// counter included: references stay valid and unique keys never collide.
TEST(Seed, SeedingTwiceAppendsWithValidReferencesAndUniqueKeys) {
  Db db;
  for (const char* kind : {"trends", "metrics", "image_library"}) {
    db.exec(fmt::format("SELECT emf_init('{}')", kind));
    db.exec(fmt::format("SELECT emf_seed('{}', 300, 5)", kind));
  }
  // A gap at the end: the next ids come after the counter, not after max(id).
  db.exec("DELETE FROM image_library WHERE id > 290");
  for (const char* kind : {"trends", "metrics", "image_library"}) {
    db.exec(fmt::format("SELECT emf_seed('{}', 300, 5)", kind));
  }
  EXPECT_EQ(db.integer("SELECT count(*) FROM pragma_foreign_key_check"), 0);
  EXPECT_EQ(db.integer("SELECT min(id) FROM image_library WHERE id > 290"), 301);
  EXPECT_EQ(db.integer("SELECT count(*) FROM video_metadata"), 600);
  EXPECT_EQ(db.integer("SELECT count(DISTINCT video_id) FROM video_metadata"), 600);
  EXPECT_EQ(db.integer("SELECT count(*) FROM video_metrics"), 600);
  EXPECT_EQ(db.integer("SELECT count(*) FROM (SELECT DISTINCT video_id, platform, timestamp "
                       "FROM video_metrics)"),
            600);
  EXPECT_EQ(db.integer("SELECT count(*) FROM video_metrics WHERE video_id NOT IN "
                       "(SELECT video_id FROM video_metadata)"),
            0);
  EXPECT_EQ(db.integer("SELECT count(*) FROM trending_topics"), 600);
  EXPECT_EQ(db.integer("SELECT count(*) FROM search_history"), 600);
  EXPECT_EQ(db.integer("SELECT count(DISTINCT file_path) FROM image_library"), 590);
  EXPECT_EQ(db.integer("SELECT count(DISTINCT name) FROM image_collections"), 600);
  EXPECT_EQ(db.integer("SELECT count(*) FROM collection_images"), 600);
  // The second seed's usages and memberships refer to its own images.
  EXPECT_EQ(db.integer("SELECT count(*) FROM image_usage WHERE id > 300 AND image_id <= 300"), 0);
  // The usage trigger fired for every usage: counts and last uses are right.
  EXPECT_EQ(db.integer("SELECT count(*) FROM image_library AS i WHERE usage_count <> (SELECT "
                       "count(*) FROM image_usage WHERE image_id = i.id) OR last_used_at IS NOT "
                       "(SELECT max(timestamp) FROM image_usage WHERE image_id = i.id)"),
            0);
  EXPECT_EQ(db.json(db.text("SELECT emf_check()"), "$.ok"), "1");
}

// Values in the stored forms, so that the time-form triggers skip them.
TEST(Seed, SyntheticValuesAreInTheStoredForms) {
  Db db;
  for (const char* kind : {"trends", "metrics", "image_library"}) {
    db.exec(fmt::format("SELECT emf_init('{}')", kind));
    db.exec(fmt::format("SELECT emf_seed('{}', 100, 3)", kind));
  }
  const char* time = "'____-__-__ __:__:__.___'";
  EXPECT_EQ(db.integer(
                fmt::format("SELECT count(*) FROM trending_topics WHERE timestamp NOT LIKE {} OR "
                            "typeof(relevance_score) <> 'real' OR typeof(priority) <> 'integer' OR "
                            "created_at <> timestamp OR updated_at <> timestamp",
                            time)),
            0);
  EXPECT_EQ(db.integer(
                fmt::format("SELECT count(*) FROM video_metrics WHERE timestamp NOT LIKE {} OR "
                            "typeof(views) <> 'integer' OR typeof(watch_time_seconds) <> 'real' OR "
                            "typeof(engagement_rate) <> 'real'",
                            time)),
            0);
  EXPECT_EQ(db.integer(fmt::format("SELECT count(*) FROM image_library WHERE timestamp NOT "
                                   "LIKE {} OR last_used_at NOT LIKE {}",
                                   time, time)),
            0);
}

// Data shaped like the pipeline's: a few videos hold most snapshots, each
// with many per platform; a few images most usages; topics from several
// sources over months.
TEST(Seed, SyntheticDataIsSkewedLikeThePipelines) {
  Db db;
  for (const char* kind : {"trends", "metrics", "image_library"}) {
    db.exec(fmt::format("SELECT emf_init('{}')", kind));
    db.exec(fmt::format("SELECT emf_seed('{}', 20000, 9)", kind));
  }
  // The top 1% of the videos with snapshots hold over a quarter of them.
  const std::int64_t videos = db.integer("SELECT count(DISTINCT video_id) FROM video_metrics");
  EXPECT_GE(videos, 100);
  EXPECT_GE(db.integer(fmt::format("SELECT sum(n) FROM (SELECT count(*) AS n FROM video_metrics "
                                   "GROUP BY video_id ORDER BY n DESC LIMIT {})",
                                   videos / 100)),
            20000 / 4);
  EXPECT_GE(db.integer("SELECT max(n) FROM (SELECT count(*) AS n FROM video_metrics "
                       "GROUP BY video_id, platform)"),
            100);
  EXPECT_EQ(db.integer("SELECT count(DISTINCT platform) FROM video_metrics"), 4);
  // The top 1% of the images used take over a quarter of the usages.
  EXPECT_GE(db.integer("SELECT sum(usage_count) FROM (SELECT usage_count FROM image_library "
                       "ORDER BY usage_count DESC LIMIT 200)"),
            20000 / 4);
  EXPECT_GE(db.integer("SELECT count(DISTINCT source) FROM trending_topics"), 5);
  EXPECT_GE(db.integer("SELECT julianday(max(timestamp)) - julianday(min(timestamp)) "
                       "FROM trending_topics"),
            150);
}

// The indexes SQLite was asked to drop, through an authorizer.
int record_dropped_index(void* names, int action, const char* name, const char*, const char*,
                         const char*) {
  if (action == SQLITE_DROP_INDEX) static_cast<std::set<std::string>*>(names)->insert(name);
  return SQLITE_OK;
}

std::vector<std::vector<std::string>> index_definitions(Db& db) {
  return db.rows("SELECT name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name");
}

// Into an empty table, emf drops its own secondary indexes and builds them
// again after the rows; a user's index, one of emf's that was changed, and
// every index of a table that holds rows stay, each as it was.
TEST(Seed, DropsOnlyItsOwnIndexesAndOnlyOnAnEmptyTable) {
  Db db;
  db.exec("SELECT emf_init('metrics')");
  db.exec("CREATE INDEX mine ON video_metrics (views DESC, platform)");
  db.exec("DROP INDEX idx_video_metrics_platform");
  db.exec("CREATE INDEX idx_video_metrics_platform ON video_metrics (platform, views)");
  db.exec("INSERT INTO video_metadata (video_id) VALUES ('mine')");
  const auto before = index_definitions(db);
  std::set<std::string> dropped;
  sqlite3_set_authorizer(db.get(), record_dropped_index, &dropped);
  db.exec("SELECT emf_seed('metrics', 1000, 1)");
  sqlite3_set_authorizer(db.get(), nullptr, nullptr);
  EXPECT_EQ(dropped, (std::set<std::string>{
                         "idx_video_metrics_video_id", "idx_video_metrics_timestamp",
                         "idx_video_metrics_engagement", "idx_video_metrics_platform_engagement"}));
  EXPECT_EQ(index_definitions(db), before);
  EXPECT_EQ(db.text("PRAGMA integrity_check"), "ok");

  // Both tables hold rows now: nothing is dropped.
  dropped.clear();
  sqlite3_set_authorizer(db.get(), record_dropped_index, &dropped);
  db.exec("SELECT emf_seed('metrics', 1000, 2)");
  sqlite3_set_authorizer(db.get(), nullptr, nullptr);
  EXPECT_TRUE(dropped.empty());
  EXPECT_EQ(index_definitions(db), before);
  EXPECT_EQ(db.text("PRAGMA integrity_check"), "ok");
}

// SQLite refuses to drop an index while another statement of the connection
// reads the file: the seed then keeps the indexes and still succeeds.
TEST(Seed, WhileAnotherStatementReadsTheIndexesStayAndTheSeedSucceeds) {
  TempDir dir;
  Db db(dir.file("r.db"));
  db.exec("SELECT emf_init('metrics')");
  db.exec("CREATE TABLE two_rows (x); INSERT INTO two_rows VALUES (1), (2)");
  const auto before = index_definitions(db);
  sqlite3_stmt* reading = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db.get(), "SELECT x FROM two_rows", -1, &reading, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(reading), SQLITE_ROW);
  EXPECT_EQ(db.text("SELECT emf_seed('metrics', 100, 1)"),
            R"({"kind":"metrics","inserted":{"video_metrics":100,"video_metadata":100}})");
  sqlite3_finalize(reading);
  EXPECT_EQ(index_definitions(db), before);
  EXPECT_EQ(db.text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(db.json(db.text("SELECT emf_check('metrics')"), "$.ok"), "1");
}

// The triggers SQLite was asked to drop, through an authorizer.
int record_dropped_trigger(void* names, int action, const char* name, const char*, const char*,
                           const char*) {
  if (action == SQLITE_DROP_TRIGGER || action == SQLITE_DROP_TEMP_TRIGGER) {
    static_cast<std::set<std::string>*>(names)->insert(name);
  }
  return SQLITE_OK;
}

std::vector<std::vector<std::string>> schema_definitions(Db& db) {
  return db.rows("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name");
}

// Times that the time-form triggers would have converted: none.
std::int64_t times_not_stored(Db& db) {
  const auto differs = [](const char* column) {
    return fmt::format("{} IS NOT strftime('%Y-%m-%d %H:%M:%f', julianday({}))", column, column);
  };
  return db.integer(fmt::format("SELECT count(*) FROM trending_topics WHERE {} OR {} OR {}",
                                differs("timestamp"), differs("created_at"),
                                differs("updated_at"))) +
         db.integer(
             fmt::format("SELECT count(*) FROM search_history WHERE {}", differs("timestamp")));
}

// Seeding trends sets emf's time-form INSERT triggers aside while its rows,
// all in the stored form, go in, and creates them again with the same SQL:
// the schema is as it was and they fire again afterwards.
TEST(Seed, SetsAsideItsTimeFormInsertTriggersAndPutsThemBackAsTheyWere) {
  Db db;
  db.exec("SELECT emf_init('trends')");
  const auto before = schema_definitions(db);
  std::set<std::string> dropped;
  sqlite3_set_authorizer(db.get(), record_dropped_trigger, &dropped);
  db.exec("SELECT emf_seed('trends', 20000, 4)");
  sqlite3_set_authorizer(db.get(), nullptr, nullptr);
  EXPECT_EQ(dropped, (std::set<std::string>{"trending_topics_times_on_insert",
                                            "search_history_times_on_insert"}));
  EXPECT_EQ(schema_definitions(db), before);
  EXPECT_EQ(db.integer("SELECT count(*) FROM trending_topics"), 20000);
  EXPECT_EQ(times_not_stored(db), 0);
  EXPECT_EQ(db.text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(db.json(db.text("SELECT emf_check('trends')"), "$.ok"), "1");
  // Back in force: a time in another form is converted as it goes in.
  db.exec("INSERT INTO search_history (query, timestamp) VALUES ('q', '2026-03-01T10:00:00Z')");
  EXPECT_EQ(db.text("SELECT timestamp FROM search_history WHERE query = 'q'"),
            "2026-03-01 10:00:00.000");
  // Into tables that hold rows too.
  db.exec("SELECT emf_seed('trends', 1000, 5)");
  EXPECT_EQ(schema_definitions(db), before);
  EXPECT_EQ(times_not_stored(db), 0);
}

// Where an INSERT trigger of emf's derives data, every trigger of that table
// stays: metrics sets aside video_metadata's time-form trigger only, the
// latest snapshots' triggers keep firing; image_library keeps image_usage's,
// whose usage statistics stay exact.
TEST(Seed, TriggersThatDeriveDataStayAndFire) {
  Db db;
  db.exec("SELECT emf_init('metrics'), emf_init('image_library')");
  const auto before = schema_definitions(db);
  std::set<std::string> dropped;
  sqlite3_set_authorizer(db.get(), record_dropped_trigger, &dropped);
  db.exec("SELECT emf_seed('metrics', 2000, 1)");
  EXPECT_EQ(dropped, (std::set<std::string>{"video_metadata_times_on_insert"}));
  dropped.clear();
  db.exec("SELECT emf_seed('image_library', 2000, 1)");
  sqlite3_set_authorizer(db.get(), nullptr, nullptr);
  EXPECT_EQ(dropped, (std::set<std::string>{"image_library_times_on_insert",
                                            "image_collections_times_on_insert"}));
  EXPECT_EQ(schema_definitions(db), before);
  EXPECT_EQ(db.integer("SELECT count(*) FROM video_metrics_latest"),
            db.integer("SELECT count(*) FROM (SELECT DISTINCT video_id, platform FROM "
                       "video_metrics)"));
  EXPECT_EQ(db.integer("SELECT sum(usage_count) FROM image_library"), 2000);
  EXPECT_EQ(db.json(db.text("SELECT emf_check('metrics')"), "$.ok"), "1");
  EXPECT_EQ(db.json(db.text("SELECT emf_check('image_library')"), "$.ok"), "1");
}

// With a trigger of the user's on a table (main or temp), every trigger of
// that table stays and fires for the seeded rows; the rows are the same as
// those a seed with emf's triggers set aside inserts.
TEST(Seed, AUsersTriggerOnATableKeepsItsTriggersAndTheRowsAreTheSame) {
  Db plain;
  plain.exec("SELECT emf_init('trends')");
  plain.exec("SELECT emf_seed('trends', 10000, 6)");

  Db db;
  db.exec("SELECT emf_init('trends')");
  db.exec("CREATE TABLE seen (id INTEGER)");
  db.exec(
      "CREATE TRIGGER mine AFTER INSERT ON trending_topics BEGIN "
      "INSERT INTO seen VALUES (NEW.id); END");
  db.exec(
      "CREATE TEMP TRIGGER mine_too AFTER INSERT ON main.search_history BEGIN "
      "INSERT INTO seen VALUES (-NEW.id); END");
  const auto before = schema_definitions(db);
  std::set<std::string> dropped;
  sqlite3_set_authorizer(db.get(), record_dropped_trigger, &dropped);
  db.exec("SELECT emf_seed('trends', 10000, 6)");
  sqlite3_set_authorizer(db.get(), nullptr, nullptr);
  EXPECT_TRUE(dropped.empty()) << *dropped.begin();
  EXPECT_EQ(schema_definitions(db), before);
  EXPECT_EQ(db.integer("SELECT count(*) FROM seen WHERE id > 0"), 10000);
  EXPECT_EQ(db.integer("SELECT count(*) FROM seen WHERE id < 0"), 10000);
  EXPECT_EQ(db.json(db.text("SELECT emf_check('trends')"), "$.ok"), "1");
  for (const char* table : {"trending_topics", "search_history", "sqlite_sequence"}) {
    const std::string all = fmt::format("SELECT * FROM {} ORDER BY 1", table);
    EXPECT_EQ(db.rows(all), plain.rows(all)) << table;
  }
}

// A failure at any point of the load, a trigger set aside or not, leaves
// the database exactly as it was: SQLite interrupts the seed after more and
// more of its work.
TEST(Seed, AFailureWhileTriggersAreSetAsideLeavesEverythingAsItWas) {
  Db db;
  db.exec("SELECT emf_init('trends')");
  db.exec("SELECT emf_seed('trends', 100, 1)");
  const std::string before = digest(db);
  bool failed_while_set_aside = false;
  for (int budget = 20; budget < 100000; budget *= 2) {
    int left = budget;
    sqlite3_progress_handler(
        db.get(), 1000, [](void* count) { return --*static_cast<int*>(count) < 0 ? 1 : 0; }, &left);
    std::set<std::string> dropped;
    sqlite3_set_authorizer(db.get(), record_dropped_trigger, &dropped);
    const auto error = db.error("SELECT emf_seed('trends', 20000, 2)");
    sqlite3_set_authorizer(db.get(), nullptr, nullptr);
    sqlite3_progress_handler(db.get(), 0, nullptr, nullptr);
    if (!error) break;
    EXPECT_NE(error->find("interrupt"), std::string::npos) << *error;
    failed_while_set_aside = failed_while_set_aside || !dropped.empty();
    ASSERT_EQ(digest(db), before) << "interrupted after " << budget << " thousand steps";
  }
  EXPECT_TRUE(failed_while_set_aside);
  EXPECT_EQ(db.json(db.text("SELECT emf_check('trends')"), "$.ok"), "1");
}

// SQLite may refuse a schema change while another statement of the
// connection reads: the seed then keeps the triggers; either way it
// succeeds and the schema is as it was.
TEST(Seed, TrendsWhileAnotherStatementReadsTheSeedSucceedsAndTheSchemaStays) {
  TempDir dir;
  Db db(dir.file("t.db"));
  db.exec("SELECT emf_init('trends')");
  db.exec("CREATE TABLE two_rows (x); INSERT INTO two_rows VALUES (1), (2)");
  const auto before = schema_definitions(db);
  sqlite3_stmt* reading = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db.get(), "SELECT x FROM two_rows", -1, &reading, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(reading), SQLITE_ROW);
  EXPECT_EQ(db.text("SELECT emf_seed('trends', 100, 1)"),
            R"({"kind":"trends","inserted":{"trending_topics":100,"search_history":100}})");
  sqlite3_finalize(reading);
  EXPECT_EQ(schema_definitions(db), before);
  EXPECT_EQ(times_not_stored(db), 0);
  EXPECT_EQ(db.json(db.text("SELECT emf_check('trends')"), "$.ok"), "1");
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A failure in the middle (a trigger of the user's raising after thousands
// of rows, its indexes dropped by then) leaves the file as it was, every
// index there, and the connection's page cache setting as it was.
TEST(Seed, AFailureMidwayLeavesTheFileAndTheCacheSettingAsTheyWere) {
  TempDir dir;
  const std::string path = dir.file("m.db");
  Db db(path);
  db.exec("SELECT emf_init('metrics')");
  db.exec(
      "CREATE TRIGGER stop_at_9000 AFTER INSERT ON video_metrics WHEN NEW.id = 9000 "
      "BEGIN SELECT RAISE(ABORT, 'stopped at 9000'); END");
  db.exec("PRAGMA cache_size = 123");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const std::string bytes = file_bytes(path);
  const std::string before = digest(db);
  const auto error = db.error("SELECT emf_seed('metrics', 10000, 1)");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("stopped at 9000"), std::string::npos) << *error;
  EXPECT_EQ(db.integer("PRAGMA cache_size"), 123);
  EXPECT_EQ(digest(db), before);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  EXPECT_EQ(file_bytes(path), bytes);
  EXPECT_EQ(db.json(db.text("SELECT emf_check('metrics')"), "$.ok"), "1");

  db.exec("DROP TRIGGER stop_at_9000");
  db.exec("SELECT emf_seed('metrics', 10000, 1)");
  EXPECT_EQ(db.integer("PRAGMA cache_size"), 123) << "restored after a success too";
  EXPECT_EQ(db.json(db.text("SELECT emf_check('metrics')"), "$.ok"), "1");
}

}  // namespace
}  // namespace emf::test
