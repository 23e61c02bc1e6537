// The shell's reader of the extension's JSON reports (shell/report_reader.h),
// called directly: values as json_extract gives them, lengths, members, the
// objects of a check report, and paths that are not there.
#include "report_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "support/test_db.h"

namespace emf::shell {
namespace {

using Members = std::vector<std::pair<std::string, std::string>>;

TEST(ReportReader, ValuesAreTextAsJsonExtractGivesThem) {
  const ReportReader reader;
  const std::string report = R"({"ok":true,"no":false,"n":3,"x":1.5,"s":"text","nothing":null,)"
                             R"("list":[1,"two",{"three":3}],"object":{"a":1},"a_b":{"c-d":"e"}})";
  EXPECT_EQ(reader.value(report, "$.ok"), "1");
  EXPECT_EQ(reader.value(report, "$.no"), "0");
  EXPECT_EQ(reader.value(report, "$.n"), "3");
  EXPECT_EQ(reader.value(report, "$.x"), "1.5");
  EXPECT_EQ(reader.value(report, "$.s"), "text");
  EXPECT_EQ(reader.value(report, "$.nothing"), std::nullopt);
  EXPECT_EQ(reader.value(report, "$.absent"), std::nullopt);
  EXPECT_EQ(reader.value(report, "$.list[1]"), "two");
  EXPECT_EQ(reader.value(report, "$.list[2].three"), "3");
  EXPECT_EQ(reader.value(report, "$.list[3]"), std::nullopt);
  EXPECT_EQ(reader.value(report, "$.list"), R"([1,"two",{"three":3}])");
  EXPECT_EQ(reader.value(report, "$.object"), R"({"a":1})");
  // Keys as callers spell them, unquoted, whatever json_tree's fullkey does.
  EXPECT_EQ(reader.value(report, "$.a_b.c-d"), "e");
  EXPECT_EQ(reader.value(report, "$"), report);

  // Every answer agrees with SQLite's json_extract.
  test::Db db(":memory:", /*load_extension=*/false);
  for (const char* path : {"$.ok", "$.n", "$.s", "$.list[2].three", "$.object"}) {
    EXPECT_EQ(reader.value(report, path), db.json(report, path)) << path;
  }
}

TEST(ReportReader, LengthsCountArraysOnly) {
  const ReportReader reader;
  const std::string report = R"({"empty":[],"three":[1,2,3],"object":{"a":1,"b":2},"n":7})";
  EXPECT_EQ(reader.length(report, "$.empty"), 0);
  EXPECT_EQ(reader.length(report, "$.three"), 3);
  EXPECT_EQ(reader.length(report, "$.object"), 0);
  EXPECT_EQ(reader.length(report, "$.n"), 0);
  EXPECT_EQ(reader.length(report, "$.absent"), 0);
}

TEST(ReportReader, MembersOfObjectsAndArraysInOrder) {
  const ReportReader reader;
  const std::string report = R"({"inserted":{"trending_topics":6,"search_history":2,"none":null},)"
                             R"("rebuilt":["a","b"],"n":1})";
  EXPECT_EQ(reader.members(report, "$.inserted"),
            (Members{{"trending_topics", "6"}, {"search_history", "2"}, {"none", ""}}));
  EXPECT_EQ(reader.members(report, "$.rebuilt"), (Members{{"0", "a"}, {"1", "b"}}));
  EXPECT_EQ(reader.members(report, "$.n"), Members{});
  EXPECT_EQ(reader.members(report, "$.absent"), Members{});
}

TEST(ReportReader, ObjectsOfACheckReportTakeTheSummaryOrTheDetail) {
  const ReportReader reader;
  const std::string check =
      R"({"ok":false,"kinds":[)"
      R"({"kind":"trends","objects":[)"
      R"({"type":"table","name":"t","status":"changed","detail":"long","summary":"short"},)"
      R"({"type":"index","name":"i","status":"missing","detail":"absent"}]},)"
      R"({"kind":"metrics","objects":[]},)"
      R"({"kind":"image_library","objects":[{"name":"v"}]}]})";
  const std::vector<ObjectLine> lines = reader.objects(check);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].kind, "trends");
  EXPECT_EQ(lines[0].type, "table");
  EXPECT_EQ(lines[0].name, "t");
  EXPECT_EQ(lines[0].status, "changed");
  EXPECT_EQ(lines[0].detail, "long");
  EXPECT_EQ(lines[0].summary, "short");
  EXPECT_EQ(lines[1].summary, "absent");  // no summary: the detail
  EXPECT_EQ(lines[2].kind, "image_library");
  EXPECT_EQ(lines[2].name, "v");
  EXPECT_EQ(lines[2].type, "");
  EXPECT_EQ(lines[2].summary, "");
  EXPECT_TRUE(reader.objects(R"({"ok":true})").empty());
}

// Each report is parsed once and kept; past the few kept, the oldest are
// dropped and parsed again when asked for: answers never change.
TEST(ReportReader, ManyReportsGiveTheSameAnswersAsOne) {
  const ReportReader reader;
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 100; ++i) {
      const std::string report = R"({"i":)" + std::to_string(i) + "}";
      ASSERT_EQ(reader.value(report, "$.i"), std::to_string(i)) << "round " << round;
    }
  }
}

// A report that is not JSON is an error, never read as a report without
// values; the reader goes on reading the next.
TEST(ReportReader, AMalformedReportIsAnErrorNotAnEmptyReport) {
  const ReportReader reader;
  for (const char* malformed : {"{", R"({"ok":tru})", "not json"}) {
    try {
      const auto value = reader.value(malformed, "$.ok");
      ADD_FAILURE() << malformed << " was read, as " << value.value_or("null");
    } catch (const std::exception& error) {
      EXPECT_NE(std::string(error.what()).find("malformed JSON"), std::string::npos)
          << error.what();
    }
  }
  EXPECT_EQ(reader.value(R"({"ok":true})", "$.ok"), "1");
}

TEST(ReportReader, ScratchIsAWorkingConnection) {
  const ReportReader reader;
  ASSERT_NE(reader.scratch(), nullptr);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(reader.scratch(), "SELECT json_array(1, 2)", -1, &statement, nullptr),
      SQLITE_OK);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)), "[1,2]");
  sqlite3_finalize(statement);
}

}  // namespace
}  // namespace emf::shell
