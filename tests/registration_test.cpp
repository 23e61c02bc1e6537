// Loading libemf where SQLite refuses to register its functions: the load
// fails naming the function and SQLite's reason, and the functions already
// there keep working.
#include <gtest/gtest.h>

#include <string>

#include "support/test_db.h"

namespace emf::test {
namespace {

TEST(Registration, ALoadWhileAStatementRunsFailsNamingTheFunction) {
  Db db;  // emf loaded once
  sqlite3_stmt* running = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db.get(), "SELECT emf_version() UNION ALL SELECT 'second'", -1,
                               &running, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(running), SQLITE_ROW);  // the statement is active

  // SQLite will not replace a function while a statement is active.
  char* message = nullptr;
  const int rc = sqlite3_load_extension(db.get(), EMF_EXTENSION_PATH, nullptr, &message);
  const std::string text = message != nullptr ? message : "";
  sqlite3_free(message);
  EXPECT_EQ(rc, SQLITE_ERROR);
  EXPECT_EQ(text,
            "error during initialization: emf: cannot register emf_version/0: unable to "
            "delete/modify user-function due to "
            "active statements");

  ASSERT_EQ(sqlite3_step(running), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(running, 0)), "second");
  sqlite3_finalize(running);
  EXPECT_EQ(db.text("SELECT emf_version() = json_extract(emf_debug(), '$.version')"), "1");
  // Loaded again with nothing running, it registers over itself.
  ASSERT_EQ(sqlite3_load_extension(db.get(), EMF_EXTENSION_PATH, nullptr, nullptr), SQLITE_OK);
  EXPECT_EQ(db.integer("SELECT count(*) FROM emf_objects(NULL)"), 0);
}

}  // namespace
}  // namespace emf::test
