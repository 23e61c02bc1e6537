// emf_reset drops and recreates one kind atomically; emf_backup copies a
// live database consistently and never overwrites.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include <fstream>

#include "support/test_db.h"

namespace emf::test {
namespace {

TEST(Reset, DropsDataAndHistoryAndRecreatesTheLatestVersion) {
  Db db;
  db.exec("SELECT emf_init('image_library'), emf_init('trends')");
  db.exec("SELECT emf_seed('image_library'), emf_seed('trends')");
  db.exec("CREATE INDEX my_index ON image_library (format)");
  const std::string report = db.text("SELECT emf_reset('image_library')");
  EXPECT_EQ(db.json(report, "$.applied"), "[1,2,3,4]");
  EXPECT_EQ(db.json(report, "$.version"), "4");
  EXPECT_EQ(db.integer("SELECT count(*) FROM image_library"), 0);
  EXPECT_EQ(db.integer("SELECT count(*) FROM image_usage"), 0);
  // The user's index on the kind's table comes back on the new one.
  EXPECT_EQ(db.text("SELECT tbl_name FROM sqlite_schema WHERE name = 'my_index'"), "image_library");
  // The other kind in the same file is untouched.
  EXPECT_EQ(db.integer("SELECT count(*) FROM trending_topics"), 6);
  EXPECT_EQ(db.integer("SELECT count(*) FROM emf_schema_history WHERE kind = 'image_library'"), 4);
  EXPECT_EQ(db.json(db.text("SELECT emf_check()"), "$.ok"), "1");
  // AUTOINCREMENT counters start again.
  db.exec("SELECT emf_seed('image_library')");
  EXPECT_EQ(db.integer("SELECT min(id) FROM image_library"), 1);
}

TEST(Reset, RollsBackEntirelyWhenItCannotFinish) {
  TempDir dir;
  Db db(dir.file("r.db"));
  db.exec("SELECT emf_init('trends'), emf_seed('trends')");
  // A table of the user's refers to a topic: with foreign keys on, dropping
  // trending_topics fails after search_history, the indexes and the trigger
  // are already gone. Everything must come back.
  db.exec("CREATE TABLE my_links (topic_id INTEGER REFERENCES trending_topics (id))");
  db.exec("INSERT INTO my_links VALUES (1)");
  const std::string before = db.dump();
  const auto error = db.error("SELECT emf_reset('trends')");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error,
            "emf_reset: cannot reset trends: my_links (topic_id) of yours references "
            "trending_topics; resetting would drop or empty it, or change its rows: move it away "
            "or drop that reference first (nothing was changed)");
  EXPECT_EQ(db.dump(), before);
  EXPECT_EQ(db.json(db.text("SELECT emf_check('trends')"), "$.ok"), "1");
}

// Whatever the reference does on delete (CASCADE would empty the user's
// table, SET NULL change its rows), with foreign keys on or off, the reset
// refuses and changes nothing.
TEST(Reset, AnyReferenceOfTheUsersStopsItWithNothingChanged) {
  for (const char* action : {"ON DELETE CASCADE", "ON DELETE SET NULL", ""}) {
    for (const char* foreign_keys : {"ON", "OFF"}) {
      SCOPED_TRACE(std::string(action) + " foreign_keys " + foreign_keys);
      Db db;
      db.exec("SELECT emf_init('trends'), emf_seed('trends')");
      db.exec(std::string("CREATE TABLE my_notes (topic_id INTEGER REFERENCES trending_topics "
                          "(id) ") +
              action + ", note TEXT)");
      db.exec("INSERT INTO my_notes VALUES (1, 'keep me')");
      db.exec(std::string("PRAGMA foreign_keys = ") + foreign_keys);
      const std::string before = db.dump();
      const auto error = db.error("SELECT emf_reset('trends')");
      ASSERT_TRUE(error.has_value());
      EXPECT_NE(error->find("my_notes (topic_id) of yours references trending_topics"),
                std::string::npos)
          << *error;
      EXPECT_EQ(db.dump(), before);
    }
  }
}

// Only what emf made is dropped: a table of the user's that has the name of
// one of emf's indexes stops the reset, named, and stays.
TEST(Reset, NeverDropsAnObjectOfAnotherTypeUnderAnEmfName) {
  Db db;
  db.exec("SELECT emf_init('trends')");
  db.exec("DROP INDEX idx_trending_topics_source");
  db.exec("CREATE TABLE idx_trending_topics_source (x)");
  db.exec("INSERT INTO idx_trending_topics_source VALUES ('mine')");
  const std::string before = db.dump();
  const auto error = db.error("SELECT emf_reset('trends')");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("idx_trending_topics_source is a table of yours, where emf has an index of "
                        "that name"),
            std::string::npos)
      << *error;
  EXPECT_EQ(db.dump(), before);
}

// The user's views and triggers on the kind's tables come back too.
TEST(Reset, KeepsTheUsersViewsAndTriggers) {
  Db db;
  db.exec("SELECT emf_init('trends'), emf_seed('trends')");
  db.exec("CREATE TABLE my_log (q TEXT)");
  db.exec("CREATE VIEW my_unused AS SELECT topic FROM trending_topics WHERE used_flag = 0");
  db.exec(
      "CREATE TRIGGER my_logger AFTER INSERT ON search_history BEGIN INSERT INTO my_log VALUES "
      "(NEW.query); END");
  db.exec("SELECT emf_reset('trends')");
  db.exec("INSERT INTO search_history (query) VALUES ('q')");
  EXPECT_EQ(db.text("SELECT group_concat(q) FROM my_log"), "q");
  EXPECT_EQ(db.integer("SELECT count(*) FROM my_unused"), 0);
}

TEST(Backup, CopiesCommittedDataWhileAnotherConnectionWrites) {
  TempDir dir;
  const std::string path = dir.file("metrics.db");
  Db db(path);
  db.exec("SELECT emf_init('metrics'), emf_seed('metrics')");
  db.exec("PRAGMA wal_autocheckpoint = 0");  // keep committed pages in -wal

  // Another connection commits (left in the WAL, not checkpointed), then
  // holds an uncommitted write.
  Db writer(path);
  writer.exec("PRAGMA wal_autocheckpoint = 0");
  writer.exec("INSERT INTO video_metadata (video_id) VALUES ('committed')");
  writer.exec("BEGIN; INSERT INTO video_metadata (video_id) VALUES ('uncommitted')");
  ASSERT_GT(std::filesystem::file_size(path + "-wal"), 0u);

  const std::string copy = dir.file("copy.db");
  const std::string report = db.text(fmt::format("SELECT emf_backup('{}')", copy));
  writer.exec("ROLLBACK");
  EXPECT_EQ(db.json(report, "$.path"), copy);
  EXPECT_GT(std::stoll(db.json(report, "$.pages")), 0);
  EXPECT_EQ(std::stoll(db.json(report, "$.bytes")),
            static_cast<long long>(std::filesystem::file_size(copy)));

  Db restored(copy);
  EXPECT_EQ(restored.integer("SELECT count(*) FROM video_metadata WHERE video_id = 'committed'"),
            1);
  EXPECT_EQ(restored.integer("SELECT count(*) FROM video_metadata WHERE video_id = 'uncommitted'"),
            0);
  EXPECT_EQ(restored.integer("SELECT count(*) FROM video_metrics"), 8);
  EXPECT_EQ(restored.json(restored.text("SELECT emf_check()"), "$.ok"), "1");
  EXPECT_EQ(restored.text("PRAGMA integrity_check"), "ok");
  // No temporary file is left beside it.
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    files += entry.path().filename().string().find(".emf-backup-") != std::string::npos;
  }
  EXPECT_EQ(files, 0);
}

// Larger than many of the 2 MiB chunks emf hands to the disk while it
// writes the copy, and than one step, with a writer committing meanwhile:
// SQLite then restarts the copy, writing from the first page again.
TEST(Backup, ALargeCopyRestartedByAWriterIsComplete) {
  TempDir dir;
  const std::string path = dir.file("metrics.db");
  Db db(path);
  db.exec("SELECT emf_init('metrics')");
  db.exec(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000) "
      "INSERT INTO video_metadata (video_id, description) "
      "SELECT 'video ' || i, hex(randomblob(1500)) FROM n");
  ASSERT_GT(std::filesystem::file_size(path), 16u << 20);

  std::atomic<bool> stop{false};
  std::atomic<int> commits{0};
  std::thread writer([&] {
    Db other(path, false);
    sqlite3_busy_timeout(other.get(), 10'000);
    while (!stop) {
      other.exec("INSERT INTO video_metadata (video_id) VALUES ('writer ' || random())");
      ++commits;
    }
  });
  while (commits == 0) std::this_thread::yield();
  const std::string copy = dir.file("copy.db");
  db.exec(fmt::format("SELECT emf_backup('{}')", copy));
  stop = true;
  writer.join();

  Db restored(copy);
  EXPECT_EQ(restored.text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(restored.integer("SELECT count(*) FROM video_metadata WHERE video_id LIKE 'video %'"),
            6000);
  EXPECT_EQ(restored.json(restored.text("SELECT emf_check()"), "$.ok"), "1");
}

TEST(Backup, RefusesAnExistingPathAndLeavesItAlone) {
  TempDir dir;
  Db db;
  db.exec("SELECT emf_init('trends')");
  const std::string path = dir.file("exists.db");
  { std::ofstream(path) << "precious"; }
  const auto error = db.error(fmt::format("SELECT emf_backup('{}')", path));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error,
            fmt::format("emf_backup: {} already exists; emf_backup never overwrites a file", path));
  EXPECT_EQ(read_file(path), "precious");
}

// SQLite takes X-journal (or X-wal) for X's journal: opening X finds no
// journal header in the backup and deletes it. A backup that reported
// success was lost that way, so such names are refused.
TEST(Backup, RefusesANameSQLiteTakesForADatabasesJournal) {
  TempDir dir;
  const std::string database = dir.file("trends.db");
  {
    Db trends(database);
    trends.exec("SELECT emf_init('trends'); SELECT emf_seed('trends')");
    trends.exec("PRAGMA journal_mode = DELETE");
  }
  Db db;
  db.exec("SELECT emf_init('metrics')");
  for (const char* suffix : {"-journal", "-wal", "-shm"}) {
    const std::string path = database + suffix;
    const auto error = db.error(fmt::format("SELECT emf_backup('{}')", path));
    ASSERT_TRUE(error.has_value()) << suffix;
    EXPECT_EQ(*error, fmt::format("emf_backup: {} ends in {}: SQLite takes such a file for the "
                                  "journal of the database beside it and deletes it; choose "
                                  "another name",
                                  path, suffix));
    EXPECT_FALSE(std::filesystem::exists(path)) << suffix;
  }
  Db trends(database);
  EXPECT_EQ(trends.integer("SELECT count(*) FROM trending_topics"), 6);
}

TEST(Backup, ResolvesARelativePathAgainstTheCurrentFolder) {
  TempDir dir;
  const auto previous = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  Db db;
  db.exec("SELECT emf_init('trends')");
  const std::string report = db.text("SELECT emf_backup('relative.db')");
  std::filesystem::current_path(previous);
  EXPECT_EQ(db.json(report, "$.path"), dir.file("relative.db"));
  EXPECT_TRUE(std::filesystem::exists(dir.file("relative.db")));
}

TEST(Backup, RefusesWhileTheCallerHasUncommittedChanges) {
  TempDir dir;
  Db db(dir.file("src.db"));
  db.exec("SELECT emf_init('trends')");
  db.exec("BEGIN; INSERT INTO search_history (query) VALUES ('q')");
  const auto error = db.error(fmt::format("SELECT emf_backup('{}')", dir.file("b.db")));
  db.exec("ROLLBACK");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("emf_backup: the connection has uncommitted changes in schema main"),
            std::string::npos)
      << *error;
  EXPECT_FALSE(std::filesystem::exists(dir.file("b.db")));
}

TEST(Backup, CopiesAnAttachedSchema) {
  TempDir dir;
  Db db;
  db.exec(fmt::format("ATTACH '{}' AS aux", dir.file("aux.db")));
  db.exec("SELECT emf_init('trends', 'aux')");
  db.exec(fmt::format("SELECT emf_backup('{}', 'aux')", dir.file("aux-copy.db")));
  Db copy(dir.file("aux-copy.db"));
  EXPECT_EQ(copy.json(copy.text("SELECT emf_check('trends')"), "$.ok"), "1");
}

TEST(Backup, MissingFolderIsAClearError) {
  Db db;
  const auto error = db.error("SELECT emf_backup('/nonexistent-folder/x.db')");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error, "emf_backup: folder /nonexistent-folder does not exist");
}

// A killed backup leaves its temporary file behind; the next backup into the
// folder removes it, and never one that a live backup still writes (it holds
// a lock on it), nor a file emf did not make: another tag (the helper's
// reproduction: mktemp's names, a user's database), a file that is not a
// database, a database some connection holds a lock on.
TEST(Backup, RemovesTheTemporaryFilesOfKilledBackupsAndNothingElse) {
  TempDir dir;
  Db db(dir.file("t.db"));
  db.exec("SELECT emf_init('trends')");
  const std::string header("SQLite format 3\0", 16);
  const auto make = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir.file(name), std::ios::binary) << bytes;
    return dir.file(name);
  };
  const std::string stale = make("old.db.emf-backup-Ab3dE9", header + "pages");
  make("old.db.emf-backup-Ab3dE9-journal", "journal");
  const std::string empty = make("new.db.emf-backup-Em9tY0", "");
  // Killed before SQLite wrote its first page: the header still zeros.
  const std::string unwritten =
      make("half.db.emf-backup-Ha1fWr", std::string(4096, '\0') + "a later page");
  const std::string live = make("busy.db.emf-backup-Zz9yY8", header + "pages");
  const std::string kept[] = {
      make("notes.emf-backup-keep", header),
      make("report.tmp-123456", "user data"),
      make("important.db.tmp-abcdef", header + "a database of yours"),
      make("mine.emf-backup-abcdef", "user data, not a database"),
  };
  // A database of yours under emf's tag, in a read transaction on another
  // connection: SQLite's POSIX lock on it says it is in use.
  const std::string in_use = dir.file("jobs.db.emf-backup-Q1w2E3");
  Db user(in_use, false);
  user.exec("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0");
  user.exec("CREATE TABLE jobs (x); INSERT INTO jobs VALUES ('committed row')");
  user.exec("BEGIN; SELECT count(*) FROM jobs");
  const int lock = ::open(live.c_str(), O_RDONLY);
  ASSERT_GE(lock, 0);
  ASSERT_EQ(::flock(lock, LOCK_EX), 0);
  db.exec(fmt::format("SELECT emf_backup('{}')", dir.file("b.db")));
  ::close(lock);
  EXPECT_FALSE(std::filesystem::exists(stale));
  EXPECT_FALSE(std::filesystem::exists(stale + "-journal"));
  EXPECT_FALSE(std::filesystem::exists(empty));
  EXPECT_FALSE(std::filesystem::exists(unwritten));
  EXPECT_TRUE(std::filesystem::exists(live));
  for (const std::string& file : kept) EXPECT_TRUE(std::filesystem::exists(file)) << file;
  EXPECT_TRUE(std::filesystem::exists(in_use));
  EXPECT_TRUE(std::filesystem::exists(in_use + "-wal"));
  user.exec("COMMIT");
  EXPECT_EQ(user.text("SELECT x FROM jobs"), "committed row");
  EXPECT_TRUE(std::filesystem::exists(dir.file("b.db")));
}

// A path is resolved as the operating system resolves it: lnk/.. is the
// parent of the folder lnk points to. A path too long to read is shortened
// in the error.
TEST(Backup, ResolvesPathsAsTheOperatingSystemDoes) {
  TempDir dir;
  std::filesystem::create_directories(dir.file("a/b"));
  std::filesystem::create_directory_symlink(dir.file("a/b"), dir.file("lnk"));
  Db db(dir.file("t.db"));
  db.exec("SELECT emf_init('trends')");
  const std::string report =
      db.text(fmt::format("SELECT emf_backup('{}')", dir.file("lnk/../x.db")));
  EXPECT_EQ(db.json(report, "$.path"), dir.file("a/x.db"));
  EXPECT_TRUE(std::filesystem::exists(dir.file("a/x.db")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("x.db")));
  const std::string long_path = dir.file(std::string(100000, 'n') + "/x.db");
  const auto error = db.error(fmt::format("SELECT emf_backup('{}')", long_path));
  ASSERT_TRUE(error.has_value());
  EXPECT_LT(error->size(), 400u) << error->size();
  EXPECT_NE(error->find("(100"), std::string::npos) << *error;
}

// Only a regular file is a stale temporary: a link or a folder named like
// one is neither followed nor removed.
TEST(Backup, LeavesALinkOrAFolderNamedLikeATemporaryFileAlone) {
  TempDir dir;
  Db db(dir.file("t.db"));
  db.exec("SELECT emf_init('trends')");
  { std::ofstream(dir.file("target.txt")) << "precious"; }
  std::filesystem::create_symlink(dir.file("target.txt"), dir.file("old.db.emf-backup-Ab3dE9"));
  std::filesystem::create_directory(dir.file("old.db.emf-backup-Fo1dEr"));
  db.exec(fmt::format("SELECT emf_backup('{}')", dir.file("b.db")));
  EXPECT_TRUE(std::filesystem::is_symlink(dir.file("old.db.emf-backup-Ab3dE9")));
  EXPECT_EQ(read_file(dir.file("target.txt")), "precious");
  EXPECT_TRUE(std::filesystem::is_directory(dir.file("old.db.emf-backup-Fo1dEr")));
  EXPECT_TRUE(std::filesystem::exists(dir.file("b.db")));
}

}  // namespace
}  // namespace emf::test
