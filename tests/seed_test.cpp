// emf_seed: the canonical sample (idempotent), synthetic rows (deterministic
// for a seed, independent of the clock), and its preconditions.
#include <gtest/gtest.h>

#include <fmt/format.h>

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
  EXPECT_EQ(
      db.text("SELECT emf_seed('metrics')"),
      R"({"kind":"metrics","inserted":{"video_metrics":8,"video_metadata":3,"video_metrics_latest":0}})");
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
  EXPECT_EQ(
      db.text("SELECT emf_seed('metrics', 0)"),
      R"({"kind":"metrics","inserted":{"video_metrics":0,"video_metadata":0,"video_metrics_latest":0}})");
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

}  // namespace
}  // namespace emf::test
