// The emf core linked into a program (SQLITE_CORE), as the emf shell uses
// it: registration on a connection of its own, and the progress observer,
// which lets a test act between the steps of a backup.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "db.h"
#include "emf.h"
#include "expected_schema.h"
#include "migrations.h"
#include "progress.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

// A connection of the test, with the core's functions registered on it.
void register_core(Db& db) {
  char* error = nullptr;
  ASSERT_EQ(sqlite3_emf_init(db.get(), &error, nullptr), SQLITE_OK) << (error ? error : "");
}

TEST(Core, ABackupWhoseSourceKeepsChangingStillFinishes) {
  TempDir dir;
  const std::string path = dir.file("metrics.db");
  Db db(path, /*load_extension=*/false);
  register_core(db);
  db.exec("SELECT emf_init('metrics'), emf_seed('metrics', 20000, 1)");
  ASSERT_GT(db.integer("PRAGMA page_count"), 3 * 1024);  // several steps

  // Another connection commits between every two steps: each commit makes
  // SQLite restart the copy. Without emf's fallback to one step at the
  // first restart, this backup would never end.
  Db writer(path, false);
  int calls = 0, restarts = 0, writes = 0;
  std::int64_t last_done = -1;
  set_progress_observer(db.get(), [&](std::string_view task, std::int64_t done,
                                      std::int64_t total) {
    EXPECT_EQ(task, "backup");
    ++calls;
    if (done <= last_done) ++restarts;  // a restart copies from page 1 again
    last_done = done;
    if (done < total && calls < 50) {
      writer.exec(fmt::format("INSERT INTO video_metadata (video_id) VALUES ('during-{}')", calls));
      ++writes;
    }
  });
  const std::string report = db.text(fmt::format("SELECT emf_backup('{}')", dir.file("copy.db")));
  set_progress_observer(db.get(), nullptr);

  EXPECT_LT(calls, 10) << "the backup kept restarting";
  EXPECT_GE(restarts, 1) << "the writes did not restart the copy; the test proves nothing";
  Db copy(dir.file("copy.db"), false);
  EXPECT_EQ(copy.text("PRAGMA integrity_check"), "ok");
  // A consistent snapshot that includes every write committed before it ended.
  EXPECT_EQ(copy.integer("SELECT count(*) FROM video_metadata WHERE video_id LIKE 'during-%'"),
            writes);
  EXPECT_EQ(copy.integer("SELECT count(*) FROM video_metadata"), 20000 + writes);
  EXPECT_EQ(db.json(report, "$.path"), dir.file("copy.db"));
}

TEST(Core, ProgressIsReportedForSyntheticSeeding) {
  Db db(":memory:", false);
  register_core(db);
  db.exec("SELECT emf_init('trends')");
  std::int64_t last_done = 0, last_total = 0;
  set_progress_observer(db.get(),
                        [&](std::string_view task, std::int64_t done, std::int64_t total) {
                          EXPECT_EQ(task, "seed");
                          EXPECT_GE(done, last_done);
                          last_done = done;
                          last_total = total;
                        });
  db.exec("SELECT emf_seed('trends', 10000, 3)");
  set_progress_observer(db.get(), nullptr);
  EXPECT_EQ(last_total, 20000);  // two tables
  EXPECT_EQ(last_done, 20000);
}

// The statement helpers' answers where SQLite has none: a NULL read as text
// is empty, a query without a row counts 0.
TEST(Core, StatementHelpersAnswerForNullAndForNoRow) {
  Db db(":memory:", false);
  Statement statement(db.get(), "SELECT NULL, 'text'");
  ASSERT_TRUE(statement.step());
  EXPECT_EQ(statement.column_text(0), "");
  EXPECT_EQ(statement.column_optional_text(0), std::nullopt);
  EXPECT_EQ(statement.column_text(1), "text");
  EXPECT_EQ(query_int(db.get(), "SELECT 1 WHERE 0"), 0);
  EXPECT_EQ(query_optional_text(db.get(), "SELECT 'x' WHERE 0"), std::nullopt);
}

// %, ? and # mean something in a URI: a path holding them is escaped, and
// SQLite opens the very file.
TEST(Core, AFileUriEscapesWhatAUriWouldReadOtherwise) {
  EXPECT_EQ(file_uri("/a%b?c#d.db"), "file:/a%25b%3fc%23d.db");
  TempDir dir;
  const std::string path = dir.file("x%41?mode=ro#y.db");
  Db db(file_uri(path) + "?mode=rwc", false);
  db.exec("CREATE TABLE t (x)");
  EXPECT_EQ(std::string(sqlite3_db_filename(db.get(), "main")), path);
  EXPECT_TRUE(std::filesystem::exists(path));
}

// One pass over a kind's migrations gives every version's schema: each
// version has the objects its migrations made, nothing before the first
// migration, and the last version's past the last.
TEST(Core, ExpectedSchemasOfEveryVersionFromOnePass) {
  for (const Kind kind : {Kind::trends, Kind::metrics, Kind::image_library}) {
    const int latest = latest_version(kind);
    EXPECT_TRUE(expected_schema(kind, 0).objects.empty()) << kind_name(kind);
    // Each migration changes something: a snapshot taken after the wrong
    // migration would repeat its neighbour's.
    const auto sql_of = [&](int version) {
      std::vector<std::string> sql;
      for (const SchemaObject& object : expected_schema(kind, version).objects) {
        sql.push_back(object.sql);
      }
      return sql;
    };
    for (int version = 1; version <= latest; ++version) {
      EXPECT_FALSE(sql_of(version).empty()) << kind_name(kind) << " " << version;
      EXPECT_NE(sql_of(version), sql_of(version - 1)) << kind_name(kind) << " " << version;
    }
    const SchemaSnapshot& past_the_last = expected_schema(kind, latest + 1);
    const SchemaSnapshot& last = expected_schema(kind, latest);
    ASSERT_EQ(past_the_last.objects.size(), last.objects.size()) << kind_name(kind);
    for (std::size_t i = 0; i < last.objects.size(); ++i) {
      EXPECT_EQ(past_the_last.objects[i].sql, last.objects[i].sql);
    }
  }
}

}  // namespace
}  // namespace emf::test
