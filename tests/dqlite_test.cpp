// emf inside dqlite: a database opened through a VFS whose name starts with
// "dqlite-", as dqlite 1.11 names its own ("dqlite-1"). The VFS here
// forwards everything to the default one, so the files are ordinary ones;
// only its name tells emf where it runs, as in a dqlite node. Each refusal
// is proven with its message and with nothing changed, the ordinary
// functions are proven to work there without any journal_mode PRAGMA, and
// the same calls on an ordinary VFS are proven to behave as before.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/test_db.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFakeDqliteVfs = "dqlite-test";

// The default VFS under dqlite's kind of name: a copy of its methods, so
// every file it opens is the default VFS's own.
void register_fake_dqlite_vfs() {
  static const bool registered = [] {
    static sqlite3_vfs fake = *sqlite3_vfs_find(nullptr);
    fake.zName = kFakeDqliteVfs;
    fake.pNext = nullptr;
    return sqlite3_vfs_register(&fake, /*makeDflt=*/0) == SQLITE_OK;
  }();
  ASSERT_TRUE(registered);
}

// Every statement the connection runs, the ones emf's functions run on it
// included (SQLITE_TRACE_STMT reports each, as written).
class StatementLog {
 public:
  explicit StatementLog(sqlite3* db) : db_(db) {
    sqlite3_trace_v2(db, SQLITE_TRACE_STMT, &StatementLog::record, this);
  }
  ~StatementLog() { sqlite3_trace_v2(db_, 0, nullptr, nullptr); }
  StatementLog(const StatementLog&) = delete;
  StatementLog& operator=(const StatementLog&) = delete;

  // The statements that mention a word (lower case), in any case.
  std::vector<std::string> mentioning(const std::string& word) const {
    std::vector<std::string> found;
    for (const std::string& statement : statements_) {
      std::string lower = statement;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (lower.find(word) != std::string::npos) found.push_back(statement);
    }
    return found;
  }
  std::size_t size() const { return statements_.size(); }

 private:
  static int record(unsigned, void* context, void*, void* sql) {
    auto* log = static_cast<StatementLog*>(context);
    const char* text = static_cast<const char*>(sql);
    if (text != nullptr) log->statements_.emplace_back(text);
    return 0;
  }
  sqlite3* db_;
  std::vector<std::string> statements_;
};

// A connection "inside dqlite" (through the fake VFS) or an ordinary one,
// to the same kind of file.
std::unique_ptr<Db> open(const std::string& path, bool dqlite) {
  if (dqlite) register_fake_dqlite_vfs();
  return std::make_unique<Db>(path, true, dqlite ? kFakeDqliteVfs : nullptr);
}

// A trends database in WAL mode, as dqlite keeps every database, made on an
// ordinary connection.
void make_trends(const std::string& path) {
  Db db(path);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("SELECT emf_init('trends')");
  db.exec("SELECT emf_seed('trends')");
}

// The report of a call that must succeed, run once.
std::string report_of(Db& db, const std::string& sql) {
  try {
    return db.text(sql);
  } catch (const std::exception& error) {
    ADD_FAILURE() << error.what();
    return "{}";
  }
}

TEST(Dqlite, InitCheckSeedRepairAndResetWorkWithoutAnyJournalModePragma) {
  TempDir dir;
  const std::string path = dir.file("trends.db");
  {
    Db plain(path);
    plain.exec("PRAGMA journal_mode = WAL");
  }
  auto db = open(path, /*dqlite=*/true);
  StatementLog log(db->get());
  const std::string init = report_of(*db, "SELECT emf_init('trends')");
  EXPECT_EQ(db->json(init, "$.version"), "4");
  EXPECT_EQ(db->json(init, "$.journal_mode"), "wal");
  EXPECT_EQ(db->json(init, "$.warnings"), "NULL");
  EXPECT_EQ(db->json(report_of(*db, "SELECT emf_seed('trends')"), "$.kind"), "trends");
  EXPECT_EQ(db->integer("SELECT count(*) FROM trending_topics"), 6);
  // A drifted table, rebuilt by emf_repair with its rows.
  db->exec("DROP INDEX idx_trending_topics_source");
  const std::string repair = report_of(*db, "SELECT emf_repair('trends')");
  EXPECT_EQ(db->json(repair, "$.recreated"), "[\"idx_trending_topics_source\"]");
  EXPECT_EQ(db->integer("SELECT count(*) FROM trending_topics"), 6);
  const std::string check = report_of(*db, "SELECT emf_check('trends')");
  EXPECT_EQ(db->json(check, "$.ok"), "1");
  EXPECT_EQ(db->json(check, "$.journal_mode"), "wal");
  EXPECT_EQ(db->json(report_of(*db, "SELECT emf_check()"), "$.ok"), "1");
  const std::string reset = report_of(*db, "SELECT emf_reset('trends')");
  EXPECT_EQ(db->json(reset, "$.journal_mode"), "wal");
  EXPECT_EQ(db->integer("SELECT count(*) FROM trending_topics"), 0);
  EXPECT_GT(log.size(), 10u);
  EXPECT_EQ(log.mentioning("journal_mode"), std::vector<std::string>{});
}

TEST(Dqlite, InitNeverSwitchesTheJournalMode) {
  // Even on a database that is not in WAL mode (never so inside dqlite),
  // emf_init there leaves the mode alone: the switch is skipped, not merely
  // found unneeded.
  TempDir dir;
  const std::string path = dir.file("trends.db");
  auto db = open(path, /*dqlite=*/true);
  {
    StatementLog log(db->get());
    report_of(*db, "SELECT emf_init('trends')");
    EXPECT_EQ(log.mentioning("journal_mode"), std::vector<std::string>{});
  }
  Db plain(path);
  EXPECT_EQ(plain.text("PRAGMA journal_mode"), "delete");
}

TEST(Dqlite, OnAnOrdinaryVfsInitStillSwitchesToWal) {
  TempDir dir;
  const std::string path = dir.file("trends.db");
  auto db = open(path, /*dqlite=*/false);
  StatementLog log(db->get());
  const std::string init = report_of(*db, "SELECT emf_init('trends')");
  EXPECT_EQ(db->json(init, "$.journal_mode"), "wal");
  EXPECT_FALSE(log.mentioning("journal_mode").empty());
  EXPECT_EQ(db->text("PRAGMA journal_mode"), "wal");
}

// Every function that takes a schema, each given the attached aux.
const std::vector<std::string> kCallsOnAux = {
    "SELECT emf_init('trends', 'aux')",           "SELECT emf_plan('trends', 'aux')",
    "SELECT emf_check('trends', 'aux')",          "SELECT emf_reset('trends', 'aux')",
    "SELECT emf_repair('trends', 'aux')",         "SELECT emf_backup('BACKUP', 'aux')",
    "SELECT emf_restore('BACKUP', 'aux')",        "SELECT emf_optimize('trends', 'aux')",
    "SELECT * FROM emf_objects('trends', 'aux')", "SELECT * FROM emf_migrations('trends', 'aux')",
};

std::string with_backup_path(std::string sql, const std::string& path) {
  const auto at = sql.find("BACKUP");
  if (at != std::string::npos) sql.replace(at, 6, path);
  return sql;
}

TEST(Dqlite, RefusesASchemaOtherThanMain) {
  TempDir dir;
  make_trends(dir.file("main.db"));
  make_trends(dir.file("aux.db"));
  make_trends(dir.file("source.db"));
  {
    Db source(dir.file("source.db"));
    source.exec("SELECT emf_backup('" + dir.file("backup.db") + "')");
  }
  auto db = open(dir.file("main.db"), /*dqlite=*/true);
  db->exec("ATTACH '" + dir.file("aux.db") + "' AS aux");
  const std::string before = db->dump();
  const std::string aux_before = read_file(dir.file("aux.db"));
  for (const std::string& call : kCallsOnAux) {
    const std::string sql = with_backup_path(call, dir.file("backup.db"));
    const auto error = db->error(sql);
    ASSERT_TRUE(error.has_value()) << sql;
    const std::string function = sql.substr(sql.find("emf_"), sql.find('(') - sql.find("emf_"));
    EXPECT_EQ(*error, function +
                          ": schema 'aux' is refused inside dqlite: ATTACH there opens an empty "
                          "database that is not replicated, so emf works on main alone "
                          "(expected main)")
        << sql;
  }
  // Spelled as SQLite matches it, in any case.
  EXPECT_NE(
      db->error("SELECT emf_check('trends', 'AUX')").value_or("").find("refused inside dqlite"),
      std::string::npos);
  // main, named, is main.
  EXPECT_EQ(db->json(report_of(*db, "SELECT emf_check('trends', 'MAIN')"), "$.ok"), "1");
  EXPECT_EQ(db->dump(), before);
  db.reset();
  EXPECT_EQ(read_file(dir.file("aux.db")), aux_before);
}

TEST(Dqlite, OnAnOrdinaryVfsAnAttachedSchemaIsStillServed) {
  TempDir dir;
  make_trends(dir.file("main.db"));
  auto db = open(dir.file("main.db"), /*dqlite=*/false);
  db->exec("ATTACH '" + dir.file("aux.db") + "' AS aux");
  EXPECT_EQ(db->json(report_of(*db, "SELECT emf_init('trends', 'aux')"), "$.schema"), "aux");
  EXPECT_EQ(db->json(report_of(*db, "SELECT emf_check('trends', 'aux')"), "$.ok"), "1");
  EXPECT_EQ(db->json(report_of(*db, "SELECT emf_repair('trends', 'aux')"), "$.kind"), "trends");
}

TEST(Dqlite, RefusesRestoreAndChangesNothing) {
  TempDir dir;
  make_trends(dir.file("trends.db"));
  {
    Db plain(dir.file("trends.db"));
    plain.exec("SELECT emf_backup('" + dir.file("backup.db") + "')");
  }
  auto db = open(dir.file("trends.db"), /*dqlite=*/true);
  db->exec("DELETE FROM search_history");
  const std::string before = db->dump();
  const std::string backup_before = read_file(dir.file("backup.db"));
  for (const std::string& sql : {"SELECT emf_restore('" + dir.file("backup.db") + "')",
                                 "SELECT emf_restore('" + dir.file("backup.db") + "', 'main', '" +
                                     dir.file("saved.db") + "')"}) {
    const auto error = db->error(sql);
    ASSERT_TRUE(error.has_value()) << sql;
    EXPECT_EQ(*error,
              "emf_restore: refused inside dqlite: it puts a backup back through the database's "
              "file and a connection of its own to it, and a dqlite database has no file (it "
              "lives in the nodes' memory and the Raft log); copy the backup's rows in through "
              "the cluster with ordinary SQL instead (nothing was changed)");
  }
  EXPECT_EQ(db->dump(), before);
  EXPECT_FALSE(fs::exists(dir.file("saved.db")));
  EXPECT_EQ(read_file(dir.file("backup.db")), backup_before);
}

TEST(Dqlite, RefusesOptimizeAndChangesNothing) {
  TempDir dir;
  make_trends(dir.file("trends.db"));
  auto db = open(dir.file("trends.db"), /*dqlite=*/true);
  const std::string before = db->dump();
  StatementLog log(db->get());
  for (const std::string& sql :
       {std::string("SELECT emf_optimize('trends')"),
        "SELECT emf_optimize('trends', 'main', '" + dir.file("saved.db") + "')"}) {
    const auto error = db->error(sql);
    ASSERT_TRUE(error.has_value()) << sql;
    EXPECT_EQ(*error,
              "emf_optimize: refused inside dqlite: it checkpoints the WAL and compacts through "
              "the database's file (a copy ATTACHed beside it, put back in its place), and a "
              "dqlite database has no file (it lives in the nodes' memory and the Raft log, and "
              "dqlite checkpoints it itself); run ANALYZE for the query planner's statistics "
              "instead (nothing was changed)");
  }
  // Refused before it ran anything: no ANALYZE, checkpoint or ATTACH.
  EXPECT_EQ(log.mentioning("analyze"), std::vector<std::string>{});
  EXPECT_EQ(log.mentioning("checkpoint"), std::vector<std::string>{});
  EXPECT_EQ(log.mentioning("attach"), std::vector<std::string>{});
  EXPECT_EQ(db->integer("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'"), 0);
  EXPECT_EQ(db->dump(), before);
  EXPECT_FALSE(fs::exists(dir.file("saved.db")));
}

TEST(Dqlite, OnAnOrdinaryVfsRestoreAndOptimizeStillWork) {
  TempDir dir;
  make_trends(dir.file("trends.db"));
  auto db = open(dir.file("trends.db"), /*dqlite=*/false);
  db->exec("SELECT emf_backup('" + dir.file("backup.db") + "')");
  db->exec("DELETE FROM search_history");
  report_of(*db, "SELECT emf_restore('" + dir.file("backup.db") + "')");
  EXPECT_GT(db->integer("SELECT count(*) FROM search_history"), 0);
  EXPECT_EQ(db->json(report_of(*db, "SELECT emf_optimize('trends')"), "$.analyzed"), "1");
}

TEST(Dqlite, BackupWorksAndSaysTheFileIsOnTheLeadersMachine) {
  TempDir dir;
  make_trends(dir.file("trends.db"));
  auto db = open(dir.file("trends.db"), /*dqlite=*/true);
  const std::string before = db->dump();
  const std::string report = report_of(*db, "SELECT emf_backup('" + dir.file("backup.db") + "')");
  EXPECT_EQ(db->json(report, "$.written_on"), "leader");
  EXPECT_EQ(db->json(report, "$.path"), dir.file("backup.db"));
  EXPECT_GT(std::stoll(db->json(report, "$.bytes")), 0);
  EXPECT_EQ(db->dump(), before);
  // The copy holds the database.
  Db copy(dir.file("backup.db"));
  EXPECT_EQ(copy.dump(), before);
}

TEST(Dqlite, OnAnOrdinaryVfsTheBackupReportIsAsBefore) {
  TempDir dir;
  make_trends(dir.file("trends.db"));
  auto db = open(dir.file("trends.db"), /*dqlite=*/false);
  const std::string report = report_of(*db, "SELECT emf_backup('" + dir.file("backup.db") + "')");
  EXPECT_EQ(db->text("SELECT group_concat(key, ',') FROM json_each('" + report + "')"),
            "path,pages,bytes");
}

}  // namespace
}  // namespace emf::test
