// The shell's connections (shell/connection.h), called directly: each way a
// database cannot be opened or read is named with what to do, and the file
// is left as it was; queries and calls return what SQLite returns. A
// permission the system refuses is played by the fault VFS.
#include "connection.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "emf.h"
#include "support/fault_vfs.h"
#include "support/test_db.h"

namespace emf::shell {
namespace {

namespace fs = std::filesystem;

class ConnectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // As the emf program does: every connection has the emf functions.
    sqlite3_auto_extension(reinterpret_cast<void (*)()>(sqlite3_emf_init));
  }
  void TearDown() override { Connection::set_busy_timeout(kDefaultBusyTimeoutMs); }

  Target target_at(const std::string& relative) {
    return Target{"trends", "TRENDS_DB_PATH", dir.path() / relative, "test"};
  }
  // The message of the DatabaseError that opening the target throws; its
  // code in `code`.
  static std::string refusal(const Target& target, Connection::Mode mode, int* code = nullptr) {
    try {
      Connection connection(target, mode);
    } catch (const DatabaseError& error) {
      if (code != nullptr) *code = error.code();
      return error.what();
    }
    return "(opened)";
  }
  void make_database(const std::string& relative) {
    test::Db db(dir.file(relative), /*load_extension=*/false);
    db.exec("SELECT emf_init('trends'), emf_seed('trends')");
  }

  test::TempDir dir;
};

TEST_F(ConnectionTest, AFolderIsNotADatabaseInAnyModeThatOpensAFile) {
  fs::create_directories(dir.path() / "trends.db");
  const Target target = target_at("trends.db");
  for (const auto mode :
       {Connection::Mode::create, Connection::Mode::existing, Connection::Mode::read_only}) {
    int code = 0;
    EXPECT_EQ(refusal(target, mode, &code),
              display_path(target.path) +
                  " is a folder, not a database file; move it away, or point TRENDS_DB_PATH (or "
                  "--data-dir) elsewhere");
    EXPECT_EQ(code, SQLITE_CANTOPEN);
  }
  // A scratch connection stands in for the file, in memory.
  Connection scratch(target, Connection::Mode::scratch);
  EXPECT_EQ(scratch.rows("PRAGMA database_list", {}).at(0).at(2), "");
  EXPECT_TRUE(fs::is_empty(dir.path() / "trends.db"));
}

TEST_F(ConnectionTest, AFolderThatCannotBeMadeIsNamed) {
  std::ofstream(dir.file("blocker")) << "a file";
  const Target target = target_at("blocker/sub/trends.db");
  int code = 0;
  EXPECT_EQ(refusal(target, Connection::Mode::create, &code),
            "cannot create folder " + display_path(dir.path() / "blocker" / "sub") + ": " +
                display_path(dir.path() / "blocker") +
                " is a file, not a folder; move it away, or choose another place with "
                "--data-dir or TRENDS_DB_PATH");
  EXPECT_EQ(code, SQLITE_CANTOPEN);
  EXPECT_EQ(test::read_file(dir.file("blocker")), "a file");
}

// A relative path none of whose parts exists (the name too long for the
// system): no file stands in the way, the system's words are given.
TEST_F(ConnectionTest, ARelativeFolderThatCannotBeMadeIsNamedWithTheSystemsWords) {
  const fs::path folder = fs::path(std::string(300, 'x')) / "sub";
  const Target target{"trends", "TRENDS_DB_PATH", folder / "trends.db", "test"};
  int code = 0;
  EXPECT_EQ(refusal(target, Connection::Mode::create, &code),
            "cannot create folder " + display_path(folder) +
                ": File name too long; check the permissions, or choose another place with "
                "--data-dir or TRENDS_DB_PATH");
  EXPECT_EQ(code, SQLITE_CANTOPEN);
  std::error_code error;
  EXPECT_FALSE(fs::exists(folder.parent_path(), error));
}

TEST_F(ConnectionTest, AnExistingConnectionCreatesNothing) {
  const Target target = target_at("missing.db");
  int code = 0;
  EXPECT_EQ(refusal(target, Connection::Mode::existing, &code),
            "cannot open it: unable to open database file; check that its folder exists and is "
            "writable");
  EXPECT_EQ(code, SQLITE_CANTOPEN);
  EXPECT_FALSE(fs::exists(target.path));
}

TEST_F(ConnectionTest, AFileThatIsNotADatabaseIsLeftAsItWas) {
  const std::string text(8192, 'x');
  std::ofstream(dir.file("trends.db")) << text;
  const Target target = target_at("trends.db");
  for (const auto mode :
       {Connection::Mode::create, Connection::Mode::existing, Connection::Mode::read_only}) {
    int code = 0;
    EXPECT_EQ(refusal(target, mode, &code),
              "cannot read it: file is not a database; move it away, or point TRENDS_DB_PATH "
              "elsewhere");
    EXPECT_EQ(code, SQLITE_NOTADB);
  }
  EXPECT_EQ(test::read_file(dir.file("trends.db")), text);
  EXPECT_FALSE(fs::exists(dir.file("trends.db-journal")));
  EXPECT_FALSE(fs::exists(dir.file("trends.db-wal")));
}

TEST_F(ConnectionTest, ADamagedDatabaseIsToBeRestoredFromABackup) {
  make_database("trends.db");
  {
    // The first page's b-tree, sqlite_schema, overwritten.
    std::fstream file(dir.file("trends.db"), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(100);
    const std::string garbage(200, '\xA5');
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  const std::string damaged = test::read_file(dir.file("trends.db"));
  const Target target = target_at("trends.db");
  for (const auto mode : {Connection::Mode::existing, Connection::Mode::read_only}) {
    int code = 0;
    const std::string message = refusal(target, mode, &code);
    EXPECT_EQ(code & 0xff, SQLITE_CORRUPT) << message;
    EXPECT_TRUE(message.starts_with("cannot read it: ")) << message;
    EXPECT_TRUE(message.ends_with("; the file is damaged; restore it from a backup")) << message;
  }
  EXPECT_EQ(test::read_file(dir.file("trends.db")), damaged);
}

// A refusal by the system (EPERM from a security module, an authorizer)
// says so.
TEST_F(ConnectionTest, APermissionRefusedIsNamed) {
  make_database("trends.db");
  const std::string before = test::read_file(dir.file("trends.db"));
  test::register_fault_vfs(/*make_default=*/true);
  const Target target = target_at("trends.db");
  for (const int refused : {SQLITE_PERM, SQLITE_AUTH}) {
    test::arm_fault(test::Fault{test::FaultPoint::open, 1, refused, EPERM, true});
    int code = 0;
    const std::string message = refusal(target, Connection::Mode::existing, &code);
    const bool fired = test::fault_fired();
    test::disarm_fault();
    EXPECT_TRUE(fired);
    EXPECT_EQ(code, refused);
    EXPECT_TRUE(message.starts_with("cannot open it: ")) << message;
    EXPECT_TRUE(message.ends_with("; permission denied; check the permissions")) << message;
  }
  EXPECT_EQ(test::read_file(dir.file("trends.db")), before);
}

TEST_F(ConnectionTest, ADatabaseLockedPastTheTimeoutSaysWhyAndWhatToDo) {
  make_database("trends.db");
  test::Db holder(dir.file("trends.db"), /*load_extension=*/false);
  holder.exec("BEGIN EXCLUSIVE");
  Connection::set_busy_timeout(0);
  const Target target = target_at("trends.db");
  int code = 0;
  // In WAL mode readers go on under a writer's lock, but not under an
  // exclusive rollback-journal lock.
  if (holder.text("PRAGMA journal_mode") == "wal") {
    Connection connection(target, Connection::Mode::existing);
    try {
      connection.rows("BEGIN IMMEDIATE", {});
      ADD_FAILURE() << "the write lock was taken twice";
    } catch (const DatabaseError& error) {
      code = error.code();
      EXPECT_STREQ(error.what(),
                   "database is locked; another process is using it; try again when it is done");
    }
  } else {
    EXPECT_EQ(refusal(target, Connection::Mode::read_only, &code),
              "cannot read it: database is locked; another process is using it; try again when "
              "it is done");
  }
  EXPECT_EQ(code & 0xff, SQLITE_BUSY);
  holder.exec("ROLLBACK");
}

TEST_F(ConnectionTest, AReadOnlyConnectionRefusesToWrite) {
  make_database("trends.db");
  const std::string before = test::read_file(dir.file("trends.db"));
  const Target target = target_at("trends.db");
  Connection connection(target, Connection::Mode::read_only);
  EXPECT_EQ(connection.rows("SELECT count(*) FROM trending_topics", {}).at(0).at(0), "6");
  try {
    connection.rows("DELETE FROM trending_topics", {});
    ADD_FAILURE() << "a read-only connection wrote";
  } catch (const DatabaseError& error) {
    EXPECT_EQ(error.code() & 0xff, SQLITE_READONLY);
    EXPECT_STREQ(error.what(),
                 "attempt to write a readonly database; the file or its folder is read-only; "
                 "check the permissions");
  }
  EXPECT_EQ(connection.rows("SELECT count(*) FROM trending_topics", {}).at(0).at(0), "6");
  EXPECT_EQ(test::read_file(dir.file("trends.db")), before);
}

TEST_F(ConnectionTest, CallsAndRowsReturnWhatSqliteReturns) {
  const Target target = target_at("trends.db");
  Connection connection(target, Connection::Mode::create);
  EXPECT_EQ(connection.call("abs", {std::int64_t{-5}}), "5");
  EXPECT_EQ(connection.call("nullif", {std::string("a"), std::string("a")}), "");  // NULL
  EXPECT_EQ(connection.call("printf", {std::string("%s-%d"), std::string("x"), std::int64_t{7}}),
            "x-7");
  EXPECT_EQ(connection.rows("SELECT ?1, NULL, ?2", {std::string("a"), std::int64_t{2}}),
            (std::vector<std::vector<std::string>>{{"a", "", "2"}}));
  EXPECT_TRUE(connection.rows("SELECT 1 WHERE 0", {}).empty());
  // The extension's message names the function and says what was expected.
  try {
    connection.call("emf_init", {std::string("trend")});
    ADD_FAILURE() << "an unknown kind was initialised";
  } catch (const DatabaseError& error) {
    EXPECT_TRUE(std::string(error.what()).starts_with("emf_init: unknown kind 'trend'"))
        << error.what();
  }
  try {
    connection.rows("SELECT * FROM no_such_table", {});
    ADD_FAILURE();
  } catch (const DatabaseError& error) {
    EXPECT_STREQ(error.what(), "cannot query it: no such table: no_such_table");
  }
  try {
    connection.rows("SELECT json('{')", {});
    ADD_FAILURE();
  } catch (const DatabaseError& error) {
    EXPECT_STREQ(error.what(), "malformed JSON");
  }
  // Nothing was created by the failures.
  EXPECT_EQ(connection.rows("SELECT count(*) FROM sqlite_schema", {}).at(0).at(0), "0");
}

}  // namespace
}  // namespace emf::shell
