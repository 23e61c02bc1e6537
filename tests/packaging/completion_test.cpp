// The shell completions (completions/emf.bash run in a real bash, its
// COMPREPLY read back; completions/_emf parsed by zsh when zsh is there) and
// the man page (man/emf.1: its sections, its version, groff's warnings).
// Both must cover the command line as the issue finalises it and every
// command and option the built emf lists in its --help.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/process.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;
using Words = std::set<std::string>;

const fs::path kSource = EMF_SOURCE_DIR;
const std::string kBashCompletion = (kSource / "completions/emf.bash").string();
const std::string kZshCompletion = (kSource / "completions/_emf").string();
const std::string kManPage = (kSource / "man/emf.1").string();

// The command line as the issue defines it, with the --keep of the commands
// that back up first: every command, and the options of each ("" is emf
// without a command, which takes init's options too).
const std::vector<std::pair<std::string, std::vector<std::string>>> kCommandLine = {
    {"", {"--only",    "--json",      "--data-dir",   "--env-file",     "-v",        "--verbose",
          "-q",        "--quiet",     "--color",      "--busy-timeout", "--version", "-h",
          "--help",    "--check",     "--seed",       "--reset",        "-y",        "--yes",
          "--dry-run", "--no-backup", "--backup-dir", "--keep"}},
    {"init", {"--dry-run", "--no-backup", "--backup-dir", "--keep"}},
    {"status", {}},
    {"check", {}},
    {"repair", {"--dry-run", "--no-backup", "--backup-dir", "--keep"}},
    {"seed", {"--rows", "--random-seed", "--no-backup", "--backup-dir", "--keep"}},
    {"reset", {"-y", "--yes", "--backup-dir", "--keep"}},
    {"backup", {"--dir", "--backup-dir", "--keep", "--list"}},
    {"restore", {"--latest", "-y", "--yes", "--no-backup", "--backup-dir", "--keep"}},
    {"optimize", {"--no-backup", "--backup-dir", "--keep"}},
    {"shell", {}},
    {"help", {}},
};

// A program on PATH (run() takes absolute paths), or "" when there is none.
std::string program(const std::string& name) {
  return find_on_path(name);
}

// What bash's completion of `words` (the last one being completed, "" for
// a fresh word) puts in COMPREPLY, run in `cwd`.
Words complete(const std::vector<std::string>& words, const fs::path& cwd = {}) {
  // The words go in as arguments: nothing needs quoting.
  static const char* const script = R"(
source "$0" || exit 3
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
_emf emf "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" || exit 4
((${#COMPREPLY[@]})) && printf '%s\n' "${COMPREPLY[@]}"
exit 0
)";
  std::vector<std::string> argv = {program("bash"), "--norc",       "--noprofile", "-c",
                                   script,          kBashCompletion};
  argv.insert(argv.end(), words.begin(), words.end());
  ProcessOptions options;
  options.cwd = cwd;
  const auto result = run(argv, options);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  Words replies;
  std::istringstream lines(result.out);
  std::string line;
  while (std::getline(lines, line)) replies.insert(line);
  return replies;
}

// The roff of the man page as it reads: `\-` is a plain '-'.
std::string man_page_text() {
  return std::regex_replace(read_file(kManPage), std::regex(R"(\\-)"), "-");
}

// `option` as a word of `text` (--dir is not in --backup-dir).
bool names(const std::string& text, const std::string& option) {
  const std::regex word("(^|[^A-Za-z0-9_-])" + option + "($|[^A-Za-z0-9_-])");
  return std::regex_search(text, word);
}

// The commands and options the built emf lists in its help: "" is emf
// itself, the others its subcommands.
std::map<std::string, Words> program_command_line() {
  const auto help = run({EMF_SHELL_PATH, "--help"}, {});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  std::map<std::string, Words> found;
  // "  -v,--verbose   ..." and "  --only KINDS ...": the options of a help.
  const auto options_of = [](const std::string& text) {
    Words options;
    const std::regex option(R"((?:^|\n) +(-[A-Za-z])?,?(--[A-Za-z][A-Za-z-]*))");
    for (std::sregex_iterator it(text.begin(), text.end(), option), end; it != end; ++it) {
      if ((*it)[1].matched) options.insert((*it)[1]);
      options.insert((*it)[2]);
    }
    return options;
  };
  found[""] = options_of(help.out);
  // The names below "Subcommands:" (CLI11 writes it in either case).
  std::istringstream lines(help.out);
  std::string line;
  bool in_subcommands = false;
  std::smatch name;
  while (std::getline(lines, line)) {
    if (std::regex_match(line, std::regex("(Subcommands|SUBCOMMANDS):"))) {
      in_subcommands = true;
    } else if (line.empty()) {
      in_subcommands = false;
    } else if (in_subcommands && std::regex_search(line, name, std::regex("^ +([a-z_]+)( |$)"))) {
      const auto command_help = run({EMF_SHELL_PATH, "help", name[1]}, {});
      EXPECT_EQ(command_help.exit_code, 0) << command_help.err;
      found[name[1]] = options_of(command_help.out);
    }
  }
  EXPECT_GE(found.size(), 9u) << help.out;
  return found;
}

TEST(CompletionTest, BashRegistersTheCompletionForEmf) {
  const auto result = run({program("bash"), "--norc", "--noprofile", "-c",
                           "source \"$0\" && complete -p emf", kBashCompletion},
                          {});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "complete -F _emf emf\n");
}

TEST(CompletionTest, BashCompletesCommands) {
  EXPECT_EQ(complete({"emf", "ch"}), Words({"check"}));
  EXPECT_EQ(complete({"emf", "re"}), Words({"repair", "reset", "restore"}));
  EXPECT_EQ(complete({"emf", "--json", "op"}), Words({"optimize"}));
  EXPECT_EQ(complete({"emf", "--json", "st"}), Words({"status"}));
  // After an option's value, a command again.
  EXPECT_EQ(complete({"emf", "--data-dir", "/srv/emf", "st"}), Words({"status"}));
  Words all;
  for (const auto& [command, options] : kCommandLine) {
    if (!command.empty()) all.insert(command);
  }
  EXPECT_EQ(complete({"emf", ""}), all);
  EXPECT_EQ(complete({"emf", "help", "se"}), Words({"seed"}));
  // A command is not completed as the argument of another.
  EXPECT_EQ(complete({"emf", "check", "ch"}), Words());
}

TEST(CompletionTest, BashCompletesKindsForOnly) {
  EXPECT_EQ(complete({"emf", "--only", "tr"}), Words({"trends"}));
  EXPECT_EQ(complete({"emf", "--only", ""}), Words({"trends", "metrics", "image_library"}));
  // A comma-separated list: each kind once.
  EXPECT_EQ(complete({"emf", "--only", "trends,me"}), Words({"trends,metrics"}));
  EXPECT_EQ(complete({"emf", "--only", "trends,metrics,"}),
            Words({"trends,metrics,image_library"}));
  // --only=im: bash splits the word at '='.
  EXPECT_EQ(complete({"emf", "check", "--only", "=", "im"}), Words({"image_library"}));
}

TEST(CompletionTest, BashCompletesEachCommandsOptions) {
  const Words backup = complete({"emf", "backup", "--"});
  for (const char* option : {"--keep", "--dir", "--list", "--only", "--json"}) {
    EXPECT_TRUE(backup.contains(option)) << option << ": " << fmt::format("{}", backup);
  }
  EXPECT_FALSE(backup.contains("--rows"));
  EXPECT_EQ(complete({"emf", "seed", "--r"}), Words({"--rows", "--random-seed"}));
  EXPECT_EQ(complete({"emf", "restore", "--l"}), Words({"--latest"}));
  EXPECT_EQ(complete({"emf", "--ver"}), Words({"--verbose", "--version"}));
  EXPECT_EQ(complete({"emf", "--color", "a"}), Words({"auto", "always"}));
  // A number: nothing to offer, and not the commands.
  EXPECT_EQ(complete({"emf", "seed", "--rows", ""}), Words());
}

TEST(CompletionTest, BashCompletesPathsAndTheDatabasesOfShell) {
  TempDir folder;
  fs::create_directories(folder.path() / "data");
  std::ofstream(folder.path() / "config.env") << "TRENDS_DB_PATH=t.db\n";
  std::ofstream(folder.path() / "trends_backup.db") << "";

  EXPECT_EQ(complete({"emf", "--env-file", "co"}, folder.path()), Words({"config.env"}));
  // Folders only for a folder.
  EXPECT_EQ(complete({"emf", "--data-dir", ""}, folder.path()), Words({"data"}));
  EXPECT_EQ(complete({"emf", "backup", "--dir", "d"}, folder.path()), Words({"data"}));
  EXPECT_EQ(complete({"emf", "restore", "tr"}, folder.path()), Words({"trends_backup.db"}));
  // shell: a kind or a file, then sqlite3's arguments (files).
  EXPECT_EQ(
      complete({"emf", "shell", ""}, folder.path()),
      Words({"trends", "metrics", "image_library", "data", "config.env", "trends_backup.db"}));
  EXPECT_EQ(complete({"emf", "--data-dir", "data", "shell", "tr"}, folder.path()),
            Words({"trends", "trends_backup.db"}));
  EXPECT_EQ(complete({"emf", "shell", "trends", "con"}, folder.path()), Words({"config.env"}));
}

// Every command and option: those of the issue, and those the built emf
// lists (what a new option added without its completion would miss).
TEST(CompletionTest, BashOffersEveryCommandAndOption) {
  std::map<std::string, Words> expected = program_command_line();
  for (const auto& [command, options] : kCommandLine) {
    expected[command].insert(options.begin(), options.end());
  }
  const Words commands = complete({"emf", ""});
  for (const auto& [command, options] : expected) {
    if (!command.empty()) {
      EXPECT_TRUE(commands.contains(command)) << command;
    }
    // `emf shell -x` is sqlite3's option; only its own --help is emf's.
    const Words offered =
        command.empty() ? complete({"emf", "-"}) : complete({"emf", command, "-"});
    for (const std::string& option : options) {
      EXPECT_TRUE(offered.contains(option)) << "emf " << command << " " << option;
    }
  }
}

TEST(CompletionTest, ZshCompletionNamesEveryCommandAndOption) {
  const std::string zsh = read_file(kZshCompletion);
  EXPECT_TRUE(zsh.starts_with("#compdef emf\n"));
  std::map<std::string, Words> expected = program_command_line();
  for (const auto& [command, options] : kCommandLine) {
    expected[command].insert(options.begin(), options.end());
  }
  for (const auto& [command, options] : expected) {
    if (!command.empty()) {
      EXPECT_NE(zsh.find("'" + command + ":"), std::string::npos) << command;
    }
    for (const std::string& option : options) {
      EXPECT_TRUE(names(zsh, option)) << option;
    }
  }
  for (const char* kind : {"trends", "metrics", "image_library"}) {
    EXPECT_TRUE(names(zsh, kind)) << kind;
  }
}

TEST(CompletionTest, ZshParsesItsCompletionAndRegistersItForEmf) {
  const std::string zsh = program("zsh");
  if (zsh.empty()) GTEST_SKIP() << "zsh is not installed: completions/_emf is not parsed";
  // -n: read the file, run nothing.
  auto result = run({zsh, "-f", "-n", kZshCompletion}, {});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.err, "");
  // compinit reads the #compdef line: completing emf calls _emf.
  TempDir folder;
  ProcessOptions options;
  options.cwd = folder.path();
  options.env["HOME"] = folder.path().string();
  result = run({zsh, "-f", "-c",
                "fpath=(\"$1\" $fpath); autoload -Uz compinit && compinit -u -D && "
                "print -r -- \"${_comps[emf]}\"",
                "zsh", (kSource / "completions").string()},
               options);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.out, "_emf\n") << result.err;
}

TEST(ManPageTest, HasEverySectionAndTheProjectVersion) {
  const std::string page = read_file(kManPage);
  EXPECT_TRUE(std::regex_search(page, std::regex("\n\\.TH EMF 1 \"[^\"]+\" \"emf " +
                                                 std::string(EMF_PROJECT_VERSION) + "\"")))
      << "the .TH line must name emf " << EMF_PROJECT_VERSION;
  for (const char* section :
       {"NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "ENVIRONMENT", "FILES",
        "\"EXIT STATUS\"", "EXAMPLES", "\"SEE ALSO\""}) {
    EXPECT_TRUE(page.find(fmt::format("\n.SH {}\n", section)) != std::string::npos) << section;
  }
  const std::string text = man_page_text();
  for (const char* word : {"TRENDS_DB_PATH", "METRICS_DB_PATH", "IMAGE_LIBRARY_DB_PATH",
                           "config/.env", "NO_COLOR", ".BR sqlite3 (1)"}) {
    EXPECT_TRUE(text.find(word) != std::string::npos) << word;
  }
}

TEST(ManPageTest, DocumentsEveryCommandAndOption) {
  const std::string text = man_page_text();
  std::map<std::string, Words> expected = program_command_line();
  for (const auto& [command, options] : kCommandLine) {
    expected[command].insert(options.begin(), options.end());
  }
  for (const auto& [command, options] : expected) {
    // Each command heads its own paragraph in COMMANDS.
    if (!command.empty()) {
      EXPECT_TRUE(text.find(fmt::format("\n\\fB{}\\fR", command)) != std::string::npos ||
                  text.find(fmt::format("\n.B {}\n", command)) != std::string::npos)
          << command;
    }
    for (const std::string& option : options) {
      EXPECT_TRUE(names(text, option)) << "emf " << command << " " << option;
    }
  }
}

TEST(ManPageTest, RendersWithoutWarnings) {
  const std::string groff = program("groff");
  if (groff.empty()) GTEST_SKIP() << "groff is not installed: man/emf.1 is not rendered";
  // -ww: every warning; -z: no output but the warnings.
  const auto result = run({groff, "-man", "-ww", "-z", "-Tutf8", kManPage}, {});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out + result.err, "");
}

}  // namespace
}  // namespace emf::test
