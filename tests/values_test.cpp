// The value rules of trends 003, metrics 002 and image_library 002, proved
// through the built libemf.so: every time column holds SQLite's UTC form
// 'YYYY-MM-DD HH:MM:SS.SSS' (written by defaults, converted from the other
// forms SQLite reads on insert and update, anything else refused); stored
// times order and compare as instants; latest_video_metrics and both triggers
// stay right with mixed forms; UNIQUE sees one instant in two spellings;
// counts are integers, scores reals, used_flag 0 or 1, JSON the right shape.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "support/frozen_clock_vfs.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

// 2026-03-04 05:06:07.890 as SQLite's Julian-day milliseconds, and its
// stored form: with the frozen clock, 'now' is exactly this.
constexpr std::int64_t kFrozenNow = 212639360767890LL;
constexpr const char* kFrozenNowText = "2026-03-04 05:06:07.890";

const char* const kStoredFormGlob =
    "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]";

// All three kinds on one connection, with a parent image and collection
// (id 1200) for the rows of image_usage and collection_images.
void init_all(Db& db) {
  for (const char* kind : {"trends", "metrics", "image_library"}) {
    db.exec(fmt::format("SELECT emf_init('{}')", kind));
  }
  db.exec(
      "INSERT INTO image_library (id, character, file_path) VALUES (1200, 'nutsy', 'parent.png');"
      "INSERT INTO image_collections (id, name) VALUES (1200, 'parent')");
}

bool contains(const std::optional<std::string>& error, const std::string& part) {
  return error.has_value() && error->find(part) != std::string::npos;
}

// One column of one table, and how to insert a row that sets it: the
// table's required columns (`columns`) with their values (`values`, where
// {key} makes the row unique).
struct Column {
  std::string table;
  std::string column;
  std::string columns;
  std::string values;
  bool has_default = true;

  std::string insert(int key, const std::string& value) const {
    return fmt::format("INSERT INTO {} ({}, {}) VALUES ({}, {})", table, columns, column,
                       fmt::format(fmt::runtime(values), fmt::arg("key", key)), value);
  }
  std::string insert_default(int key) const {
    return fmt::format("INSERT INTO {} ({}) VALUES ({})", table, columns,
                       fmt::format(fmt::runtime(values), fmt::arg("key", key)));
  }
  std::string value_of(std::int64_t rowid) const {
    return fmt::format("SELECT {} FROM {} WHERE rowid = {}", column, table, rowid);
  }
  std::string count() const { return fmt::format("SELECT count(*) FROM {}", table); }
};

void PrintTo(const Column& c, std::ostream* os) {
  *os << c.table << "." << c.column;
}

std::string column_name(const ::testing::TestParamInfo<Column>& info) {
  return info.param.table + "_" + info.param.column;
}

// ---------------------------------------------------------------------------
// Rule 1: one stored time form.

const std::vector<Column> kTimeColumns = {
    {"trending_topics", "timestamp", "topic, source", "'t{key}', 's'"},
    {"trending_topics", "created_at", "topic, source", "'t{key}', 's'"},
    {"trending_topics", "updated_at", "topic, source", "'t{key}', 's'"},
    {"search_history", "timestamp", "query", "'q{key}'"},
    {"video_metrics", "timestamp", "video_id, platform", "'v{key}', 'tiktok'"},
    {"video_metrics", "created_at", "video_id, platform", "'v{key}', 'tiktok'"},
    {"video_metadata", "created_at", "video_id", "'v{key}'"},
    {"video_metadata", "posted_at", "video_id", "'v{key}'", false},
    {"image_library", "timestamp", "character, file_path", "'butcher', 'i{key}.png'"},
    {"image_library", "created_at", "character, file_path", "'butcher', 'i{key}.png'"},
    {"image_library", "last_used_at", "character, file_path", "'butcher', 'i{key}.png'", false},
    {"image_usage", "timestamp", "image_id", "1200"},
    {"image_collections", "created_at", "name", "'c{key}'"},
};

struct TimeForm {
  std::string written;  // an SQL literal
  std::string stored;
};

// Every form SQLite reads, and the stored form of the same instant.
const std::vector<TimeForm> kTimeForms = {
    {"'2026-11-25 09:08:07.123'", "2026-11-25 09:08:07.123"},     // the stored form itself
    {"'2026-11-25T09:08:07.123Z'", "2026-11-25 09:08:07.123"},    // ISO with T and Z
    {"'2026-11-25T09:08:07'", "2026-11-25 09:08:07.000"},         // T, no fraction
    {"'2026-11-25 09:08:07'", "2026-11-25 09:08:07.000"},         // CURRENT_TIMESTAMP's
    {"'2026-11-25 09:08:07.5'", "2026-11-25 09:08:07.500"},       // 1 fraction digit
    {"'2026-11-25 09:08:07.25'", "2026-11-25 09:08:07.250"},      // 2
    {"'2026-11-25 09:08:07.1250'", "2026-11-25 09:08:07.125"},    // 4
    {"'2026-11-25 09:08:07.123000'", "2026-11-25 09:08:07.123"},  // 6: Python's adapter
    {"'2026-11-25 09:08:07.123456'", "2026-11-25 09:08:07.123"},
    {"'2026-11-25 09:08'", "2026-11-25 09:08:00.000"},  // no seconds
    {"'2026-11-25T09:08Z'", "2026-11-25 09:08:00.000"},
    {"'2026-11-25'", "2026-11-25 00:00:00.000"},                 // a date
    {"'2026-11-25 11:08:07+02:00'", "2026-11-25 09:08:07.000"},  // an offset
    {"'2026-11-25T04:08:07.5-05:00'", "2026-11-25 09:08:07.500"},
    {"'2026-11-25T23:30:00.000-01:00'", "2026-11-26 00:30:00.000"},  // across midnight
    {"'2026-11-25T00:30:00+01:00'", "2026-11-24 23:30:00.000"},
    // Where rounding to milliseconds matters, the instant SQLite reads
    // (julianday) is what is stored.
    {"'2026-11-25 10:00:00.500500'", "2026-11-25 10:00:00.500"},
    {"'2026-11-25T10:00:59.999900Z'", "2026-11-25 10:01:00.000"},
};

// Text that is no time at all, or no valid one.
const std::vector<std::string> kNotTimes = {
    "'yesterday'",
    "''",
    "'2026-02-30'",
    "'2026-02-30 10:00:00'",
    "'2026-11-25 24:00:00'",
    "'2026-13-01 00:00:00'",
    "'2026-11-25 10:60:00'",
    "'25/11/2026 10:00'",
    "x'7b7d'",
    "x'323032362d31312d32352031303a30303a3030'",  // the text, as a blob
};

// Numbers: SQLite reads some as Julian days, but a number is no time.
const std::vector<std::string> kNumbers = {
    "1764000000", "'1764000000'", "2461000.5", "'2461000.5'", "2461000", "0",
};

class TimeColumnTest : public ::testing::TestWithParam<Column> {
 protected:
  void SetUp() override { init_all(db); }
  Db db;
};

// A default is 'now' in the stored form (the frozen clock makes 'now' one
// known instant); the two columns without a default stay NULL.
TEST_P(TimeColumnTest, TheDefaultIsNowInTheStoredForm) {
  const Column& c = GetParam();
  register_frozen_clock_vfs(kFrozenNow);
  Db frozen(":memory:", true, kFrozenClockVfs);
  init_all(frozen);
  frozen.exec(c.insert_default(1));
  const std::string value = frozen.text(c.value_of(frozen.integer("SELECT last_insert_rowid()")));
  if (c.has_default) {
    EXPECT_EQ(value, kFrozenNowText);
  } else {
    EXPECT_EQ(value, "NULL");
  }
}

TEST_P(TimeColumnTest, EveryFormSqliteReadsIsConvertedOnInsert) {
  const Column& c = GetParam();
  for (size_t i = 0; i < kTimeForms.size(); ++i) {
    SCOPED_TRACE(kTimeForms[i].written);
    db.exec(c.insert(static_cast<int>(i), kTimeForms[i].written));
    EXPECT_EQ(db.text(c.value_of(db.integer("SELECT last_insert_rowid()"))), kTimeForms[i].stored);
  }
  // CURRENT_TIMESTAMP itself: whole seconds of now, within a minute.
  db.exec(c.insert(100, "CURRENT_TIMESTAMP"));
  const std::int64_t row = db.integer("SELECT last_insert_rowid()");
  EXPECT_EQ(db.integer(fmt::format("SELECT {0} GLOB '{1}' AND {0} GLOB '*.000' AND "
                                   "abs(julianday({0}) - julianday('now')) < 60 / 86400.0 "
                                   "FROM {2} WHERE rowid = {3}",
                                   c.column, kStoredFormGlob, c.table, row)),
            1);
}

TEST_P(TimeColumnTest, EveryFormSqliteReadsIsConvertedOnUpdate) {
  const Column& c = GetParam();
  db.exec(c.insert(1, "'2000-01-01 00:00:00.000'"));
  const std::int64_t row = db.integer("SELECT last_insert_rowid()");
  for (const TimeForm& form : kTimeForms) {
    SCOPED_TRACE(form.written);
    db.exec(fmt::format("UPDATE {} SET {} = {} WHERE rowid = {}", c.table, c.column, form.written,
                        row));
    EXPECT_EQ(db.text(c.value_of(row)), form.stored);
  }
}

// The conversion is the work of <table>_times_on_insert and _on_update: the
// CHECK alone accepts the other forms, so without them they would stay.
TEST_P(TimeColumnTest, TheNamedTriggersDoTheConversion) {
  const Column& c = GetParam();
  db.exec(c.insert(1, "'2000-01-01 00:00:00.000'"));
  const std::int64_t row = db.integer("SELECT last_insert_rowid()");
  db.exec(
      fmt::format("DROP TRIGGER {0}_times_on_insert; DROP TRIGGER {0}_times_on_update", c.table));
  db.exec(c.insert(2, "'2026-11-25T09:08:07Z'"));
  EXPECT_EQ(db.text(c.value_of(db.integer("SELECT last_insert_rowid()"))), "2026-11-25T09:08:07Z");
  db.exec(fmt::format("UPDATE {} SET {} = '2026-11-25T09:08:07Z' WHERE rowid = {}", c.table,
                      c.column, row));
  EXPECT_EQ(db.text(c.value_of(row)), "2026-11-25T09:08:07Z");
}

// Each value is refused on insert and on update, with the CHECK that names
// the column, and leaves the table as it was.
void expect_refused(Db& db, const Column& c, const std::vector<std::string>& values) {
  db.exec(c.insert(1, "'2000-01-01 00:00:00.000'"));
  const std::int64_t row = db.integer("SELECT last_insert_rowid()");
  const std::int64_t rows = db.integer(c.count());
  const std::string constraint = "CHECK constraint failed: " + c.column + "_is_a_time";
  for (const std::string& value : values) {
    SCOPED_TRACE(value);
    const auto on_insert = db.error(c.insert(2, value));
    EXPECT_TRUE(contains(on_insert, constraint)) << on_insert.value_or("accepted");
    EXPECT_EQ(db.integer(c.count()), rows);
    const auto on_update = db.error(
        fmt::format("UPDATE {} SET {} = {} WHERE rowid = {}", c.table, c.column, value, row));
    EXPECT_TRUE(contains(on_update, constraint)) << on_update.value_or("accepted");
    EXPECT_EQ(db.text(c.value_of(row)), "2000-01-01 00:00:00.000");
    // Whatever was accepted is gone again, so the next case starts alike.
    db.exec(fmt::format("DELETE FROM {} WHERE rowid > {}", c.table, row));
    db.exec(fmt::format("UPDATE {} SET {} = '2000-01-01 00:00:00.000' WHERE rowid = {}", c.table,
                        c.column, row));
  }
}

TEST_P(TimeColumnTest, TextThatIsNotATimeIsRefusedNamingTheColumn) {
  expect_refused(db, GetParam(), kNotTimes);
}

TEST_P(TimeColumnTest, ANumberIsRefusedNamingTheColumn) {
  expect_refused(db, GetParam(), kNumbers);
}

// ---------------------------------------------------------------------------
// Rule 2: stored text orders and compares as instants.

// 'now' written by the default, in T…Z form, as CURRENT_TIMESTAMP and with
// an offset: every one is within the last hour and not in the next one, as
// text compared with datetime() says. (In T form it would sort after every
// datetime() of the same day.)
TEST_P(TimeColumnTest, NowInAnyFormComparesWithDatetimeAsAnInstant) {
  const Column& c = GetParam();
  std::vector<std::string> statements = {
      c.insert(2, "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"),
      c.insert(3, "CURRENT_TIMESTAMP"),
      c.insert(4, "strftime('%Y-%m-%dT%H:%M:%f+02:00', 'now', '+2 hours')"),
      c.insert(5, "strftime('%Y-%m-%dT%H:%M:%f-09:30', 'now', '-570 minutes')"),
  };
  if (c.has_default) statements.push_back(c.insert_default(1));
  for (const std::string& statement : statements) {
    SCOPED_TRACE(statement);
    db.exec(statement);
    const std::int64_t row = db.integer("SELECT last_insert_rowid()");
    const auto found = [&](const std::string& condition) {
      return db.integer(fmt::format("SELECT count(*) FROM {} WHERE rowid = {} AND {} {}", c.table,
                                    row, c.column, condition));
    };
    EXPECT_EQ(found("> datetime('now', '+1 hour')"), 0);
    EXPECT_EQ(found("> datetime('now', '-1 hour')"), 1);
    EXPECT_EQ(found("< datetime('now', '+1 hour')"), 1);
    EXPECT_EQ(found("< datetime('now', '-1 hour')"), 0);
    EXPECT_EQ(found("BETWEEN datetime('now', '-1 minute') AND datetime('now', '+1 minute')"), 1);
  }
}

// Written in mixed forms and in scrambled order, ORDER BY, min, max and
// comparisons with strftime() give the order of the instants.
TEST_P(TimeColumnTest, MixedFormsOrderAsTheirInstants) {
  const Column& c = GetParam();
  // Listed in the order of their instants.
  const std::vector<std::string> in_order = {
      "'2026-11-25 10:00:00+02:00'",      // 08:00
      "'2026-11-25T09:00:00.000Z'",       // 09:00
      "'2026-11-25 09:30'",               // 09:30
      "'2026-11-25T13:59:59.5'",          // 13:59:59.500
      "'2026-11-25 14:00:00'",            // 14:00
      "'2026-11-26'",                     // 26th 00:00
      "'2026-11-25 23:00:00.000-02:00'",  // 26th 01:00
      "'2026-11-26 01:00:00.000001'",     // 26th 01:00:00.000 too: equal, by id
  };
  const std::vector<size_t> written = {4, 0, 6, 2, 7, 5, 1, 3};
  std::vector<std::int64_t> ids(in_order.size());
  for (size_t i : written) {
    db.exec(c.insert(static_cast<int>(i), in_order[i]));
    ids[i] = db.integer("SELECT last_insert_rowid()");
  }
  // The last two are the same instant: they tie and keep id order, which is
  // their order in `written`.
  std::vector<std::int64_t> expected = ids;
  if (ids[6] > ids[7]) std::swap(expected[6], expected[7]);
  std::string id_list;
  for (std::int64_t id : ids) id_list += (id_list.empty() ? "" : ",") + std::to_string(id);
  const std::string mine = fmt::format("FROM {} WHERE rowid IN ({})", c.table, id_list);

  std::vector<std::vector<std::string>> expected_rows;
  for (std::int64_t id : expected) expected_rows.push_back({std::to_string(id)});
  EXPECT_EQ(db.rows(fmt::format("SELECT rowid {} ORDER BY {}, rowid", mine, c.column)),
            expected_rows);
  EXPECT_EQ(db.rows(fmt::format("SELECT rowid {} ORDER BY julianday({}), rowid", mine, c.column)),
            expected_rows);
  EXPECT_EQ(db.text(fmt::format("SELECT min({}) {}", c.column, mine)), "2026-11-25 08:00:00.000");
  EXPECT_EQ(db.text(fmt::format("SELECT max({}) {}", c.column, mine)), "2026-11-26 01:00:00.000");
  EXPECT_EQ(db.integer(fmt::format("SELECT count(DISTINCT {}) {}", c.column, mine)), 7);
  EXPECT_EQ(db.integer(fmt::format(
                "SELECT count(*) {} AND {} > strftime('%Y-%m-%d %H:%M:%f', '2026-11-25T14:00:00Z')",
                mine, c.column)),
            3);
  EXPECT_EQ(db.integer(fmt::format("SELECT count(*) {} AND {} BETWEEN strftime('%Y-%m-%d "
                                   "%H:%M:%f', '2026-11-25 11:00:00+02:00') AND strftime('%Y-%m-"
                                   "%d %H:%M:%f', '2026-11-25T14:00:00Z')",
                                   mine, c.column)),
            4);
  EXPECT_EQ(
      db.integer(fmt::format("SELECT count(*) {} AND {} >= date('2026-11-26')", mine, c.column)),
      3);
}

INSTANTIATE_TEST_SUITE_P(EveryTimeColumn, TimeColumnTest, ::testing::ValuesIn(kTimeColumns),
                         column_name);

// Each table with times has both conversion triggers, under their names.
TEST(TimeTriggers, EveryTableWithTimesHasItsTwoConversionTriggers) {
  Db db;
  init_all(db);
  for (const char* table : {"trending_topics", "search_history", "video_metrics", "video_metadata",
                            "image_library", "image_usage", "image_collections"}) {
    for (const char* suffix : {"_times_on_insert", "_times_on_update"}) {
      EXPECT_EQ(db.integer(fmt::format("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' "
                                       "AND name = '{}{}' AND tbl_name = '{}'",
                                       table, suffix, table)),
                1)
          << table << suffix;
    }
  }
}

// The sample data and synthetic rows hold only the stored form.
TEST(StoredForm, SeededRowsHoldOnlyTheStoredForm) {
  Db db;
  for (const char* kind : {"trends", "metrics", "image_library"}) {
    db.exec(fmt::format("SELECT emf_init('{0}'), emf_seed('{0}'), emf_seed('{0}', 50)", kind));
  }
  for (const Column& c : kTimeColumns) {
    SCOPED_TRACE(c.table + "." + c.column);
    EXPECT_GT(db.integer(fmt::format("SELECT count({}) FROM {}", c.column, c.table)), 0);
    EXPECT_EQ(db.integer(fmt::format("SELECT count(*) FROM {1} WHERE {0} IS NOT NULL AND ({0} "
                                     "NOT GLOB '{2}' OR {0} IS NOT strftime('%Y-%m-%d %H:%M:%f', "
                                     "{0}))",
                                     c.column, c.table, kStoredFormGlob)),
              0);
  }
}

// At a whole second, strftime('%Y-%m-%d %H:%M:%f', ...) writes the stored
// form itself, and julianday() compares instants: both are exact there.
// datetime() writes no milliseconds, so its text for the same instant is
// shorter: `>=` and `<` are right at the boundary, `>`, `<=` and `=` are
// not (docs/schema.md says so, and says what to use).
TEST(TimeComparison, AtAWholeSecondTheStoredFormAndJuliandayCompareExactly) {
  Db db;
  init_all(db);
  db.exec("INSERT INTO search_history (query, timestamp) VALUES ('q', '2026-11-25T09:00:00Z')");
  ASSERT_EQ(db.text("SELECT timestamp FROM search_history"), "2026-11-25 09:00:00.000");
  const auto found = [&](const std::string& condition) {
    return db.integer("SELECT count(*) FROM search_history WHERE " + condition);
  };
  const std::string same = "strftime('%Y-%m-%d %H:%M:%f', '2026-11-25 09:00:00')";
  EXPECT_EQ(found("timestamp > " + same), 0);
  EXPECT_EQ(found("timestamp = " + same), 1);
  EXPECT_EQ(found("timestamp <= " + same), 1);
  EXPECT_EQ(found("julianday(timestamp) = julianday('2026-11-25 09:00:00')"), 1);
  EXPECT_EQ(found("timestamp >= datetime('2026-11-25 09:00:00')"), 1);
  EXPECT_EQ(found("timestamp < datetime('2026-11-25 09:00:00')"), 0);
  // A millisecond either side, datetime() compares right too.
  EXPECT_EQ(found("timestamp > datetime('2026-11-25 08:59:59.999')"), 1);
  EXPECT_EQ(found("timestamp < datetime('2026-11-25 09:00:01')"), 1);
}

// image_library_times_on_update tests only the times an update changed (a
// use changes last_used_at alone): whichever else the statement sets, to
// themselves or not, every time it changed is converted.
TEST(TimeConversion, AnImageUpdateConvertsEachTimeItChanges) {
  Db db;
  init_all(db);
  db.exec(
      "INSERT INTO image_library (id, character, file_path, timestamp, created_at, last_used_at) "
      "VALUES (1, 'butcher', 'a.png', '2026-01-01 00:00:00.000', '2026-01-02 00:00:00.000', "
      "'2026-01-03 00:00:00.000')");
  const std::string times =
      "SELECT timestamp, created_at, last_used_at FROM image_library WHERE id = 1";
  const std::vector<std::pair<std::string, std::vector<std::string>>> updates = {
      {"created_at = '2026-01-02T01:00:00Z'",
       {"2026-01-01 00:00:00.000", "2026-01-02 01:00:00.000", "2026-01-03 00:00:00.000"}},
      {"timestamp = timestamp, created_at = created_at, last_used_at = '2026-01-03T01:00Z'",
       {"2026-01-01 00:00:00.000", "2026-01-02 01:00:00.000", "2026-01-03 01:00:00.000"}},
      {"usage_count = 5, timestamp = '2026-01-01 03:00:00+02:00', last_used_at = last_used_at",
       {"2026-01-01 01:00:00.000", "2026-01-02 01:00:00.000", "2026-01-03 01:00:00.000"}},
      // The same instant in another form is a change of the text.
      {"last_used_at = '2026-01-03T01:00:00.000Z'",
       {"2026-01-01 01:00:00.000", "2026-01-02 01:00:00.000", "2026-01-03 01:00:00.000"}},
      {"timestamp = '2026-01-01 04:00', created_at = '2026-01-02 05:00', "
       "last_used_at = '2026-01-03 06:00'",
       {"2026-01-01 04:00:00.000", "2026-01-02 05:00:00.000", "2026-01-03 06:00:00.000"}},
      {"last_used_at = NULL", {"2026-01-01 04:00:00.000", "2026-01-02 05:00:00.000", "NULL"}},
  };
  for (const auto& [set, expected] : updates) {
    SCOPED_TRACE(set);
    db.exec("UPDATE image_library SET " + set + " WHERE id = 1");
    EXPECT_EQ(db.rows(times), (std::vector<std::vector<std::string>>{expected}));
  }
}

// Something of the user's can stop the conversion: the write is then
// refused, never left with a time in another form.
TEST(TimeConversion, AUsersTriggerThatStopsItMakesTheWriteFail) {
  Db db;
  init_all(db);
  db.exec(
      "CREATE TRIGGER freeze_posted BEFORE UPDATE ON video_metadata WHEN OLD.status = 'posted' "
      "BEGIN SELECT RAISE(IGNORE); END");
  const auto error = db.error(
      "INSERT INTO video_metadata (video_id, status, posted_at) VALUES ('a', 'posted', "
      "'2026-01-01T10:00:00Z')");
  EXPECT_TRUE(contains(error, "video_metadata: a time could not be converted"))
      << error.value_or("accepted");
  EXPECT_EQ(db.integer("SELECT count(*) FROM video_metadata"), 0);
  db.exec(
      "INSERT INTO video_metadata (video_id, status, posted_at) VALUES ('b', 'posted', "
      "'2026-01-01 12:00:00.000')");
  EXPECT_EQ(db.integer("SELECT count(*) FROM video_metadata"), 1);
}

// (INSERT OR FAIL is the exception docs/schema.md names: SQLite's FAIL keeps
// the row it inserted before the conversion met the index.)
TEST(TimeConversion, AUsersUniqueIndexUnderOrIgnoreLeavesNoTimeInAnotherForm) {
  for (const char* verb : {"INSERT OR IGNORE", "INSERT", "INSERT OR ABORT"}) {
    SCOPED_TRACE(verb);
    Db db;
    init_all(db);
    db.exec("CREATE UNIQUE INDEX my_topics ON trending_topics (topic, timestamp)");
    db.exec(
        "INSERT INTO trending_topics (topic, source, timestamp) VALUES ('cats', 'x', "
        "'2026-01-01 10:00:00.000')");
    const auto error = db.error(
        fmt::format("{} INTO trending_topics (topic, source, timestamp) VALUES ('cats', 'x', "
                    "'2026-01-01T10:00:00Z')",
                    verb));
    EXPECT_TRUE(error.has_value());
    EXPECT_EQ(db.text("SELECT group_concat(timestamp) FROM trending_topics"),
              "2026-01-01 10:00:00.000");
  }
}

// ---------------------------------------------------------------------------
// Rule 3: the view and the triggers with mixed forms.

struct Snapshot {
  std::string platform;
  std::string timestamp;  // an SQL literal
  int views;
};

struct LatestCase {
  std::string name;
  std::vector<Snapshot> snapshots;  // in the order written
  int latest_views;                 // of (v1, tiktok)
  std::string latest_timestamp;
};

void PrintTo(const LatestCase& c, std::ostream* os) {
  *os << c.name;
}

const std::vector<LatestCase> kLatestCases = {
    {"TFormThenPlain",
     {{"tiktok", "'2026-11-25T09:00:00.000Z'", 1}, {"tiktok", "'2026-11-25 14:00:00'", 2}},
     2,
     "2026-11-25 14:00:00.000"},
    {"PlainThenTForm",
     {{"tiktok", "'2026-11-25 14:00:00'", 2}, {"tiktok", "'2026-11-25T09:00:00.000Z'", 1}},
     2,
     "2026-11-25 14:00:00.000"},
    // 15:00+02:00 is 13:00: as text it would be the later one.
    {"AnOffsetThatIsEarlier",
     {{"tiktok", "'2026-11-25 15:00:00+02:00'", 1}, {"tiktok", "'2026-11-25 14:00:00'", 2}},
     2,
     "2026-11-25 14:00:00.000"},
    {"HalfASecondLater",
     {{"tiktok", "'2026-11-25 14:00:00.5'", 2}, {"tiktok", "'2026-11-25T14:00:00Z'", 1}},
     2,
     "2026-11-25 14:00:00.500"},
    {"NextDayInTForm",
     {{"tiktok", "'2026-11-25 23:59:59.999'", 1},
      {"tiktok", "'2026-11-26T00:00:00Z'", 2},
      {"youtube", "'2026-11-27 00:00:00'", 3}},
     2,
     "2026-11-26 00:00:00.000"},
};

class LatestVideoMetricsTest : public ::testing::TestWithParam<LatestCase> {};

TEST_P(LatestVideoMetricsTest, IsTheLatestInstantWhateverTheForm) {
  Db db;
  init_all(db);
  for (const Snapshot& s : GetParam().snapshots) {
    db.exec(fmt::format(
        "INSERT INTO video_metrics (video_id, platform, timestamp, views) VALUES ('v1', '{}', {}, "
        "{})",
        s.platform, s.timestamp, s.views));
  }
  EXPECT_EQ(db.rows("SELECT views, timestamp FROM latest_video_metrics WHERE video_id = 'v1' AND "
                    "platform = 'tiktok'"),
            (std::vector<std::vector<std::string>>{
                {std::to_string(GetParam().latest_views), GetParam().latest_timestamp}}));
}

INSTANTIATE_TEST_SUITE_P(MixedForms, LatestVideoMetricsTest, ::testing::ValuesIn(kLatestCases),
                         [](const auto& info) { return info.param.name; });

// An update that moves an older snapshot past the others, in T form.
TEST(LatestVideoMetrics, AnUpdatedSnapshotInTFormBecomesTheLatest) {
  Db db;
  init_all(db);
  db.exec(
      "INSERT INTO video_metrics (video_id, platform, timestamp, views) VALUES "
      "('v1', 'tiktok', '2026-11-25 09:00:00', 1), ('v1', 'tiktok', '2026-11-25 14:00:00', 2)");
  db.exec("UPDATE video_metrics SET timestamp = '2026-11-25T14:00:00.001Z' WHERE views = 1");
  EXPECT_EQ(db.rows("SELECT views, timestamp FROM latest_video_metrics WHERE video_id = 'v1'"),
            (std::vector<std::vector<std::string>>{{"1", "2026-11-25 14:00:00.001"}}));
}

struct Use {
  std::string timestamp;     // an SQL literal
  std::string last_used_at;  // the image's, after this use
};

void expect_uses(Db& db, const std::string& initial_last_used_at, const std::vector<Use>& uses) {
  db.exec(
      "INSERT INTO image_library (id, character, file_path, last_used_at) VALUES (1, "
      "'butcher', 'a.png', " +
      initial_last_used_at + ")");
  int count = 0;
  for (const Use& use : uses) {
    SCOPED_TRACE(use.timestamp);
    db.exec("INSERT INTO image_usage (image_id, timestamp) VALUES (1, " + use.timestamp + ")");
    ++count;
    EXPECT_EQ(db.rows("SELECT usage_count, last_used_at FROM image_library WHERE id = 1"),
              (std::vector<std::vector<std::string>>{{std::to_string(count), use.last_used_at}}));
  }
}

TEST(ImageUsageStats, LastUsedAtNeverMovesBackWithMixedForms) {
  Db db;
  init_all(db);
  expect_uses(db, "NULL",
              {
                  {"'2026-11-25 02:53:03'", "2026-11-25 02:53:03.000"},
                  // As text, 'T' sorts after ' ': an older use that looks later.
                  {"'2026-11-25T01:00:00.000Z'", "2026-11-25 02:53:03.000"},
                  {"'2026-11-25 04:00:00+02:00'", "2026-11-25 02:53:03.000"},  // 02:00
                  {"'2026-11-25 02:53:03'", "2026-11-25 02:53:03.000"},
                  {"'2026-11-25T02:53:03.001Z'", "2026-11-25 02:53:03.001"},
                  {"'2026-11-25 02:53:03.0005'", "2026-11-25 02:53:03.001"},
                  {"'2026-11-25T23:00:00-05:00'", "2026-11-26 04:00:00.000"},
                  {"'2026-11-26 03:59:59.999'", "2026-11-26 04:00:00.000"},
              });
}

TEST(ImageUsageStats, AFirstUseInTFormIsStoredInTheStoredForm) {
  Db db;
  init_all(db);
  expect_uses(db, "NULL",
              {
                  {"'2026-11-25T01:00:00.000Z'", "2026-11-25 01:00:00.000"},
                  {"'2026-11-25 00:30'", "2026-11-25 01:00:00.000"},
                  {"'2026-11-25 01:00:00.5'", "2026-11-25 01:00:00.500"},
              });
}

// The image's own last_used_at, written in T form, is converted before any
// use is compared with it.
TEST(ImageUsageStats, AnImagesLastUsedAtInTFormIsComparedAsAnInstant) {
  Db db;
  init_all(db);
  expect_uses(db, "'2026-11-25T03:00:00Z'",
              {
                  {"'2026-11-25 02:59:59'", "2026-11-25 03:00:00.000"},
                  {"'2026-11-25 03:00:01'", "2026-11-25 03:00:01.000"},
              });
}

// update_trending_topics_timestamp, with recursive triggers on and off, and
// a frozen clock so that 'now' is one known instant.
class UpdatedAtTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    register_frozen_clock_vfs(kFrozenNow);
    db.emplace(":memory:", true, kFrozenClockVfs);
    db->exec(fmt::format("PRAGMA recursive_triggers = {}", GetParam() ? "ON" : "OFF"));
    init_all(*db);
    ASSERT_EQ(db->integer("PRAGMA recursive_triggers"), GetParam() ? 1 : 0);
  }
  std::optional<Db> db;
};

// An insert whose times only needed converting is no update: the updated_at
// it wrote stays.
TEST_P(UpdatedAtTest, AnInsertThatOnlyNeededAConversionKeepsItsUpdatedAt) {
  const std::vector<std::vector<std::string>> cases = {
      // timestamp, created_at, updated_at (SQL literals); stored updated_at.
      {"'2026-11-25T09:00:00.000Z'", "'2026-11-25 09:00:00.000'", "'2020-01-01 00:00:00'",
       "2020-01-01 00:00:00.000"},
      // updated_at already stored: only the other time's conversion updates the row.
      {"'2026-11-25T09:00:00.000Z'", "'2026-11-25 09:00:00.000'", "'2020-01-01 00:00:00.000'",
       "2020-01-01 00:00:00.000"},
      {"'2026-11-25 09:00:00.000'", "'2026-11-25 11:00:00+02:00'", "'2020-01-01 00:00:00.000'",
       "2020-01-01 00:00:00.000"},
      {"'2026-11-25 09:00:00.000'", "'2026-11-25 09:00:00.000'", "'2020-01-01T00:00:00Z'",
       "2020-01-01 00:00:00.000"},
      {"'2026-11-25T09:00Z'", "'2026-11-25T09:00:00.000000'", "'2020-01-01T01:00:00+01:00'",
       "2020-01-01 00:00:00.000"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c[0] + ", " + c[1] + ", " + c[2]);
    db->exec(fmt::format(
        "INSERT INTO trending_topics (topic, source, timestamp, created_at, updated_at) VALUES "
        "('t', 's', {}, {}, {})",
        c[0], c[1], c[2]));
    EXPECT_EQ(db->rows("SELECT timestamp, created_at, updated_at FROM trending_topics WHERE id = "
                       "last_insert_rowid()"),
              (std::vector<std::vector<std::string>>{
                  {"2026-11-25 09:00:00.000", "2026-11-25 09:00:00.000", c[3]}}));
  }
}

// Every update of another column, converted or not, sets updated_at to now.
TEST_P(UpdatedAtTest, AnUpdateThatDoesNotSetItSetsItToNow) {
  const std::vector<std::string> assignments = {
      "topic = 'u'",
      "source = 'u'",
      "timestamp = '2026-11-25 10:00:00.000'",
      "timestamp = '2026-11-25T10:00:00Z'",
      "relevance_score = 0.5",
      "used_flag = 1",
      "category = 'c'",
      "metadata = '{\"a\": 1}'",
      "created_at = '2026-11-25T10:00:00+02:00'",
      "priority = 3",
      "id = 500",
  };
  for (const std::string& assignment : assignments) {
    SCOPED_TRACE(assignment);
    db->exec("DELETE FROM trending_topics");
    db->exec(
        "INSERT INTO trending_topics (id, topic, source, updated_at) VALUES (1, 't', 's', "
        "'2020-01-01 00:00:00.000')");
    db->exec("UPDATE trending_topics SET " + assignment);
    EXPECT_EQ(db->text("SELECT updated_at FROM trending_topics"), kFrozenNowText);
    EXPECT_EQ(db->integer("SELECT count(*) FROM trending_topics WHERE timestamp IS NOT "
                          "strftime('%Y-%m-%d %H:%M:%f', timestamp) OR created_at IS NOT "
                          "strftime('%Y-%m-%d %H:%M:%f', created_at)"),
              0);
  }
}

TEST_P(UpdatedAtTest, AnUpdateThatSetsItKeepsWhatItSet) {
  const std::vector<std::string> assignments = {
      "used_flag = 1, updated_at = '2021-05-05 05:05:05'",
      "used_flag = 1, updated_at = '2021-05-05T05:05:05Z'",
      "timestamp = '2026-11-25T10:00:00Z', updated_at = '2021-05-05 07:05:05+02:00'",
      "updated_at = '2021-05-05T05:05:05.000Z'",
  };
  for (const std::string& assignment : assignments) {
    SCOPED_TRACE(assignment);
    db->exec("DELETE FROM trending_topics");
    db->exec(
        "INSERT INTO trending_topics (id, topic, source, updated_at) VALUES (1, 't', 's', "
        "'2020-01-01 00:00:00.000')");
    db->exec("UPDATE trending_topics SET " + assignment);
    EXPECT_EQ(db->text("SELECT updated_at FROM trending_topics"), "2021-05-05 05:05:05.000");
  }
}

INSTANTIATE_TEST_SUITE_P(RecursiveTriggers, UpdatedAtTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "On" : "Off"; });

// ---------------------------------------------------------------------------
// Rule 4: UNIQUE (video_id, platform, timestamp) sees one instant in two
// spellings.

// Spellings of 2026-11-25 09:00:00.000 other than the stored one.
const std::vector<std::string> kOtherSpellings = {
    "'2026-11-25T09:00:00Z'",        "'2026-11-25T09:00:00.000Z'",
    "'2026-11-25 09:00:00'",         "'2026-11-25 09:00'",
    "'2026-11-25 11:00:00+02:00'",   "'2026-11-25 09:00:00.000000'",
    "'2026-11-25T04:00:00.0-05:00'",
};

class UniqueSnapshotTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    init_all(db);
    db.exec(
        "INSERT INTO video_metrics (video_id, platform, timestamp, views) VALUES "
        "('v1', 'tiktok', '2026-11-25 09:00:00.000', 1), "
        "('v1', 'tiktok', '2026-11-25 10:00:00.000', 2)");
  }
  std::string rows() {
    return db.text(
        "SELECT group_concat(id || '|' || timestamp || '|' || views, ';') FROM (SELECT * FROM "
        "video_metrics ORDER BY id)");
  }
  std::string insert(const std::string& verb, int views) {
    return fmt::format(
        "{} INTO video_metrics (video_id, platform, timestamp, views) VALUES ('v1', 'tiktok', {}, "
        "{})",
        verb, GetParam(), views);
  }
  Db db;
};

const char* const kBefore = "1|2026-11-25 09:00:00.000|1;2|2026-11-25 10:00:00.000|2";

TEST_P(UniqueSnapshotTest, APlainInsertIsRefused) {
  for (const char* verb : {"INSERT", "INSERT OR ABORT", "INSERT OR ROLLBACK"}) {
    SCOPED_TRACE(verb);
    EXPECT_TRUE(contains(db.error(insert(verb, 3)), "UNIQUE constraint failed"));
    EXPECT_EQ(rows(), kBefore);
  }
}

// OR FAIL keeps what the statement did before the failure: the duplicate
// must be found before the row goes in unconverted (by the unique index on
// the instant), not by the trigger's conversion after it.
TEST_P(UniqueSnapshotTest, InsertOrFailIsRefusedAndLeavesNoUnconvertedRow) {
  EXPECT_TRUE(contains(db.error(insert("INSERT OR FAIL", 3)), "UNIQUE constraint failed"));
  EXPECT_EQ(rows(), kBefore);
}

// The same, the other way round: the other spelling first.
TEST_P(UniqueSnapshotTest, TheStoredFormAfterTheOtherSpellingIsRefused) {
  db.exec(fmt::format(
      "INSERT INTO video_metrics (video_id, platform, timestamp, views) VALUES ('v2', 'tiktok', "
      "{}, 1)",
      GetParam()));
  const std::string before = rows();
  EXPECT_TRUE(contains(db.error("INSERT INTO video_metrics (video_id, platform, timestamp) VALUES "
                                "('v2', 'tiktok', '2026-11-25 09:00:00.000')"),
                       "UNIQUE constraint failed"));
  EXPECT_EQ(rows(), before);
  EXPECT_EQ(db.integer("SELECT count(*) FROM video_metrics WHERE video_id = 'v2'"), 1);
}

TEST_P(UniqueSnapshotTest, InsertOrIgnoreStoresNothingNew) {
  EXPECT_EQ(db.error(insert("INSERT OR IGNORE", 3)), std::nullopt);
  EXPECT_EQ(rows(), kBefore);
  // In one statement with a new instant: that one is stored, converted.
  EXPECT_EQ(db.error(fmt::format(
                "INSERT OR IGNORE INTO video_metrics (video_id, platform, timestamp, views) VALUES "
                "('v1', 'tiktok', {}, 3), ('v1', 'tiktok', '2026-11-25T11:00:00Z', 4)",
                GetParam())),
            std::nullopt);
  EXPECT_EQ(db.integer("SELECT count(*) FROM video_metrics"), 3);
  EXPECT_EQ(db.text("SELECT timestamp FROM video_metrics WHERE views = 4"),
            "2026-11-25 11:00:00.000");
  EXPECT_EQ(db.integer("SELECT count(*) FROM video_metrics WHERE timestamp IS NOT "
                       "strftime('%Y-%m-%d %H:%M:%f', timestamp) OR views = 3"),
            0);
}

TEST_P(UniqueSnapshotTest, InsertOrReplaceReplaces) {
  EXPECT_EQ(db.error(insert("INSERT OR REPLACE", 3)), std::nullopt);
  EXPECT_EQ(db.rows("SELECT timestamp, views FROM video_metrics ORDER BY timestamp"),
            (std::vector<std::vector<std::string>>{{"2026-11-25 09:00:00.000", "3"},
                                                   {"2026-11-25 10:00:00.000", "2"}}));
  EXPECT_EQ(db.rows("SELECT timestamp, views FROM latest_video_metrics"),
            (std::vector<std::vector<std::string>>{{"2026-11-25 10:00:00.000", "2"}}));
}

// UPDATE OR IGNORE cannot both ignore the row and convert its time: it
// fails, and changes nothing.
TEST_P(UniqueSnapshotTest, UpdateToADuplicateIsRefusedAndChangesNothing) {
  for (const char* verb : {"UPDATE", "UPDATE OR ABORT", "UPDATE OR ROLLBACK"}) {
    SCOPED_TRACE(verb);
    EXPECT_TRUE(contains(db.error(fmt::format("{} video_metrics SET timestamp = {}, views = 5 "
                                              "WHERE id = 2",
                                              verb, GetParam())),
                         "UNIQUE constraint failed"));
    EXPECT_EQ(rows(), kBefore);
  }
}

TEST_P(UniqueSnapshotTest, UpdateOrIgnoreToADuplicateIsIgnored) {
  EXPECT_EQ(
      db.error(fmt::format(
          "UPDATE OR IGNORE video_metrics SET timestamp = {}, views = 5 WHERE id = 2", GetParam())),
      std::nullopt);
  EXPECT_EQ(rows(), kBefore);
}

// As with INSERT OR FAIL: found before the row is updated, not after.
TEST_P(UniqueSnapshotTest, UpdateOrFailToADuplicateIsRefusedAndLeavesNoUnconvertedRow) {
  EXPECT_TRUE(contains(
      db.error(fmt::format(
          "UPDATE OR FAIL video_metrics SET timestamp = {}, views = 5 WHERE id = 2", GetParam())),
      "UNIQUE constraint failed"));
  EXPECT_EQ(rows(), kBefore);
}

TEST_P(UniqueSnapshotTest, UpdateOrReplaceReplaces) {
  EXPECT_EQ(db.error(fmt::format(
                "UPDATE OR REPLACE video_metrics SET timestamp = {}, views = 5 WHERE id = 2",
                GetParam())),
            std::nullopt);
  EXPECT_EQ(rows(), "2|2026-11-25 09:00:00.000|5");
}

INSTANTIATE_TEST_SUITE_P(EverySpelling, UniqueSnapshotTest, ::testing::ValuesIn(kOtherSpellings),
                         [](const auto& info) { return "Spelling" + std::to_string(info.index); });

// ---------------------------------------------------------------------------
// Rule 5: numbers that are numbers, JSON of the right shape.

// {key} makes the row unique where it must be; image and collection 1200
// exist (init_all).
const std::vector<Column> kCountColumns = {
    {"video_metrics", "views", "video_id, platform", "'v{key}', 'tiktok'"},
    {"video_metrics", "likes", "video_id, platform", "'v{key}', 'tiktok'"},
    {"video_metrics", "comments", "video_id, platform", "'v{key}', 'tiktok'"},
    {"video_metrics", "shares", "video_id, platform", "'v{key}', 'tiktok'"},
    {"video_metrics", "saves", "video_id, platform", "'v{key}', 'tiktok'"},
    {"search_history", "result_count", "query", "'q{key}'"},
    {"trending_topics", "priority", "topic, source", "'t{key}', 's'"},
    {"image_library", "usage_count", "character, file_path", "'butcher', 'i{key}.png'"},
    {"image_library", "file_size_bytes", "character, file_path", "'butcher', 'i{key}.png'"},
    {"image_library", "width", "character, file_path", "'butcher', 'i{key}.png'"},
    {"image_library", "height", "character, file_path", "'butcher', 'i{key}.png'"},
    {"image_usage", "scene_number", "image_id", "1200"},
    {"image_usage", "image_id", "video_id", "'v{key}'"},
    {"collection_images", "sort_order", "collection_id, image_id", "1200, 1200"},
    {"collection_images", "image_id", "collection_id", "1200"},
    {"collection_images", "collection_id", "image_id", "1200"},
};

class CountColumnTest : public ::testing::TestWithParam<Column> {
 protected:
  void SetUp() override { init_all(db); }
  Db db;
};

// '1200' and 1200.0 are the integer 1200 (1200 is also the parents' id).
TEST_P(CountColumnTest, ANumericStringIsStoredAsAnInteger) {
  const Column& c = GetParam();
  for (const char* value : {"'1200'", "1200.0", "'1200.0'", "'1.2e3'", "1200"}) {
    SCOPED_TRACE(value);
    db.exec(c.insert(1, value));
    const std::int64_t row = db.integer("SELECT last_insert_rowid()");
    EXPECT_EQ(db.rows(fmt::format("SELECT typeof({0}), {0} FROM {1} WHERE rowid = {2}", c.column,
                                  c.table, row)),
              (std::vector<std::vector<std::string>>{{"integer", "1200"}}));
    // And on update (a key can only name its one parent, 1200).
    const bool key = c.column == "image_id" || c.column == "collection_id";
    db.exec(fmt::format("UPDATE {} SET {} = '{}' WHERE rowid = {}", c.table, c.column,
                        key ? "1200" : "7", row));
    EXPECT_EQ(db.text(fmt::format("SELECT typeof({0}) || ' ' || {0} FROM {1} WHERE rowid = {2}",
                                  c.column, c.table, row)),
              key ? "integer 1200" : "integer 7");
    db.exec(fmt::format("DELETE FROM {} WHERE rowid = {}", c.table, row));
  }
}

TEST_P(CountColumnTest, WhatIsNotAnIntegerIsRefusedNamingTheColumn) {
  const Column& c = GetParam();
  db.exec(c.insert(1, "1200"));
  const std::int64_t row = db.integer("SELECT last_insert_rowid()");
  const std::int64_t rows = db.integer(c.count());
  for (const char* value :
       {"'1.2K'", "'lots'", "'2MB'", "'big'", "1.5", "'1.5'", "1200.5", "''", "x'01'", "'12 00'"}) {
    SCOPED_TRACE(value);
    for (const auto& error : {db.error(c.insert(2, value)),
                              db.error(fmt::format("UPDATE {} SET {} = {} WHERE rowid = {}",
                                                   c.table, c.column, value, row))}) {
      EXPECT_TRUE(contains(error, "CHECK constraint failed: ")) << error.value_or("accepted");
      EXPECT_TRUE(contains(error, "typeof(" + c.column + ")")) << error.value_or("accepted");
    }
    EXPECT_EQ(db.integer(c.count()), rows);
    EXPECT_EQ(db.text(fmt::format("SELECT typeof({0}) || ' ' || {0} FROM {1} WHERE rowid = {2}",
                                  c.column, c.table, row)),
              "integer 1200");
  }
}

INSTANTIATE_TEST_SUITE_P(EveryCountColumn, CountColumnTest, ::testing::ValuesIn(kCountColumns),
                         column_name);

const std::vector<Column> kRealColumns = {
    {"trending_topics", "relevance_score", "topic, source", "'t{key}', 's'"},
    {"video_metrics", "engagement_rate", "video_id, platform", "'v{key}', 'tiktok'"},
    {"video_metrics", "watch_time_seconds", "video_id, platform", "'v{key}', 'tiktok'"},
    {"image_library", "quality_score", "character, file_path", "'butcher', 'i{key}.png'"},
    {"video_metadata", "duration_seconds", "video_id", "'v{key}'"},
};

class RealColumnTest : public ::testing::TestWithParam<Column> {
 protected:
  void SetUp() override { init_all(db); }
  Db db;
};

TEST_P(RealColumnTest, ANumberIsStoredAsAReal) {
  const Column& c = GetParam();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"'0.5'", "real 0.5"}, {"0.5", "real 0.5"}, {"'1'", "real 1.0"},
      {"1", "real 1.0"},     {"0", "real 0.0"},   {"'5e-1'", "real 0.5"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].first);
    db.exec(c.insert(static_cast<int>(i), cases[i].first));
    const std::int64_t row = db.integer("SELECT last_insert_rowid()");
    EXPECT_EQ(db.text(fmt::format("SELECT typeof({0}) || ' ' || {0} FROM {1} WHERE rowid = {2}",
                                  c.column, c.table, row)),
              cases[i].second);
    db.exec(fmt::format("UPDATE {} SET {} = '0.25' WHERE rowid = {}", c.table, c.column, row));
    EXPECT_EQ(db.text(fmt::format("SELECT typeof({0}) || ' ' || {0} FROM {1} WHERE rowid = {2}",
                                  c.column, c.table, row)),
              "real 0.25");
  }
}

TEST_P(RealColumnTest, WhatIsNotANumberIsRefusedNamingTheColumn) {
  const Column& c = GetParam();
  db.exec(c.insert(1, "0.5"));
  const std::int64_t row = db.integer("SELECT last_insert_rowid()");
  const std::int64_t rows = db.integer(c.count());
  for (const char* value : {"'high'", "''", "'0.5x'", "x'00'", "'50%'"}) {
    SCOPED_TRACE(value);
    for (const auto& error : {db.error(c.insert(2, value)),
                              db.error(fmt::format("UPDATE {} SET {} = {} WHERE rowid = {}",
                                                   c.table, c.column, value, row))}) {
      EXPECT_TRUE(contains(error, "CHECK constraint failed: ")) << error.value_or("accepted");
      EXPECT_TRUE(contains(error, "typeof(" + c.column + ")")) << error.value_or("accepted");
    }
    EXPECT_EQ(db.integer(c.count()), rows);
    EXPECT_EQ(db.text(fmt::format("SELECT typeof({0}) || ' ' || {0} FROM {1} WHERE rowid = {2}",
                                  c.column, c.table, row)),
              "real 0.5");
  }
}

INSTANTIATE_TEST_SUITE_P(EveryScoreAndDuration, RealColumnTest, ::testing::ValuesIn(kRealColumns),
                         column_name);

TEST(UsedFlag, IsTheInteger0Or1) {
  Db db;
  init_all(db);
  for (const char* value : {"'1'", "1.0", "'0'", "1", "0"}) {
    SCOPED_TRACE(value);
    db.exec(fmt::format(
        "INSERT INTO trending_topics (topic, source, used_flag) VALUES ('t', 's', {})", value));
    EXPECT_EQ(
        db.text("SELECT typeof(used_flag) || ' ' || used_flag FROM trending_topics WHERE id = "
                "last_insert_rowid()"),
        std::string("integer ") + (std::string(value).find('1') != std::string::npos ? "1" : "0"));
  }
  const std::int64_t rows = db.integer("SELECT count(*) FROM trending_topics");
  for (const char* value : {"2", "-1", "'yes'", "'true'", "0.5", "'1.5'", "''", "x'01'"}) {
    SCOPED_TRACE(value);
    for (const auto& error :
         {db.error(fmt::format(
              "INSERT INTO trending_topics (topic, source, used_flag) VALUES ('t', 's', {})",
              value)),
          db.error(fmt::format("UPDATE trending_topics SET used_flag = {} WHERE id = 1", value))}) {
      EXPECT_TRUE(contains(error, "CHECK constraint failed: used_flag"))
          << error.value_or("accepted");
    }
    EXPECT_EQ(db.integer("SELECT count(*) FROM trending_topics"), rows);
    EXPECT_EQ(
        db.text("SELECT typeof(used_flag) || ' ' || used_flag FROM trending_topics WHERE id = 1"),
        "integer 1");
  }
}

// 2^53 + 1 has no double: only integer arithmetic sums it exactly, and only
// if '9007199254740993' was stored as an integer.
TEST(Counts, SumsAreExactIntegerArithmetic) {
  Db db;
  init_all(db);
  db.exec(
      "INSERT INTO video_metrics (video_id, platform, views, likes) VALUES "
      "('v1', 'tiktok', '9007199254740993', '1200'), ('v1', 'youtube', 1, 34)");
  EXPECT_EQ(
      db.rows("SELECT sum(views), typeof(sum(views)), sum(likes), typeof(sum(likes)) FROM "
              "video_metrics"),
      (std::vector<std::vector<std::string>>{{"9007199254740994", "integer", "1234", "integer"}}));
}

struct JsonCase {
  Column column;
  std::vector<std::string> accepted;
  std::vector<std::string> refused;
};

void PrintTo(const JsonCase& c, std::ostream* os) {
  PrintTo(c.column, os);
}

const std::vector<JsonCase> kJsonCases = {
    {{"trending_topics", "metadata", "topic, source", "'t{key}', 's'"},
     {"'{}'", "'{\"region\": \"FR\", \"rank\": [1, {\"a\": null}]}'", "json_object('a', 1)",
      "NULL"},
     {"'123'", "123", "'[1]'", "'\"s\"'", "'null'", "'true'", "x'7b7d'", "'{'", "''"}},
    {{"image_library", "metadata", "character, file_path", "'butcher', 'i{key}.png'"},
     {"'{}'", "'{\"seed\": 1234}'", "json_object('a', json_array(1, 2))", "NULL"},
     {"'123'", "123", "'[1]'", "'\"s\"'", "'null'", "x'7b7d'", "'{\"seed\": 1'", "''"}},
    {{"image_library", "tags", "character, file_path", "'butcher', 'i{key}.png'"},
     {"'[]'", "'[\"apron\", \"smile\"]'", "json_array('a', 'b')", "NULL"},
     {"'{}'", "'123'", "123", "'\"s\"'", "'null'", "x'5b5d'", "'[1,'", "'apron, smile'", "''"}},
};

class JsonColumnTest : public ::testing::TestWithParam<JsonCase> {};

TEST_P(JsonColumnTest, HoldsTextOfTheRightJsonShape) {
  const Column& c = GetParam().column;
  Db db;
  init_all(db);
  int key = 0;
  for (const std::string& value : GetParam().accepted) {
    SCOPED_TRACE(value);
    db.exec(c.insert(++key, value));
    EXPECT_EQ(db.text(fmt::format("SELECT {0} IS {1} AND typeof({0}) = typeof({1}) FROM {2} WHERE "
                                  "rowid = last_insert_rowid()",
                                  c.column, value, c.table)),
              "1");
  }
  // The last accepted value is NULL: refused updates must leave it so.
  const std::int64_t row = db.integer("SELECT last_insert_rowid()");
  const std::int64_t rows = db.integer(c.count());
  for (const std::string& value : GetParam().refused) {
    SCOPED_TRACE(value);
    for (const auto& error : {db.error(c.insert(++key, value)),
                              db.error(fmt::format("UPDATE {} SET {} = {} WHERE rowid = {}",
                                                   c.table, c.column, value, row))}) {
      EXPECT_TRUE(contains(error, "CHECK constraint failed: " + c.column))
          << error.value_or("accepted");
    }
    EXPECT_EQ(db.integer(c.count()), rows);
    EXPECT_EQ(db.text(c.value_of(row)), "NULL");
  }
}

INSTANTIATE_TEST_SUITE_P(EveryJsonColumn, JsonColumnTest, ::testing::ValuesIn(kJsonCases),
                         [](const auto& info) {
                           return info.param.column.table + "_" + info.param.column.column;
                         });

}  // namespace
}  // namespace emf::test
