// Rebuilds on definitions emf's own SQL does not (yet) use: a column whose
// CHECK names another column cannot be tried alone, so the rows it refuses
// are found by the table-wide copy and named with SQLite's reason; and a
// migration that creates a new table never rebuilds a table of the user's
// by that name. Linked against emf_core.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "error.h"
#include "migrations.h"
#include "rebuild.h"
#include "support/test_db.h"

namespace emf {
namespace {

using test::Db;

TEST(RebuildTable, AColumnCheckNamingAnotherColumnIsTriedOnTheWholeRow) {
  Db db(":memory:", /*load_extension=*/false);
  db.exec("CREATE TABLE t (a INTEGER, b INTEGER, c TEXT)");
  db.exec("INSERT INTO t VALUES (1, 5, 'x'), (2, 0, 'y'), (3, 3, NULL)");
  db.exec("BEGIN");
  Rebuild rebuild(db.get(), "main");
  Misfits misfits;
  EXPECT_FALSE(rebuild.rebuild_table(
      "CREATE TABLE t (a INTEGER, b INTEGER CHECK (b > a), c TEXT NOT NULL)", misfits));
  // Row 3 breaks c's NOT NULL, which is tried alone; row 2 only the CHECK
  // on b, which needs a: both are named, each once.
  EXPECT_EQ(misfits.describe(),
            "2 values do not fit: t.c: 1 row (rowid 3: NULL): NOT NULL constraint failed: t.c; "
            "t: 1 row (rowid 2): CHECK constraint failed: b > a");
  EXPECT_EQ(db.integer("SELECT count(*) FROM temp.sqlite_schema WHERE name = 'emf_probe'"), 0);
  db.exec("ROLLBACK");
  EXPECT_EQ(db.integer("SELECT count(*) FROM t"), 3);
}

// No migration emf ships creates a new table yet; one that does meets the
// user's table of that name, refuses, and leaves it as it was.
TEST(RebuildTable, AMigrationCreatingATableTheUserHasRefusesIt) {
  Db db(":memory:", /*load_extension=*/false);
  db.exec("CREATE TABLE Notes (body TEXT)");
  db.exec("INSERT INTO Notes VALUES ('mine')");
  const Migration migration{Kind::trends,
                            4,
                            "notes",
                            "004_notes.sql",
                            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);",
                            ""};
  const std::set<std::string> kind_tables{"trending_topics", "search_history"};
  Misfits misfits;
  try {
    run_migration(db.get(), "main", migration, misfits, {&kind_tables, false});
    FAIL() << "the migration went through";
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(),
                 "a table of yours is named notes, which this migration creates; rename yours, "
                 "then try again (nothing was changed)");
  }
  EXPECT_TRUE(misfits.empty());
  EXPECT_EQ(db.text("SELECT sql FROM sqlite_schema WHERE name = 'Notes'"),
            "CREATE TABLE Notes (body TEXT)");
  EXPECT_EQ(db.text("SELECT group_concat(body) FROM Notes"), "mine");
}

}  // namespace
}  // namespace emf
