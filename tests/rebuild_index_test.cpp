// create_index_or_diagnose on index definitions emf's own SQL does not (yet)
// use: a UNIQUE index with an ordered key and a partial one. The rows that
// break it are named by the key the index groups on, and only among the
// rows its WHERE selects. Linked against emf_core.
#include <gtest/gtest.h>

#include "error.h"
#include "rebuild.h"
#include "support/test_db.h"

namespace emf {
namespace {

using test::Db;

// t holds two rows that share a = 1 where b > 0, and one more with a = 1
// that the partial index leaves out.
class RebuildIndex : public ::testing::Test {
 protected:
  RebuildIndex() : db_(":memory:", /*load_extension=*/false) {
    db_.exec("CREATE TABLE t (a INTEGER, b INTEGER)");
    db_.exec("INSERT INTO t VALUES (1, 1), (1, 2), (1, -1), (2, 1)");
  }
  Db db_;
};

TEST_F(RebuildIndex, AnOrderedKeyGroupsByItsColumnAlone) {
  Misfits misfits;
  create_index_or_diagnose(db_.get(), "main", "CREATE UNIQUE INDEX i ON t (a DESC)", misfits);
  EXPECT_EQ(misfits.describe(),
            "2 values do not fit: t.a: 2 rows (rowid 2: 1, rowid 3: 1): UNIQUE constraint "
            "failed: t.a");
  EXPECT_EQ(db_.integer("SELECT count(*) FROM sqlite_schema WHERE name = 'i'"), 0);
}

TEST_F(RebuildIndex, APartialIndexNamesOnlyTheRowsItsConditionSelects) {
  Misfits misfits;
  create_index_or_diagnose(db_.get(), "main", "CREATE UNIQUE INDEX i ON t (a ASC) WHERE b > 0",
                           misfits);
  EXPECT_EQ(misfits.describe(),
            "1 value does not fit: t.a: 1 row (rowid 2: 1): UNIQUE constraint failed: t.a");
  EXPECT_EQ(db_.integer("SELECT count(*) FROM sqlite_schema WHERE name = 'i'"), 0);
}

// Rows the condition leaves out do not break it: the index is made.
TEST_F(RebuildIndex, APartialIndexTheRowsAllowIsCreated) {
  Misfits misfits;
  create_index_or_diagnose(db_.get(), "main", "CREATE UNIQUE INDEX i ON t (a) WHERE b < 0",
                           misfits);
  EXPECT_TRUE(misfits.empty());
  EXPECT_EQ(db_.integer("SELECT count(*) FROM sqlite_schema WHERE name = 'i'"), 1);
}

}  // namespace
}  // namespace emf
