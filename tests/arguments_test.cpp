// Every bad input to every function gets an error that names the function,
// the argument and what was expected, and changes nothing.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "support/test_db.h"

namespace emf::test {
namespace {

struct BadCall {
  std::string sql;
  std::string error;  // the exact message
};

const std::string kKinds = "expected trends, metrics or image_library";

const std::vector<BadCall> kBadCalls = {
    {"SELECT emf_init('trend')", "emf_init: unknown kind 'trend' (" + kKinds + ")"},
    {"SELECT emf_init(NULL)", "emf_init: kind is NULL (" + kKinds + ")"},
    {"SELECT emf_init(x'00')", "emf_init: kind must be text, got a blob (" + kKinds + ")"},
    {"SELECT emf_init(1)", "emf_init: kind must be text, got the integer 1 (" + kKinds + ")"},
    {"SELECT emf_init('trends; DROP TABLE keep')",
     "emf_init: unknown kind 'trends; DROP TABLE keep' (" + kKinds + ")"},
    {"SELECT emf_init('TRENDS')", "emf_init: unknown kind 'TRENDS' (" + kKinds + ")"},
    {"SELECT emf_init('trends', 'nowhere')",
     "emf_init: no schema named 'nowhere' is attached (expected one of the attached databases: "
     "main)"},
    {"SELECT emf_init('trends', 'main; DROP TABLE keep')",
     "emf_init: no schema named 'main; DROP TABLE keep' is attached (expected one of the attached "
     "databases: main)"},
    {"SELECT emf_init('trends', NULL)",
     "emf_init: schema must be text, got NULL (expected one of the attached databases: main)"},
    {"SELECT emf_init('trends', 'temp')",
     "emf_init: schema temp is not supported: its triggers and views would reach into main "
     "(expected one of the attached databases: main)"},
    {"SELECT emf_check('nope')", "emf_check: unknown kind 'nope' (" + kKinds + ")"},
    {"SELECT emf_check(3.5)", "emf_check: kind must be text, got the real 3.5 (" + kKinds + ")"},
    {"SELECT emf_check('trends', x'01')",
     "emf_check: schema must be text, got a blob (expected one of the attached databases: main)"},
    {"SELECT emf_seed('trends', -1)",
     "emf_seed: rows is out of range: -1 (expected a whole number from 0 to 100000000)"},
    {"SELECT emf_seed('trends', 100000001)",
     "emf_seed: rows is out of range: 100000001 (expected a whole number from 0 to 100000000)"},
    {"SELECT emf_seed('trends', '10')",
     "emf_seed: rows must be a whole number, got '10' (expected a whole number from 0 to "
     "100000000)"},
    {"SELECT emf_seed('trends', 2.5)",
     "emf_seed: rows must be a whole number, got the real 2.5 (expected a whole number from 0 to "
     "100000000)"},
    {"SELECT emf_seed('trends', NULL)",
     "emf_seed: rows must be a whole number, got NULL (expected a whole number from 0 to "
     "100000000)"},
    {"SELECT emf_seed('trends', 10, 'abc')",
     "emf_seed: random_seed must be a whole number, got 'abc' (expected a whole number from "
     "-9223372036854775808 to 9223372036854775807)"},
    {"SELECT emf_seed(NULL)", "emf_seed: kind is NULL (" + kKinds + ")"},
    {"SELECT emf_reset('metric')", "emf_reset: unknown kind 'metric' (" + kKinds + ")"},
    {"SELECT emf_reset('trends', 'aux2')",
     "emf_reset: no schema named 'aux2' is attached (expected one of the attached databases: "
     "main)"},
    {"SELECT emf_backup(NULL)",
     "emf_backup: path must be non-empty text, got NULL (expected the path of a file that does "
     "not exist yet)"},
    {"SELECT emf_backup('')",
     "emf_backup: path must be non-empty text, got '' (expected the path of a file that does not "
     "exist yet)"},
    {"SELECT emf_backup(42)",
     "emf_backup: path must be non-empty text, got the integer 42 (expected the path of a file "
     "that does not exist yet)"},
    {"SELECT emf_backup('/tmp/x.db', 'missing')",
     "emf_backup: no schema named 'missing' is attached (expected one of the attached databases: "
     "main)"},
    {"SELECT * FROM emf_objects('bogus')", "emf_objects: unknown kind 'bogus' (" + kKinds + ")"},
    {"SELECT emf_repair('bogus')", "emf_repair: unknown kind 'bogus' (" + kKinds + ")"},
    {"SELECT emf_repair('trends', 'aux9')",
     "emf_repair: no schema named 'aux9' is attached (expected one of the attached databases: "
     "main)"},
    {"SELECT emf_plan(NULL)", "emf_plan: kind is NULL (" + kKinds + ")"},
    {"SELECT emf_plan(42)", "emf_plan: kind must be text, got the integer 42 (" + kKinds + ")"},
    {"SELECT * FROM emf_migrations('x')", "emf_migrations: unknown kind 'x' (" + kKinds + ")"},
    {"SELECT * FROM emf_migrations('trends', 'temp')",
     "emf_migrations: schema temp is not supported: its triggers and views would reach into main "
     "(expected one of the attached databases: main)"},
    {"SELECT * FROM emf_objects('trends', 'nowhere')",
     "emf_objects: no schema named 'nowhere' is attached (expected one of the attached databases: "
     "main)"},
    {"SELECT emf_init()", "wrong number of arguments to function emf_init()"},
    {"SELECT emf_init('trends', 'main', 3)", "wrong number of arguments to function emf_init()"},
    {"SELECT emf_seed('trends', 1, 2, 3)", "wrong number of arguments to function emf_seed()"},
};

TEST(Arguments, EveryBadInputIsNamedAndChangesNothing) {
  TempDir dir;
  Db db(dir.file("args.db"));
  db.exec("CREATE TABLE keep (x); INSERT INTO keep VALUES (1)");
  const std::string before = db.dump();
  for (const BadCall& call : kBadCalls) {
    const auto error = db.error(call.sql);
    ASSERT_TRUE(error.has_value()) << call.sql;
    EXPECT_EQ(*error, call.error) << call.sql;
    EXPECT_EQ(db.dump(), before) << call.sql;
  }
}

TEST(Arguments, LongValuesAreShortenedInMessages) {
  Db db;
  const auto error = db.error("SELECT emf_init('" + std::string(200, 'x') + "')");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error, "emf_init: unknown kind '" + std::string(40, 'x') + "...' (" + kKinds + ")");
}

}  // namespace
}  // namespace emf::test
