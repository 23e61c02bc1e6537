// emf_restore and emf_optimize: a whole database put back while it is live,
// from a backup or from a vacuumed copy, under its write lock; refused,
// changing nothing, when the backup is damaged, of another kind or newer;
// and no row a writer commits meanwhile is lost.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "support/database_digest.h"
#include "support/fixtures.h"
#include "support/process.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;

std::set<std::string> files_beside(const fs::path& file) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(file.parent_path())) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

// The message and the extended code of a statement that fails.
struct Failure {
  std::string message;
  int code;
};

Failure failure_of(Db& db, const std::string& sql) {
  const auto message = db.error(sql);
  return {message.value_or("(it succeeded)"), sqlite3_extended_errcode(db.get())};
}

// About 3 MiB of free pages: enough that emf_optimize compacts.
void free_much_space(Db& db) {
  db.exec(
      "CREATE TABLE pad (x); WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE "
      "i < 3000) INSERT INTO pad SELECT randomblob(1000) FROM s; DROP TABLE pad");
}

TEST(Restore, PutsABackupBackAndSavesTheStateItReplaces) {
  TempDir dir;
  Db db(dir.file("t.db"));
  db.exec("SELECT emf_init('trends'), emf_seed('trends', 300)");
  const std::string backed_up = db.dump();
  db.exec(fmt::format("SELECT emf_backup({})", "'" + dir.file("backup.db") + "'"));
  db.exec("DELETE FROM search_history WHERE id % 2 = 0");
  db.exec("INSERT INTO trending_topics (topic, source) VALUES ('after the backup', 'x')");
  const std::string replaced = db.dump();
  const auto names_before = files_beside(dir.file("backup.db"));

  const std::string report = db.text(fmt::format("SELECT emf_restore('{}', 'main', '{}')",
                                                 dir.file("backup.db"), dir.file("saved.db")));
  EXPECT_EQ(db.json(report, "$.kinds[0].kind"), "trends");
  EXPECT_EQ(db.json(report, "$.kinds[0].version"), "4");
  EXPECT_EQ(db.json(report, "$.saved_current"), dir.file("saved.db"));
  EXPECT_EQ(db.dump(), backed_up);
  EXPECT_EQ(db.json(db.text("SELECT emf_check('trends')"), "$.ok"), "1");
  // Reading the backup left nothing beside it (it is a WAL-mode file).
  auto names_after = files_beside(dir.file("backup.db"));
  names_after.erase("saved.db");
  EXPECT_EQ(names_after, names_before);
  Db saved(dir.file("saved.db"), false);
  EXPECT_EQ(saved.dump(), replaced);
}

TEST(Restore, RefusesWhatItCannotPutBackAndChangesNothing) {
  TempDir dir;
  Db db(dir.file("t.db"));
  db.exec("SELECT emf_init('trends'), emf_seed('trends')");
  {
    Db metrics(dir.file("metrics.db"));
    metrics.exec("SELECT emf_init('metrics')");
    Db newer(dir.file("newer.db"));
    newer.exec("SELECT emf_init('trends')");
    newer.exec(
        "INSERT INTO emf_schema_history (kind, version, name, checksum) VALUES ('trends', 9, "
        "'future', 'x')");
    Db plain(dir.file("plain.db"), false);
    plain.exec("CREATE TABLE notes (x)");
  }
  std::ofstream(dir.file("not-sqlite.txt")) << std::string(2048, 'n');
  db.exec(fmt::format("SELECT emf_backup('{}')", dir.file("damaged.db")));
  {
    // Garbage over the pages after the first: integrity_check fails.
    std::fstream file(dir.file("damaged.db"), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(4096);
    const std::string junk(8192, '\x5a');
    file.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  const std::string before = db.dump();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"metrics.db", "holds metrics, the database trends; restore a backup of the same kind"},
      {"newer.db",
       "holds trends at version 9, which a newer emf made; this emf knows versions up "
       "to 4; upgrade emf to restore it"},
      {"plain.db", "holds no emf database"},
      {"not-sqlite.txt", "is not a database SQLite can read"},
      {"damaged.db", "fails integrity_check"},
      {"missing.db", "does not exist"},
      {"t.db", "is the database itself"}};
  for (const auto& [file, message] : cases) {
    const auto error = db.error(fmt::format("SELECT emf_restore('{}')", dir.file(file)));
    ASSERT_TRUE(error.has_value()) << file;
    EXPECT_NE(error->find(message), std::string::npos) << file << ": " << *error;
    EXPECT_EQ(db.dump(), before) << file;
  }
  db.exec("BEGIN");
  const auto error = db.error(fmt::format("SELECT emf_restore('{}')", dir.file("metrics.db")));
  db.exec("ROLLBACK");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("cannot run inside a transaction"), std::string::npos) << *error;
}

// A writer commits throughout a restore: every row it committed is in the
// state saved first or in the database after, never lost between them.
TEST(Restore, NoRowCommittedMeanwhileIsLost) {
  TempDir dir;
  {
    Db db(dir.file("t.db"));
    db.exec("SELECT emf_init('trends'), emf_seed('trends', 2000)");
    db.exec(fmt::format("SELECT emf_backup('{}')", dir.file("backup.db")));
  }
  constexpr int kRows = 400;
  std::string script = ".timeout 20000\n";
  for (int i = 0; i < kRows; ++i) {
    script += fmt::format("INSERT INTO search_history (query) VALUES ('writer {}');\n", i);
  }
  std::ofstream(dir.file("writer.sql")) << script;
  Process writer({find_on_path("sqlite3"), dir.file("t.db")},
                 ProcessOptions{dir.path(), {}, read_file(dir.file("writer.sql"))});
  int restores = 0;
  {
    Db db(dir.file("t.db"));
    for (; restores < 3; ++restores) {
      db.exec(fmt::format("SELECT emf_restore('{}', 'main', '{}')", dir.file("backup.db"),
                          dir.file(fmt::format("saved{}.db", restores))));
    }
  }
  const auto result = writer.wait();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::set<std::string> seen;
  for (int i = 0; i <= restores; ++i) {
    const std::string file =
        i < restores ? dir.file(fmt::format("saved{}.db", i)) : dir.file("t.db");
    Db db(file, false);
    for (const auto& row :
         db.rows("SELECT query FROM search_history WHERE query LIKE 'writer %'")) {
      seen.insert(row[0]);
    }
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kRows));
}

TEST(Optimize, VacuumsWhenMuchIsFreeKeepingEveryRowAndRowid) {
  TempDir dir;
  Db db(dir.file("i.db"));
  db.exec("SELECT emf_init('image_library'), emf_seed('image_library', 20000)");
  db.exec("DELETE FROM image_usage WHERE id % 10 <> 0");
  db.exec(
      "DELETE FROM image_library WHERE id % 10 <> 0 AND id NOT IN (SELECT image_id FROM "
      "image_usage) AND id NOT IN (SELECT image_id FROM collection_images)");
  // collection_images has no INTEGER PRIMARY KEY: its rowids must stay.
  db.exec("DELETE FROM collection_images WHERE rowid % 3 = 0");
  const std::string before = db.dump();
  const std::string rowids = db.text(
      "SELECT group_concat(rowid) FROM (SELECT rowid FROM collection_images ORDER BY rowid)");
  const std::string report = db.text(
      fmt::format("SELECT emf_optimize('image_library', 'main', '{}')", dir.file("saved.db")));
  EXPECT_EQ(db.json(report, "$.vacuumed"), "1") << report;
  EXPECT_EQ(db.json(report, "$.analyzed"), "1");
  EXPECT_EQ(db.json(report, "$.checkpoint"), "done");
  EXPECT_EQ(db.json(report, "$.free_pages_after"), "0");
  EXPECT_LT(std::stoll(db.json(report, "$.bytes_after")),
            std::stoll(db.json(report, "$.bytes_before")));
  EXPECT_EQ(
      db.text(
          "SELECT group_concat(rowid) FROM (SELECT rowid FROM collection_images ORDER BY rowid)"),
      rowids);
  // The same rows; ANALYZE added its statistics.
  db.exec("DROP TABLE sqlite_stat1");
  EXPECT_EQ(db.dump(), before);
  EXPECT_TRUE(fs::exists(dir.file("saved.db")));
  EXPECT_EQ(db.json(db.text("SELECT emf_check('image_library')"), "$.ok"), "1");
}

TEST(Optimize, LeavesADatabaseWithLittleFreeSpaceAsItIsAndSaysWhy) {
  TempDir dir;
  Db db(dir.file("m.db"));
  db.exec("SELECT emf_init('metrics'), emf_seed('metrics')");
  const std::string report =
      db.text(fmt::format("SELECT emf_optimize('metrics', 'main', '{}')", dir.file("saved.db")));
  EXPECT_EQ(db.json(report, "$.vacuumed"), "0");
  EXPECT_NE(db.json(report, "$.vacuum").find("not needed: "), std::string::npos) << report;
  EXPECT_FALSE(fs::exists(dir.file("saved.db")));
  EXPECT_EQ(db.integer("SELECT count(*) FROM sqlite_stat1") > 0, true);
  db.exec("BEGIN");
  const auto error = db.error("SELECT emf_optimize('metrics')");
  db.exec("ROLLBACK");
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("emf_optimize: cannot run inside a transaction"), std::string::npos);
  EXPECT_TRUE(db.error("SELECT emf_optimize('trends')").has_value());
}

// Found by hostile testing: in rollback-journal mode the restore must keep
// its lock to the end. Reading the header through a second handle and
// closing it dropped every POSIX lock of the process, so a reader rolled the
// restore's journal back under it and the database was left malformed.
TEST(Restore, KeepsItsLockInRollbackJournalModeWhileOthersRead) {
  TempDir dir;
  {
    Db db(dir.file("m.db"));
    db.exec("SELECT emf_init('metrics')");
    EXPECT_EQ(db.text("PRAGMA journal_mode = DELETE"), "delete");
    db.exec("SELECT emf_seed('metrics', 20000)");
    // Enough pages that the copy takes a while.
    db.exec(
        "CREATE TABLE big (x); WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s "
        "WHERE i < 4000) INSERT INTO big SELECT randomblob(8000) FROM s");
    db.exec(fmt::format("SELECT emf_backup('{}')", dir.file("backup.db")));
    db.exec("DELETE FROM video_metrics WHERE id % 2 = 0");
  }
  std::string script = ".timeout 20000\n";
  for (int i = 0; i < 3000; ++i) script += "SELECT count(*) > 0 FROM video_metrics;\n";
  Process reader({find_on_path("sqlite3"), dir.file("m.db")},
                 ProcessOptions{dir.path(), {}, script});
  Db db(dir.file("m.db"));
  const std::string report = db.text(fmt::format("SELECT emf_restore('{}', 'main', '{}')",
                                                 dir.file("backup.db"), dir.file("saved.db")));
  EXPECT_EQ(reader.wait().exit_code, 0);
  EXPECT_EQ(db.text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(db.integer("SELECT count(*) FROM video_metrics"), 20000);
  Db saved(dir.file("saved.db"), false);
  EXPECT_EQ(saved.integer("SELECT count(*) FROM video_metrics"), 10000);
}

// A copy taken with cp in the middle of a transaction carries its -journal:
// its pages may never have been committed.
TEST(Restore, RefusesACopyWithAJournalBesideIt) {
  TempDir dir;
  Db db(dir.file("t.db"));
  db.exec("SELECT emf_init('trends')");
  db.exec(fmt::format("SELECT emf_backup('{}')", dir.file("copy.db")));
  std::ofstream(dir.file("copy.db-journal")) << std::string(512, 'j');
  const std::string before = db.dump();
  const auto error = db.error(fmt::format("SELECT emf_restore('{}')", dir.file("copy.db")));
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("has a -journal beside it: it was copied in the middle of a transaction"),
            std::string::npos)
      << *error;
  EXPECT_EQ(db.dump(), before);
}

// The state before is never saved where SQLite keeps the database's own
// files; a database a newer emf upgraded can be restored (that is how an
// upgrade is undone); NULL means no save.
TEST(Restore, SavesOnlyToANewFileAndUndoesANewerUpgrade) {
  TempDir dir;
  Db db(dir.file("t.db"));
  db.exec("SELECT emf_init('trends'), emf_seed('trends')");
  db.exec(fmt::format("SELECT emf_backup('{}')", dir.file("backup.db")));
  for (const char* sibling : {"t.db-journal", "t.db-wal", "t.db"}) {
    const auto error = db.error(fmt::format("SELECT emf_restore('{}', 'main', '{}')",
                                            dir.file("backup.db"), dir.file(sibling)));
    ASSERT_TRUE(error.has_value()) << sibling;
    EXPECT_NE(error->find("cannot save the current state to"), std::string::npos) << *error;
  }
  db.exec(
      "INSERT INTO emf_schema_history (kind, version, name, checksum) VALUES ('trends', 9, "
      "'future', 'x')");
  db.exec(fmt::format("SELECT emf_restore('{}', 'main', NULL)", dir.file("backup.db")));
  EXPECT_EQ(db.integer("SELECT max(version) FROM emf_schema_history"), 4);
}

// A column named rowid hides the rowid: the compaction must copy the real
// one (found by hostile testing: rows were renumbered and the check missed
// it).
TEST(Optimize, KeepsRowidsWhenAColumnIsNamedRowid) {
  TempDir dir;
  Db db(dir.file("m.db"));
  db.exec("SELECT emf_init('metrics')");
  db.exec("CREATE TABLE t (rowid TEXT, v)");
  db.exec("INSERT INTO t (_rowid_, rowid, v) VALUES (10, 'b', 'x'), (20, 'a', 'y')");
  db.exec(
      "CREATE TABLE pad (x); WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE "
      "i < 3000) INSERT INTO pad SELECT randomblob(1000) FROM s; DROP TABLE pad");
  // A stale copy of an optimize that was killed: removed, as its lock is free.
  std::ofstream(dir.file("m.db.emf-vacuum-AbC123"))
      << std::string("SQLite format 3\0", 16) << "left by a killed optimize";
  const std::string report = db.text("SELECT emf_optimize('metrics')");
  EXPECT_EQ(db.json(report, "$.vacuumed"), "1") << report;
  EXPECT_EQ(db.text("SELECT group_concat(_rowid_ || ':' || rowid || ':' || v, ' ') FROM t"),
            "10:b:x 20:a:y");
  EXPECT_FALSE(fs::exists(dir.file("m.db.emf-vacuum-AbC123")));
  for (const auto& name : files_beside(dir.file("m.db"))) {
    EXPECT_EQ(name.find(".emf-vacuum-"), std::string::npos) << name;
  }
}

// An in-memory database has no file to put a backup over or to compact.
TEST(Restore, RefusesASchemaThatIsNotADatabaseFile) {
  TempDir dir;
  {
    Db source(dir.file("t.db"));
    source.exec("SELECT emf_init('trends')");
    source.exec(fmt::format("SELECT emf_backup('{}')", dir.file("backup.db")));
  }
  Db db;
  db.exec("SELECT emf_init('trends'), emf_seed('trends')");
  const std::string before = digest(db);
  const Failure restore =
      failure_of(db, fmt::format("SELECT emf_restore('{}')", dir.file("backup.db")));
  EXPECT_EQ(restore.message,
            "emf_restore: schema main is not a database file; emf_restore replaces a file's "
            "content");
  EXPECT_EQ(restore.code, SQLITE_ERROR);
  const Failure optimize = failure_of(db, "SELECT emf_optimize('trends')");
  EXPECT_EQ(optimize.message,
            "emf_optimize: schema main is not a database file; emf_optimize replaces a file's "
            "content");
  EXPECT_EQ(optimize.code, SQLITE_ERROR);
  EXPECT_EQ(digest(db), before);
}

// The current state is saved to a new file only: an existing one (here a
// link to the database itself) is neither overwritten nor followed.
TEST(Restore, RefusesToSaveTheCurrentStateOverAnExistingFile) {
  TempDir dir;
  Db db(dir.file("t.db"));
  db.exec("SELECT emf_init('trends'), emf_seed('trends')");
  db.exec(fmt::format("SELECT emf_backup('{}')", dir.file("backup.db")));
  db.exec("DELETE FROM search_history");
  std::ofstream(dir.file("notes.txt")) << "precious";
  fs::create_symlink(dir.file("t.db"), dir.file("link.db"));
  const std::string before = digest(db);
  for (const char* name : {"notes.txt", "link.db"}) {
    const Failure failure = failure_of(db, fmt::format("SELECT emf_restore('{}', 'main', '{}')",
                                                       dir.file("backup.db"), dir.file(name)));
    EXPECT_EQ(failure.message,
              fmt::format("emf_restore: {} already exists; the current state is saved to a new "
                          "file only",
                          dir.file(name)));
    EXPECT_EQ(failure.code, SQLITE_CANTOPEN);
    const Failure optimize =
        failure_of(db, fmt::format("SELECT emf_optimize('trends', 'main', '{}')", dir.file(name)));
    EXPECT_EQ(optimize.message,
              fmt::format("emf_optimize: {} already exists; the current state is saved to a new "
                          "file only",
                          dir.file(name)));
    EXPECT_EQ(optimize.code, SQLITE_CANTOPEN);
  }
  EXPECT_EQ(digest(db), before);
  EXPECT_EQ(read_file(dir.file("notes.txt")), "precious");
  EXPECT_TRUE(fs::is_symlink(dir.file("link.db")));
}

// SQLite cannot copy pages of another size into a WAL database: a backup of
// 8 KiB pages is refused before anything is written.
TEST(Restore, RefusesABackupOfAnotherPageSizeIntoAWalDatabase) {
  TempDir dir;
  {
    Db other(dir.file("big-pages.db"));
    other.exec("PRAGMA page_size = 8192");
    other.exec("SELECT emf_init('trends'), emf_seed('trends')");
    ASSERT_EQ(other.integer("PRAGMA page_size"), 8192);
    other.exec(fmt::format("SELECT emf_backup('{}')", dir.file("backup.db")));
  }
  Db db(dir.file("t.db"));
  db.exec("SELECT emf_init('trends')");
  ASSERT_EQ(db.text("PRAGMA journal_mode"), "wal");
  ASSERT_EQ(db.integer("PRAGMA page_size"), 4096);
  const std::string before = digest(db);
  const Failure failure = failure_of(db, fmt::format("SELECT emf_restore('{}', 'main', '{}')",
                                                     dir.file("backup.db"), dir.file("saved.db")));
  EXPECT_EQ(failure.message,
            "emf_restore: the backup's pages are 8192 bytes and the database's 4096; SQLite "
            "cannot copy pages of another size into a WAL database");
  EXPECT_EQ(failure.code, SQLITE_ERROR);
  EXPECT_EQ(digest(db), before);
  EXPECT_FALSE(fs::exists(dir.file("saved.db")));
}

// A new database file, still empty (no header, rollback-journal mode), takes
// a backup of any kind.
TEST(Restore, PutsABackupIntoANewEmptyFile) {
  TempDir dir;
  std::string backed_up;
  {
    Db source(dir.file("t.db"));
    source.exec("SELECT emf_init('trends'), emf_seed('trends', 50)");
    source.exec(fmt::format("SELECT emf_backup('{}')", dir.file("backup.db")));
    backed_up = digest(source);
  }
  Db db(dir.file("new.db"));
  ASSERT_EQ(fs::file_size(dir.file("new.db")), 0u);
  ASSERT_EQ(db.text("PRAGMA journal_mode"), "delete");
  const std::string report =
      db.text(fmt::format("SELECT emf_restore('{}')", dir.file("backup.db")));
  EXPECT_EQ(db.json(report, "$.kinds[0].kind"), "trends");
  EXPECT_EQ(db.json(report, "$.saved_current"), "NULL");
  EXPECT_EQ(digest(db), backed_up);
  EXPECT_EQ(db.text("PRAGMA integrity_check"), "ok");
}

// Another connection holds the write lock longer than the caller waits:
// nothing is replaced, and the state saved first is removed (a retry saves
// it again).
TEST(Restore, GivesUpOnALockHeldLongerThanItsBusyTimeoutAndKeepsNoSave) {
  TempDir dir;
  Db db(dir.file("t.db"));
  db.exec("SELECT emf_init('trends'), emf_seed('trends')");
  db.exec(fmt::format("SELECT emf_backup('{}')", dir.file("backup.db")));
  db.exec("DELETE FROM search_history");
  db.exec("PRAGMA busy_timeout = 200");
  const std::string before = digest(db);
  Db holder(dir.file("t.db"), false);
  holder.exec("BEGIN IMMEDIATE");
  const Failure failure = failure_of(db, fmt::format("SELECT emf_restore('{}', 'main', '{}')",
                                                     dir.file("backup.db"), dir.file("saved.db")));
  holder.exec("ROLLBACK");
  EXPECT_EQ(failure.message,
            "emf_restore: cannot take the write lock: database is locked; another connection is "
            "using the database; run this again when it is done, or wait longer (PRAGMA "
            "busy_timeout; this call waited 200 ms)");
  EXPECT_EQ(failure.code, SQLITE_BUSY);
  EXPECT_FALSE(fs::exists(dir.file("saved.db")));
  EXPECT_EQ(digest(db), before);
}

// A connection that may not write is told so, and nothing is replaced.
TEST(Restore, RefusesOnAReadOnlyConnection) {
  TempDir dir;
  {
    Db writer(dir.file("t.db"));
    writer.exec("SELECT emf_init('trends'), emf_seed('trends')");
    writer.exec(fmt::format("SELECT emf_backup('{}')", dir.file("backup.db")));
    writer.exec("DELETE FROM search_history");
  }
  Db db("file:" + dir.file("t.db") + "?mode=ro");
  const std::string before = digest(db);
  db.exec("PRAGMA analysis_limit = 77");
  const Failure restore =
      failure_of(db, fmt::format("SELECT emf_restore('{}')", dir.file("backup.db")));
  EXPECT_EQ(restore.message,
            "emf_restore: cannot take the write lock: attempt to write a readonly database; this "
            "connection cannot write to it: it was opened read-only, or the file or its folder is "
            "read-only to this user; open it read-write, or check the permissions");
  EXPECT_EQ(restore.code, SQLITE_READONLY);
  const Failure optimize = failure_of(db, "SELECT emf_optimize('trends')");
  EXPECT_EQ(optimize.message,
            "emf_optimize: attempt to write a readonly database; this connection cannot write to "
            "it: it was opened read-only, or the file or its folder is read-only to this user; "
            "open it read-write, or check the permissions");
  EXPECT_EQ(optimize.code, SQLITE_READONLY);
  // The ANALYZE that failed put the caller's analysis_limit back.
  EXPECT_EQ(db.integer("PRAGMA analysis_limit"), 77);
  EXPECT_EQ(digest(db), before);
}

// SQLite opens no path longer than 512 bytes, though the system does.
TEST(Restore, SaysWhichBackupItCannotOpen) {
  TempDir dir;
  Db db(dir.file("t.db"));
  db.exec("SELECT emf_init('trends')");
  db.exec(fmt::format("SELECT emf_backup('{}')", dir.file("backup.db")));
  fs::path folder = dir.path();
  while (folder.string().size() < 600) folder /= std::string(100, 'd');
  fs::create_directories(folder);
  const std::string deep = (folder / "backup.db").string();
  fs::copy_file(dir.file("backup.db"), deep);
  const std::string before = digest(db);
  const Failure failure = failure_of(db, fmt::format("SELECT emf_restore('{}')", deep));
  EXPECT_EQ(failure.message,
            fmt::format("emf_restore: cannot open {}...{} ({} characters): unable "
                        "to open database file",
                        deep.substr(0, 100), deep.substr(deep.size() - 100), deep.size()));
  EXPECT_EQ(failure.code, SQLITE_CANTOPEN);
  EXPECT_EQ(digest(db), before);
}

// SQLite reads %, ? and # in a file: URI as escapes and separators: a
// database whose path holds them is still the one restored and compacted.
TEST(Restore, HandlesPathsWithTheCharactersOfAUri) {
  TempDir dir;
  // The file a%41b?mode=ro#c.db, opened by its URI: unescaped, the path
  // would name the file aAb, read-only.
  const std::string file = dir.file("a%41b?mode=ro#c.db");
  Db db("file:" + dir.file("a%2541b%3Fmode=ro%23c.db"));
  ASSERT_EQ(std::string(sqlite3_db_filename(db.get(), "main")), file);
  db.exec("SELECT emf_init('metrics'), emf_seed('metrics')");
  const std::string backed_up = digest(db);
  db.exec(fmt::format("SELECT emf_backup('{}')", dir.file("b%41?#.db")));
  db.exec("DELETE FROM video_metrics");
  db.exec(fmt::format("SELECT emf_restore('{}')", dir.file("b%41?#.db")));
  EXPECT_EQ(digest(db), backed_up);
  free_much_space(db);
  const std::string report = db.text("SELECT emf_optimize('metrics')");
  EXPECT_EQ(db.json(report, "$.vacuumed"), "1") << report;
  db.exec("DROP TABLE sqlite_stat1");
  EXPECT_EQ(digest(db), backed_up);
  EXPECT_EQ(files_beside(file),
            (std::set<std::string>{"a%41b?mode=ro#c.db", "a%41b?mode=ro#c.db-wal",
                                   "a%41b?mode=ro#c.db-shm", "b%41?#.db"}));
}

// A table WITHOUT ROWID has its key among its columns: compacted, its rows
// are the same.
TEST(Optimize, CompactsATableWithoutRowid) {
  TempDir dir;
  Db db(dir.file("m.db"));
  db.exec("SELECT emf_init('metrics'), emf_seed('metrics')");
  db.exec("CREATE TABLE tags (name TEXT PRIMARY KEY, uses INTEGER) WITHOUT ROWID");
  db.exec(
      "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 500) INSERT INTO "
      "tags SELECT 'tag ' || i, i FROM s");
  free_much_space(db);
  // (digest() reads tables in rowid order: not this one.)
  const auto tags = db.rows("SELECT name, uses FROM tags ORDER BY name");
  const auto metrics = db.rows("SELECT * FROM video_metrics ORDER BY id");
  const std::string report = db.text("SELECT emf_optimize('metrics')");
  EXPECT_EQ(db.json(report, "$.vacuumed"), "1") << report;
  EXPECT_EQ(db.json(report, "$.free_pages_after"), "0");
  EXPECT_EQ(db.rows("SELECT name, uses FROM tags ORDER BY name"), tags);
  EXPECT_EQ(db.rows("SELECT * FROM video_metrics ORDER BY id"), metrics);
  EXPECT_EQ(db.text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(db.json(db.text("SELECT emf_check('metrics')"), "$.ok"), "1");
}

// A table whose columns hide all three names of the rowid cannot be copied
// keeping its rowids: the optimize stops, and only its statistics stay.
TEST(Optimize, StopsAtATableWhoseColumnsHideEveryNameOfTheRowid) {
  TempDir dir;
  Db db(dir.file("m.db"));
  db.exec("SELECT emf_init('metrics'), emf_seed('metrics')");
  db.exec("CREATE TABLE hidden (rowid, _rowid_, oid)");
  db.exec("INSERT INTO hidden VALUES (1, 2, 3)");
  free_much_space(db);
  const std::string before = digest(db);
  const std::int64_t pages = db.integer("PRAGMA page_count");
  const Failure failure = failure_of(
      db, fmt::format("SELECT emf_optimize('metrics', 'main', '{}')", dir.file("saved.db")));
  EXPECT_EQ(failure.message,
            "emf_optimize: table hidden has columns named rowid, _rowid_ and oid, which hide its "
            "rowids; emf cannot copy them");
  EXPECT_EQ(failure.code, SQLITE_ERROR);
  // Not compacted: ANALYZE took a free page for its statistics, no more.
  EXPECT_EQ(db.integer("PRAGMA page_count"), pages);
  db.exec("DROP TABLE sqlite_stat1");
  EXPECT_EQ(digest(db), before);
  EXPECT_FALSE(fs::exists(dir.file("saved.db")));
  for (const auto& name : files_beside(dir.file("m.db"))) {
    EXPECT_EQ(name.find(".emf-vacuum-"), std::string::npos) << name;
  }
}

// A virtual table's content is not rows emf can copy: the database is
// analyzed, not compacted, and the report says why.
TEST(Optimize, LeavesADatabaseWithAVirtualTableUncompactedAndSaysWhy) {
  TempDir dir;
  Db db(dir.file("m.db"));
  db.exec("SELECT emf_init('metrics'), emf_seed('metrics')");
  db.exec("CREATE VIRTUAL TABLE boxes USING rtree(id, x0, x1)");
  db.exec("INSERT INTO boxes VALUES (1, 0, 10)");
  free_much_space(db);
  const std::string before = digest(db);
  const std::string report =
      db.text(fmt::format("SELECT emf_optimize('metrics', 'main', '{}')", dir.file("saved.db")));
  EXPECT_EQ(db.json(report, "$.vacuumed"), "0");
  EXPECT_EQ(db.json(report, "$.analyzed"), "1");
  EXPECT_EQ(db.json(report, "$.vacuum"),
            "not compacted: the database has a virtual table (boxes), whose content emf cannot "
            "copy row by row; SQLite's VACUUM would, but may renumber the rowids of tables "
            "without an INTEGER PRIMARY KEY");
  EXPECT_EQ(db.json(report, "$.bytes_after"), db.json(report, "$.bytes_before"));
  EXPECT_FALSE(fs::exists(dir.file("saved.db")));
  db.exec("DROP TABLE sqlite_stat1");
  EXPECT_EQ(digest(db), before);
}

// In rollback-journal mode there is no WAL to checkpoint: the report says
// null, and the compaction is written to the file itself.
TEST(Optimize, CompactsADatabaseInRollbackJournalMode) {
  TempDir dir;
  Db db(dir.file("m.db"));
  db.exec("SELECT emf_init('metrics')");
  ASSERT_EQ(db.text("PRAGMA journal_mode = DELETE"), "delete");
  db.exec("SELECT emf_seed('metrics', 500)");
  free_much_space(db);
  const std::string before = digest(db);
  const std::string report = db.text("SELECT emf_optimize('metrics')");
  EXPECT_EQ(db.json(report, "$.vacuumed"), "1") << report;
  EXPECT_EQ(db.json(report, "$.checkpoint"), "NULL");
  EXPECT_EQ(db.json(report, "$.free_pages_after"), "0");
  EXPECT_EQ(std::stoll(db.json(report, "$.bytes_after")),
            static_cast<long long>(fs::file_size(dir.file("m.db"))));
  EXPECT_FALSE(fs::exists(dir.file("m.db-wal")));
  db.exec("DROP TABLE sqlite_stat1");
  EXPECT_EQ(digest(db), before);
}

// Much free space in bytes is not enough: it must also be a tenth of the
// file.
TEST(Optimize, LeavesALargeDatabaseWithASmallShareFreeAsItIs) {
  TempDir dir;
  Db db(dir.file("m.db"));
  db.exec("SELECT emf_init('metrics'), emf_seed('metrics')");
  db.exec(
      "CREATE TABLE big (x); WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE "
      "i < 40000) INSERT INTO big SELECT randomblob(1000) FROM s");
  free_much_space(db);
  const std::int64_t pages = db.integer("PRAGMA page_count");
  const std::int64_t free_pages = db.integer("PRAGMA freelist_count");
  ASSERT_GE(free_pages * 4096, 1 << 20);
  ASSERT_LT(free_pages * 10, pages);
  const std::string report = db.text("SELECT emf_optimize('metrics')");
  EXPECT_EQ(db.json(report, "$.vacuumed"), "0");
  EXPECT_EQ(
      db.json(report, "$.vacuum"),
      fmt::format("not needed: {} of {} pages free (a VACUUM runs from 10% and 1024 KiB free)",
                  free_pages, pages));
  EXPECT_EQ(db.integer("PRAGMA page_count"), pages);
}

// Called in a query that reads the database (FROM one of its tables), the
// caller's own statement holds it open: nothing can be put over it. Found by
// this test: emf_restore saved the current state, then failed to start the
// copy ("destination database is in use"), and left the saved file, which
// stopped the next try; emf_optimize ran ANALYZE, then failed. Both are
// refused now before they save or change anything.
TEST(Restore, RefusesWhileTheCallersOwnStatementReadsTheDatabase) {
  TempDir dir;
  Db db(dir.file("t.db"));
  db.exec("SELECT emf_init('trends'), emf_seed('trends')");
  db.exec(fmt::format("SELECT emf_backup('{}')", dir.file("backup.db")));
  db.exec("DELETE FROM search_history");
  free_much_space(db);
  const std::string before = digest(db);
  const Failure restore =
      failure_of(db, fmt::format("SELECT emf_restore('{}', 'main', '{}') FROM trending_topics "
                                 "LIMIT 1",
                                 dir.file("backup.db"), dir.file("saved.db")));
  EXPECT_EQ(restore.message,
            "emf_restore: cannot run while its own statement reads schema main (a query's "
            "FROM?): emf_restore replaces the whole database; call it in a SELECT of its own: "
            "SELECT emf_restore(...)");
  EXPECT_EQ(restore.code, SQLITE_ERROR);
  const Failure optimize = failure_of(
      db, fmt::format("SELECT emf_optimize('trends', 'main', '{}') FROM trending_topics LIMIT 1",
                      dir.file("saved.db")));
  EXPECT_EQ(optimize.message,
            "emf_optimize: cannot run while its own statement reads schema main (a query's "
            "FROM?): emf_optimize replaces the whole database; call it in a SELECT of its own: "
            "SELECT emf_optimize(...)");
  EXPECT_EQ(optimize.code, SQLITE_ERROR);
  EXPECT_FALSE(fs::exists(dir.file("saved.db")));
  EXPECT_EQ(digest(db), before);
  // In a SELECT of its own, the same call runs.
  db.exec(fmt::format("SELECT emf_restore('{}', 'main', '{}')", dir.file("backup.db"),
                      dir.file("saved.db")));
  EXPECT_EQ(db.integer("SELECT count(*) FROM search_history"), 4);
}

}  // namespace
}  // namespace emf::test
