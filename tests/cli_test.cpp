// The command line's habits, as people expect them from git or sqlite3:
// each command's --help lists its options and the common ones with an
// example, `emf help COMMAND`, errors that start with "emf:" and say what
// was expected, a guess for a mistyped command, --quiet, --color,
// --version, --busy-timeout, and the old script's flags together.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "support/shell_fixture.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;

TEST_F(ShellTest, EveryCommandsHelpListsItsOptionsTheCommonOnesAndAnExample) {
  const std::map<std::string, std::vector<std::string>> own = {
      {"init", {"--dry-run", "--no-backup", "--backup-dir"}},
      {"repair", {"--dry-run", "--no-backup", "--backup-dir"}},
      {"seed", {"--rows", "--random-seed", "--no-backup"}},
      {"reset", {"--yes", "--backup-dir"}},
      {"backup", {"--dir"}},
      {"check", {}},
      {"status", {}}};
  for (const auto& [command, options] : own) {
    const auto result = emf({command, "--help"});
    EXPECT_EQ(result.exit_code, 0) << command;
    for (const std::string& option : options) {
      EXPECT_NE(result.out.find(option), std::string::npos) << command << ": " << option;
    }
    for (const char* common :
         {"--only", "--json", "--verbose", "--quiet", "--color", "--busy-timeout", "--data-dir"}) {
      EXPECT_NE(result.out.find(common), std::string::npos) << command << ": " << common;
    }
    EXPECT_NE(result.out.find("Example:\n  emf " + command), std::string::npos) << command << "\n"
                                                                                << result.out;
    // emf help COMMAND says the same.
    EXPECT_EQ(emf({"help", command}).out, result.out) << command;
  }
  const auto help = emf({"help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_EQ(help.out, emf({"--help"}).out);
}

TEST_F(ShellTest, AMistypedCommandGetsAGuess) {
  auto result = emf({"chek"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "emf: 'chek' is not an emf command; did you mean 'check'?\nRun 'emf --help' for the "
            "options.\n");
  result = emf({"help", "sed"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("emf: 'sed' is not an emf command; did you mean 'seed'?"),
            std::string::npos)
      << result.err;
  // Nothing close: no guess.
  result = emf({"frobnicate"});
  EXPECT_EQ(result.err,
            "emf: 'frobnicate' is not an emf command\nRun 'emf --help' for the options.\n");
  EXPECT_FALSE(fs::exists(path("data")));
}

TEST_F(ShellTest, BadValuesSayWhatWasExpected) {
  auto result = emf({"seed", "--rows", "abc"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(
      result.err.find("emf seed: --rows: expected a whole number from 0 to 100000000, got abc"),
      std::string::npos)
      << result.err;
  // What the SQL function refuses, the shell refuses too: never clamped.
  result = emf({"seed", "--rows", "5", "--random-seed", "99999999999999999999"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--random-seed: expected a whole number from -9223372036854775808 to "
                            "9223372036854775807, got 99999999999999999999"),
            std::string::npos)
      << result.err;
  // An option that would do nothing is refused.
  result = emf({"seed", "--random-seed", "7"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--random-seed requires --rows"), std::string::npos) << result.err;
  result = emf({"check", "--yes"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("emf check: --yes is not an option of emf check"), std::string::npos)
      << result.err;
  result = emf({"check", "--color", "sometimes"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("emf check: --color"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(path("data")));
}

TEST_F(ShellTest, QuietPrintsOnlyWhatWentWrong) {
  auto result = emf({"init", "-q"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, "");
  fs::remove(path("data/metrics.db"));
  result = emf({"check", "--quiet"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("metrics"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("trends"), std::string::npos) << result.out;
}

TEST_F(ShellTest, ColourIsAskedForOrFollowsTheTerminal) {
  ASSERT_EQ(emf({"init"}).exit_code, 0);
  // Piped: none by default, but --color=always forces it.
  EXPECT_EQ(emf({"check"}).out.find("\033["), std::string::npos);
  EXPECT_NE(emf({"check", "--color", "always"}).out.find("\033[32m"), std::string::npos);
  // On a terminal: colour, unless TERM=dumb, NO_COLOR or --color=never.
  const std::vector<std::string> check = {EMF_SHELL_PATH, "check"};
  ProcessOptions terminal{dir.path(), {{"TERM", "xterm"}}, {}};
  EXPECT_NE(run_on_terminal(check, terminal).out.find("\033[32m"), std::string::npos);
  terminal.env["TERM"] = "dumb";
  EXPECT_EQ(run_on_terminal(check, terminal).out.find("\033["), std::string::npos);
  terminal.env["TERM"] = "xterm";
  EXPECT_EQ(
      run_on_terminal({EMF_SHELL_PATH, "check", "--color=never"}, terminal).out.find("\033[32m"),
      std::string::npos);
}

TEST_F(ShellTest, BusyTimeoutIsHowLongItWaitsForALock) {
  ASSERT_EQ(emf({"init", "--only", "trends"}).exit_code, 0);
  Db holder(path("data/trends.db"), false);
  holder.exec("BEGIN IMMEDIATE");
  const auto result = emf({"seed", "--only", "trends", "--busy-timeout", "50", "--no-backup"});
  holder.exec("ROLLBACK");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("database is locked"), std::string::npos) << result.err;
  EXPECT_EQ(count("data/trends.db", "trending_topics"), 0);
}

// One run of the old script: emf --reset --seed --yes resets, then seeds.
TEST_F(ShellTest, TheOldScriptsFlagsWorkTogether) {
  ASSERT_EQ(emf({"seed", "--only", "trends"}).exit_code, 0);
  {
    Db db(path("data/trends.db"), false);
    db.exec("INSERT INTO search_history (query) VALUES ('added by hand')");
  }
  auto result = emf({"--reset", "--seed", "--check", "--yes", "--only", "trends"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(count("data/trends.db", "search_history WHERE query = 'added by hand'"), 0);
  EXPECT_GT(count("data/trends.db", "trending_topics"), 0);
  EXPECT_NE(result.out.find("ok (version 3)"), std::string::npos) << result.out;
  // A flag and a command together is one command too many.
  result = emf({"--check", "seed"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--check, --seed and --reset stand for commands"), std::string::npos)
      << result.err;
}

}  // namespace
}  // namespace emf::test
