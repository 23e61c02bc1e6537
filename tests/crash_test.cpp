// Crashes: each command of emf that writes is killed with SIGKILL at 20
// moments spread over how long it takes (one in each twentieth of its time,
// so the first very early and the last near its end), in WAL and in
// rollback-journal mode (emf seed in WAL mode, which it turns on before it
// seeds): `emf seed --rows 200000` (100000 in instrumented builds), `emf
// init` upgrading the oldest version of the three databases full of rows
// (every table rebuilt),
// `emf repair`, `emf reset --yes` and `emf backup`.
//
// After each kill the database, reopened by a plain SQLite connection (which
// rolls a hot journal back, or recovers the WAL), passes integrity_check and
// holds exactly the state before the command or exactly the state the same
// command leaves when it is not killed (its schema and every row of every
// table; only emf_schema_history's applied_at and duration_ms, the run's
// clock, are left out). emf seed commits in batches: each table then holds
// the rows of the uninterrupted run's first batches, the same number of
// batches in every table. A file under a backup's name is complete and holds
// the state before; the command that follows (`emf init`, or `emf repair`
// then `emf init`, or `emf backup`) finishes cleanly.
//
// The moments come from a fixed random seed, printed, and EMF_CRASH_SEED
// changes it. The files are in /dev/shm when there is one: a killed process
// leaves what it wrote to the operating system, on a disk as in memory.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/database_digest.h"
#include "support/fixtures.h"
#include "support/process.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kKills = 20;
constexpr std::uint32_t kDefaultSeed = 20261202;

// Rows of each table in the starting databases: enough for each command to
// take a while (a migration rebuilds every table of three databases; a
// repair, a reset and a backup copy the whole database), few enough for 20
// kills of each in well under a minute.
constexpr int kUpgradeRows = 3000;
constexpr int kRows = 20000;
constexpr int kBackupRows = 50000;

// The rows emf seed is killed while writing. Instrumented builds (sanitizers,
// coverage) seed several times slower: there half as many, so that their
// runs stay within CI's time; the plain build seeds the full 200,000.
#if defined(EMF_SANITIZE) || defined(EMF_COVERAGE)
constexpr std::string_view kSeedRows = "100000";
#else
constexpr std::string_view kSeedRows = "200000";
#endif

// emf seed --rows commits every 5000 rows of each table (shell/commands.cpp).
constexpr std::int64_t kSeedBatchRows = 5000;

std::uint32_t random_seed() {
  const char* value = std::getenv("EMF_CRASH_SEED");
  return value != nullptr && *value != '\0' ? static_cast<std::uint32_t>(std::stoul(value))
                                            : kDefaultSeed;
}

// --- what a database holds --------------------------------------------------

std::string schema_of(Db& db) {
  std::string out;
  for (const auto& object :
       db.rows("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name")) {
    out += fmt::format("{} {}: {}\n", object[0], object[1], object[2]);
  }
  return out;
}

std::vector<std::string> tables_of(Db& db) {
  std::vector<std::string> names;
  for (const auto& row : db.rows("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY "
                                 "name")) {
    names.push_back(row[0]);
  }
  return names;
}

// A hash of every row of a table (its first `limit` when given), in rowid
// order, each value with its type, but the times of emf's own history: when
// a migration ran is the run's clock. Hashed as they are read: the tables
// hold hundreds of thousands of rows, read after every kill.
std::string rows_of(Db& db, const std::string& table, std::optional<std::int64_t> limit = {}) {
  const std::string columns = db.text(
      fmt::format("SELECT group_concat('\"' || replace(name, '\"', '\"\"') || '\"', ', ') "
                  "FROM pragma_table_xinfo('{}') WHERE NOT ('{}' = 'emf_schema_history' AND "
                  "name IN ('applied_at', 'duration_ms'))",
                  table, table));
  const std::string sql = fmt::format("SELECT {} FROM \"{}\" ORDER BY rowid{}", columns, table,
                                      limit ? fmt::format(" LIMIT {}", *limit) : std::string());
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    throw std::runtime_error(fmt::format("{}: {}", sql, sqlite3_errmsg(db.get())));
  }
  const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> statement(raw, sqlite3_finalize);
  const std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> hash(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(hash.get(), EVP_sha256(), nullptr);
  std::int64_t rows = 0;
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    ++rows;
    for (int i = 0; i < sqlite3_column_count(raw); ++i) {
      const char type = static_cast<char>('0' + sqlite3_column_type(raw, i));
      const auto* bytes = sqlite3_column_blob(raw, i);
      const int size = sqlite3_column_bytes(raw, i);
      EVP_DigestUpdate(hash.get(), &type, 1);
      EVP_DigestUpdate(hash.get(), &size, sizeof size);
      if (size > 0) EVP_DigestUpdate(hash.get(), bytes, static_cast<std::size_t>(size));
    }
  }
  if (rc != SQLITE_DONE) {
    throw std::runtime_error(fmt::format("{}: {}", sql, sqlite3_errmsg(db.get())));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(hash.get(), digest, &length);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return fmt::format("{} rows, sha-256 {}", rows, hex);
}

// The schema, and each table's rows: "name: <n> rows, sha-256 <hash>".
std::string digest_of(Db& db) {
  std::string out = schema_of(db);
  for (const std::string& table : tables_of(db)) out += table + ": " + rows_of(db, table) + "\n";
  return out;
}

// --- the commands -----------------------------------------------------------

// How the state after a kill is judged.
enum class Judge {
  whole,    // one transaction: the state before or the state after
  batches,  // emf seed: whole batches of the uninterrupted run
};

struct Command {
  std::string name;
  std::vector<std::string> kinds;  // the databases it works on, data/<kind>.db
  // Makes the starting databases (data/<kind>.db exists, empty, for each kind).
  std::function<void(Db&, const std::string& kind)> make;
  std::vector<std::string> arguments;
  Judge judge = Judge::whole;
  // What must finish cleanly after a kill, in order; when `converges`, the
  // databases then hold exactly the state of the uninterrupted run.
  std::vector<std::vector<std::string>> follow_ups;
  bool converges = false;
  // A following backup removes the temporary file of the one killed.
  bool temporaries_removed = false;
  // emf seed begins with emf init, which turns WAL on: in rollback-journal
  // mode only its first moments would differ, so it runs in WAL mode only.
  bool wal_only = false;
};

void init_and_seed(Db& db, const std::string& kind) {
  db.exec(fmt::format("SELECT emf_init('{0}'), emf_seed('{0}', {1}, 1)", kind, kRows));
}

const std::vector<Command>& commands() {
  static const std::vector<Command> all = [] {
    const std::vector<std::string> trends = {"trends"};
    std::vector<Command> list;
    list.push_back(
        {"Seed",
         trends,
         [](Db& db, const std::string& kind) {
           db.exec(fmt::format("SELECT emf_init('{}')", kind));
         },
         {"seed", "--rows", std::string(kSeedRows), "--random-seed", "3", "--only", "trends"},
         Judge::batches,
         {{"init", "--only", "trends"}},
         /*converges=*/false,
         /*temporaries_removed=*/false,
         /*wal_only=*/true});
    // The oldest version of each kind, full of rows: the upgrade rebuilds
    // every table of the three (trends 3, metrics 2, image_library 2), each
    // database backed up first.
    list.push_back({"Upgrade",
                    {"trends", "metrics", "image_library"},
                    [](Db& db, const std::string& kind) {
                      make_version_1(db, kind);
                      fill_rows(db, kind, /*legacy=*/false, kUpgradeRows);
                    },
                    {"init"},
                    Judge::whole,
                    {{"init"}},
                    /*converges=*/true});
    list.push_back({"Repair",
                    trends,
                    [](Db& db, const std::string& kind) {
                      init_and_seed(db, kind);
                      drop_constraints(db, "search_history");            // a rebuild
                      db.exec("DROP INDEX idx_trending_topics_source");  // a recreation
                    },
                    {"repair", "--only", "trends"},
                    Judge::whole,
                    {{"repair", "--only", "trends"}, {"init", "--only", "trends"}},
                    /*converges=*/true});
    list.push_back({"Reset",
                    trends,
                    [](Db& db, const std::string& kind) {
                      init_and_seed(db, kind);
                      // The user's own objects, which a reset puts back.
                      db.exec("CREATE INDEX my_topics ON trending_topics (category, topic)");
                      db.exec("CREATE VIEW my_searches AS SELECT query FROM search_history");
                    },
                    {"reset", "--yes", "--only", "trends"},
                    Judge::whole,
                    {{"init", "--only", "trends"}}});
    list.push_back({"Backup",
                    trends,
                    [](Db& db, const std::string& kind) {
                      db.exec(fmt::format("SELECT emf_init('{0}'), emf_seed('{0}', {1}, 1)", kind,
                                          kBackupRows));
                    },
                    {"backup", "--only", "trends"},
                    Judge::whole,
                    {{"backup", "--only", "trends"}},
                    /*converges=*/false,
                    /*temporaries_removed=*/true});
    return list;
  }();
  return all;
}

// --- the test ---------------------------------------------------------------

struct Case {
  const Command* command;
  bool wal;
};

void PrintTo(const Case& test_case, std::ostream* out) {
  *out << test_case.command->name << (test_case.wal ? " in WAL mode" : " in rollback mode");
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  return info.param.command->name + (info.param.wal ? "_Wal" : "_RollbackJournal");
}

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (const Command& command : commands()) {
    for (const bool wal : {true, false}) {
      if (wal || !command.wal_only) cases.push_back({&command, wal});
    }
  }
  return cases;
}

// What one database holds: for the judgement, and for messages.
struct Snapshot {
  std::string digest;
  std::map<std::string, std::int64_t> counts;
};

Snapshot snapshot_of(Db& db) {
  Snapshot snapshot{digest_of(db), {}};
  for (const std::string& table : tables_of(db)) {
    snapshot.counts[table] = db.integer(fmt::format("SELECT count(*) FROM \"{}\"", table));
  }
  return snapshot;
}

const std::regex& backup_name() {
  static const std::regex name(R"(^[a-z_]+_backup_\d{8}_\d{6}(_\d+)?(_before_[a-z]+)?\.db$)");
  return name;
}

// The tally of a case, printed at its end.
struct Tally {
  int killed = 0, finished = 0, backups = 0, temporaries = 0;
  std::map<std::string, std::map<std::string, int>> states;  // kind -> "before"/"after"/... -> n
};

class Crash : public ::testing::TestWithParam<Case> {
 protected:
  const Command& command() const { return *GetParam().command; }

  std::string database(const TempDir& folder, const std::string& kind) const {
    return folder.file("data/" + kind + ".db");
  }

  // The starting databases, made once in start_.
  void make_start() {
    fs::create_directories(start_.path() / "data");
    for (const std::string& kind : command().kinds) {
      Db db(database(start_, kind));
      command().make(db, kind);
      db.exec(GetParam().wal ? "PRAGMA journal_mode = WAL" : "PRAGMA journal_mode = DELETE");
    }
  }

  void copy_start(const TempDir& to) const {
    fs::copy(start_.path() / "data", to.path() / "data", fs::copy_options::recursive);
  }

  ProcessResult run_emf(const TempDir& folder, const std::vector<std::string>& arguments) const {
    std::vector<std::string> argv = arguments;
    argv.insert(argv.begin(), EMF_SHELL_PATH);
    return run(argv, ProcessOptions{folder.path(), {}, {}});
  }

  // Whether a database after a kill is in a state the command may leave;
  // what is wrong otherwise. `state` says which it is.
  std::optional<std::string> judge(Db& db, const std::string& kind, std::string& state) {
    const Snapshot now = snapshot_of(db);
    const Snapshot& before = before_.at(kind);
    const Snapshot& after = after_.at(kind);
    if (now.digest == before.digest) {
      state = "before";
      return std::nullopt;
    }
    if (now.digest == after.digest) {
      state = "after";
      return std::nullopt;
    }
    if (command().judge == Judge::whole) {
      return fmt::format("neither the state before ({}) nor after ({})",
                         first_difference(now.digest, before.digest),
                         first_difference(now.digest, after.digest));
    }
    // Whole batches: each table holds the first rows of the uninterrupted
    // run's, as many batches more than before in every table.
    Db reference(database(after_folder_, kind), /*load_extension=*/false);
    if (schema_of(db) != schema_of(reference)) return "the schema changed";
    std::optional<std::int64_t> batches;
    for (const auto& [table, count] : now.counts) {
      if (table == "sqlite_sequence") continue;
      if (rows_of(db, table) != rows_of(reference, table, count)) {
        return fmt::format("{} holds other rows than the uninterrupted run's first {}", table,
                           count);
      }
      const std::int64_t added = count - before.counts.at(table);
      if (after.counts.at(table) == before.counts.at(table)) continue;  // not seeded
      if (added % kSeedBatchRows != 0 || (batches && *batches != added / kSeedBatchRows)) {
        return fmt::format("{} gained {} rows: not the same whole batches as the others", table,
                           added);
      }
      batches = added / kSeedBatchRows;
    }
    // AUTOINCREMENT's counters moved with the rows, no further.
    for (const auto& row : db.rows("SELECT name, seq FROM sqlite_sequence")) {
      const std::int64_t largest =
          db.integer(fmt::format("SELECT coalesce(max(rowid), 0) FROM \"{}\"", row[0]));
      if (std::stoll(row[1]) != largest) {
        return fmt::format("sqlite_sequence says {} for {}, whose largest id is {}", row[1], row[0],
                           largest);
      }
    }
    state = fmt::format("{} batches", batches.value_or(0));
    return std::nullopt;
  }

  TempDir start_{TempDir::Where::memory};
  TempDir after_folder_{TempDir::Where::memory};
  std::map<std::string, Snapshot> before_, after_;
};

TEST_P(Crash, KilledAtAnyMomentLeavesTheStateBeforeOrAfter) {
  make_start();
  for (const std::string& kind : command().kinds) {
    Db db(database(start_, kind), /*load_extension=*/false);
    before_[kind] = snapshot_of(db);
  }
  // The uninterrupted run: the state after, and how long the command takes.
  copy_start(after_folder_);
  const auto started = Clock::now();
  const ProcessResult uninterrupted = run_emf(after_folder_, command().arguments);
  const auto duration = Clock::now() - started;
  ASSERT_EQ(uninterrupted.exit_code, 0) << uninterrupted.out << uninterrupted.err;
  for (const std::string& kind : command().kinds) {
    Db db(database(after_folder_, kind), /*load_extension=*/false);
    after_[kind] = snapshot_of(db);
  }

  const std::uint32_t seed = random_seed();
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> within(0.0, 1.0);
  Tally tally;
  // The time the kills spread over: the measured run's, shortened by a fifth
  // each time a run finishes before its kill (on a machine shared with other
  // work the measured run may have been much slower than the ones killed).
  auto span = duration;
  for (int kill = 0; kill < kKills; ++kill) {
    // One moment in each twentieth of three quarters of that time: the
    // measured run is the first, with cold caches, and the killed runs are
    // often faster, so the whole of it would let many finish first.
    const auto moment = std::chrono::duration_cast<Clock::duration>(
        span * (0.75 * (kill + within(random)) / kKills));
    SCOPED_TRACE(fmt::format("kill {} at {:.1f} ms (random seed {})", kill + 1,
                             std::chrono::duration<double, std::milli>(moment).count(), seed));
    TempDir folder(TempDir::Where::memory);
    copy_start(folder);
    ProcessResult result;
    {
      std::vector<std::string> argv = command().arguments;
      argv.insert(argv.begin(), EMF_SHELL_PATH);
      Process process(argv, ProcessOptions{folder.path(), {}, {}});
      std::this_thread::sleep_until(Clock::now() + moment);
      process.signal(SIGKILL);
      result = process.wait();
    }
    if (result.exit_code == 128 + SIGKILL) {
      ++tally.killed;
    } else {
      ++tally.finished;
      span = span * 4 / 5;
      EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    }

    for (const std::string& kind : command().kinds) {
      Db db(database(folder, kind), /*load_extension=*/false);
      EXPECT_EQ(db.text("PRAGMA integrity_check"), "ok") << kind;
      std::string state;
      const auto problem = judge(db, kind, state);
      EXPECT_EQ(problem, std::nullopt) << kind;
      ++tally.states[kind][problem ? "wrong" : state];
    }
    // A file under a backup's name is complete: the state before.
    const fs::path backups = folder.path() / "data" / "backups";
    if (fs::exists(backups)) {
      for (const auto& entry : fs::directory_iterator(backups)) {
        const std::string name = entry.path().filename().string();
        if (!std::regex_match(name, backup_name())) {
          ++tally.temporaries;
          continue;
        }
        ++tally.backups;
        const std::string kind = name.substr(0, name.find("_backup_"));
        Db backup(entry.path().string(), /*load_extension=*/false);
        EXPECT_EQ(backup.text("PRAGMA integrity_check"), "ok") << name;
        const std::string digest = digest_of(backup);
        EXPECT_EQ(digest, before_.at(kind).digest)
            << name << ": " << first_difference(digest, before_.at(kind).digest);
      }
    }

    for (const auto& follow_up : command().follow_ups) {
      const ProcessResult next = run_emf(folder, follow_up);
      EXPECT_EQ(next.exit_code, 0)
          << fmt::format("emf {}: ", fmt::join(follow_up, " ")) << next.out << next.err;
    }
    if (command().converges) {
      for (const std::string& kind : command().kinds) {
        Db db(database(folder, kind), /*load_extension=*/false);
        const std::string digest = digest_of(db);
        EXPECT_EQ(digest, after_.at(kind).digest)
            << kind << " after the command that follows: "
            << first_difference(digest, after_.at(kind).digest);
      }
    }
    if (command().temporaries_removed && fs::exists(backups)) {
      for (const auto& entry : fs::directory_iterator(backups)) {
        EXPECT_TRUE(std::regex_match(entry.path().filename().string(), backup_name()))
            << entry.path().filename() << " left after the next backup";
      }
    }
    if (HasFailure()) break;  // one kill's failures are enough to read
  }

  // Most moments fall while the command runs; a late one may find it done.
  EXPECT_GE(tally.killed, kKills / 2);
  std::string states;
  for (const auto& [kind, counts] : tally.states) {
    std::vector<std::string> parts;
    for (const auto& [state, n] : counts) parts.push_back(fmt::format("{} {}", state, n));
    states += fmt::format("; {}: {}", kind, fmt::join(parts, ", "));
  }
  std::cout << fmt::format(
      "{}: {} kills over {:.0f} ms (random seed {}): {} killed, {} had finished{}; "
      "{} complete backups checked, {} temporary files left by killed backups\n",
      case_name(::testing::TestParamInfo<Case>(GetParam(), 0)), kKills,
      std::chrono::duration<double, std::milli>(duration).count(), seed, tally.killed,
      tally.finished, states, tally.backups, tally.temporaries);
}

INSTANTIATE_TEST_SUITE_P(EveryWritingCommand, Crash, ::testing::ValuesIn(all_cases()), case_name);

}  // namespace
}  // namespace emf::test
