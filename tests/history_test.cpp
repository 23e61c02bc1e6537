// history: emf_schema_history read and written in a real database, in main
// and in an attached schema with a name that needs quoting, and what emf
// refuses to vouch for (a newer emf's versions, a changed applied file).
// Linked against emf_core.
#include "history.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "error.h"
#include "support/test_db.h"

namespace emf {
namespace {

using test::Db;

// A schema whose name needs quoting everywhere it is pasted.
constexpr const char* kOddSchema = "odd \"name\"";

class History : public ::testing::Test {
 protected:
  History() : db_(":memory:", /*load_extension=*/false) {
    db_.exec("ATTACH ':memory:' AS \"odd \"\"name\"\"\"");
  }
  Db db_;
};

const Migration& migration(Kind kind, int version) {
  return migrations(kind).at(static_cast<std::size_t>(version - 1));
}

AppliedMigration applied(const Migration& migration, std::string checksum = {}) {
  return AppliedMigration{migration.version, migration.name,
                          checksum.empty() ? migration.checksum : checksum, "2026-11-25", 0};
}

TEST_F(History, AbsentUntilCreatedAndThenEmpty) {
  EXPECT_FALSE(history_exists(db_.get(), "main"));
  EXPECT_TRUE(read_history(db_.get(), "main", Kind::trends).empty());
  EXPECT_TRUE(installed_kinds(db_.get(), "main").empty());
  create_history(db_.get(), "main");
  EXPECT_TRUE(history_exists(db_.get(), "main"));
  EXPECT_FALSE(history_exists(db_.get(), kOddSchema)) << "created in main only";
  EXPECT_TRUE(read_history(db_.get(), "main", Kind::trends).empty());
  EXPECT_TRUE(installed_kinds(db_.get(), "main").empty());
}

TEST_F(History, RecordsReadsAndForgetsEachKindApart) {
  create_history(db_.get(), kOddSchema);
  record_migration(db_.get(), kOddSchema, migration(Kind::trends, 1), 12);
  record_migration(db_.get(), kOddSchema, migration(Kind::trends, 2), 0);
  record_migration(db_.get(), kOddSchema, migration(Kind::image_library, 1), 3);

  const auto trends = read_history(db_.get(), kOddSchema, Kind::trends);
  ASSERT_EQ(trends.size(), 2u);
  EXPECT_EQ(trends[0].version, 1);
  EXPECT_EQ(trends[0].name, "initial");
  EXPECT_EQ(trends[0].checksum, migration(Kind::trends, 1).checksum);
  EXPECT_EQ(trends[0].duration_ms, 12);
  EXPECT_EQ(trends[1].version, 2);
  EXPECT_EQ(trends[1].name, migration(Kind::trends, 2).name);
  // Written in the one stored form of times.
  EXPECT_EQ(db_.integer("SELECT count(*) FROM \"odd \"\"name\"\"\".emf_schema_history WHERE "
                        "applied_at = strftime('%Y-%m-%d %H:%M:%f', applied_at)"),
            3);
  EXPECT_EQ(installed_kinds(db_.get(), kOddSchema),
            (std::vector<Kind>{Kind::trends, Kind::image_library}));
  EXPECT_TRUE(read_history(db_.get(), kOddSchema, Kind::metrics).empty());

  forget_kind(db_.get(), kOddSchema, Kind::trends);
  EXPECT_TRUE(read_history(db_.get(), kOddSchema, Kind::trends).empty());
  EXPECT_EQ(installed_kinds(db_.get(), kOddSchema), (std::vector<Kind>{Kind::image_library}));
  EXPECT_EQ(read_history(db_.get(), kOddSchema, Kind::image_library).size(), 1u);
}

TEST_F(History, CreatingAgainConvertsTimesOfTheOldStoredForm) {
  create_history(db_.get(), "main");
  db_.exec(
      "INSERT INTO emf_schema_history (kind, version, name, checksum, applied_at) VALUES "
      "('trends', 1, 'initial', 'c', '2026-01-02T03:04:05.678Z'), "
      "('metrics', 1, 'initial', 'c', '2026-01-02 03:04:05.000'), "
      "('image_library', 1, 'initial', 'c', 'not a time')");
  create_history(db_.get(), "main");  // IF NOT EXISTS: the rows stay
  EXPECT_EQ(db_.rows("SELECT kind, applied_at FROM emf_schema_history ORDER BY kind"),
            (std::vector<std::vector<std::string>>{{"image_library", "not a time"},
                                                   {"metrics", "2026-01-02 03:04:05.000"},
                                                   {"trends", "2026-01-02 03:04:05.678"}}));
}

TEST_F(History, RecordingAVersionTwiceFailsAndKeepsTheFirst) {
  create_history(db_.get(), "main");
  record_migration(db_.get(), "main", migration(Kind::metrics, 1), 5);
  try {
    record_migration(db_.get(), "main", migration(Kind::metrics, 1), 6);
    FAIL() << "a second row for one version was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), SQLITE_CONSTRAINT_PRIMARYKEY);
    EXPECT_NE(std::string(error.what()).find("UNIQUE constraint failed"), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(db_.rows("SELECT kind, version, duration_ms FROM emf_schema_history"),
            (std::vector<std::vector<std::string>>{{"metrics", "1", "5"}}));
}

TEST(HistoryRules, StatusesOfKnownPendingModifiedAndNewerMigrations) {
  const Kind kind = Kind::trends;
  const int latest = latest_version(kind);
  ASSERT_GE(latest, 2);
  const std::vector<AppliedMigration> history = {
      applied(migration(kind, 1)), applied(migration(kind, 2), "changed"),
      AppliedMigration{latest + 1, "future", "f", "2030-01-01", 1}};
  const auto statuses = migration_statuses(history, kind);
  ASSERT_EQ(statuses.size(), static_cast<std::size_t>(latest + 1));
  EXPECT_EQ(statuses[0].state, MigrationStatus::State::applied);
  EXPECT_EQ(statuses[0].applied_at, "2026-11-25");
  EXPECT_EQ(statuses[0].file_name, "001_initial.sql");
  EXPECT_EQ(statuses[1].state, MigrationStatus::State::modified);
  EXPECT_EQ(statuses[1].checksum, "changed");
  EXPECT_EQ(statuses[1].expected_checksum, migration(kind, 2).checksum);
  for (int version = 3; version <= latest; ++version) {
    const auto& status = statuses[static_cast<std::size_t>(version - 1)];
    EXPECT_EQ(status.state, MigrationStatus::State::pending);
    EXPECT_EQ(status.checksum, migration(kind, version).checksum);
    EXPECT_FALSE(status.applied_at.has_value());
  }
  const auto& newer = statuses.back();
  EXPECT_EQ(newer.state, MigrationStatus::State::newer);
  EXPECT_EQ(newer.version, latest + 1);
  EXPECT_EQ(newer.name, "future");
  EXPECT_EQ(newer.file_name, "");
  EXPECT_EQ(newer.expected_checksum, "");
}

TEST(HistoryRules, ANewerVersionIsRefusedWithTheUpgradeAdvice) {
  const Kind kind = Kind::metrics;
  const int latest = latest_version(kind);
  EXPECT_NO_THROW(refuse_newer(kind, {}));
  EXPECT_NO_THROW(refuse_newer(kind, {applied(migration(kind, latest))}));
  try {
    refuse_newer(kind,
                 {applied(migration(kind, 1)), AppliedMigration{latest + 1, "x", "y", "", 0}});
    FAIL() << "a newer emf's version was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              "metrics is at version " + std::to_string(latest + 1) +
                  ", applied by a newer emf; this emf knows versions up to " +
                  std::to_string(latest) + "; upgrade emf");
    EXPECT_EQ(error.code(), SQLITE_ERROR);
  }
}

TEST(HistoryRules, AChangedAppliedFileIsRefusedNamingBothChecksums) {
  const Kind kind = Kind::image_library;
  const Migration& first = migration(kind, 1);
  EXPECT_NO_THROW(verify_history(kind, {applied(first)}));
  try {
    verify_history(kind, {applied(first, "0123")});
    FAIL() << "a changed applied migration was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              "sql/image_library/001_initial.sql was applied with checksum 0123, but the embedded "
              "file now has " +
                  first.checksum +
                  "; an applied migration must never change: restore its text and add a new "
                  "migration instead");
  }
  // A newer version is refused before any checksum is looked at.
  EXPECT_THROW(verify_history(kind, {applied(first, "0123"),
                                     AppliedMigration{latest_version(kind) + 1, "x", "y", "", 0}}),
               Error);
}

}  // namespace
}  // namespace emf
