// The tokenizer's less common spellings (hex and exponent numbers, blobs,
// parameters, comments left open, unterminated quotes) and the statements
// that name no object emf can direct at a schema. Linked against emf_core.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "error.h"
#include "sql_text.h"

namespace emf {
namespace {

struct Spelled {
  Token::Type type;
  std::string text;
  bool operator==(const Spelled&) const = default;
};

std::vector<Spelled> spelled(std::string_view sql) {
  std::vector<Spelled> result;
  for (const Token& token : tokenize(sql)) result.push_back({token.type, std::string(token.text)});
  return result;
}

using Type = Token::Type;

TEST(SqlTextTokens, NumbersInEverySpelling) {
  EXPECT_EQ(spelled("0x1F 0XaB 1e10 2.5E-3 7e+2 .5 1_000 3."),
            (std::vector<Spelled>{{Type::number, "0x1F"},
                                  {Type::number, "0XaB"},
                                  {Type::number, "1e10"},
                                  {Type::number, "2.5E-3"},
                                  {Type::number, "7e+2"},
                                  {Type::number, ".5"},
                                  {Type::number, "1_000"},
                                  {Type::number, "3."}}));
}

TEST(SqlTextTokens, BlobsParametersAndOperators) {
  EXPECT_EQ(spelled("X'AbCd' ?1 ?  :name @at $dollar a->>'$.b' x<<2"),
            (std::vector<Spelled>{{Type::blob, "X'AbCd'"},
                                  {Type::variable, "?1"},
                                  {Type::variable, "?"},
                                  {Type::variable, ":name"},
                                  {Type::variable, "@at"},
                                  {Type::variable, "$dollar"},
                                  {Type::word, "a"},
                                  {Type::punctuation, "->>"},
                                  {Type::string, "'$.b'"},
                                  {Type::word, "x"},
                                  {Type::punctuation, "<<"},
                                  {Type::number, "2"}}));
  // A blob is compared in one case; a string keeps its own.
  EXPECT_EQ(normalize_sql("SELECT X'AbCd', 'AbCd'"), "select x'abcd', 'AbCd'");
}

TEST(SqlTextTokens, CommentsLeftOpenRunToTheEnd) {
  EXPECT_EQ(spelled("a /* open comment b c"), (std::vector<Spelled>{{Type::word, "a"}}));
  EXPECT_EQ(spelled("a -- to the end, no newline"), (std::vector<Spelled>{{Type::word, "a"}}));
}

TEST(SqlTextTokens, UnterminatedQuotesAreErrorsNamingWhere) {
  const auto message = [](std::string_view sql) {
    try {
      tokenize(sql);
    } catch (const Error& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("SELECT 'it''s"), "unterminated string at offset 7");
  EXPECT_EQ(message("SELECT \"name"), "unterminated identifier at offset 7");
  EXPECT_EQ(message("SELECT [name"), "unterminated identifier at offset 7");
  EXPECT_EQ(message("SELECT x'00"), "unterminated string at offset 8");
}

TEST(SqlTextTokens, StatementsThatNameNoObject) {
  EXPECT_EQ(statement_object_name("CREATE TEMP TABLE t (a)"), std::nullopt);
  EXPECT_EQ(statement_object_name("CREATE VIRTUAL TABLE v USING fts5(a)"), "v");
  EXPECT_EQ(statement_object_name("CREATE SCHEMA s"), std::nullopt);
  EXPECT_EQ(statement_object_name("DROP TABLE IF EXISTS \"Old\""), "old");
  EXPECT_EQ(statement_object_name("DROP COLUMN c"), std::nullopt);
  EXPECT_EQ(statement_object_name("ALTER INDEX i"), std::nullopt);
  EXPECT_EQ(statement_object_name("ALTER TABLE t ADD COLUMN c"), "t");
  EXPECT_EQ(statement_object_name("REPLACE INTO t VALUES (1)"), "t");
  EXPECT_EQ(statement_object_name("INSERT t VALUES (1)"), std::nullopt);
  EXPECT_EQ(statement_object_name("UPDATE OR IGNORE t SET a = 1"), "t");
  EXPECT_EQ(statement_object_name("DELETE t"), std::nullopt);
  EXPECT_EQ(statement_object_name("SELECT 1"), std::nullopt);
  EXPECT_EQ(statement_object_name("DROP TABLE"), std::nullopt);
  EXPECT_EQ(statement_object_name("INSERT INTO (1)"), std::nullopt);
}

TEST(SqlTextTokens, OnlyStatementsThatNameAnObjectCanBeDirectedElsewhere) {
  try {
    qualify_statement("SELECT * FROM t", "other");
    FAIL() << "a SELECT was qualified";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              "cannot direct 'SELECT * FROM t...' at another schema or name: only CREATE, DROP, "
              "ALTER TABLE, INSERT, UPDATE and DELETE statements name the object they act on");
  }
  try {
    replace_object_name("DELETE FROM main.t WHERE 1", "x");
    FAIL() << "a statement naming its schema was redirected";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()),
              "'DELETE FROM main.t WHERE 1...' names a schema itself; emf chooses the schema");
  }
  EXPECT_EQ(qualify_statement("UPDATE \"T\" SET a = 1", "my \"db\""),
            "UPDATE \"my \"\"db\"\"\".\"T\" SET a = 1");
}

TEST(SqlTextTokens, AnUpdateWithoutWhereIsAllHead) {
  const UpdateParts parts = split_update("UPDATE t SET a = (SELECT b FROM u WHERE c) , d = 2");
  EXPECT_EQ(parts.head, "UPDATE t SET a = (SELECT b FROM u WHERE c) , d = 2");
  EXPECT_EQ(parts.condition, "");
  EXPECT_EQ(parts.column, "a");
}

TEST(SqlTextTokens, DefaultsAndTypesInTheirCanonicalSpelling) {
  EXPECT_EQ(normalize_default("+1"), "1");
  // A sign is a token of its own, spaced like any operator, on both sides.
  EXPECT_EQ(normalize_default("(-1)"), "- 1");
  EXPECT_EQ(normalize_default("draft"), "'draft'");
  EXPECT_EQ(normalize_default("\"draft\""), "'draft'");
  EXPECT_EQ(normalize_default("CURRENT_TIMESTAMP"), "current_timestamp");
  EXPECT_EQ(normalize_type("varchar ( 10 ,2 ) /* note */"), "VARCHAR(10, 2)");
}

TEST(SqlTextTokens, AnUnclosedParenthesisMatchesTheEnd) {
  const std::vector<Token> tokens = tokenize("(a, (b)");
  EXPECT_EQ(past_matching(tokens, 0), tokens.size());
  // An expression that is not all enclosed keeps its parentheses.
  const std::vector<Token> pair = tokenize("(a) + (b)");
  EXPECT_EQ(normalize_expression(pair, 0, pair.size()), "(a) + (b)");
  // Nor does one whose first parenthesis never closes.
  const std::vector<Token> unclosed = tokenize("((a)");
  EXPECT_EQ(normalize_expression(unclosed, 0, unclosed.size()), "((a)");
}

// Every join that may be OUTER is compared without the word, ISNULL as IS
// NULL; in a table's definition (TEMP and VIRTUAL ones too) NOT NULL stays a
// constraint.
TEST(SqlTextTokens, OtherSpellingsOfTheSameSql) {
  EXPECT_EQ(normalize_sql("SELECT * FROM a RIGHT OUTER JOIN b ON 1"),
            "select * from a right join b on 1");
  EXPECT_EQ(normalize_sql("SELECT * FROM a FULL OUTER JOIN b ON 1"),
            "select * from a full join b on 1");
  EXPECT_EQ(normalize_sql("SELECT a ISNULL, b NOTNULL;;"), "select a is null, b is not null");
  EXPECT_EQ(normalize_sql("CREATE TEMPORARY TABLE t (a NOT NULL)"),
            "create temporary table t(a not null)");
  EXPECT_EQ(normalize_sql("CREATE TEMP TABLE t (a NOT NULL)"), "create temp table t(a not null)");
  EXPECT_EQ(normalize_sql("CREATE VIRTUAL TABLE t USING m (a NOT NULL)"),
            "create virtual table t using m(a not null)");
  EXPECT_EQ(normalize_sql("CREATE VIEW v AS SELECT a NOT NULL FROM t"),
            "create view v select a is not null from t");
}

// The keywords a default may be are kept as keywords, not taken as strings.
TEST(SqlTextTokens, DefaultKeywordsStayKeywords) {
  EXPECT_EQ(normalize_default("TRUE"), "true");
  EXPECT_EQ(normalize_default("FALSE"), "false");
  EXPECT_EQ(normalize_default("NULL"), "null");
  EXPECT_EQ(normalize_default("CURRENT_TIME"), "current_time");
  EXPECT_EQ(normalize_default("(CURRENT_DATE)"), "current_date");
}

}  // namespace
}  // namespace emf
