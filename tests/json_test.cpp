// json: reports written by SQLite's own json_object() and json_array(), on a
// real connection: every type of value, escaping left to SQLite, nesting,
// arrays longer than one SQL function call can take, and what happens to
// text that claims to be JSON and is not. Linked against emf_core.
#include "json.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "error.h"
#include "support/test_db.h"

namespace emf {
namespace {

using test::Db;

TEST(Json, AnObjectHoldsEveryTypeOfValueInOrder) {
  Db db(":memory:", /*load_extension=*/false);
  const std::string text = json::object(db.get(), {{"null", nullptr},
                                                   {"yes", true},
                                                   {"no", false},
                                                   {"int", 42},
                                                   {"big", std::int64_t{9007199254740993}},
                                                   {"real", 1.5},
                                                   {"chars", "text"},
                                                   {"view", std::string_view("view")},
                                                   {"string", std::string("string")},
                                                   {"raw", json::Raw{"{\"a\":[1,2]}"}}});
  EXPECT_EQ(text,
            "{\"null\":null,\"yes\":true,\"no\":false,\"int\":42,\"big\":9007199254740993,"
            "\"real\":1.5,\"chars\":\"text\",\"view\":\"view\",\"string\":\"string\","
            "\"raw\":{\"a\":[1,2]}}");
}

TEST(Json, KeysAndStringsAreEscapedBySqlite) {
  Db db(":memory:", false);
  const std::string awkward = "quote \" backslash \\ newline \n tab \t nul-free ' end";
  const std::string text = json::object(db.get(), {{awkward, awkward}});
  // Read back through SQLite's parser: the very same text, key and value.
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db.get(), "SELECT key, value FROM json_each(?1)", -1, &statement, nullptr),
      SQLITE_OK);
  sqlite3_bind_text(statement, 1, text.c_str(), -1, SQLITE_TRANSIENT);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_EQ(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)), awkward);
  EXPECT_EQ(reinterpret_cast<const char*>(sqlite3_column_text(statement, 1)), awkward);
  EXPECT_EQ(sqlite3_step(statement), SQLITE_DONE);
  sqlite3_finalize(statement);
  // Text that looks like JSON stays a string unless it is Raw.
  EXPECT_EQ(json::object(db.get(), {{"a", "[1]"}}), "{\"a\":\"[1]\"}");
}

TEST(Json, EmptyObjectAndArray) {
  Db db(":memory:", false);
  EXPECT_EQ(json::object(db.get(), {}), "{}");
  EXPECT_EQ(json::array(db.get(), {}), "[]");
}

TEST(Json, AnArrayNestsObjectsAndKeepsOrder) {
  Db db(":memory:", false);
  const std::string inner = json::object(db.get(), {{"kind", "trends"}, {"version", 3}});
  EXPECT_EQ(json::array(db.get(), {json::Raw{inner}, "x", 1, nullptr, false}),
            "[{\"kind\":\"trends\",\"version\":3},\"x\",1,null,false]");
}

TEST(Json, AnArrayLongerThanAFunctionCallTakesKeepsEveryItemInOrder) {
  Db db(":memory:", false);
  // 60 items a call: 1, 60, 61, 120, 121 and 300 cross each boundary, and
  // 300 is more than SQLite's 127 arguments of one call.
  for (const int count : {1, 60, 61, 120, 121, 300}) {
    std::vector<json::Value> items;
    std::string expected = "[";
    for (int i = 0; i < count; ++i) {
      if (i % 3 == 0) {
        items.emplace_back(i);
        expected += std::to_string(i);
      } else if (i % 3 == 1) {
        items.emplace_back(std::to_string(i));
        expected += "\"" + std::to_string(i) + "\"";
      } else {
        items.emplace_back(json::Raw{"[" + std::to_string(i) + "]"});
        expected += "[" + std::to_string(i) + "]";
      }
      expected += i + 1 < count ? "," : "]";
    }
    EXPECT_EQ(json::array(db.get(), items), expected) << count << " items";
  }
}

TEST(Json, RawTextThatIsNotJsonIsAnErrorNotAString) {
  Db db(":memory:", false);
  try {
    json::object(db.get(), {{"a", json::Raw{"{not json"}}});
    FAIL() << "malformed JSON was nested";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("malformed JSON"), std::string::npos) << error.what();
  }
  EXPECT_THROW(json::array(db.get(), {json::Raw{"]"}}), Error);
}

}  // namespace
}  // namespace emf
