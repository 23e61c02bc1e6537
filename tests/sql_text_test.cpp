// The SQL tokenizer and what is built on it: statement splitting (trigger
// bodies stay whole), normalisation for comparison, and qualification for
// attached schemas. Linked against emf_core, with SQLite linked in.
#include <gtest/gtest.h>

#include "error.h"
#include "migrations.h"
#include "sql_text.h"

namespace emf {
namespace {

TEST(SqlText, SplitsStatementsButKeepsTriggerBodiesWhole) {
  const auto statements = split_statements(
      "CREATE TABLE a (x); -- comment; with a semicolon\n"
      "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x = 1; DELETE FROM a; END;\n"
      "INSERT INTO a VALUES ('semi;colon');  SELECT 1");
  ASSERT_EQ(statements.size(), 4u);
  EXPECT_EQ(statements[0], "CREATE TABLE a (x)");
  EXPECT_EQ(statements[1],
            "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x = 1; DELETE FROM a; END");
  EXPECT_EQ(statements[2], "INSERT INTO a VALUES ('semi;colon')");
  EXPECT_EQ(statements[3], "SELECT 1");
}

TEST(SqlText, NormalisesCaseQuotingSpaceAndComments) {
  EXPECT_EQ(normalize_sql("CREATE  INDEX \"Idx\" ON [T]( \"A\" DESC ) ;"),
            normalize_sql("create index idx on t (a desc)"));
  EXPECT_EQ(normalize_sql("create index idx on t (a desc)"), "create index idx on t(a desc)");
  EXPECT_EQ(normalize_sql("SELECT 'Keep Case' /* gone */ -- gone\n, `x`"), "select 'Keep Case', x");
  EXPECT_NE(normalize_sql("SELECT 'a'"), normalize_sql("SELECT 'A'"));
  EXPECT_EQ(normalize_sql("SELECT \"it\"\"s\""), "select it\"s");
  EXPECT_EQ(normalize_sql("a->>'$.x' || b"), "a ->> '$.x' || b");
}

TEST(SqlText, FindsTheObjectAStatementActsOn) {
  EXPECT_EQ(statement_object_name("INSERT INTO \"Trending_Topics\" (a) VALUES (1)"),
            "trending_topics");
  EXPECT_EQ(statement_object_name("INSERT OR IGNORE INTO t VALUES (1)"), "t");
  EXPECT_EQ(statement_object_name("CREATE UNIQUE INDEX IF NOT EXISTS i ON t (a)"), "i");
  EXPECT_EQ(statement_object_name("DROP VIEW IF EXISTS v"), "v");
  EXPECT_EQ(statement_object_name("ALTER TABLE t ADD COLUMN c"), "t");
  EXPECT_EQ(statement_object_name("UPDATE t SET a = 1"), "t");
  EXPECT_EQ(statement_object_name("DELETE FROM t"), "t");
  EXPECT_EQ(statement_object_name("SELECT 1"), std::nullopt);
  EXPECT_EQ(statement_object_name("CREATE TEMP TABLE t (a)"), std::nullopt);
}

TEST(SqlText, QualifiesTheObjectWithTheSchema) {
  EXPECT_EQ(qualify_statement("CREATE TABLE t (a)", "aux"), "CREATE TABLE \"aux\".t (a)");
  EXPECT_EQ(qualify_statement("CREATE TABLE IF NOT EXISTS t (a)", "a\"b"),
            "CREATE TABLE IF NOT EXISTS \"a\"\"b\".t (a)");
  EXPECT_EQ(qualify_statement("CREATE INDEX i ON t (a)", "aux"), "CREATE INDEX \"aux\".i ON t (a)");
  EXPECT_EQ(qualify_statement("CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END", "aux"),
            "CREATE TRIGGER \"aux\".tr AFTER INSERT ON t BEGIN SELECT 1; END");
  EXPECT_THROW(qualify_statement("SELECT 1", "aux"), Error);
  EXPECT_THROW(qualify_statement("CREATE TABLE main.t (a)", "aux"), Error);
}

TEST(SqlText, RejectsUnterminatedText) {
  EXPECT_THROW(tokenize("SELECT 'open"), Error);
  EXPECT_THROW(tokenize("SELECT \"open"), Error);
  // SQLite accepts a block comment left open at the end: so does emf.
  EXPECT_EQ(tokenize("SELECT 1 /* open").size(), 2u);
}

// A statement directed at a schema names it for the object it acts on and
// for every table it reads, and for nothing else.
TEST(SqlText, StatementsNameTheirSchemaForEveryTableTheyRead) {
  EXPECT_EQ(statement_in_schema("INSERT INTO t SELECT * FROM u, v AS w JOIN x ON 1", "aux"),
            "INSERT INTO \"aux\".t SELECT * FROM \"aux\".u, \"aux\".v AS w JOIN \"aux\".x ON 1");
  EXPECT_EQ(statement_in_schema("UPDATE t SET a = (SELECT max(b) FROM u WHERE u.c = t.c)", "main"),
            "UPDATE \"main\".t SET a = (SELECT max(b) FROM \"main\".u WHERE u.c = t.c)");
  EXPECT_EQ(statement_in_schema("DELETE FROM t WHERE a IS DISTINCT FROM b", "aux"),
            "DELETE FROM \"aux\".t WHERE a IS DISTINCT FROM b");
  EXPECT_EQ(
      statement_in_schema(
          "INSERT INTO t WITH c(x) AS MATERIALIZED (SELECT 1), d AS (SELECT 2) SELECT x FROM c, d",
          "aux"),
      "INSERT INTO \"aux\".t WITH c(x) AS MATERIALIZED (SELECT 1), d AS (SELECT 2) SELECT x FROM "
      "c, d");
  EXPECT_EQ(statement_in_schema("INSERT INTO t SELECT a FROM json_each('[1]'), u WHERE 1", "aux"),
            "INSERT INTO \"aux\".t SELECT a FROM json_each('[1]'), \"aux\".u WHERE 1");
  EXPECT_EQ(statement_in_schema("CREATE VIEW v AS SELECT * FROM u", "aux"),
            "CREATE VIEW \"aux\".v AS SELECT * FROM u");
}

}  // namespace
}  // namespace emf
