// The catalogue of errors, docs/errors.md, run: each row of its two tables
// is a test named after the case. The test sets up what the row's "given"
// names in an empty folder, runs the SQL (in a connection with the built
// libemf loaded) or the command (the built emf, through /bin/sh), and checks
// the message, the result code or exit status, and that every file in the
// folder keeps its bytes. The document is the one source of the cases, so
// what it says and what emf does cannot drift apart.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "support/fixtures.h"
#include "support/process.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;

const std::string kDocument = std::string(EMF_SOURCE_DIR) + "/docs/errors.md";
const std::string kEllipsis = "\xE2\x80\xA6";  // "…": any text
const std::string kShownFolder = "/srv/emf";   // the folder, as the document writes it

// ---------------------------------------------------------------------------
// Reading the cases out of the document.

struct Case {
  int line = 0;
  bool sql = false;  // a SQL function (code column) or the emf program (exit column)
  std::string id, name, given, action, expected, code;
  std::string problem;  // a malformed row fails its test, never skipped
};

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t\r") - begin + 1);
}

// The cells of a table row; "\|" is a | inside a cell.
std::vector<std::string> cells_of(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  for (std::size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
      cell += '|';
      ++i;
    } else if (line[i] == '|') {
      cells.push_back(trim(cell));
      cell.clear();
    } else {
      cell += line[i];
    }
  }
  return cells;
}

// The text of a cell that is one code span, `like this`; "" when it is not.
std::string code_span(const std::string& cell) {
  if (cell.size() < 2 || cell.front() != '`' || cell.back() != '`') return "";
  return cell.substr(1, cell.size() - 2);
}

std::vector<Case> read_cases() {
  std::ifstream in(kDocument);
  std::vector<Case> cases;
  std::optional<bool> table_is_sql;  // inside a table of cases, and which
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line.rfind("|", 0) != 0) {
      table_is_sql.reset();
      continue;
    }
    const std::vector<std::string> cells = cells_of(line);
    if (!cells.empty() && cells[0] == "case") {
      table_is_sql = cells.back() == "code";
      continue;
    }
    if (!table_is_sql || line.rfind("|---", 0) == 0) continue;
    Case c;
    c.line = number;
    c.sql = *table_is_sql;
    if (cells.size() != 5) {
      c.id = "line" + std::to_string(number);
      c.problem = "a case has 5 cells: case, given, you run, you see, code or exit";
      cases.push_back(c);
      continue;
    }
    const std::size_t space = cells[0].find(' ');
    c.id = cells[0].substr(0, space);
    c.name = space == std::string::npos ? "" : cells[0].substr(space + 1);
    c.given = cells[1];
    c.action = code_span(cells[2]);
    c.expected = code_span(cells[3]);
    c.code = cells[4];
    if (c.action.empty() || c.expected.empty()) {
      c.problem = "'you run' and 'you see' must each be one `code span`";
    }
    cases.push_back(c);
  }
  return cases;
}

const std::vector<Case>& all_cases() {
  static const std::vector<Case> cases = read_cases();
  return cases;
}

// ---------------------------------------------------------------------------
// Comparing.

// Whether text matches pattern, where "…" stands for any text.
bool matches(const std::string& pattern, const std::string& text) {
  std::vector<std::string> pieces;
  std::size_t from = 0;
  for (std::size_t at; (at = pattern.find(kEllipsis, from)) != std::string::npos;
       from = at + kEllipsis.size()) {
    pieces.push_back(pattern.substr(from, at - from));
  }
  pieces.push_back(pattern.substr(from));
  if (pieces.size() == 1) return text == pattern;
  if (text.compare(0, pieces.front().size(), pieces.front()) != 0) return false;
  const std::string& last = pieces.back();
  if (text.size() < pieces.front().size() + last.size() ||
      text.compare(text.size() - last.size(), last.size(), last) != 0) {
    return false;
  }
  std::size_t position = pieces.front().size();
  const std::size_t end = text.size() - last.size();
  for (std::size_t i = 1; i + 1 < pieces.size(); ++i) {
    position = text.find(pieces[i], position);
    if (position == std::string::npos || position + pieces[i].size() > end) return false;
    position += pieces[i].size();
  }
  return true;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// A message for a failure report: huge ones cut to their ends.
std::string shown(const std::string& text) {
  if (text.size() <= 2000) return text;
  return text.substr(0, 1000) + "[... " + std::to_string(text.size() - 2000) + " bytes ...]" +
         text.substr(text.size() - 1000);
}

const std::map<std::string, int>& result_codes() {
  static const std::map<std::string, int> codes = {
      {"SQLITE_OK", SQLITE_OK},         {"SQLITE_ERROR", SQLITE_ERROR},
      {"SQLITE_PERM", SQLITE_PERM},     {"SQLITE_BUSY", SQLITE_BUSY},
      {"SQLITE_LOCKED", SQLITE_LOCKED}, {"SQLITE_READONLY", SQLITE_READONLY},
      {"SQLITE_IOERR", SQLITE_IOERR},   {"SQLITE_CORRUPT", SQLITE_CORRUPT},
      {"SQLITE_FULL", SQLITE_FULL},     {"SQLITE_CANTOPEN", SQLITE_CANTOPEN},
      {"SQLITE_NOTADB", SQLITE_NOTADB}, {"SQLITE_CONSTRAINT", SQLITE_CONSTRAINT},
      {"SQLITE_MISUSE", SQLITE_MISUSE}, {"SQLITE_AUTH", SQLITE_AUTH}};
  return codes;
}

std::string code_name(int code) {
  for (const auto& [name, value] : result_codes()) {
    if (value == (code & 0xff)) return name;
  }
  return "result code " + std::to_string(code);
}

// Every file and folder under root, with the SHA-256 of each file. A -shm
// file is left out (SQLite's shared index, rebuilt from the database and
// its -wal), and so is a backups/ folder: some commands back a database up
// before they change it, and that copy is not a change to the database.
std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    const std::string relative = fs::relative(it->path(), root).string();
    if (it->is_directory() && it->path().filename() == "backups") {
      it.disable_recursion_pending();
      continue;
    }
    if (relative.ends_with("-shm")) continue;
    // An empty -wal holds nothing: SQLite makes one for a reader and leaves
    // it behind a read-only connection.
    if (relative.ends_with("-wal") && it->is_regular_file() && it->file_size() == 0) continue;
    files[relative] = it->is_directory() ? "folder" : sha256_of_file(it->path().string());
  }
  return files;
}

// ---------------------------------------------------------------------------
// What a case is given.

struct Setting {
  TempDir dir;
  std::string database;               // the file the SQL runs on
  bool read_only_connection = false;  // opened with mode=ro
  bool unprivileged = false;          // the command runs as nobody
  bool waits = false;                 // another connection holds the write lock
  std::unique_ptr<Db> holder;         // that connection

  std::string path(const std::string& relative) const { return dir.file(relative); }
  void write(const std::string& relative, const std::string& content) const {
    fs::create_directories(fs::path(path(relative)).parent_path());
    std::ofstream(path(relative)) << content;
  }
};

void make_trends(Setting& setting) {
  setting.database = "trends.db";
  Db db(setting.path("trends.db"));
  db.exec("SELECT emf_init('trends')");
  db.exec("SELECT emf_seed('trends')");
}

// As a newer emf leaves a database: a version this one does not know.
void make_newer(const std::string& file) {
  Db db(file, /*load_extension=*/false);
  db.exec(
      "INSERT INTO emf_schema_history (kind, version, name, checksum, applied_at) "
      "VALUES ('trends', 99, 'future', 'unknown', '2030-01-01 00:00:00.000')");
}

// Another connection holding the write lock until the case ends.
void hold_write_lock(Setting& setting, const std::string& file) {
  setting.holder = std::make_unique<Db>(setting.path(file), /*load_extension=*/false);
  setting.holder->exec("BEGIN IMMEDIATE");
  setting.waits = true;
}

void make_three(Setting& setting) {
  ProcessOptions options;
  options.cwd = setting.dir.path();
  const ProcessResult result = run({EMF_SHELL_PATH, "seed", "-q"}, options);
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
}

// Permissions do not bind root: the command runs as nobody, who must reach
// the folder.
void run_as_nobody(Setting& setting) {
  fs::permissions(setting.dir.path(), fs::perms::owner_all | fs::perms::group_read |
                                          fs::perms::group_exec | fs::perms::others_read |
                                          fs::perms::others_exec);
  setting.unprivileged = true;
}

const fs::perms kReadOnlyFile =
    fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read;
const fs::perms kReadOnlyFolder =
    kReadOnlyFile | fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec;

const std::map<std::string, std::function<void(Setting&)>>& givens() {
  static const std::map<std::string, std::function<void(Setting&)>> list = {
      {"nothing", [](Setting&) {}},
      {"trends.db", make_trends},
      {"trends.db, opened read-only",
       [](Setting& s) {
         make_trends(s);
         s.read_only_connection = true;
       }},
      {"trends.db, another connection writing",
       [](Setting& s) {
         make_trends(s);
         hold_write_lock(s, "trends.db");
       }},
      {"trends.db, from a newer emf",
       [](Setting& s) {
         make_trends(s);
         make_newer(s.path("trends.db"));
       }},
      {"trends.db, with a view calling emf_reset",
       [](Setting& s) {
         make_trends(s);
         Db(s.path("trends.db"), /*load_extension=*/false)
             .exec("CREATE VIEW resetting AS SELECT emf_reset('trends') AS report");
       }},
      {"trends.db and b.db",
       [](Setting& s) {
         make_trends(s);
         s.write("b.db", "not a backup: a few words of text\n");
       }},
      {"text.db, a text file",
       [](Setting& s) {
         s.database = "text.db";
         s.write("text.db", "not a database, only text long enough to fill a header\n");
       }},
      {"the three databases", make_three},
      {"the three databases and notes.txt, a file",
       [](Setting& s) {
         make_three(s);
         s.write("notes.txt", "a few words of text\n");
       }},
      {"the three databases, another program writing to trends",
       [](Setting& s) {
         make_three(s);
         hold_write_lock(s, "data/trends.db");
       }},
      {"the three databases, trends from a newer emf",
       [](Setting& s) {
         make_three(s);
         make_newer(s.path("data/trends.db"));
       }},
      {"the three databases, read-only, run as another user",
       [](Setting& s) {
         make_three(s);
         for (const auto& entry : fs::directory_iterator(s.path("data"))) {
           fs::permissions(entry.path(), kReadOnlyFile);
         }
         fs::permissions(s.path("data"), kReadOnlyFolder);
         run_as_nobody(s);
       }},
      {"a read-only folder ro/, run as another user",
       [](Setting& s) {
         fs::create_directories(s.path("ro"));
         fs::permissions(s.path("ro"), kReadOnlyFolder);
         run_as_nobody(s);
       }},
      {"data/trends.db is a folder",
       [](Setting& s) { fs::create_directories(s.path("data/trends.db")); }},
      {"data/trends.db is a text file",
       [](Setting& s) {
         s.write("data/trends.db", "not a database, only text long enough to fill a header\n");
       }},
      {"notes.txt, a file", [](Setting& s) { s.write("notes.txt", "a few words of text\n"); }},
      {"config/.env is a folder",
       [](Setting& s) { fs::create_directories(s.path("config/.env")); }},
      {"secret.env, unreadable, run as another user",
       [](Setting& s) {
         s.write("secret.env", "TRENDS_DB_PATH=data/t.db\n");
         fs::permissions(s.path("secret.env"), fs::perms::owner_read | fs::perms::owner_write);
         run_as_nobody(s);
       }},
  };
  return list;
}

// Sets up what the case is given; false (with a failure) when the document
// names something this test does not know.
bool set_up(const std::string& given, Setting& setting) {
  const std::string env_prefix = "config/.env holds ";
  if (given.rfind(env_prefix, 0) == 0) {
    const std::string line = code_span(given.substr(env_prefix.size()));
    if (line.empty()) {
      ADD_FAILURE() << "write the line of config/.env as a `code span`: " << given;
      return false;
    }
    setting.write("config/.env", line + "\n");
    return true;
  }
  const auto found = givens().find(given);
  if (found == givens().end()) {
    std::string known;
    for (const auto& [name, setup] : givens()) known += "\n  " + name;
    known += "\n  config/.env holds `LINE`";
    ADD_FAILURE() << "unknown given '" << given << "'; known:" << known;
    return false;
  }
  found->second(setting);
  return !::testing::Test::HasFatalFailure();
}

// ---------------------------------------------------------------------------
// Running a case.

struct Outcome {
  std::string message;  // the error (or the SQL result, or the lines printed)
  std::vector<std::string> lines;
  int code = 0;
  std::chrono::milliseconds took{0};
  int waited_ms = 0;  // the busy timeout the call had
};

// Runs each statement of the case; every one but the last must succeed.
Outcome run_sql(const Case& c, Setting& setting) {
  Outcome outcome;
  // Relative paths in the SQL are the folder's, as for a user working there.
  const fs::path previous = fs::current_path();
  fs::current_path(setting.dir.path());
  struct Back {
    fs::path to;
    ~Back() { fs::current_path(to); }
  } back{previous};
  const std::string file = setting.path(setting.database);
  Db db(setting.read_only_connection ? "file:" + file + "?mode=ro" : file);
  const char* rest = c.action.c_str();
  while (*rest != '\0') {
    sqlite3_stmt* statement = nullptr;
    const auto start = std::chrono::steady_clock::now();
    int rc = sqlite3_prepare_v2(db.get(), rest, -1, &statement, &rest);
    if (statement == nullptr && rc == SQLITE_OK) break;  // only blanks were left
    std::string result;
    if (rc == SQLITE_OK) {
      while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
        const auto* text = sqlite3_column_text(statement, 0);
        if (result.empty() && text != nullptr) result = reinterpret_cast<const char*>(text);
      }
      if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    outcome.took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    outcome.code = rc;
    outcome.message = rc == SQLITE_OK ? result : sqlite3_errmsg(db.get());
    sqlite3_finalize(statement);
    if (rc != SQLITE_OK) break;
  }
  while (*rest == ' ' || *rest == '\n') ++rest;
  if (*rest != '\0') {
    ADD_FAILURE() << "a statement before the last failed: " << outcome.message;
  }
  outcome.waited_ms = static_cast<int>(db.integer("PRAGMA busy_timeout"));
  return outcome;
}

Outcome run_command(const Case& c, const Setting& setting) {
  const fs::path emf_folder = fs::path(EMF_SHELL_PATH).parent_path();
  const char* path = std::getenv("PATH");
  ProcessOptions options;
  options.cwd = setting.dir.path();
  options.env = {{"PATH", emf_folder.string() + ":" + (path != nullptr ? path : "/usr/bin:/bin")},
                 {"NO_COLOR", "1"},
                 {"TZ", "UTC"}};
  std::vector<std::string> argv = {"/bin/sh", "-c", c.action};
  if (setting.unprivileged && geteuid() == 0) {
    argv.insert(argv.begin(),
                {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"});
  }
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult result = run(argv, options);
  Outcome outcome;
  outcome.took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  outcome.code = result.exit_code;
  outcome.message = result.out + result.err;
  std::istringstream printed(outcome.message);
  for (std::string line; std::getline(printed, line);) outcome.lines.push_back(line);
  const std::size_t timeout = c.action.find("--busy-timeout ");
  if (timeout != std::string::npos) outcome.waited_ms = std::stoi(c.action.substr(timeout + 15));
  return outcome;
}

std::string as_shown(std::string text, const Setting& setting) {
  text = replace_all(text, fs::canonical(setting.dir.path()).string(), kShownFolder);
  return replace_all(text, setting.dir.path().string(), kShownFolder);
}

// A case, as a failure report names it.
void PrintTo(const Case& c, std::ostream* out) {
  *out << c.id;
}

class ErrorCatalogue : public ::testing::TestWithParam<Case> {};

TEST_P(ErrorCatalogue, MessageCodeAndBytes) {
  const Case& c = GetParam();
  SCOPED_TRACE("docs/errors.md:" + std::to_string(c.line) + ": " + c.id + " " + c.name);
  ASSERT_TRUE(c.problem.empty()) << c.problem;
  Setting setting;
  if (!set_up(c.given, setting)) return;
  const auto before = snapshot(setting.dir.path());

  Outcome outcome = c.sql ? run_sql(c, setting) : run_command(c, setting);
  setting.holder.reset();  // its transaction rolled back: it changed nothing either

  if (c.sql) {
    const auto code = result_codes().find(c.code);
    ASSERT_NE(code, result_codes().end()) << "unknown result code " << c.code;
    EXPECT_EQ(code_name(outcome.code), c.code) << shown(outcome.message);
    EXPECT_TRUE(matches(c.expected, as_shown(outcome.message, setting)))
        << "expected: " << c.expected
        << "\n  actual: " << shown(as_shown(outcome.message, setting));
  } else {
    EXPECT_EQ(std::to_string(outcome.code), c.code) << shown(outcome.message);
    bool found = false;
    for (const std::string& line : outcome.lines)
      found = found || matches(c.expected, as_shown(line, setting));
    EXPECT_TRUE(found) << "expected a line: " << c.expected << "\n  printed:\n"
                       << shown(as_shown(outcome.message, setting));
  }
  if (setting.waits) {
    // A locked database is reported only once the call has waited as long as
    // it was told to.
    EXPECT_GT(outcome.waited_ms, 0) << "give the call a busy timeout";
    EXPECT_GE(outcome.took.count(), outcome.waited_ms);
  }
  EXPECT_EQ(snapshot(setting.dir.path()), before) << "a file changed, or one was made";
}

std::string test_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name = info.param.id + "_" + info.param.name;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Cases, ErrorCatalogue, ::testing::ValuesIn(all_cases()), test_name);

// The catalogue covers what issue 11 asks of it, and each case is named once.
TEST(ErrorCatalogueDocument, HasAtLeastFortyCasesWithDistinctNames) {
  std::map<std::string, int> ids;
  int sql = 0, shell = 0;
  for (const Case& c : all_cases()) {
    ++ids[c.id];
    (c.sql ? sql : shell) += 1;
  }
  EXPECT_GE(sql + shell, 40);
  EXPECT_GT(sql, 0);
  EXPECT_GT(shell, 0);
  for (const auto& [id, count] : ids) EXPECT_EQ(count, 1) << id << " names more than one case";
}

TEST(ErrorCatalogueDocument, MatchesWithEllipsis) {
  EXPECT_TRUE(matches("a…c", "abbbc"));
  EXPECT_TRUE(matches("emf_backup: …", "emf_backup: anything"));
  EXPECT_FALSE(matches("a…c", "abbbd"));
  EXPECT_FALSE(matches("a…a", "a"));
  EXPECT_TRUE(matches("…x…", "axb"));
  EXPECT_FALSE(matches("abc", "abcd"));
}

}  // namespace
}  // namespace emf::test
