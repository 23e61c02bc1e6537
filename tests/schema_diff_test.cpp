// schema_diff: how one expected object compares with the live one of its
// name, in words a person can act on. Each side is read by read_schema from
// a real in-memory database, as emf_check reads them. Linked against
// emf_core.
#include "schema_diff.h"

#include <gtest/gtest.h>

#include <string>

#include "schema_snapshot.h"
#include "support/test_db.h"

namespace emf {
namespace {

using test::Db;

// The object `name` of a database made by `sql`.
SchemaObject object_of(const std::string& sql, const std::string& name) {
  Db db(":memory:", /*load_extension=*/false);
  db.exec(sql);
  const SchemaSnapshot snapshot = read_schema(db.get(), "main");
  const SchemaObject* object = snapshot.find(name);
  if (object == nullptr) throw std::runtime_error("no object " + name);
  return *object;
}

ObjectReport compare(const std::string& expected_sql, const std::string& live_sql,
                     const std::string& name = "t") {
  const SchemaObject expected = object_of(expected_sql, name);
  const SchemaObject live = object_of(live_sql, name);
  return compare_object(expected, &live);
}

TEST(SchemaDiff, TheSameDefinitionSpelledTwoWaysIsOk) {
  const ObjectReport report =
      compare("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'x')",
              "create table \"T\" ( [id] integer primary key , NAME text not null default ('x') )");
  EXPECT_EQ(report.status, ObjectStatus::ok);
  EXPECT_EQ(report.detail, "");
  EXPECT_EQ(report.type, "table");
  EXPECT_EQ(report.name, "t");
}

TEST(SchemaDiff, AMissingObjectIsNamed) {
  const SchemaObject expected = object_of("CREATE TABLE t (a)", "t");
  const ObjectReport report = compare_object(expected, nullptr);
  EXPECT_EQ(report.status, ObjectStatus::missing);
  EXPECT_EQ(report.detail, "no table named t");
  EXPECT_EQ(report.summary, report.detail);
}

TEST(SchemaDiff, AnObjectOfAnotherTypeIsChanged) {
  const ObjectReport report = compare("CREATE TABLE t (a)", "CREATE VIEW t AS SELECT 1 AS a");
  EXPECT_EQ(report.status, ObjectStatus::changed);
  EXPECT_EQ(report.detail, "is a view, expected a table");
}

TEST(SchemaDiff, EveryColumnDifferenceIsOnePhraseAndCountedInTheSummary) {
  const ObjectReport report = compare(
      "CREATE TABLE t (a INTEGER NOT NULL, b TEXT DEFAULT 'x', c TEXT COLLATE NOCASE, d TEXT, "
      "e INTEGER, g AS (a + 1))",
      "CREATE TABLE t (a TEXT, b TEXT, c TEXT, e, f INTEGER, g AS (a + 2))");
  EXPECT_EQ(report.status, ObjectStatus::changed);
  EXPECT_EQ(report.detail,
            "column a: type TEXT, expected INTEGER; column a: NOT NULL expected; "
            "column b: default (none), expected 'x'; column c: collate binary, expected nocase; "
            "missing column d; column e: type (none), expected INTEGER; "
            "column g: generated as (a + 2), expected (a + 1); extra column f");
  EXPECT_EQ(report.summary,
            "2 column types, 1 NOT NULL constraint, 1 default, 1 collation, 1 missing column, "
            "1 generated column, 1 extra column differ");
}

TEST(SchemaDiff, AColumnThatIsNotGeneratedWhereOneIsExpected) {
  const ObjectReport report =
      compare("CREATE TABLE t (a, b AS (a * 2) STORED)", "CREATE TABLE t (a, b)");
  EXPECT_EQ(report.detail, "column b: not generated, expected generated STORED");
  EXPECT_EQ(report.summary, "1 generated column differs");
  EXPECT_EQ(compare("CREATE TABLE t (a, b)", "CREATE TABLE t (a, b AS (a * 2) VIRTUAL)").detail,
            "column b: generated VIRTUAL, expected not generated");
}

// A virtual table under an emf table's name: FTS5 adds hidden columns (the
// table's own name and rank), which SQLite reports as such.
TEST(SchemaDiff, AHiddenColumnOfAVirtualTableIsNamedAsHidden) {
  const ObjectReport report =
      compare("CREATE TABLE t (a, rank)", "CREATE VIRTUAL TABLE t USING fts5(a)");
  EXPECT_EQ(report.status, ObjectStatus::changed);
  EXPECT_EQ(report.detail, "column rank: hidden, expected not generated; extra column t");
}

// The other direction of each: a type or NOT NULL where none is expected.
TEST(SchemaDiff, ATypeAndNotNullWhereNoneIsExpected) {
  const ObjectReport report =
      compare("CREATE TABLE t (a, b)", "CREATE TABLE t (a TEXT, b NOT NULL)");
  EXPECT_EQ(report.detail, "column a: type TEXT, expected (none); column b: NOT NULL not expected");
  EXPECT_EQ(report.summary, "1 column type, 1 NOT NULL constraint differ");
}

TEST(SchemaDiff, ColumnsInAnotherOrderAreNamedInBothOrders) {
  const ObjectReport report = compare("CREATE TABLE t (a, b)", "CREATE TABLE t (b, a)");
  EXPECT_EQ(report.detail, "column order (b, a), expected (a, b)");
}

TEST(SchemaDiff, KeysRowidAliasAndAutoincrementAreCompared) {
  EXPECT_EQ(
      compare("CREATE TABLE t (id INTEGER PRIMARY KEY, v)", "CREATE TABLE t (id INT, v)").detail,
      "column id: type INT, expected INTEGER; primary key (none), expected (id); "
      "column id: rowid alias expected");
  EXPECT_EQ(compare("CREATE TABLE t (id INT PRIMARY KEY, v)",
                    "CREATE TABLE t (id INTEGER PRIMARY KEY, v)")
                .detail,
            "column id: type INTEGER, expected INT; column id: rowid alias not expected");
  EXPECT_EQ(compare("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT)",
                    "CREATE TABLE t (id INTEGER PRIMARY KEY)")
                .detail,
            "AUTOINCREMENT expected");
  EXPECT_EQ(compare("CREATE TABLE t (id INTEGER PRIMARY KEY)",
                    "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT)")
                .detail,
            "AUTOINCREMENT not expected");
}

TEST(SchemaDiff, UniqueKeysAndChecksAreComparedAsSets) {
  const ObjectReport report = compare("CREATE TABLE t (a, b, UNIQUE (a), CHECK (a > 0))",
                                      "CREATE TABLE t (a, b, UNIQUE (b), CHECK (b > 0))");
  EXPECT_EQ(report.detail,
            "missing UNIQUE (a); extra UNIQUE (b); missing check(a > 0); extra check(b > 0)");
  EXPECT_EQ(report.summary, "2 unique keys, 2 checks differ");
}

TEST(SchemaDiff, ForeignKeysAreMatchedByTheirLinkAndTheirDifferencesNamed) {
  const std::string parents = "CREATE TABLE p (id INTEGER PRIMARY KEY, code UNIQUE);";
  const ObjectReport actions =
      compare(parents + "CREATE TABLE t (p_id REFERENCES p (id) ON DELETE CASCADE)",
              parents + "CREATE TABLE t (p_id REFERENCES p (code) ON UPDATE SET NULL)");
  EXPECT_EQ(actions.detail,
            "FOREIGN KEY (p_id) REFERENCES p (code), expected (id); "
            "FOREIGN KEY (p_id) REFERENCES p (id): ON DELETE NO ACTION, expected CASCADE; "
            "FOREIGN KEY (p_id) REFERENCES p (id): ON UPDATE SET NULL, expected NO ACTION");
  EXPECT_EQ(actions.summary, "3 foreign keys differ");

  const ObjectReport links =
      compare(parents + "CREATE TABLE t (a REFERENCES p (id), b)",
              parents + "CREATE TABLE t (a, b REFERENCES p ON UPDATE CASCADE)");
  EXPECT_EQ(links.detail,
            "missing FOREIGN KEY (a) REFERENCES p (id) ON DELETE NO ACTION; "
            "extra FOREIGN KEY (b) REFERENCES p (id) ON DELETE NO ACTION ON UPDATE CASCADE");
  // (b names no parent column: it refers to the parent's primary key, id.)

  // The same link declared twice: the exact match is paired with the
  // expected key, whichever comes first, and the other one is the extra.
  const ObjectReport twice =
      compare(parents + "CREATE TABLE t (a, FOREIGN KEY (a) REFERENCES p (id) ON DELETE CASCADE)",
              parents +
                  "CREATE TABLE t (a, FOREIGN KEY (a) REFERENCES p (id), "
                  "FOREIGN KEY (a) REFERENCES p (id) ON DELETE CASCADE)");
  EXPECT_EQ(twice.detail, "extra FOREIGN KEY (a) REFERENCES p (id) ON DELETE NO ACTION");
}

TEST(SchemaDiff, StrictAndWithoutRowidAreTableOptions) {
  EXPECT_EQ(compare("CREATE TABLE t (a INTEGER) STRICT", "CREATE TABLE t (a INTEGER)").detail,
            "STRICT expected");
  EXPECT_EQ(compare("CREATE TABLE t (a INTEGER)", "CREATE TABLE t (a INTEGER) STRICT").detail,
            "STRICT not expected");
  // The primary key of a WITHOUT ROWID table is NOT NULL by itself: only
  // the table's option is reported, not the column's NOT NULL.
  EXPECT_EQ(compare("CREATE TABLE t (k TEXT PRIMARY KEY, v) WITHOUT ROWID",
                    "CREATE TABLE t (k TEXT PRIMARY KEY, v)")
                .detail,
            "WITHOUT ROWID expected");
  EXPECT_EQ(compare("CREATE TABLE t (k TEXT PRIMARY KEY, v)",
                    "CREATE TABLE t (k TEXT PRIMARY KEY, v) WITHOUT ROWID")
                .detail,
            "WITHOUT ROWID not expected");
}

TEST(SchemaDiff, IndexesAreComparedByTableKeyUniquenessAndCondition) {
  const std::string tables = "CREATE TABLE t (a, b); CREATE TABLE u (a, b);";
  EXPECT_EQ(
      compare(tables + "CREATE INDEX i ON t (a)", tables + "CREATE INDEX i ON t (a)", "i").status,
      ObjectStatus::ok);
  const ObjectReport report = compare(tables + "CREATE UNIQUE INDEX i ON t (a) WHERE b IS NULL",
                                      tables + "CREATE INDEX i ON u (b DESC)", "i");
  EXPECT_EQ(report.detail,
            "on table u, expected t; columns (b DESC), expected (a); UNIQUE expected; "
            "no WHERE, expected WHERE b is null");
  EXPECT_EQ(report.summary, "1 table, 1 key, 1 uniqueness, 1 partial-index condition differ");
  EXPECT_EQ(compare(tables + "CREATE INDEX i ON t (a)",
                    tables + "CREATE UNIQUE INDEX i ON t (a) WHERE a > 1", "i")
                .detail,
            "UNIQUE not expected; WHERE a > 1, expected no WHERE");
}

TEST(SchemaDiff, TriggerBodiesAndViewQueriesShowWhereTheyPart) {
  const std::string table = "CREATE TABLE t (a, b);";
  const ObjectReport view = compare(table + "CREATE VIEW v AS SELECT a FROM t WHERE a > 1",
                                    table + "CREATE VIEW v AS SELECT a FROM t WHERE a > 2", "v");
  EXPECT_EQ(view.status, ObjectStatus::changed);
  EXPECT_EQ(view.detail, "query differs: `2`, expected `1`");
  EXPECT_EQ(view.summary, "1 query differs");
  const ObjectReport trigger =
      compare(table + "CREATE TRIGGER g AFTER INSERT ON t BEGIN UPDATE t SET b = 1; END",
              table + "CREATE TRIGGER g AFTER INSERT ON t BEGIN DELETE FROM t; END", "g");
  EXPECT_EQ(trigger.detail,
            "body differs: `delete from t; end`, expected `update t set b = 1; end`");
}

TEST(SchemaDiff, FirstDifferenceShowsAFewWordsFromTheWordThatDiffers) {
  EXPECT_EQ(first_difference("select a from t", "select a from u"), "`u`, expected `t`");
  EXPECT_EQ(first_difference("select count(x)", "select count(y)"), "`y)`, expected `x)`");
  // One text a prefix of the other: the shorter shows as nothing.
  EXPECT_EQ(first_difference("select a", "select a, b"), "`a, b`, expected `a`");
  EXPECT_EQ(first_difference("select a b", "select a "), "(nothing), expected `b`");
  const std::string long_tail(60, 'x');
  EXPECT_EQ(first_difference("select " + long_tail, "select y"),
            "`y`, expected `" + std::string(48, 'x') + "...`");
}

TEST(SchemaDiff, StatusNames) {
  EXPECT_EQ(status_name(ObjectStatus::ok), "ok");
  EXPECT_EQ(status_name(ObjectStatus::missing), "missing");
  EXPECT_EQ(status_name(ObjectStatus::changed), "changed");
  EXPECT_EQ(status_name(ObjectStatus::extra), "extra");
  EXPECT_EQ(status_name(ObjectStatus::modified), "modified");
}

}  // namespace
}  // namespace emf
