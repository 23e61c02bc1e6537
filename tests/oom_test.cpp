// Proofs under memory exhaustion: every operation is run again and again
// with the Nth allocation failing, N = 1, 2, ... until it succeeds with the
// fault armed at N and the fault never fired. One counter covers SQLite's
// allocations (its default allocator, wrapped) and the C++ ones (operator
// new, replaced in this program: std::bad_alloc), so the walk reaches emf's
// std::bad_alloc paths as well as SQLite's SQLITE_NOMEM ones. A fault
// persists (memory stays exhausted: the caller closes its connection with
// the fault still armed), or fails one allocation alone (the caller goes on
// with its connection).
//
// Every failure must be a clean error: SQLITE_NOMEM, or a message that
// names "out of memory"; never a crash, never an exception out of a SQLite
// callback (that ends the program). After it, the files, reopened, pass
// PRAGMA integrity_check and hold exactly the state before the call or
// exactly the state a successful call leaves; no transaction is left open
// on the caller's connection; a backup's target is absent or complete. A
// call that succeeds although an allocation failed (SQLite lets some fail
// benignly) must leave exactly the state after. Under AddressSanitizer
// (make sanitize) a leak on any of these failure paths fails the test too.
//
// A walk fails every allocation of the first kEveryUpTo, then every kth
// (k chosen so that a walk makes about kRunsPerWalk runs), so that the
// test takes seconds per operation; EMF_OOM_STRIDE=1 fails every one (a run
// per allocation: minutes per operation), EMF_OOM_STRIDE=k every kth;
// EMF_OOM_FIRST=n starts at allocation n.
//
// Once one of SQLite's allocations has failed inside a call, SQLite refuses
// every statement on the connection until the caller's statement ends,
// emf's ROLLBACK included: the caller's connection may then be left in
// emf's transaction, never committed. The call's code must then be
// SQLITE_NOMEM, after which SQLite asks every caller to issue ROLLBACK
// (https://sqlite.org/lang_transaction.html, "Response To Errors Within A
// Transaction"); the test does, as a caller that goes on must, and then
// the connection must be out of any transaction and see the state before
// or after. A caller whose memory stays exhausted closes its connection,
// which rolls back.
//
// The program is its own: its allocator would fail other tests'
// allocations. Each test prints its row of the table in
// docs/RELIABILITY.md: the allocations of a run without faults (the points
// walked), the failures checked and the time.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/database_digest.h"
#include "support/failing_allocator.h"
#include "support/fault_vfs.h"
#include "support/fixtures.h"
#include "support/operations.h"
#include "support/scratch_folder.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;

// SQLite's own VFS: what the files are checked with.
constexpr const char* kPlainVfs = "unix";

// Every allocation up to here fails in turn, then every kth.
constexpr std::int64_t kEveryUpTo = 100;
constexpr std::int64_t kRunsPerWalk = 25;

// EMF_OOM_FIRST=n starts each walk at allocation n: to see one failure again.
std::int64_t first_allocation() {
  const char* value = std::getenv("EMF_OOM_FIRST");
  return value != nullptr && *value != '\0' ? std::max<std::int64_t>(1, std::atoll(value)) : 1;
}

std::int64_t stride(std::int64_t allocations) {
  if (const char* value = std::getenv("EMF_OOM_STRIDE"); value != nullptr && *value != '\0') {
    return std::max<std::int64_t>(1, std::atoll(value));
  }
  return std::max<std::int64_t>(1, allocations / kRunsPerWalk);
}

// After allocation n: the next of the first kEveryUpTo, or the next kth,
// but never past the first beyond a run without faults, from where the walk
// goes one by one to the end (a run with a fault may allocate more).
std::int64_t next_allocation(std::int64_t n, std::int64_t step, std::int64_t clean) {
  if (n < kEveryUpTo || n > clean) return n + 1;
  return std::min(n + step, clean + 1);
}

// The one 'now' of every run (see fault_injection_test.cpp): the fault VFS,
// never armed here, only stops the clock, so that the times SQLite writes
// are the same in every run and the digests compare them.
constexpr std::int64_t kNow = 212662368000000;

// The operations of the I/O fault loop, and those that only read.
std::vector<Operation> all_operations() {
  std::vector<Operation> all = writing_operations();
  const auto drifted_trends = [](Db& db) {
    db.exec(fmt::format("SELECT emf_init('trends'), emf_seed('trends', {})", kStartingRows));
    drop_constraints(db, "search_history");
    db.exec("DROP INDEX idx_trending_topics_source");
  };
  all.push_back({"Check", drifted_trends, "SELECT emf_check()"});
  all.push_back({"Objects", drifted_trends,
                 "SELECT group_concat(name || ' ' || status, ', ') FROM emf_objects()"});
  // On the drifted database, not version 1: the caller's connection has
  // trusted_schema off, under which SQLite 3.40 prepares no statement at all
  // on version 1 (its CHECKs call json_valid()); emf_init trusts the schema
  // for its own call, a read of the user's cannot.
  all.push_back({"Plan", drifted_trends, "SELECT emf_plan('trends')"});
  all.push_back({"Migrations", drifted_trends,
                 "SELECT group_concat(version || ' ' || status, ', ') FROM "
                 "emf_migrations('trends')"});
  all.push_back(
      {"Optimize",
       [](Db& db) {
         db.exec(fmt::format("SELECT emf_init('trends'), emf_seed('trends', {})", kStartingRows));
       },
       "SELECT emf_optimize('trends')"});
  return all;
}

const std::vector<Operation>& operations() {
  static const std::vector<Operation> all = all_operations();
  return all;
}

// --- what the caller sees ---------------------------------------------------

struct Outcome {
  std::string report;  // every row, its first column
  std::optional<std::string> error;
  int code = SQLITE_OK;
};

// Runs the statement with the fault counting; only the test's own copies of
// what it returns are made with the fault suspended.
Outcome call(sqlite3* db, const std::string& sql) {
  Outcome outcome;
  sqlite3_stmt* statement = nullptr;
  resume_allocation_fault();
  int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr);
  if (rc == SQLITE_OK) {
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
      suspend_allocation_fault();
      const auto* text = sqlite3_column_text(statement, 0);
      outcome.report += text != nullptr ? reinterpret_cast<const char*>(text) : "NULL";
      resume_allocation_fault();
    }
  }
  suspend_allocation_fault();
  if (rc != SQLITE_DONE) {
    outcome.error = sqlite3_errmsg(db);
    outcome.code = sqlite3_extended_errcode(db);
  }
  sqlite3_finalize(statement);
  return outcome;
}

bool is_out_of_memory(const Outcome& outcome) {
  return (outcome.code & 0xff) == SQLITE_NOMEM ||
         outcome.error->find("out of memory") != std::string::npos;
}

// --- the test ---------------------------------------------------------------

struct State {
  std::string digest;
  std::string integrity;
};

State read_state(Db& db) {
  State state;
  state.integrity = db.text("PRAGMA integrity_check");
  state.digest = digest(db);
  return state;
}

// One walk's figures.
struct Walk {
  std::int64_t failures = 0;         // runs that failed, each checked
  std::int64_t survived = 0;         // runs that succeeded although an allocation failed
  std::int64_t done_but_failed = 0;  // failures whose work had committed all the same
  std::int64_t last_n = 0;           // the N at which the call succeeded untouched
  std::int64_t left_in_transaction =
      0;  // failures that left emf's transaction to the caller's ROLLBACK
  std::map<std::string, std::int64_t> problems;
};

std::string case_name(const ::testing::TestParamInfo<const Operation*>& info) {
  return info.param->name;
}

std::vector<const Operation*> all_cases() {
  std::vector<const Operation*> cases;
  for (const Operation& operation : operations()) cases.push_back(&operation);
  return cases;
}

class OutOfMemory : public ::testing::TestWithParam<const Operation*> {
 protected:
  static void SetUpTestSuite() {
    register_fault_vfs(/*make_default=*/true);
    freeze_fault_vfs_clock(kNow);
  }
  static void TearDownTestSuite() { freeze_fault_vfs_clock(0); }
  void TearDown() override { disarm_allocation_fault(); }

  const Operation& operation() const { return *GetParam(); }
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
  bool writes() const { return before_.digest != after_.digest; }

  void make_start() {
    folder_.empty();
    {
      Db db(database(), true, kPlainVfs);
      operation().make(db);
    }
    start_bytes_ = read_file(database());
    Db db(database(), true, kPlainVfs);
    before_ = read_state(db);
    ASSERT_EQ(before_.integrity, "ok");
  }

  void restore_start() {
    folder_.empty();
    write_file(database(), start_bytes_);
  }

  // A caller's connection, trusted_schema off (emf turns it on for its
  // call only); the extension is loaded before the fault is armed.
  std::unique_ptr<Db> open_caller() {
    auto db = std::make_unique<Db>(database(), true);
    db->exec("PRAGMA trusted_schema = OFF");
    return db;
  }

  // The operation without faults: the state after, and its allocations.
  void run_without_faults() {
    restore_start();
    auto db = open_caller();
    const std::string statement = sql();
    arm_allocation_fault({0, true});  // counts only
    const Outcome outcome = call(db->get(), statement);
    disarm_allocation_fault();
    clean_allocations_ = allocations_counted();
    ASSERT_FALSE(outcome.error.has_value()) << *outcome.error;
    std::cout << "without faults: " << outcome.report.substr(0, 300) << '\n';
    db.reset();
    Db check(database(), true, kPlainVfs);
    after_ = read_state(check);
    ASSERT_EQ(after_.integrity, "ok");
    if (operation().backup) {
      Db copy(target(), true, kPlainVfs);
      ASSERT_EQ(digest(copy), before_.digest);
    }
  }

  // The files, reopened, against the states before and after.
  std::vector<std::string> check_files(bool& rows_after, bool& backup_written) {
    std::vector<std::string> problems;
    {
      Db db(database(), true, kPlainVfs);
      const State now = read_state(db);
      if (now.integrity != "ok") problems.push_back("integrity_check: " + now.integrity);
      rows_after = now.digest == after_.digest;
      if (!rows_after && now.digest != before_.digest) {
        problems.push_back(fmt::format("neither before nor after: {} (before), {} (after)",
                                       first_difference(now.digest, before_.digest),
                                       first_difference(now.digest, after_.digest)));
      }
    }
    backup_written = operation().backup && fs::exists(target());
    if (backup_written) {
      Db copy(target(), true, kPlainVfs);
      const State backup = read_state(copy);
      if (backup.integrity != "ok") problems.push_back("backup integrity: " + backup.integrity);
      if (backup.digest != before_.digest) {
        problems.push_back("partial backup: " + first_difference(backup.digest, before_.digest));
      }
    }
    for (const std::string& name : folder_.names()) {
      if (name.find(".emf-backup-") != std::string::npos)
        problems.push_back("left behind: " + name);
    }
    return problems;
  }

  // After a one-off failure the caller goes on with its connection: it
  // reads, and sees what the files hold.
  void check_caller(Db& db, std::vector<std::string>& problems) {
    try {
      if (db.text("PRAGMA trusted_schema") != "0") {
        problems.push_back("trusted_schema left on on the caller's connection");
      }
      db.exec("PRAGMA trusted_schema = ON");  // version 1's CHECKs call json_valid()
      const State now = read_state(db);
      if (now.integrity != "ok") problems.push_back("caller's integrity_check: " + now.integrity);
      if (now.digest != before_.digest && now.digest != after_.digest) {
        problems.push_back("the caller's connection sees neither before nor after");
      }
    } catch (const std::exception& error) {
      problems.push_back(std::string("the caller's connection cannot read: ") + error.what());
    }
  }

  Walk walk(bool persistent) {
    SCOPED_TRACE(persistent ? "persistent" : "one-off");
    Walk walk;
    const std::int64_t limit =
        2 * clean_allocations_ + 50;  // a loop that does not end is a finding
    std::int64_t runs_with_problems = 0;
    const std::int64_t step = stride(clean_allocations_);
    for (std::int64_t n = first_allocation();; n = next_allocation(n, step, clean_allocations_)) {
      if (n > limit) {
        ADD_FAILURE() << "still failing at allocation " << n << " (a run without faults makes "
                      << clean_allocations_ << ")";
        break;
      }
      restore_start();
      auto db = open_caller();
      const std::string statement = sql();
      arm_allocation_fault({n, persistent});
      const Outcome outcome = call(db->get(), statement);
      const bool fired = allocation_fault_fired();
      std::vector<std::string> problems;
      if (outcome.error) {
        ++walk.failures;
        if (!fired) problems.push_back("failed without the fault");
        if (!is_out_of_memory(outcome)) problems.push_back("the error does not name out of memory");
      } else if (fired) {
        ++walk.survived;
      }
      if (sqlite3_get_autocommit(db->get()) == 0) {
        ++walk.left_in_transaction;
        if ((outcome.code & 0xff) != SQLITE_NOMEM) {
          problems.push_back("left in a transaction without SQLITE_NOMEM, which asks for ROLLBACK");
        }
      }
      if (persistent || !fired) {
        db.reset();  // closed with memory still exhausted
        disarm_allocation_fault();
      } else {
        disarm_allocation_fault();
        if (sqlite3_get_autocommit(db->get()) == 0) {
          // What SQLite asks of a caller after SQLITE_NOMEM (see the top).
          sqlite3_exec(db->get(), "ROLLBACK", nullptr, nullptr, nullptr);
          if (sqlite3_get_autocommit(db->get()) == 0) {
            problems.push_back("the caller's connection is left in a transaction after ROLLBACK");
          }
        }
        check_caller(*db, problems);
        db.reset();
      }
      bool rows_after = false, backup_written = false;
      const std::vector<std::string> file_problems = check_files(rows_after, backup_written);
      problems.insert(problems.end(), file_problems.begin(), file_problems.end());
      const bool done = operation().backup ? backup_written : rows_after;
      if (!outcome.error && !done)
        problems.push_back("succeeded, but the files hold the state before");
      if (outcome.error && done && writes()) ++walk.done_but_failed;
      for (const std::string& problem : problems) {
        ++walk.problems[problem.substr(0, problem.find(':'))];
      }
      if (!problems.empty() && ++runs_with_problems <= 3) {
        ADD_FAILURE() << "allocation " << n
                      << " failing: " << fmt::format("{}", fmt::join(problems, "; "))
                      << (outcome.error ? "\n  error: " + *outcome.error
                                        : "\n  report: " + outcome.report.substr(0, 300));
      }
      if (!outcome.error && !fired) {
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

  ScratchFolder folder_{"emf-oom"};
  std::string start_bytes_;
  State before_, after_;
  std::int64_t clean_allocations_ = 0;
};

TEST_P(OutOfMemory, EveryFailureIsCleanAndLeavesTheStateBeforeOrAfter) {
  const auto started = std::chrono::steady_clock::now();
  ASSERT_NO_FATAL_FAILURE(make_start());
  ASSERT_NO_FATAL_FAILURE(run_without_faults());

  std::int64_t failures = 0, done_but_failed = 0;
  for (const bool persistent : {true, false}) {
    const Walk result = walk(persistent);
    failures += result.failures;
    done_but_failed += result.done_but_failed;
    std::cout << fmt::format(
        "{:<10} allocations {:>6}  failures {:>6}  survived {:>5}  committed {:>4}  left in a "
        "transaction {:>4}  untouched at N = {}\n",
        persistent ? "persistent" : "one-off", clean_allocations_, result.failures, result.survived,
        result.done_but_failed, result.left_in_transaction, result.last_n);
    for (const auto& [problem, count] : result.problems) {
      std::cout << fmt::format("    PROBLEM {} x {}\n", count, problem);
    }
  }
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
  RecordProperty("allocations", std::to_string(clean_allocations_));
  RecordProperty("failures_checked", std::to_string(failures));
  std::cout << "| operation | allocations | failures checked | failed after committing | time |\n"
            << fmt::format("| {} | {} | {} | {} | {:.1f} s |\n", operation().name,
                           clean_allocations_, failures, done_but_failed, seconds.count());
}

INSTANTIATE_TEST_SUITE_P(Operations, OutOfMemory, ::testing::ValuesIn(all_cases()), case_name);

}  // namespace
}  // namespace emf::test

// The allocator is SQLite's from its initialisation on: before GoogleTest,
// before any connection.
int main(int argc, char** argv) {
  if (!emf::test::install_failing_allocator()) {
    std::fputs("oom_test: SQLite refused the failing allocator\n", stderr);
    return 1;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
