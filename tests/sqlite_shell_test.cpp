// `emf shell` as a user meets it: the real emf, with a stand-in sqlite3 on
// PATH that prints the command it was given (so that each argument emf
// passes is checked), with a sqlite3 that cannot run, with none, and with
// the real one; and an emf moved away from its libemf.so. The databases are
// never changed, and nothing is created.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <string>
#include <vector>

#include "support/shell_fixture.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;

// Prints its name and each argument on a line of its own, then exits 7.
constexpr const char* kEchoingSqlite3 =
    "#!/bin/sh\nfor word in \"$0\" \"$@\"; do printf '%s\\n' \"$word\"; done\nexit 7\n";

class SqliteShellTest : public ShellTest {
 protected:
  // An executable file of this content at `relative`.
  void program(const std::string& relative, const std::string& content) {
    write(relative, content);
    fs::permissions(path(relative), fs::perms::owner_all | fs::perms::group_read |
                                        fs::perms::group_exec | fs::perms::others_read |
                                        fs::perms::others_exec);
  }
  // The lines a run of the echoing sqlite3 printed.
  static std::vector<std::string> lines(const std::string& out) {
    std::vector<std::string> result;
    std::size_t start = 0;
    while (start < out.size()) {
      const std::size_t end = out.find('\n', start);
      result.push_back(out.substr(start, end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return result;
  }
  ProcessOptions with_path(const std::string& path_variable) {
    ProcessOptions options;
    options.env["PATH"] = path_variable;
    return options;
  }
  // The bytes of every file under data/, by name.
  std::string snapshot() {
    std::string bytes;
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(path("data"))) {
      files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      bytes += file.string() + "\n" + (fs::is_regular_file(file) ? read_file(file) : "") + "\n";
    }
    return bytes;
  }

  const std::string load_extension =
      ".load \"" + (fs::path(EMF_SHELL_PATH).parent_path() / "libemf.so").string() + "\"";
};

TEST_F(SqliteShellTest, AKindOpensItsDatabaseWithTheExtensionAndForeignKeys) {
  ASSERT_EQ(emf({"init", "--only", "trends"}).exit_code, 0);
  program("bin/sqlite3", kEchoingSqlite3);
  const std::string before = snapshot();
  const auto result = emf({"shell", "trends", "-json", "SELECT 1"}, with_path(path("bin")));
  // sqlite3 replaced emf: its exit status is the user's.
  EXPECT_EQ(result.exit_code, 7) << result.err;
  EXPECT_EQ(result.err, "");
  EXPECT_EQ(lines(result.out),
            (std::vector<std::string>{path("bin/sqlite3"), "-cmd", load_extension, "-cmd",
                                      "PRAGMA foreign_keys = ON", path("data/trends.db"), "-json",
                                      "SELECT 1"}));
  EXPECT_EQ(snapshot(), before);
}

TEST_F(SqliteShellTest, APathOrAKindFromTheOptionsAndEnvironmentOpensThatFile) {
  ASSERT_EQ(emf({"init", "--only", "metrics", "--data-dir", "elsewhere"}).exit_code, 0);
  program("bin/sqlite3", kEchoingSqlite3);
  auto result = emf({"--data-dir", "elsewhere", "shell", "metrics"}, with_path(path("bin")));
  EXPECT_EQ(result.exit_code, 7) << result.err;
  EXPECT_EQ(lines(result.out).at(5), path("elsewhere/metrics.db"));

  ProcessOptions options = with_path(path("bin"));
  options.env["METRICS_DB_PATH"] = "elsewhere/metrics.db";
  result = emf({"shell", "metrics"}, options);
  EXPECT_EQ(result.exit_code, 7) << result.err;
  EXPECT_EQ(lines(result.out).at(5), path("elsewhere/metrics.db"));

  // A path is given to sqlite3 as it was typed.
  result = emf({"shell", "elsewhere/metrics.db", ".tables"}, with_path(path("bin")));
  EXPECT_EQ(result.exit_code, 7) << result.err;
  EXPECT_EQ(lines(result.out).at(5), "elsewhere/metrics.db");
  EXPECT_EQ(lines(result.out).at(6), ".tables");
}

// No database named (nothing, or sqlite3's options first): an in-memory
// one, with each database that exists attached under its kind.
TEST_F(SqliteShellTest, WithoutADatabaseTheOnesThatExistAreAttached) {
  ASSERT_EQ(emf({"init", "--only", "trends,image_library"}).exit_code, 0);
  program("bin/sqlite3", kEchoingSqlite3);
  const std::vector<std::string> expected = {
      path("bin/sqlite3"),
      "-cmd",
      load_extension,
      "-cmd",
      "PRAGMA foreign_keys = ON",
      "-cmd",
      "ATTACH '" + path("data/trends.db") + "' AS \"trends\"",
      "-cmd",
      "ATTACH '" + path("data/image_library.db") + "' AS \"image_library\"",
      ":memory:"};
  auto result = emf({"shell"}, with_path(path("bin")));
  EXPECT_EQ(result.exit_code, 7) << result.err;
  EXPECT_EQ(lines(result.out), expected);
  result = emf({"shell", "-json", "SELECT 2"}, with_path(path("bin")));
  std::vector<std::string> with_options = expected;
  with_options.insert(with_options.end(), {"-json", "SELECT 2"});
  EXPECT_EQ(lines(result.out), with_options);
  EXPECT_FALSE(fs::exists(path("data/metrics.db")));
}

// A folder quoted in a path is quoted in the ATTACH sqlite3 runs.
TEST_F(SqliteShellTest, APathWithAQuoteIsAttachedQuoted) {
  ASSERT_EQ(emf({"init", "--only", "trends", "--data-dir", "it's here"}).exit_code, 0);
  program("bin/sqlite3", kEchoingSqlite3);
  const auto result =
      emf({"--data-dir", "it's here", "--only", "trends", "shell"}, with_path(path("bin")));
  EXPECT_EQ(result.exit_code, 7) << result.err;
  const auto printed = lines(result.out);
  ASSERT_EQ(printed.size(), 8u) << result.out;
  EXPECT_EQ(printed[6], "ATTACH '" + path("it''s here/trends.db") + "' AS \"trends\"");
}

// PATH is searched in order; an empty entry is the current folder; a file
// that is not executable is passed over.
TEST_F(SqliteShellTest, Sqlite3IsTheFirstExecutableOnPath) {
  ASSERT_EQ(emf({"init", "--only", "trends"}).exit_code, 0);
  write("first/sqlite3", "not a program\n");  // not executable
  program("second/sqlite3", kEchoingSqlite3);
  auto result = emf({"shell", "trends"}, with_path(path("first") + ":" + path("second")));
  EXPECT_EQ(result.exit_code, 7) << result.err;
  EXPECT_EQ(lines(result.out).at(0), path("second/sqlite3"));

  program("sqlite3", kEchoingSqlite3);
  result = emf({"shell", "trends"}, with_path(":" + path("second")));
  EXPECT_EQ(result.exit_code, 7) << result.err;
  EXPECT_EQ(lines(result.out).at(0), "./sqlite3");
}

TEST_F(SqliteShellTest, Sqlite3ThatCannotRunIsNamedWithTheSystemsReason) {
  ASSERT_EQ(emf({"init", "--only", "trends"}).exit_code, 0);
  const std::string before = snapshot();
  program("bin/sqlite3", "neither a script nor a program\n");
  const auto result = emf({"shell", "trends"}, with_path(path("bin")));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "emf shell: cannot run " + path("bin/sqlite3") + ": Exec format error\n");
  EXPECT_EQ(snapshot(), before);
}

TEST_F(SqliteShellTest, NoSqlite3OnPathSaysHowToInstallIt) {
  ASSERT_EQ(emf({"init", "--only", "trends"}).exit_code, 0);
  const std::string before = snapshot();
  write("bin/sqlite3", "not executable\n");
  for (const std::string& path_variable : {std::string(), path("bin"), path("nowhere")}) {
    const auto result = emf({"shell", "trends"}, with_path(path_variable));
    EXPECT_EQ(result.exit_code, 1) << path_variable;
    EXPECT_EQ(result.err,
              "emf shell: the sqlite3 program is not installed; install it (apt-get install "
              "sqlite3) and run this again\n")
        << path_variable;
  }
  EXPECT_EQ(snapshot(), before);
}

// Without PATH, sqlite3 is looked for where Debian puts it, and the real one
// answers with the extension loaded.
TEST_F(SqliteShellTest, WithoutPathTheSystemsSqlite3Runs) {
  ASSERT_TRUE(fs::exists("/usr/bin/sqlite3"));  // installed by scripts/install-deps.sh
  ASSERT_EQ(emf({"seed", "--only", "trends"}).exit_code, 0);
  ProcessOptions options;
  options.env["PATH"] = std::nullopt;
  options.input = "SELECT count(*) FROM trending_topics;\nPRAGMA foreign_keys;\n";
  const auto result = emf({"shell", "trends"}, options);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "6\n1\n") << result.err;
}

TEST_F(SqliteShellTest, AMistakenNameIsRefusedAndCreatesNothing) {
  program("bin/sqlite3", kEchoingSqlite3);
  auto result = emf({"shell", "zzzzzzzz"}, with_path(path("bin")));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err,
            "emf shell: zzzzzzzz is neither a kind (trends, metrics, image_library) nor an "
            "existing database file\n");
  // Something with a dot or a slash is a path: no kind is guessed for it.
  result = emf({"shell", "trend.db"}, with_path(path("bin")));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "emf shell: trend.db is neither a kind (trends, metrics, image_library) nor an "
            "existing database file\n");
  EXPECT_EQ(fs::directory_iterator(dir.path())->path().filename(), "bin");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST_F(SqliteShellTest, ALoneHelpIsEmfsAndTheRestIsSqlite3s) {
  program("bin/sqlite3", kEchoingSqlite3);
  for (const char* help : {"--help", "-h"}) {
    const auto result = emf({"shell", help}, with_path(path("bin")));
    EXPECT_EQ(result.exit_code, 0) << help;
    EXPECT_NE(result.out.find("The sqlite3 shell with libemf loaded"), std::string::npos)
        << result.out;
    EXPECT_EQ(result.out.find(path("bin/sqlite3")), std::string::npos) << result.out;
  }
  // After a database, --help is sqlite3's.
  write("x.db", "");
  const auto result = emf({"shell", "x.db", "--help"}, with_path(path("bin")));
  EXPECT_EQ(result.exit_code, 7);
  EXPECT_EQ(lines(result.out).back(), "--help");
}

// An emf copied elsewhere looks for libemf.so beside it, then in ../lib, as
// an installed tree has it; with neither, it says so and runs nothing.
TEST_F(SqliteShellTest, TheExtensionIsFoundBesideTheProgramOrInLib) {
  ASSERT_EQ(emf({"init", "--only", "trends"}).exit_code, 0);
  program("bin/sqlite3", kEchoingSqlite3);
  fs::create_directories(path("tree/bin"));
  fs::copy_file(EMF_SHELL_PATH, path("tree/bin/emf"));
  // The configured library folder must not hold one (emf is not installed).
  ASSERT_FALSE(fs::exists(fs::path(EMF_INSTALL_LIBDIR) / "libemf.so"));
  ProcessOptions options = with_path(path("bin"));
  options.cwd = dir.path();
  auto result = run({path("tree/bin/emf"), "shell", "trends"}, options);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, std::string("emf shell: cannot find libemf.so beside this program or in ") +
                            EMF_INSTALL_LIBDIR + "; reinstall emf\n");

  fs::create_directories(path("tree/lib"));
  fs::copy_file(fs::path(EMF_SHELL_PATH).parent_path() / "libemf.so", path("tree/lib/libemf.so"));
  result = run({path("tree/bin/emf"), "shell", "trends"}, options);
  EXPECT_EQ(result.exit_code, 7) << result.err;
  EXPECT_EQ(lines(result.out).at(2), ".load \"" + path("tree/lib/libemf.so") + "\"");
}

}  // namespace
}  // namespace emf::test
