// The shell's backup files (shell/backup_files.h), called directly: where
// they go, how they are named, how they are listed and pruned, and that a
// backup never takes a name already in use, never leaves a partial file, and
// says where the backup made before a failed change is.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "backup_files.h"
#include "emf.h"
#include "support/fault_vfs.h"
#include "support/test_db.h"

namespace emf::shell {
namespace {

namespace fs = std::filesystem;

class Backups : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // As the emf program does: every connection has the emf functions.
    sqlite3_auto_extension(reinterpret_cast<void (*)()>(sqlite3_emf_init));
  }

  Target target(const std::string& file, const std::string& kind = "trends") const {
    return Target{kind, "TRENDS_DB_PATH", dir.path() / file, "test"};
  }
  fs::path folder() const { return dir.path() / "backups"; }
  void touch(const fs::path& file, const std::string& content = "not a backup of emf") {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << content;
  }
  // A file that begins as a SQLite database does: what pruning may delete.
  void touch_database(const fs::path& file) {
    touch(file, std::string("SQLite format 3\0", 16) + "pages");
  }
  // The names of the files in a folder, sorted.
  static std::vector<std::string> names_in(const fs::path& folder) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(folder)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }
  // <stem>_backup_<time> for this second and the next nine: every name a
  // backup made during the test could take, even on a slow machine.
  static std::vector<std::string> stems_of_the_next_seconds(const std::string& stem) {
    std::vector<std::string> stems;
    const std::time_t now = std::time(nullptr);
    for (std::time_t second = now; second <= now + 9; ++second) {
      std::tm utc{};
      gmtime_r(&second, &utc);
      char text[32];
      std::strftime(text, sizeof text, "%Y%m%d_%H%M%S", &utc);
      stems.push_back(stem + "_backup_" + text);
    }
    return stems;
  }

  test::TempDir dir;
};

TEST_F(Backups, FolderIsTheOneGivenElseBackupsBesideTheDatabase) {
  EXPECT_EQ(backup_folder(target("data/trends.db"), std::nullopt), dir.path() / "data" / "backups");
  EXPECT_EQ(backup_folder(target("data/trends.db"), "/srv/x/../saved/"), fs::path("/srv/saved/"));
  EXPECT_EQ(backup_folder(target("data/trends.db"), "relative"), fs::current_path() / "relative");
}

TEST_F(Backups, ListsOnlyTheBackupsOfItsDatabaseOldestFirst) {
  for (const char* name : {
           "trends_backup_20260101_000000.db",
           "trends_backup_20260101_000000_2.db",
           "trends_backup_20260101_000000_before_repair.db",
           "trends_backup_20251231_235959.db",
           "trends_backup_20260101_000000_10.db",
           // Not backups of trends.db:
           "trends_backup_2026.db",
           "trends_backup_20260101_000000.db-wal",
           "trends2_backup_20260101_000000.db",
           "metrics_backup_20260101_000000.db",
           "trends_backup_20260101_000000_before_Repair.db",
           "xtrends_backup_20260101_000000.db",
       }) {
    touch(folder() / name);
  }
  fs::create_directories(folder() / "trends_backup_20260102_000000.db");  // a folder
  // The backups of one second written one after the other, the automatic
  // one between _2 and _10.
  const auto written = fs::last_write_time(folder() / "trends_backup_20260101_000000.db");
  int order = 0;
  for (const char* name :
       {"trends_backup_20260101_000000_2.db", "trends_backup_20260101_000000_before_repair.db",
        "trends_backup_20260101_000000_10.db"}) {
    fs::last_write_time(folder() / name, written + std::chrono::seconds(++order));
  }
  const std::vector<BackupFile> found = list_backups(target("trends.db"), folder());
  std::vector<std::string> names;
  for (const BackupFile& file : found) names.push_back(file.path.filename().string());
  // By time, then in the order they were written: _10 after _2, and the
  // automatic one between them (its number counts only its own sort's names).
  ASSERT_EQ(names.size(), 5u);
  EXPECT_EQ(names[0], "trends_backup_20251231_235959.db");
  EXPECT_EQ(names[1], "trends_backup_20260101_000000.db");
  EXPECT_EQ(names[2], "trends_backup_20260101_000000_2.db");
  EXPECT_EQ(names[3], "trends_backup_20260101_000000_before_repair.db");
  EXPECT_EQ(names[4], "trends_backup_20260101_000000_10.db");
  EXPECT_EQ(found[4].counter, 10);
  EXPECT_EQ(found[4].time, "20260101_000000");
  EXPECT_EQ(found[4].operation, "");
  const auto automatic = std::find_if(found.begin(), found.end(), [](const BackupFile& file) {
    return file.operation == "repair";
  });
  ASSERT_NE(automatic, found.end());
  EXPECT_EQ(automatic->counter, 1);
  EXPECT_EQ(automatic->path.filename(), "trends_backup_20260101_000000_before_repair.db");

  // A folder that does not exist holds none, and is not created.
  EXPECT_TRUE(list_backups(target("trends.db"), dir.path() / "nowhere").empty());
  EXPECT_FALSE(fs::exists(dir.path() / "nowhere"));
}

// A database's name is text, not a pattern: its dots, pluses and brackets
// match only themselves.
TEST_F(Backups, ANameWithPatternCharactersMatchesOnlyItself) {
  touch_database(folder() / "my.db+(1)_backup_20260101_000000.db");
  touch_database(folder() / "myXdb+(1)_backup_20260101_000000.db");
  touch_database(folder() / "my.dbb(1)_backup_20260101_000000.db");
  touch_database(folder() / "my.db+(1)_backup_20260101_000001.db");
  const auto found = list_backups(target("my.db+(1).sqlite"), folder());
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].path.filename(), "my.db+(1)_backup_20260101_000000.db");
  EXPECT_EQ(found[1].path.filename(), "my.db+(1)_backup_20260101_000001.db");
  // Pruning them leaves the others' files alone.
  EXPECT_EQ(prune_backups(target("my.db+(1).sqlite"), folder(), false, 0).size(), 2u);
  EXPECT_EQ(names_in(folder()), (std::vector<std::string>{"my.dbb(1)_backup_20260101_000000.db",
                                                          "myXdb+(1)_backup_20260101_000000.db"}));
}

TEST_F(Backups, PruningKeepsTheNewestOfItsOwnSortOnly) {
  const std::vector<std::string> manual = {
      "trends_backup_20260101_000000.db", "trends_backup_20260102_000000.db",
      "trends_backup_20260103_000000.db", "trends_backup_20260103_000000_2.db"};
  const std::vector<std::string> automatic = {"trends_backup_20260101_000000_before_repair.db",
                                              "trends_backup_20260104_000000_before_migrating.db"};
  for (const auto& name : manual) touch_database(folder() / name);
  for (const auto& name : automatic) touch_database(folder() / name);
  touch_database(folder() / "metrics_backup_20200101_000000.db");

  auto deleted = prune_backups(target("trends.db"), folder(), false, 2);
  ASSERT_EQ(deleted.size(), 2u);
  EXPECT_EQ(deleted[0].filename(), manual[0]);
  EXPECT_EQ(deleted[1].filename(), manual[1]);
  // Keeping as many as there are, or more, deletes nothing.
  EXPECT_TRUE(prune_backups(target("trends.db"), folder(), false, 2).empty());
  EXPECT_TRUE(prune_backups(target("trends.db"), folder(), true, 5).empty());
  deleted = prune_backups(target("trends.db"), folder(), true, 1);
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0].filename(), automatic[0]);
  EXPECT_EQ(names_in(folder()), (std::vector<std::string>{"metrics_backup_20200101_000000.db",
                                                          manual[2], manual[3], automatic[1]}));
  // A negative count keeps none, as zero does.
  EXPECT_EQ(prune_backups(target("trends.db"), folder(), true, -1).size(), 1u);
  EXPECT_EQ(names_in(folder()),
            (std::vector<std::string>{"metrics_backup_20200101_000000.db", manual[2], manual[3]}));
}

// The backup a command has just made is never pruned, and is one of those
// kept: not when other backups bear later times (a clock put back, a folder
// from another machine), not when it is numbered before backups of another
// sort made in the same second.
TEST_F(Backups, PruningNeverDeletesTheBackupJustMade) {
  const std::vector<std::string> later = {"trends_backup_20990101_000000_before_seed.db",
                                          "trends_backup_20990102_000000_before_seed.db"};
  for (const auto& name : later) touch_database(folder() / name);
  const fs::path just_made = folder() / "trends_backup_20260101_000000_before_reset.db";
  touch_database(just_made);
  auto deleted = prune_backups(target("trends.db"), folder(), true, 2, just_made);
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0].filename(), later[0]);
  EXPECT_EQ(names_in(folder()), (std::vector<std::string>{just_made.filename(), later[1]}));
  deleted = prune_backups(target("trends.db"), folder(), true, 1, just_made);
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0].filename(), later[1]);
  // Kept even when none is to be kept.
  EXPECT_TRUE(prune_backups(target("trends.db"), folder(), true, 0, just_made).empty());
  EXPECT_TRUE(fs::exists(just_made));
}

// Two backups of one second: the one written first is the older, whatever
// their numbers (each sort numbers its own names).
TEST_F(Backups, OfOneSecondTheBackupWrittenFirstIsTheOlder) {
  const fs::path first = folder() / "trends_backup_20260101_000000_3_before_repair.db";
  const fs::path second = folder() / "trends_backup_20260101_000000_before_reset.db";
  touch_database(first);
  touch_database(second);
  fs::last_write_time(first, fs::last_write_time(second) - std::chrono::seconds(1));
  const auto found = list_backups(target("trends.db"), folder());
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].path, first);
  EXPECT_EQ(found[1].path, second);
  const auto deleted = prune_backups(target("trends.db"), folder(), true, 1);
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0], first);
}

// Pruning deletes SQLite databases only: a file of yours that bears a
// backup's name, or a link with one (to a backup or anything else), stays.
TEST_F(Backups, PruningLeavesWhatIsNotADatabaseAlone) {
  const fs::path text = folder() / "trends_backup_20200101_000000.db";
  touch(text, "my notes");
  touch_database(dir.path() / "elsewhere.db");
  const fs::path link = folder() / "trends_backup_20200102_000000.db";
  fs::create_symlink(dir.path() / "elsewhere.db", link);
  const fs::path empty = folder() / "trends_backup_20200103_000000.db";
  touch(empty, "");
  touch_database(folder() / "trends_backup_20200104_000000.db");
  EXPECT_TRUE(prune_backups(target("trends.db"), folder(), false, 1).empty());
  EXPECT_EQ(names_in(folder()).size(), 4u);
  EXPECT_TRUE(fs::exists(dir.path() / "elsewhere.db"));
  touch_database(folder() / "trends_backup_20200105_000000.db");
  const auto deleted = prune_backups(target("trends.db"), folder(), false, 1);
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0].filename(), "trends_backup_20200104_000000.db");
}

TEST_F(Backups, NextNameIsFreeAndItsFolderIsMade) {
  const fs::path nested = dir.path() / "a" / "b";
  // Names of this second and the next two taken: the next free number.
  for (const std::string& stem : stems_of_the_next_seconds("trends")) {
    touch(nested / (stem + "_before_restore.db"));
  }
  const fs::path name = next_backup_name(target("trends.db"), nested, "restore");
  EXPECT_TRUE(fs::is_directory(nested));
  EXPECT_FALSE(fs::exists(name));
  const std::string file = name.filename().string();
  EXPECT_TRUE(file.starts_with("trends_backup_")) << file;
  EXPECT_TRUE(file.ends_with("_2_before_restore.db")) << file;
  // An operation's backups and emf backup's share the numbering of a second
  // only by name: the plain name of this second is still free.
  const std::string plain = next_backup_name(target("trends.db"), nested, "").filename().string();
  EXPECT_FALSE(plain.ends_with("_2.db")) << plain;
}

TEST_F(Backups, NextNameMakesAMissingFolder) {
  const fs::path fresh = dir.path() / "c" / "d";
  const fs::path name = next_backup_name(target("trends.db"), fresh, "");
  EXPECT_TRUE(fs::is_directory(fresh));
  EXPECT_EQ(name.parent_path(), fresh);
  EXPECT_TRUE(fs::is_empty(fresh));
}

TEST_F(Backups, WhenEveryNameOfTheSecondIsTakenNothingIsOverwritten) {
  std::size_t taken = 0;
  for (const std::string& stem : stems_of_the_next_seconds("trends")) {
    touch(folder() / (stem + ".db"), stem);
    for (int attempt = 2; attempt <= 100; ++attempt) {
      touch(folder() / (stem + "_" + std::to_string(attempt) + ".db"), stem);
    }
    taken += 100;
  }
  try {
    next_backup_name(target("trends.db"), folder(), "");
    ADD_FAILURE() << "a name was given";
  } catch (const DatabaseError& error) {
    EXPECT_EQ(error.code(), SQLITE_CANTOPEN);
    EXPECT_TRUE(std::string(error.what())
                    .starts_with("100 backups of trends of this second "
                                 "already exist in "))
        << error.what();
  }
  EXPECT_EQ(names_in(folder()).size(), taken);

  // A backup then has no name to take: it says so and writes nothing.
  const Target trends = target("trends.db");
  test::Db(trends.path.string(), /*load_extension=*/false).exec("SELECT emf_init('trends')");
  Connection connection(trends, Connection::Mode::existing);
  try {
    back_up(connection, trends, folder(), Terminal(ColorMode::never));
    ADD_FAILURE() << "a backup was made";
  } catch (const DatabaseError& error) {
    EXPECT_TRUE(std::string(error.what())
                    .starts_with("100 backups of trends of this second "
                                 "already exist in "))
        << error.what();
  }
  EXPECT_EQ(names_in(folder()).size(), taken);
  for (const std::string& name : names_in(folder())) {
    EXPECT_TRUE(test::read_file((folder() / name).string()).starts_with("trends_backup_")) << name;
  }
}

TEST_F(Backups, AFolderThatCannotBeMadeIsNamedWithWhatToDo) {
  touch(dir.path() / "file");
  try {
    next_backup_name(target("trends.db"), dir.path() / "file" / "backups", "repair");
    ADD_FAILURE() << "a name was given";
  } catch (const DatabaseError& error) {
    EXPECT_EQ(error.code(), SQLITE_CANTOPEN);
    const std::string message = error.what();
    EXPECT_TRUE(message.starts_with("cannot create the backup folder ")) << message;
    EXPECT_NE(message.find("Not a directory; choose another with --dir (backup) or --backup-dir "
                           "(the other commands)"),
              std::string::npos)
        << message;
  }
  EXPECT_EQ(test::read_file((dir.path() / "file").string()), "not a backup of emf");
}

TEST_F(Backups, ABackupTakesTheNextFreeNameAndHoldsEveryRow) {
  const Target trends = target("trends.db");
  {
    test::Db db(trends.path.string(), /*load_extension=*/false);
    db.exec("SELECT emf_init('trends'), emf_seed('trends')");
  }
  for (const std::string& stem : stems_of_the_next_seconds("trends")) {
    touch(folder() / (stem + "_before_repair.db"), "taken");
  }
  Connection connection(trends, Connection::Mode::existing);
  const ReportReader reader;
  const std::string report =
      back_up(connection, trends, folder(), Terminal(ColorMode::never), "repair");
  const fs::path written = reader.value(report, "$.path").value_or("");
  EXPECT_TRUE(written.filename().string().ends_with("_2_before_repair.db")) << report;
  EXPECT_EQ(std::stoll(reader.value(report, "$.bytes").value_or("0")),
            static_cast<std::int64_t>(fs::file_size(written)));
  // The names already taken are as they were.
  for (const std::string& stem : stems_of_the_next_seconds("trends")) {
    const fs::path other = folder() / (stem + "_before_repair.db");
    if (fs::exists(other)) {
      EXPECT_EQ(test::read_file(other.string()), "taken");
    }
  }
  test::Db original(trends.path.string(), false);
  test::Db copy(written.string(), false);
  EXPECT_EQ(copy.dump(), original.dump());
  EXPECT_EQ(copy.text("PRAGMA integrity_check"), "ok");
}

// A disk that fills during the copy: the error says so, and no file of the
// backup is left behind, partial or whole.
TEST_F(Backups, ABackupOnAFullDiskLeavesNoFile) {
  const Target trends = target("trends.db");
  {
    test::Db db(trends.path.string(), /*load_extension=*/false);
    db.exec("SELECT emf_init('trends'), emf_seed('trends')");
  }
  fs::create_directories(folder());
  test::register_fault_vfs(/*make_default=*/true);
  Connection connection(trends, Connection::Mode::existing);
  test::arm_fault(test::Fault{test::FaultPoint::write, 1, SQLITE_FULL, ENOSPC, true});
  try {
    back_up(connection, trends, folder(), Terminal(ColorMode::never));
    ADD_FAILURE() << "the backup succeeded on a full disk";
  } catch (const DatabaseError& error) {
    EXPECT_EQ(error.code() & 0xff, SQLITE_FULL) << error.what();
    const std::string message = error.what();
    EXPECT_TRUE(message.starts_with("emf_backup: ")) << message;
    EXPECT_NE(message.find("disk is full"), std::string::npos) << message;
  }
  const bool fired = test::fault_fired();
  test::disarm_fault();
  EXPECT_TRUE(fired);
  EXPECT_TRUE(names_in(folder()).empty());
}

TEST_F(Backups, AFailureAfterABackupSaysWhereTheBackupIs) {
  EXPECT_EQ(keeping_backup("", [] { return 7; }), 7);
  EXPECT_EQ(keeping_backup("/b/trends_backup.db", [] { return 8; }), 8);
  try {
    keeping_backup("", []() -> int { throw DatabaseError("disk full", SQLITE_FULL); });
    ADD_FAILURE();
  } catch (const DatabaseError& error) {
    EXPECT_STREQ(error.what(), "disk full");
  }
  try {
    keeping_backup("/b/trends_backup.db",
                   []() -> int { throw DatabaseError("disk full", SQLITE_FULL); });
    ADD_FAILURE();
  } catch (const DatabaseError& error) {
    EXPECT_STREQ(error.what(), "disk full (the backup made before it is /b/trends_backup.db)");
    EXPECT_EQ(error.code(), SQLITE_FULL);
  }
}

}  // namespace
}  // namespace emf::shell
