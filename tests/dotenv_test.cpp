// The .env reader of the shell (shell/dotenv.h), called directly: what it
// accepts, and the file's name, the line's number and the reason of each
// line it refuses.
#include "dotenv.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "support/test_db.h"

namespace emf::shell {
namespace {

using Values = std::map<std::string, std::string>;

// The message of the DotenvError that parsing `text` throws.
std::string refusal(std::string_view text) {
  try {
    parse_dotenv(text, "config/.env");
  } catch (const DotenvError& error) {
    return error.what();
  }
  return "(accepted)";
}

TEST(Dotenv, ReadsBlankLinesCommentsAndExport) {
  EXPECT_EQ(parse_dotenv("", "f"), Values{});
  EXPECT_EQ(parse_dotenv("\n  \n# a comment\n   # indented comment\n", "f"), Values{});
  EXPECT_EQ(parse_dotenv("export A=1\nexport\tB=2\n  C = 3  \nexportD=4\n", "f"),
            (Values{{"A", "1"}, {"B", "2"}, {"C", "3"}, {"exportD", "4"}}));
  // The last line needs no newline; a later line wins.
  EXPECT_EQ(parse_dotenv("A=1\nA=2", "f"), (Values{{"A", "2"}}));
}

TEST(Dotenv, ReadsPastAByteOrderMarkAndCarriageReturns) {
  EXPECT_EQ(parse_dotenv("\xEF\xBB\xBF"
                         "A=x\r\nB='y'\r\n",
                         "f"),
            (Values{{"A", "x"}, {"B", "y"}}));
  // A mark anywhere else is part of the text, and no valid name.
  EXPECT_EQ(refusal("A=1\n\xEF\xBB\xBF"
                    "B=2\n"),
            "config/.env:2: '\xEF\xBB\xBF"
            "B' is not a valid name (letters, digits and _, not starting with a digit) "
            "(expected KEY=VALUE)");
}

TEST(Dotenv, BareValuesEndAtASpacedHash) {
  EXPECT_EQ(parse_dotenv("A=data/a.db # where trends go\nB=x#y\nC=\nD=  \nE=a=b\n", "f"),
            (Values{{"A", "data/a.db"}, {"B", "x#y"}, {"C", ""}, {"D", ""}, {"E", "a=b"}}));
}

TEST(Dotenv, DoubleQuotesHaveEscapesAndSingleQuotesAreLiteral) {
  EXPECT_EQ(parse_dotenv(R"(A="a\nb\tc\"d\\e\qf")", "f"), (Values{{"A", "a\nb\tc\"d\\e\\qf"}}));
  EXPECT_EQ(parse_dotenv(R"(A='a\nb "c"')", "f"), (Values{{"A", R"(a\nb "c")"}}));
  EXPECT_EQ(parse_dotenv("A=\"x # not a comment\" # a comment\nB='y'#c\nC=\"\"\n", "f"),
            (Values{{"A", "x # not a comment"}, {"B", "y"}, {"C", ""}}));
}

TEST(Dotenv, RefusesEachMalformedLineWithItsNumberAndReason) {
  EXPECT_EQ(refusal("A=1\n\nno equals sign\n"),
            "config/.env:3: no '=' in this line (expected KEY=VALUE)");
  EXPECT_EQ(refusal("=value\n"),
            "config/.env:1: '' is not a valid name (letters, digits and _, not starting with a "
            "digit) (expected KEY=VALUE)");
  EXPECT_EQ(refusal("9LIVES=1\n"),
            "config/.env:1: '9LIVES' is not a valid name (letters, digits and _, not starting "
            "with a digit) (expected KEY=VALUE)");
  EXPECT_EQ(refusal("MY-KEY=1\n"),
            "config/.env:1: 'MY-KEY' is not a valid name (letters, digits and _, not starting "
            "with a digit) (expected KEY=VALUE)");
  EXPECT_EQ(refusal("A=\"open\n"),
            "config/.env:1: unterminated double-quoted value (expected KEY=VALUE)");
  EXPECT_EQ(refusal("A='open\n"),
            "config/.env:1: unterminated single-quoted value (expected KEY=VALUE)");
  // An escaped closing quote does not close.
  EXPECT_EQ(refusal(R"(A="ends with \")"),
            "config/.env:1: unterminated double-quoted value (expected KEY=VALUE)");
  EXPECT_EQ(refusal("A='a.db' b.db\n"),
            "config/.env:1: unexpected text after the closing quote: b.db (expected KEY=VALUE)");
}

TEST(Dotenv, ReadsAFileAndRefusesAFolderOrAMissingFile) {
  test::TempDir dir;
  const std::string file = dir.file("settings.env");
  std::ofstream(file) << "TRENDS_DB_PATH=\"t.db\"\n";
  EXPECT_EQ(read_dotenv(file), (Values{{"TRENDS_DB_PATH", "t.db"}}));

  std::ofstream(file) << "TRENDS_DB_PATH=t.db\nbroken\n";
  try {
    read_dotenv(file);
    ADD_FAILURE() << "a malformed file was accepted";
  } catch (const DotenvError& error) {
    EXPECT_EQ(std::string(error.what()), file + ":2: no '=' in this line (expected KEY=VALUE)");
  }

  const std::string folder = dir.file("config");
  std::filesystem::create_directories(folder);
  try {
    read_dotenv(folder);
    ADD_FAILURE() << "a folder was read";
  } catch (const DotenvError& error) {
    EXPECT_EQ(std::string(error.what()),
              folder + ": is a folder, expected a file of KEY=VALUE lines");
  }

  const std::string missing = dir.file("missing.env");
  try {
    read_dotenv(missing);
    ADD_FAILURE() << "a missing file was read";
  } catch (const DotenvError& error) {
    EXPECT_EQ(std::string(error.what()), missing +
                                             ": cannot be read (No such file or directory); check "
                                             "its permissions, or point --env-file elsewhere");
  }
  EXPECT_FALSE(std::filesystem::exists(missing));
}

}  // namespace
}  // namespace emf::shell
