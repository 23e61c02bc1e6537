// What table_definition reads from a CREATE TABLE or CREATE INDEX that the
// pragmas do not show: CHECK constraints, generated columns, COLLATE,
// AUTOINCREMENT, index key expressions and partial-index conditions. Linked
// against emf_core.
#include "table_definition.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace emf {
namespace {

using Strings = std::vector<std::string>;
using StringMap = std::map<std::string, std::string>;

TEST(TableDefinition, ListsColumnsInOrderWithTheirTextAsWritten) {
  const TableDefinition table = parse_table_definition(
      "CREATE TABLE \"Topics\" (\"Id\" INTEGER PRIMARY KEY, [Name] TEXT NOT NULL DEFAULT ('a, b'), "
      "`score` REAL DEFAULT (1 + (2)), CONSTRAINT named UNIQUE (name))");
  EXPECT_EQ(table.columns, (Strings{"id", "name", "score"}));
  EXPECT_EQ(table.column_sql.at("id"), "\"Id\" INTEGER PRIMARY KEY");
  // A comma inside the default's parentheses does not end the column.
  EXPECT_EQ(table.column_sql.at("name"), "[Name] TEXT NOT NULL DEFAULT ('a, b')");
  EXPECT_EQ(table.column_sql.at("score"), "`score` REAL DEFAULT (1 + (2))");
  EXPECT_TRUE(table.checks.empty());
  EXPECT_TRUE(table.collate.empty());
  EXPECT_TRUE(table.generated.empty());
  EXPECT_EQ(table.autoincrement_column, "");
}

TEST(TableDefinition, CollectsColumnAndTableChecksSortedWithoutTheirNames) {
  const TableDefinition table = parse_table_definition(
      "CREATE TABLE t (a INTEGER CHECK ((A > 0)), b TEXT CONSTRAINT b_known CHECK (b IN ('x','y')),"
      " CONSTRAINT order_ok CHECK (a < 10), CHECK(length(b) = 1))");
  EXPECT_EQ(table.columns, (Strings{"a", "b"}));
  EXPECT_EQ(table.checks, (Strings{"check(a < 10)", "check(a > 0)", "check(b in('x', 'y'))",
                                   "check(length(b) = 1)"}));
}

TEST(TableDefinition, ReadsGeneratedColumnsCollationAndColumnAutoincrement) {
  const TableDefinition table = parse_table_definition(
      "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT COLLATE NOCASE, "
      "upper_name TEXT GENERATED ALWAYS AS (UPPER(name)) STORED, "
      "size INT AS ((length(name))) VIRTUAL)");
  EXPECT_EQ(table.autoincrement_column, "id");
  EXPECT_EQ(table.collate, (StringMap{{"name", "nocase"}}));
  EXPECT_EQ(table.generated, (StringMap{{"size", "length(name)"}, {"upper_name", "upper(name)"}}));
}

TEST(TableDefinition, ReadsAutoincrementFromATablePrimaryKey) {
  const TableDefinition table = parse_table_definition(
      "CREATE TABLE t (\"Key\" INTEGER, v, PRIMARY KEY (\"Key\" ASC AUTOINCREMENT))");
  EXPECT_EQ(table.columns, (Strings{"key", "v"}));
  EXPECT_EQ(table.autoincrement_column, "key");
  // A table primary key without AUTOINCREMENT names no column.
  EXPECT_EQ(
      parse_table_definition("CREATE TABLE t (a, b, PRIMARY KEY (a, b))").autoincrement_column, "");
}

TEST(TableDefinition, ATableMadeFromASelectHasNoColumnsToRead) {
  const TableDefinition table = parse_table_definition("CREATE TABLE copy AS SELECT 1 AS x");
  // The tokenizer stops at the first "(": there is none before the query.
  EXPECT_TRUE(table.columns.empty());
  EXPECT_TRUE(table.checks.empty());
}

TEST(TableDefinition, ATypeArgumentOrForeignKeyIsNotMistakenForAConstraint) {
  const TableDefinition table = parse_table_definition(
      "CREATE TABLE t (code VARCHAR(10, 2) NOT NULL, parent INTEGER REFERENCES p (id) "
      "ON DELETE CASCADE, FOREIGN KEY (code) REFERENCES other (code))");
  EXPECT_EQ(table.columns, (Strings{"code", "parent"}));
  EXPECT_EQ(table.column_sql.at("code"), "code VARCHAR(10, 2) NOT NULL");
  EXPECT_TRUE(table.checks.empty());
  EXPECT_TRUE(table.generated.empty());
}

TEST(IndexDefinition, ReadsKeyExpressionsWithoutCollateOrOrder) {
  const IndexDefinition index = parse_index_definition(
      "CREATE INDEX \"Idx\" ON t (Topic COLLATE NOCASE DESC, lower(\"Name\") ASC, "
      "(a + b), substr(x, 1, 2) DESC);");
  EXPECT_EQ(index.keys, (Strings{"topic", "lower(name)", "a + b", "substr(x, 1, 2)"}));
  EXPECT_EQ(index.where, "");
}

TEST(IndexDefinition, ReadsAPartialIndexConditionWithoutTheTrailingSemicolons) {
  const IndexDefinition index = parse_index_definition(
      "CREATE UNIQUE INDEX i ON t (a) WHERE (Deleted_At IS NULL) AND b <> 'x';;");
  EXPECT_EQ(index.keys, (Strings{"a"}));
  EXPECT_EQ(index.where, "(deleted_at is null) and b != 'x'");
}

TEST(IndexDefinition, TextWithoutAKeyListGivesAnEmptyDefinition) {
  const IndexDefinition index = parse_index_definition("CREATE INDEX i ON t");
  EXPECT_TRUE(index.keys.empty());
  EXPECT_EQ(index.where, "");
}

}  // namespace
}  // namespace emf
