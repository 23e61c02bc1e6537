// Table drift as SQLite itself sees it: every spelling of a definition that
// SQLite's introspection (pragma_table_xinfo, pragma_index_list and
// pragma_index_xinfo, pragma_foreign_key_list, pragma_table_list,
// sqlite3_table_column_metadata) reports the same way, and whose CHECK
// constraints say the same, is `ok`; every real difference is `changed`,
// with a detail that names it. Each case goes through the real libemf.so on
// a seeded database whose table is replaced, rows, triggers and indexes kept.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <ostream>
#include <regex>
#include <string>
#include <vector>

#include "support/test_db.h"

namespace emf::test {
namespace {

// Replaces a table by one created from `sql`, keeping its rows (copied by
// column name, the columns both have), its triggers and its indexes. Views
// keep naming the table (legacy_alter_table).
void replace_table(Db& db, const std::string& table, const std::string& sql) {
  const auto triggers_and_indexes = db.rows(fmt::format(
      "SELECT sql FROM sqlite_schema WHERE type IN ('trigger', 'index') AND sql IS NOT NULL AND "
      "tbl_name = '{}'",
      table));
  db.exec("PRAGMA foreign_keys = OFF");
  db.exec("PRAGMA legacy_alter_table = ON");
  db.exec("BEGIN");
  db.exec(fmt::format("ALTER TABLE {} RENAME TO old_{}", table, table));
  db.exec(sql);
  const auto columns = db.rows(fmt::format(
      "SELECT '\"' || replace(n.name, '\"', '\"\"') || '\"' FROM pragma_table_info('{0}') AS n "
      "JOIN pragma_table_info('old_{0}') AS o ON o.name = n.name COLLATE NOCASE ORDER BY n.cid",
      table));
  std::string names;
  for (const auto& column : columns) names += (names.empty() ? "" : ", ") + column[0];
  db.exec(fmt::format("INSERT INTO {0} ({1}) SELECT {1} FROM old_{0}", table, names));
  db.exec(fmt::format("DROP TABLE old_{}", table));
  for (const auto& object : triggers_and_indexes) db.exec(object[0]);
  db.exec("COMMIT");
  db.exec("PRAGMA legacy_alter_table = OFF");
}

// search_history as sql/trends/003_exact_values.sql defines it, one column
// definition (or table constraint) at a time; a case changes some of them.
struct SearchHistory {
  std::string table = "search_history";
  std::string id = "id INTEGER PRIMARY KEY AUTOINCREMENT";
  std::string query = "query TEXT NOT NULL CHECK (length(trim(query)) > 0)";
  std::string source = "source TEXT";
  std::string result_count =
      "result_count INTEGER NOT NULL DEFAULT 0 CHECK (typeof(result_count) = 'integer' AND "
      "result_count >= 0)";
  std::string timestamp =
      "timestamp TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')) CONSTRAINT "
      "timestamp_is_a_time CHECK (" +
      timestamp_check();
  std::string table_constraints;  // ", CHECK (...)"
  std::string options;            // " STRICT"
  bool source_before_query = false;

  // The time rule, with the CHECK's closing parenthesis (see with_time_checks).
  static std::string timestamp_check() { return "{timestamp_is_a_time})"; }

  std::string sql() const {
    const std::string first = source_before_query ? source : query;
    const std::string second = source_before_query ? query : source;
    return fmt::format("CREATE TABLE {} ({}, {}, {}, {}, {}{}){}", table, id, first, second,
                       result_count, timestamp, table_constraints, options);
  }
};

// video_metadata as sql/metrics/002_exact_values.sql defines it.
std::string video_metadata(const std::string& video_id, const std::string& status,
                           const std::string& table_constraints) {
  return fmt::format(
      "CREATE TABLE video_metadata (id INTEGER PRIMARY KEY AUTOINCREMENT, {}, title TEXT, "
      "description TEXT, topic TEXT, script_path TEXT, audio_path TEXT, video_path TEXT, "
      "duration_seconds REAL CHECK (duration_seconds IS NULL OR (typeof(duration_seconds) = "
      "'real' AND duration_seconds >= 0)), created_at TEXT NOT NULL DEFAULT "
      "(strftime('%Y-%m-%d %H:%M:%f', 'now')) CONSTRAINT created_at_is_a_time CHECK "
      "({{created_at_is_a_time}}), posted_at TEXT CONSTRAINT posted_at_is_a_time CHECK "
      "({{posted_at_is_a_time}}), {}{})",
      video_id, status, table_constraints);
}

const std::string kVideoId = "video_id TEXT NOT NULL UNIQUE CHECK (length(trim(video_id)) > 0)";
const std::string kStatus =
    "status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'rendered', 'posted', "
    "'archived'))";

// image_usage as sql/image_library/002_exact_values.sql defines it.
std::string image_usage(const std::string& image_id, const std::string& table_constraints) {
  return fmt::format(
      "CREATE TABLE image_usage (id INTEGER PRIMARY KEY AUTOINCREMENT, {}, video_id TEXT, "
      "scene_number INTEGER CHECK (scene_number IS NULL OR (typeof(scene_number) = 'integer' AND "
      "scene_number >= 0)), timestamp TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', "
      "'now')) CONSTRAINT timestamp_is_a_time CHECK ({{timestamp_is_a_time}}){})",
      image_id, table_constraints);
}

struct Case {
  std::string label;
  std::string kind;
  std::string table;
  std::string sql;
  std::string detail;  // empty for an equivalent spelling
};

std::string test_name(const testing::TestParamInfo<Case>& info) {
  return info.param.label;
}

void PrintTo(const Case& c, std::ostream* out) {
  *out << c.label;
}

// The objects that are not ok, for a failure message.
std::string not_ok(Db& db, const std::string& kind) {
  std::string text;
  for (const auto& row : db.rows(fmt::format(
           "SELECT name, status, detail FROM emf_objects('{}') WHERE status <> 'ok'", kind))) {
    text += fmt::format("{}: {}: {}\n", row[0], row[1], row[2]);
  }
  return text;
}

// The condition of the table's `CONSTRAINT name CHECK (...)` as the
// migrations wrote it.
std::string named_check(Db& db, const std::string& table, const std::string& name) {
  const std::string sql = db.text(
      fmt::format("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = '{}'", table));
  std::smatch found;
  if (!std::regex_search(sql, found, std::regex("CONSTRAINT\\s+" + name + "\\s+CHECK\\s*\\("))) {
    ADD_FAILURE() << "no CHECK named " << name << " in " << sql;
    return {};
  }
  const std::size_t begin = static_cast<std::size_t>(found.position(0) + found.length(0));
  int depth = 1;
  bool in_string = false;
  for (std::size_t i = begin; i < sql.size(); ++i) {
    if (sql[i] == '\'') in_string = !in_string;
    if (in_string) continue;
    if (sql[i] == '(') ++depth;
    if (sql[i] == ')' && --depth == 0) return sql.substr(begin, i - begin);
  }
  ADD_FAILURE() << "unbalanced CHECK named " << name;
  return {};
}

// The case's SQL with each {name} replaced by the condition of the CHECK of
// that name as migrated: the time rule, which the migrations may refine,
// is written once, in sql/.
std::string with_time_checks(Db& db, const Case& c) {
  std::string sql = c.sql;
  for (const char* name : {"timestamp_is_a_time", "created_at_is_a_time", "posted_at_is_a_time"}) {
    const std::string marker = fmt::format("{{{}}}", name);
    for (std::size_t at = sql.find(marker); at != std::string::npos; at = sql.find(marker)) {
      sql.replace(at, marker.size(), named_check(db, c.table, name));
    }
  }
  return sql;
}

// A database with the case's kind installed and its sample rows, the table
// replaced by the case's definition (its SQL in `sql`).
std::vector<std::string> status_after_replacing(Db& db, const Case& c, std::string& sql) {
  db.exec(fmt::format("SELECT emf_init('{0}'), emf_seed('{0}')", c.kind));
  const std::int64_t rows = db.integer("SELECT count(*) FROM " + c.table);
  EXPECT_GT(rows, 0);
  sql = with_time_checks(db, c);
  replace_table(db, c.table, sql);
  EXPECT_EQ(db.integer("SELECT count(*) FROM " + c.table), rows);
  const auto found = db.rows(
      fmt::format("SELECT status, coalesce(detail, '') FROM emf_objects('{}') WHERE name = '{}'",
                  c.kind, c.table));
  EXPECT_EQ(found.size(), 1u);
  return found.empty() ? std::vector<std::string>{} : found.front();
}

// ---------------------------------------------------------------------------
// Equivalent spellings: ok, and emf_check is ok.

std::vector<Case> equivalent_spellings() {
  std::vector<Case> cases;
  auto search_history = [&](const std::string& label, const SearchHistory& table) {
    cases.push_back({label, "trends", "search_history", table.sql(), ""});
  };
  search_history("AsMigrated", SearchHistory{});
  {
    SearchHistory t;
    t.result_count =
        "result_count INTEGER DEFAULT 0 NOT NULL CHECK (typeof(result_count) = 'integer' AND "
        "result_count >= 0)";
    t.timestamp = "timestamp TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')) CHECK (" +
                  SearchHistory::timestamp_check() + " NOT NULL";
    search_history("DefaultBeforeNotNull", t);
  }
  {
    SearchHistory t;
    t.result_count =
        "result_count INTEGER NOT NULL DEFAULT 0 CONSTRAINT result_count_is_a_count CHECK "
        "(typeof(result_count) = 'integer' AND result_count >= 0)";
    t.timestamp = "timestamp TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')) CHECK (" +
                  SearchHistory::timestamp_check();
    search_history("NamedCheckForUnnamedAndUnnamedForNamed", t);
  }
  {
    SearchHistory t;
    t.query = "query TEXT NOT NULL";
    t.result_count = "result_count INTEGER NOT NULL DEFAULT 0";
    t.timestamp = "timestamp TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))";
    t.table_constraints =
        ", CHECK (length(trim(query)) > 0), CHECK (typeof(result_count) = 'integer' AND "
        "result_count >= 0), CONSTRAINT timestamp_is_a_time CHECK (" +
        SearchHistory::timestamp_check();
    search_history("TableLevelChecksForTheColumnsOwn", t);
  }
  {
    SearchHistory t;
    t.result_count =
        "result_count INTEGER NOT NULL DEFAULT (0) CHECK (typeof(result_count) = 'integer' AND "
        "result_count >= 0)";
    t.timestamp =
        "timestamp TEXT NOT NULL DEFAULT ((strftime('%Y-%m-%d %H:%M:%f', 'now'))) CONSTRAINT "
        "timestamp_is_a_time CHECK (" +
        SearchHistory::timestamp_check();
    search_history("ParenthesisedDefaults", t);
  }
  {
    SearchHistory t;
    t.table = "\"search_history\"";
    t.id = "\"id\" INTEGER PRIMARY KEY AUTOINCREMENT";
    t.query = "[query] TEXT NOT NULL CHECK (length(trim([query])) > 0)";
    t.source = "`source` TEXT";
    t.result_count =
        "\"result_count\" INTEGER NOT NULL DEFAULT 0 CHECK (typeof(\"result_count\") = 'integer' "
        "AND `result_count` >= 0)";
    search_history("QuotedBracketedAndBacktickedIdentifiers", t);
  }
  {
    SearchHistory t;
    t.table = "Search_History";
    t.id = "ID integer primary key autoincrement";
    t.query = "QUERY Text Not Null Check (LENGTH(TRIM(Query)) > 0)";
    t.source = "Source text";
    t.result_count =
        "RESULT_COUNT INTEGER NOT NULL DEFAULT 0 CHECK (TYPEOF(RESULT_COUNT) = 'integer' AND "
        "RESULT_COUNT >= 0)";
    t.timestamp =
        "TIMESTAMP TEXT NOT NULL DEFAULT (STRFTIME('%Y-%m-%d %H:%M:%f', 'now')) CONSTRAINT "
        "Timestamp_Is_A_Time CHECK (" +
        SearchHistory::timestamp_check();
    search_history("AnotherCase", t);
  }
  {
    SearchHistory t;
    t.id = "-- the key\n  id   INTEGER\n  PRIMARY KEY /* a rowid */ AUTOINCREMENT";
    t.query = "\n  query\tTEXT NOT NULL\n    CHECK(length(trim(query))>0) -- not blank\n";
    t.result_count =
        "result_count INTEGER NOT NULL DEFAULT 0 CHECK (typeof(result_count)='integer' AND "
        "result_count>=0)";
    t.options = " -- the end\n";
    search_history("CommentsNewlinesAndSpaces", t);
  }
  {
    SearchHistory t;
    t.query = "query TEXT NOT NULL CHECK (((length(trim(query)) > 0)))";
    t.result_count =
        "result_count INTEGER NOT NULL DEFAULT 0 CHECK ((typeof(result_count) == 'integer' AND "
        "result_count >= 0))";
    search_history("CheckWithExtraParenthesesAndDoubleEquals", t);
  }
  {
    SearchHistory t;
    t.id = "id INTEGER";
    t.table_constraints = ", PRIMARY KEY (id AUTOINCREMENT)";
    search_history("TableLevelPrimaryKeyWithAutoincrement", t);
  }
  {
    SearchHistory t;
    t.source = "source TEXT COLLATE BINARY";
    search_history("TheDefaultCollationSpelledOut", t);
  }
  {
    SearchHistory t;
    t.timestamp =
        "timestamp TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')) CHECK "
        "(typeof(timestamp) = 'text' AND timestamp GLOB "
        "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' AND julianday(timestamp) NOTNULL AND "
        "date(timestamp) = date(julianday(timestamp)))";
    search_history("NotnullForIsNotNull", t);
  }
  {
    SearchHistory t;
    t.timestamp =
        "timestamp TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')) CHECK "
        "(typeof(timestamp) = 'text' AND timestamp GLOB "
        "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' AND julianday(timestamp) NOT NULL AND "
        "date(timestamp) = date(julianday(timestamp)))";
    search_history("PostfixNotNullForIsNotNull", t);
  }
  cases.push_back(
      {"VideoMetadataWithTableLevelUniqueAndChecks", "metrics", "video_metadata",
       video_metadata("video_id TEXT NOT NULL", "status TEXT DEFAULT ('draft') NOT NULL",
                      ", UNIQUE (video_id), CHECK (status IN ('draft','rendered',"
                      "'posted','archived')), CHECK ((length(trim(video_id)) > 0))"),
       ""});
  cases.push_back({"VideoMetadataWithABareWordDefault", "metrics", "video_metadata",
                   video_metadata(kVideoId,
                                  "status TEXT NOT NULL DEFAULT draft CHECK (status IN ('draft', "
                                  "'rendered', 'posted', 'archived'))",
                                  ""),
                   ""});
  cases.push_back({"ImageUsageWithTableLevelForeignKeyToTheParentsKey", "image_library",
                   "image_usage",
                   image_usage("image_id INTEGER NOT NULL CHECK (typeof(image_id) = 'integer')",
                               ", FOREIGN KEY (image_id) REFERENCES image_library ON DELETE "
                               "CASCADE ON UPDATE NO ACTION"),
                   ""});
  return cases;
}

class EquivalentSpelling : public testing::TestWithParam<Case> {};

TEST_P(EquivalentSpelling, IsOk) {
  const Case& c = GetParam();
  Db db;
  std::string sql;
  EXPECT_EQ(status_after_replacing(db, c, sql), (std::vector<std::string>{"ok", ""})) << sql;
  EXPECT_EQ(db.json(db.text(fmt::format("SELECT emf_check('{}')", c.kind)), "$.ok"), "1")
      << not_ok(db, c.kind);
}

INSTANTIATE_TEST_SUITE_P(Drift, EquivalentSpelling, testing::ValuesIn(equivalent_spellings()),
                         test_name);

// ---------------------------------------------------------------------------
// Real differences: changed, each named.

std::vector<Case> real_differences() {
  std::vector<Case> cases;
  auto search_history = [&](const std::string& label, const SearchHistory& table,
                            const std::string& detail) {
    cases.push_back({label, "trends", "search_history", table.sql(), detail});
  };
  {
    SearchHistory t;
    t.result_count = "result_count INTEGER NOT NULL DEFAULT 0";
    search_history("MissingCheck", t,
                   "missing check(typeof(result_count) = 'integer' and result_count >= 0)");
  }
  {
    SearchHistory t;
    t.query = "query TEXT NOT NULL CHECK (length(trim(query)) > 1)";
    search_history("DifferentCheck", t,
                   "missing check(length(trim(query)) > 0); extra check(length(trim(query)) > 1)");
  }
  {
    SearchHistory t;
    t.result_count =
        "result_count NUMERIC NOT NULL DEFAULT 0 CHECK (typeof(result_count) = 'integer' AND "
        "result_count >= 0)";
    search_history("DifferentType", t, "column result_count: type NUMERIC, expected INTEGER");
  }
  {
    SearchHistory t;
    t.query = "query TEXT CHECK (length(trim(query)) > 0)";
    search_history("NotNullRemoved", t, "column query: NOT NULL expected");
  }
  {
    SearchHistory t;
    t.result_count =
        "result_count INTEGER NOT NULL DEFAULT 1 CHECK (typeof(result_count) = 'integer' AND "
        "result_count >= 0)";
    search_history("DifferentDefault", t, "column result_count: default 1, expected 0");
  }
  {
    SearchHistory t;
    t.result_count =
        "result_count INTEGER NOT NULL CHECK (typeof(result_count) = 'integer' AND "
        "result_count >= 0)";
    search_history("DefaultRemoved", t, "column result_count: default (none), expected 0");
  }
  {
    SearchHistory t;
    t.query = "query TEXT NOT NULL COLLATE NOCASE CHECK (length(trim(query)) > 0)";
    search_history("Collation", t, "column query: collate nocase, expected binary");
  }
  {
    SearchHistory t;
    t.id = "id INTEGER PRIMARY KEY";
    search_history("AutoincrementRemoved", t, "AUTOINCREMENT expected");
  }
  {
    SearchHistory t;
    t.id = "id INT PRIMARY KEY";
    search_history("IntIsNotARowidAlias", t,
                   "column id: type INT, expected INTEGER; column id: rowid alias expected; "
                   "AUTOINCREMENT expected");
  }
  {
    SearchHistory t;
    t.options = " STRICT";
    search_history("StrictAdded", t, "STRICT not expected");
  }
  {
    SearchHistory t;
    t.id = "id INTEGER PRIMARY KEY";
    t.options = " WITHOUT ROWID";
    search_history("WithoutRowid", t, "AUTOINCREMENT expected; WITHOUT ROWID not expected");
  }
  {
    SearchHistory t;
    t.table_constraints = ", UNIQUE (query, timestamp)";
    search_history("ExtraUnique", t, "extra UNIQUE (query, timestamp)");
  }
  {
    SearchHistory t;
    t.source_before_query = true;
    search_history("ColumnOrder", t,
                   "column order (id, source, query, result_count, timestamp), expected (id, "
                   "query, source, result_count, timestamp)");
  }
  {
    SearchHistory t;
    t.query = "query TEXT NOT NULL";
    t.result_count = "result_count INTEGER NOT NULL DEFAULT 0";
    t.table_constraints =
        ", CHECK (length(trim(query)) > 0 AND typeof(result_count) = "
        "'integer' AND result_count >= 0)";
    search_history("TwoChecksMergedIntoOne", t,
                   "missing check(length(trim(query)) > 0); missing check(typeof(result_count) = "
                   "'integer' and result_count >= 0); extra check(length(trim(query)) > 0 and "
                   "typeof(result_count) = 'integer' and result_count >= 0)");
  }
  cases.push_back(
      {"MissingUnique", "metrics", "video_metadata",
       video_metadata("video_id TEXT NOT NULL CHECK (length(trim(video_id)) > 0)", kStatus, ""),
       "missing UNIQUE (video_id)"});
  cases.push_back({"UniqueWithAnotherCollation", "metrics", "video_metadata",
                   video_metadata("video_id TEXT NOT NULL CHECK (length(trim(video_id)) > 0)",
                                  kStatus, ", UNIQUE (video_id COLLATE NOCASE)"),
                   "missing UNIQUE (video_id); extra UNIQUE (video_id COLLATE nocase)"});
  cases.push_back(
      {"ForeignKeyOnDeleteAction", "image_library", "image_usage",
       image_usage("image_id INTEGER NOT NULL REFERENCES image_library (id) ON DELETE RESTRICT "
                   "CHECK (typeof(image_id) = 'integer')",
                   ""),
       "FOREIGN KEY (image_id) REFERENCES image_library (id): ON DELETE RESTRICT, expected "
       "CASCADE"});
  cases.push_back(
      {"ForeignKeyRemoved", "image_library", "image_usage",
       image_usage("image_id INTEGER NOT NULL CHECK (typeof(image_id) = 'integer')", ""),
       "missing FOREIGN KEY (image_id) REFERENCES image_library (id) ON DELETE CASCADE"});
  return cases;
}

class RealDifference : public testing::TestWithParam<Case> {};

TEST_P(RealDifference, IsChangedAndNamed) {
  const Case& c = GetParam();
  Db db;
  std::string sql;
  EXPECT_EQ(status_after_replacing(db, c, sql), (std::vector<std::string>{"changed", c.detail}))
      << sql;
  EXPECT_EQ(db.json(db.text(fmt::format("SELECT emf_check('{}')", c.kind)), "$.ok"), "0");
}

INSTANTIATE_TEST_SUITE_P(Drift, RealDifference, testing::ValuesIn(real_differences()), test_name);

// ---------------------------------------------------------------------------
// Indexes: compared by what pragma_index_xinfo reports, their key
// expressions and WHERE as normalised SQL.

std::string index_detail(Db& db, const std::string& name) {
  return db.text(fmt::format(
      "SELECT status || ': ' || coalesce(detail, '') FROM emf_objects('trends') WHERE name = '{}'",
      name));
}

TEST(DriftIndex, PartialAndExpressionKeysAreNamed) {
  Db db;
  db.exec("SELECT emf_init('trends')");
  db.exec("DROP INDEX idx_trending_topics_used_flag");
  db.exec(
      "CREATE INDEX idx_trending_topics_used_flag ON trending_topics (used_flag) WHERE "
      "used_flag = 0");
  EXPECT_EQ(index_detail(db, "idx_trending_topics_used_flag"),
            "changed: WHERE used_flag = 0, expected no WHERE");
  db.exec("DROP INDEX idx_trending_topics_source");
  db.exec(
      "CREATE INDEX idx_trending_topics_source ON trending_topics (lower(source) COLLATE "
      "NOCASE DESC)");
  EXPECT_EQ(index_detail(db, "idx_trending_topics_source"),
            "changed: columns (lower(source) COLLATE nocase DESC), expected (source)");
  db.exec("DROP INDEX idx_trending_topics_relevance");
  db.exec(
      "CREATE UNIQUE INDEX IF NOT EXISTS \"Idx_Trending_Topics_Relevance\" ON trending_topics "
      "(\"RELEVANCE_SCORE\" DESC) -- the same but unique");
  EXPECT_EQ(index_detail(db, "idx_trending_topics_relevance"), "changed: UNIQUE not expected");
}

TEST(DriftIndex, EquivalentSpellingsAreOk) {
  Db db;
  db.exec("SELECT emf_init('trends')");
  db.exec("DROP INDEX idx_trending_topics_unused_recent");
  db.exec(
      "CREATE INDEX IF NOT EXISTS [IDX_TRENDING_TOPICS_UNUSED_RECENT] ON \"Trending_Topics\" (\n"
      "  `USED_FLAG` ASC, -- the flag first\n  Timestamp COLLATE BINARY DESC\n)");
  EXPECT_EQ(index_detail(db, "idx_trending_topics_unused_recent"), "ok: ");
  EXPECT_EQ(db.json(db.text("SELECT emf_check('trends')"), "$.ok"), "1");
}

// Triggers and views spelled the other ways SQL allows: a trigger without
// FOR EACH ROW (the only kind SQLite has), LEFT OUTER JOIN, aliases without
// AS, NOTNULL for IS NOT NULL.
TEST(DriftTriggersAndViews, EquivalentSpellingsAreOk) {
  Db db;
  db.exec("SELECT emf_init('metrics')");
  const auto respell = [&](const std::string& name,
                           const std::vector<std::pair<std::string, std::string>>& edits) {
    std::string sql = db.text("SELECT sql FROM sqlite_schema WHERE name = '" + name + "'");
    for (const auto& [from, to] : edits) {
      const std::size_t at = sql.find(from);
      ASSERT_NE(at, std::string::npos) << from;
      sql.replace(at, from.size(), to);
    }
    const std::string type = db.text("SELECT type FROM sqlite_schema WHERE name = '" + name + "'");
    db.exec("DROP " + type + " " + name);
    db.exec(sql);
  };
  respell("video_metadata_times_on_update", {{"FOR EACH ROW\n", ""}});
  respell("latest_video_metrics",
          {{"LEFT JOIN video_metadata AS v", "LEFT OUTER JOIN video_metadata v"},
           {"FROM video_metrics_latest AS l", "FROM video_metrics_latest l"}});
  EXPECT_EQ(db.text("SELECT status FROM emf_objects('metrics') WHERE name = "
                    "'video_metadata_times_on_update'"),
            "ok");
  EXPECT_EQ(
      db.text("SELECT status FROM emf_objects('metrics') WHERE name = 'latest_video_metrics'"),
      "ok");
  EXPECT_EQ(db.json(db.text("SELECT emf_check('metrics')"), "$.ok"), "1");
}

// ---------------------------------------------------------------------------
// The detail that tells a person what differs.

// What differs, in words.
std::string detail_of(Db& db, const std::string& kind, const std::string& name) {
  return db.text(fmt::format(
      "SELECT status || ': ' || coalesce(detail, '') FROM emf_objects('{}') WHERE name = '{}'",
      kind, name));
}

TEST(Drift, NamesTheConstraintTheColumnsOrTheBodyThatDiffers) {
  Db db;
  db.exec("SELECT emf_init('metrics'), emf_init('trends')");
  db.exec("PRAGMA legacy_alter_table = ON");  // keep the view pointing at the name
  replace_table(
      db, "video_metadata",
      "CREATE TABLE video_metadata (id INTEGER PRIMARY KEY AUTOINCREMENT, video_id TEXT "
      "NOT NULL UNIQUE CHECK (length(trim(video_id)) > 0), title TEXT COLLATE NOCASE, "
      "description TEXT, topic TEXT, script_path TEXT, audio_path TEXT, video_path TEXT, "
      "duration_seconds REAL CHECK (duration_seconds IS NULL OR "
      "(typeof(duration_seconds) = 'real' AND duration_seconds >= 0)), created_at TEXT "
      "NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')) CONSTRAINT "
      "created_at_is_a_time CHECK (typeof(created_at) = 'text' AND created_at GLOB "
      "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' AND julianday(created_at) IS "
      "NOT NULL AND date(created_at) = date(julianday(created_at))), "
      "posted_at TEXT CONSTRAINT posted_at_is_a_time CHECK (posted_at IS NULL OR "
      "(typeof(posted_at) = 'text' AND posted_at GLOB "
      "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' AND julianday(posted_at) IS NOT NULL AND "
      "date(posted_at) = date(julianday(posted_at)))), status TEXT NOT NULL "
      "DEFAULT 'draft')");
  EXPECT_EQ(detail_of(db, "metrics", "video_metadata"),
            "changed: column title: collate nocase, expected binary; missing check(status "
            "in('draft', 'rendered', 'posted', 'archived'))");

  db.exec("DROP INDEX idx_trending_topics_source");
  db.exec("CREATE INDEX idx_trending_topics_source ON trending_topics (source DESC, topic)");
  EXPECT_EQ(detail_of(db, "trends", "idx_trending_topics_source"),
            "changed: columns (source DESC, topic), expected (source)");

  db.exec("DROP TRIGGER update_trending_topics_timestamp");
  db.exec(
      "CREATE TRIGGER update_trending_topics_timestamp AFTER UPDATE OF topic ON "
      "trending_topics FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at BEGIN UPDATE "
      "trending_topics SET updated_at = 'x' WHERE id = NEW.id; END");
  EXPECT_EQ(
      detail_of(db, "trends", "update_trending_topics_timestamp"),
      "changed: body differs: `topic on trending_topics when new.updated_at is ...`, expected "
      "`id, topic, source, timestamp, relevance_score, u...`");

  db.exec("DROP VIEW latest_video_metrics");
  db.exec("CREATE VIEW latest_video_metrics AS SELECT * FROM video_metrics");
  EXPECT_EQ(
      detail_of(db, "metrics", "latest_video_metrics"),
      "changed: query differs: `* from video_metrics`, expected `m.id, l.video_id, l.platform, "
      "m.views, m.likes, ...`");
}

TEST(Drift, EquivalentSqlSpelledAnotherWayIsNotFlagged) {
  Db db;
  db.exec("SELECT emf_init('trends')");
  replace_table(db, "search_history",
                "CREATE TABLE \"Search_History\"(\n  ID integer PRIMARY KEY AUTOINCREMENT,\n"
                "  [query] TEXT NOT NULL CHECK(LENGTH(TRIM(query))>0),  source TEXT,"
                " result_count INTEGER NOT NULL DEFAULT 0 CHECK (TYPEOF(result_count)='integer' "
                "AND result_count>=0), `timestamp` TEXT NOT NULL DEFAULT (STRFTIME('%Y-%m-%d "
                "%H:%M:%f','now')) constraint timestamp_is_a_time CHECK (typeof(timestamp) = "
                "'text' AND timestamp GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' AND "
                "julianday(timestamp) IS NOT NULL AND DATE(timestamp) = "
                "date(JULIANDAY(\"timestamp\"))) -- the same, spelled otherwise\n)");
  EXPECT_EQ(detail_of(db, "trends", "search_history"), "ok: ");
  db.exec("DROP INDEX idx_trending_topics_relevance");
  db.exec(
      "CREATE INDEX \"IDX_trending_topics_RELEVANCE\" ON [trending_topics]( relevance_score  DESC "
      ")");
  EXPECT_EQ(detail_of(db, "trends", "idx_trending_topics_relevance"), "ok: ");
  EXPECT_EQ(db.json(db.text("SELECT emf_check('trends')"), "$.ok"), "1");
}

}  // namespace
}  // namespace emf::test
