// Proofs by fault injection: every operation that writes is run again and
// again with the Nth xWrite, xSync, xTruncate, xOpen, xShmMap or
// xFileControl failing, N = 1, 2, ... until it succeeds with the fault armed
// (the fault never fired), in WAL and in rollback-journal mode, with a full
// disk (SQLITE_FULL) and a failing device (the matching SQLITE_IOERR_*). A
// fault persists (the disk stays full, the device stays broken: the caller
// closes its connection with the fault still armed); a write or a sync also
// fails once alone (the caller goes on with its connection). The two codes
// alternate from one call to the next, each call getting each code in one
// of the walks of writes and syncs; EMF_FAULTS_EVERY_CODE=1 fails every
// call with every code (twice the time).
//
// After every failure the files, reopened with SQLite's own VFS (so a hot
// journal is rolled back, a WAL recovered), pass PRAGMA integrity_check and
// hold exactly the state before the call or exactly the state a successful
// call leaves: the same operation run on the same starting file without
// faults. The fault VFS stops SQLite's clock, so both runs write the same
// times; only emf_schema_history.duration_ms is left out of the comparison.
// The error names the cause, as clean text; no transaction is left open on
// the caller's connection, nor trusted_schema on; a backup's target is
// absent or complete, and no temporary file is left. A call that succeeds
// although the fault fired must leave exactly the state after.
//
// Each test prints, per walk, the calls a run without faults makes, the
// failures checked, and examples of calls that failed after their work had
// committed (allowed: the state is the one after); then its row of the
// table in docs/RELIABILITY.md.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/database_digest.h"
#include "support/fault_vfs.h"
#include "support/operations.h"
#include "support/scratch_folder.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;

// SQLite's own VFS, without faults: what the files are checked with.
constexpr const char* kPlainVfs = "unix";

// The one 'now' of every run, 2026-11-25 12:00:00 UTC (milliseconds since
// the Julian epoch): the times SQLite writes (emf_schema_history.applied_at,
// the columns' defaults, the triggers' updated_at) are the same in the run
// without faults and in every run with one, so the digests compare them.
constexpr std::int64_t kNow = 212662368000000;

constexpr std::array kPoints = {FaultPoint::write, FaultPoint::sync,    FaultPoint::truncate,
                                FaultPoint::open,  FaultPoint::shm_map, FaultPoint::file_control};

const char* point_name(FaultPoint point) {
  switch (point) {
    case FaultPoint::write:
      return "write";
    case FaultPoint::sync:
      return "sync";
    case FaultPoint::truncate:
      return "truncate";
    case FaultPoint::open:
      return "open";
    case FaultPoint::shm_map:
      return "shm_map";
    case FaultPoint::file_control:
      return "file_control";
  }
  return "?";
}

// The I/O error a failing device gives at each point, as SQLite's unix VFS
// reports it.
int io_error(FaultPoint point) {
  switch (point) {
    case FaultPoint::write:
      return SQLITE_IOERR_WRITE;
    case FaultPoint::sync:
      return SQLITE_IOERR_FSYNC;
    case FaultPoint::truncate:
      return SQLITE_IOERR_TRUNCATE;
    case FaultPoint::open:
      return SQLITE_IOERR;  // SQLite has no SQLITE_IOERR_OPEN
    case FaultPoint::shm_map:
      return SQLITE_IOERR_SHMSIZE;  // what a -shm that cannot grow gives
    case FaultPoint::file_control:
      return SQLITE_IOERR;
  }
  return SQLITE_IOERR;
}

// --- what the files hold ----------------------------------------------------

struct State {
  std::string digest;
  std::string journal_mode;
  std::string integrity;
};

State read_state(Db& db) {
  State state;
  state.integrity = db.text("PRAGMA integrity_check");
  state.digest = digest(db);
  state.journal_mode = db.text("PRAGMA journal_mode");
  return state;
}

// --- the faults -------------------------------------------------------------

// One walk: the point, whether the fault persists, and the codes it fails
// with. With two codes they alternate from one call to the next: the Nth
// call fails with codes[(N - 1) % 2].
struct Walker {
  FaultPoint point;
  bool persistent;
  std::vector<int> codes;

  int code(std::int64_t n) const { return codes[static_cast<std::size_t>(n - 1) % codes.size()]; }
};

int errno_of(int code) {
  return (code & 0xff) == SQLITE_FULL ? ENOSPC : EIO;
}

std::string code_names(const Walker& walker) {
  std::string names;
  for (const int code : walker.codes) {
    names += (names.empty() ? "" : " / ") + std::string(sqlite3_errstr(code));
  }
  return names;
}

// With EMF_FAULTS_EVERY_CODE set, every call fails with each code in turn
// (twice the walks, twice the time); by default the codes alternate.
bool every_code_at_every_call() {
  const char* value = std::getenv("EMF_FAULTS_EVERY_CODE");
  return value != nullptr && *value != '\0' && std::string(value) != "0";
}

std::vector<Walker> walkers() {
  std::vector<Walker> all;
  const auto add = [&](FaultPoint point, bool persistent, int first, int second) {
    if (every_code_at_every_call()) {
      all.push_back({point, persistent, {first}});
      all.push_back({point, persistent, {second}});
    } else {
      all.push_back({point, persistent, {first, second}});
    }
  };
  for (const FaultPoint point : kPoints) {
    // At every point a fault that persists: a disk that stays full, a
    // device that stays broken.
    add(point, true, io_error(point), SQLITE_FULL);
    // For writes and syncs a one-off failure too, the codes in the other
    // order: each call then fails with each code in one of the two walks.
    if (point == FaultPoint::write || point == FaultPoint::sync) {
      add(point, false, SQLITE_FULL, io_error(point));
    }
  }
  return all;
}

// --- what the caller sees ---------------------------------------------------

// A call's report, or the error the caller sees.
struct Outcome {
  std::string report;
  std::optional<std::string> error;
};

Outcome call(sqlite3* db, const std::string& sql) {
  Outcome outcome;
  sqlite3_stmt* statement = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(statement);
    if (rc == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(statement, 0);
      outcome.report = text != nullptr ? reinterpret_cast<const char*>(text) : "NULL";
      rc = sqlite3_step(statement);
    }
  }
  if (rc != SQLITE_DONE) outcome.error = sqlite3_errmsg(db);
  sqlite3_finalize(statement);
  return outcome;
}

// Valid UTF-8 without control characters but new lines and tabs: what a
// message read from freed memory rarely is.
bool is_clean_text(const std::string& text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = 1;
    if (byte < 0x80) {
      if (byte < 0x20 && byte != '\n' && byte != '\t') return false;
    } else if ((byte & 0xe0) == 0xc0) {
      length = 2;
    } else if ((byte & 0xf0) == 0xe0) {
      length = 3;
    } else if ((byte & 0xf8) == 0xf0) {
      length = 4;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

// Whether the message names the cause that was injected: SQLite's words
// for it, which emf's own explanation follows.
bool names_the_cause(const std::string& message, int code) {
  const auto has = [&](const char* text) { return message.find(text) != std::string::npos; };
  switch (code & 0xff) {
    case SQLITE_FULL:
      return has("the disk is full") || has("database or disk is full");
    case SQLITE_IOERR:
      return has("disk I/O error");
    default:
      return false;
  }
}

// --- the test ---------------------------------------------------------------

struct Case {
  const Operation* operation;
  bool wal;
};

void PrintTo(const Case& test_case, std::ostream* out) {
  *out << test_case.operation->name << (test_case.wal ? " in WAL mode" : " in rollback mode");
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  return info.param.operation->name + (info.param.wal ? "_Wal" : "_RollbackJournal");
}

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (const Operation& operation : writing_operations()) {
    for (const bool wal : {true, false}) cases.push_back({&operation, wal});
  }
  return cases;
}

// What the files hold after a run, and what is wrong with them.
struct Verdict {
  enum class Rows { before, after, neither };
  Rows rows = Rows::neither;
  std::string journal_mode;
  bool backup_written = false;  // a backup's target exists (and was checked)
  std::vector<std::string> problems;
};

// One walk's figures.
struct Walk {
  std::int64_t failures = 0;                     // runs that failed, each checked
  std::int64_t survived = 0;                     // runs that succeeded although the fault fired
  std::int64_t done_but_failed = 0;              // failures whose work had committed all the same
  std::int64_t last_n = 0;                       // the N at which the operation succeeded untouched
  std::vector<std::string> examples;             // a few errors and reports, to show
  std::map<std::string, std::int64_t> problems;  // each kind of problem, counted
};

class FaultInjection : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    // The default VFS, so that emf's own connections (the backup's target,
    // its private in-memory database) and every temporary file fail too.
    register_fault_vfs(/*make_default=*/true);
    freeze_fault_vfs_clock(kNow);
  }
  static void TearDownTestSuite() { freeze_fault_vfs_clock(0); }
  void TearDown() override { disarm_fault(); }

  const Operation& operation() const { return *GetParam().operation; }
  std::string database() const { return folder_.file("t.db"); }
  std::string target() const { return folder_.file("backup.db"); }
  std::string sql() const {
    std::string text = operation().sql;
    const std::string placeholder = "{target}";
    if (const auto at = text.find(placeholder); at != std::string::npos) {
      text.replace(at, placeholder.size(), target());
    }
    return text;
  }

  // The starting file, made once; every run starts from its bytes.
  void make_start() {
    folder_.empty();
    {
      Db db(database(), true, kPlainVfs);
      operation().make(db);
      db.exec(GetParam().wal ? "PRAGMA journal_mode = WAL" : "PRAGMA journal_mode = DELETE");
    }
    ASSERT_FALSE(fs::exists(database() + "-wal")) << "the last connection left its WAL";
    start_bytes_ = read_file(database());
    Db db(database(), true, kPlainVfs);
    before_ = read_state(db);
    ASSERT_EQ(before_.integrity, "ok");
  }

  void restore_start() {
    folder_.empty();
    write_file(database(), start_bytes_);
  }

  // A connection through the fault VFS, as a caller's would be, with
  // trusted_schema off (emf turns it on for its call only).
  std::unique_ptr<Db> open_caller() {
    auto db = std::make_unique<Db>(database(), true, kFaultVfs);
    db->exec("PRAGMA trusted_schema = OFF");
    return db;
  }

  // The same operation without faults, on the same starting file: the
  // state after, and the calls of each kind it makes.
  void run_without_faults() {
    restore_start();
    auto db = open_caller();
    disarm_fault();  // counts from here
    const Outcome outcome = call(db->get(), sql());
    ASSERT_FALSE(outcome.error.has_value()) << *outcome.error;
    std::cout << "without faults: " << outcome.report << '\n';
    for (const FaultPoint point : kPoints) {
      clean_calls_[static_cast<std::size_t>(point)] = fault_calls(point);
    }
    db.reset();
    Db check(database(), true, kPlainVfs);
    after_ = read_state(check);
    ASSERT_EQ(after_.integrity, "ok");
    if (operation().backup) {
      ASSERT_EQ(after_.digest, before_.digest) << "a backup changed its source";
      Db copy(target(), true, kPlainVfs);
      ASSERT_EQ(digest(copy), before_.digest);
    } else {
      ASSERT_NE(after_.digest, before_.digest) << "the operation changes nothing";
    }
  }

  // The files, reopened with SQLite's own VFS (a hot journal is rolled back,
  // a WAL recovered), compared with the states before and after.
  Verdict check_files(const std::optional<std::string>& seen_by_caller) {
    Verdict verdict;
    {
      Db db(database(), true, kPlainVfs);
      const State now = read_state(db);
      verdict.journal_mode = now.journal_mode;
      if (now.integrity != "ok") verdict.problems.push_back("integrity_check: " + now.integrity);
      if (now.digest == after_.digest) {  // first: a backup's source is both
        verdict.rows = Verdict::Rows::after;
        if (now.journal_mode != after_.journal_mode && now.journal_mode != before_.journal_mode) {
          verdict.problems.push_back("journal_mode " + now.journal_mode);
        }
      } else if (now.digest == before_.digest) {
        verdict.rows = Verdict::Rows::before;
        if (now.journal_mode != before_.journal_mode) {
          verdict.problems.push_back(fmt::format("rows as before, but journal_mode {} (was {})",
                                                 now.journal_mode, before_.journal_mode));
        }
      } else {
        verdict.problems.push_back(fmt::format("neither before nor after: {} (before), {} (after)",
                                               first_difference(now.digest, before_.digest),
                                               first_difference(now.digest, after_.digest)));
      }
      if (seen_by_caller && *seen_by_caller != now.digest) {
        verdict.problems.push_back(
            "the caller's connection saw another state than the files hold: " +
            first_difference(*seen_by_caller, now.digest));
      }
    }
    if (operation().backup && fs::exists(target())) {
      verdict.backup_written = true;
      Db copy(target(), true, kPlainVfs);
      const State backup = read_state(copy);
      if (backup.integrity != "ok") {
        verdict.problems.push_back("backup integrity_check: " + backup.integrity);
      }
      if (backup.digest != before_.digest) {
        verdict.problems.push_back("partial backup: " +
                                   first_difference(backup.digest, before_.digest));
      }
    }
    for (const std::string& name : folder_.names()) {
      if (name.find(".emf-backup-") != std::string::npos) {
        verdict.problems.push_back("left behind: " + name);
      }
    }
    return verdict;
  }

  // Whether the verdict is the state a successful call leaves, exactly. A
  // switch to WAL that failed after the schema committed is the one
  // exception: the rows are after, the journal mode stays as before, and the
  // report says so in a warning (the switch runs outside the transaction).
  bool is_done(const Verdict& verdict, const std::string& report) const {
    if (operation().backup) return verdict.backup_written;
    if (verdict.rows != Verdict::Rows::after) return false;
    if (verdict.journal_mode == after_.journal_mode) return true;
    return verdict.journal_mode == before_.journal_mode &&
           report.find("journal_mode stays '" + before_.journal_mode +
                       "': switching to WAL failed") != std::string::npos;
  }

  // Checks the caller's connection after a one-off failure, on which the
  // caller goes on; returns what it sees.
  std::optional<std::string> check_caller(Db& db, std::vector<std::string>& problems) {
    try {
      if (db.text("PRAGMA trusted_schema") != "0") {
        problems.push_back("trusted_schema left on on the caller's connection");
      }
      // Version 1's CHECKs call json_valid(), which SQLite 3.40 lets no
      // schema call while trusted_schema is off.
      db.exec("PRAGMA trusted_schema = ON");
      const State now = read_state(db);
      if (now.integrity != "ok") {
        problems.push_back("integrity_check on the caller's connection: " + now.integrity);
      }
      return now.digest;
    } catch (const std::exception& error) {
      problems.push_back(std::string("the caller's connection cannot read: ") + error.what());
      return std::nullopt;
    }
  }

  // N = 1, 2, ... until the operation succeeds with the fault armed at N and
  // the fault never fired. Every run is checked; the first three with a
  // problem are reported in full, and every problem is counted.
  Walk walk(const Walker& walker) {
    SCOPED_TRACE(fmt::format("{} {} fault, {}", walker.persistent ? "persistent" : "one-off",
                             point_name(walker.point), code_names(walker)));
    Walk walk;
    const std::int64_t clean = clean_calls_[static_cast<std::size_t>(walker.point)];
    const std::int64_t limit = 3 * clean + 50;  // a loop that does not end is a finding too
    std::int64_t runs_with_problems = 0;
    for (std::int64_t n = 1;; ++n) {
      if (n > limit) {
        ADD_FAILURE() << "still failing at call " << n << " (a run without faults makes " << clean
                      << ")";
        break;
      }
      const int code = walker.code(n);
      restore_start();
      auto db = open_caller();
      arm_fault({walker.point, n, code, errno_of(code), walker.persistent});
      const Outcome outcome = call(db->get(), sql());
      const bool fired = fault_fired();
      const bool untouched = !outcome.error && !fired;
      std::vector<std::string> problems;
      if (outcome.error) {
        ++walk.failures;
        if (!fired) problems.push_back("failed without the fault");
        if (!is_clean_text(*outcome.error)) {
          problems.push_back("the error is garbled (not clean UTF-8 text)");
        } else if (!names_the_cause(*outcome.error, code)) {
          problems.push_back("the error does not name the cause");
        }
      } else if (fired) {
        ++walk.survived;
      }
      if (sqlite3_get_autocommit(db->get()) == 0) {
        problems.push_back("the caller's connection is left in a transaction");
      }
      std::optional<std::string> seen_by_caller;
      if (walker.persistent || untouched) {
        // The disk is still full (the device still failing) when the
        // caller gives up and closes.
        db.reset();
        disarm_fault();
      } else {
        // A one-off failure: the caller goes on with its connection.
        disarm_fault();
        seen_by_caller = check_caller(*db, problems);
        db.reset();
      }
      Verdict verdict = check_files(seen_by_caller);
      problems.insert(problems.end(), verdict.problems.begin(), verdict.problems.end());
      if (!outcome.error && !is_done(verdict, outcome.report)) {
        problems.push_back(fmt::format(
            "succeeded, but the files hold {}rows {}, journal_mode {} (a run without faults "
            "leaves rows after, journal_mode {})",
            operation().backup ? "no backup, " : "",
            verdict.rows == Verdict::Rows::before ? "before" : "after", verdict.journal_mode,
            after_.journal_mode));
      }
      if (outcome.error &&
          (operation().backup ? verdict.backup_written : verdict.rows == Verdict::Rows::after)) {
        ++walk.done_but_failed;
        if (walk.examples.size() < 4) {
          walk.examples.push_back(
              fmt::format("call {} failed, but its work had committed: {}", n, *outcome.error));
        }
      }
      if (!outcome.error && fired && walk.examples.size() < 4) {
        walk.examples.push_back(
            fmt::format("call {} failed; the call succeeded all the same: {}", n, outcome.report));
      }
      for (const std::string& problem : problems) {
        ++walk.problems[problem.substr(0, problem.find(':'))];
      }
      if (!problems.empty() && ++runs_with_problems <= 3) {
        ADD_FAILURE() << "call " << n << " failing with " << sqlite3_errstr(code) << ": "
                      << fmt::format("{}", fmt::join(problems, "; "))
                      << (outcome.error ? "\n  error: " + *outcome.error
                                        : "\n  report: " + outcome.report);
      }
      if (untouched) {
        walk.last_n = n;
        break;
      }
    }
    if (runs_with_problems > 3) {
      ADD_FAILURE() << runs_with_problems
                    << " runs with problems in this walk:" << problem_counts(walk.problems);
    }
    return walk;
  }

  ScratchFolder folder_{"emf-faults"};
  std::string start_bytes_;
  State before_, after_;
  std::array<std::int64_t, kPoints.size()> clean_calls_{};
};

TEST_P(FaultInjection, EveryFailureLeavesTheStateBeforeOrAfter) {
  const auto started = std::chrono::steady_clock::now();
  ASSERT_NO_FATAL_FAILURE(make_start());
  ASSERT_NO_FATAL_FAILURE(run_without_faults());

  std::int64_t failures = 0, done_but_failed = 0;
  for (const Walker& walker : walkers()) {
    const Walk result = walk(walker);
    failures += result.failures;
    done_but_failed += result.done_but_failed;
    std::cout << fmt::format(
        "{:<12} {:<10} {:<42} calls {:>4}  failures {:>4}  survived {:>3}  committed {:>3}  "
        "untouched at N = {}\n",
        point_name(walker.point), walker.persistent ? "persistent" : "one-off", code_names(walker),
        clean_calls_[static_cast<std::size_t>(walker.point)], result.failures, result.survived,
        result.done_but_failed, result.last_n);
    for (const std::string& example : result.examples) std::cout << "    " << example << '\n';
    for (const auto& [problem, count] : result.problems) {
      std::cout << fmt::format("    PROBLEM {} x {}\n", count, problem);
    }
  }

  // The row of docs/RELIABILITY.md's table.
  std::string row =
      fmt::format("| {} | {} |", operation().name, GetParam().wal ? "WAL" : "rollback journal");
  for (const FaultPoint point : kPoints) {
    const std::int64_t calls = clean_calls_[static_cast<std::size_t>(point)];
    row += fmt::format(" {} |", calls);
    RecordProperty(point_name(point), std::to_string(calls));
  }
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
  row += fmt::format(" {} | {} | {:.1f} s |", failures, done_but_failed, seconds.count());
  RecordProperty("failures_checked", std::to_string(failures));
  std::cout << "| operation | mode | write | sync | truncate | open | shm_map | file_control | "
               "failures checked | failed after committing | time |\n"
            << row << '\n';
}

INSTANTIATE_TEST_SUITE_P(Operations, FaultInjection, ::testing::ValuesIn(all_cases()), case_name);

}  // namespace
}  // namespace emf::test
