// Concurrency: emf beside the pipeline, and emf beside itself.
//
// For 30 seconds (EMF_CONCURRENCY_SECONDS changes it), four writer processes
// run the pipeline's writes on the three databases (support/
// pipeline_writer.cpp: a topic found and the most relevant unused one
// claimed, a metrics snapshot, an image's use) while `emf backup` and
// `emf check` run in loops: no writer and no command meets a lock error,
// every backup is whole, and every row committed is there, each topic
// claimed once. Processes and threads migrating one database at once apply
// each migration once, and emf seed --rows never locks a writer out.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "support/fixtures.h"
#include "support/process.h"
#include "support/shell_fixture.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

class Concurrency : public ShellTest {};

constexpr int kWriters = 4;

// How long the writers write: 30 s, or EMF_CONCURRENCY_SECONDS for a
// shorter local run.
double writing_seconds() {
  const char* value = std::getenv("EMF_CONCURRENCY_SECONDS");
  return value != nullptr && *value != '\0' ? std::stod(value) : 30.0;
}

// What one pipeline writer committed, read from its output.
struct Committed {
  std::int64_t topics = 0, claims = 0, snapshots = 0, usages = 0, errors = -1;
  std::vector<std::int64_t> claimed;
};

Committed read_committed(const std::string& out) {
  Committed committed;
  std::istringstream lines(out);
  std::string word;
  std::int64_t value = 0;
  while (lines >> word >> value) {
    if (word == "claimed") committed.claimed.push_back(value);
    if (word == "topics") committed.topics = value;
    if (word == "claims") committed.claims = value;
    if (word == "snapshots") committed.snapshots = value;
    if (word == "usages") committed.usages = value;
    if (word == "errors") committed.errors = value;
  }
  return committed;
}

std::set<std::int64_t> used_topics(const std::string& trends) {
  Db db(trends, /*load_extension=*/false);
  std::set<std::int64_t> ids;
  for (const auto& row : db.rows("SELECT id FROM trending_topics WHERE used_flag = 1")) {
    ids.insert(std::stoll(row[0]));
  }
  return ids;
}

// What a loop of one emf command saw.
struct Loop {
  int runs = 0;
  std::vector<std::string> failures;  // the output of each run that failed
};

TEST_F(Concurrency, PipelineWritersBesideBackupsAndChecksLoseNothingAndNeverLock) {
  ASSERT_EQ(emf({"seed", "--rows", "2000", "--random-seed", "1"}).exit_code, 0);
  const std::string trends = path("data/trends.db");
  const std::string metrics = path("data/metrics.db");
  const std::string images = path("data/image_library.db");
  const std::int64_t topics_before = count("data/trends.db", "trending_topics");
  const std::int64_t snapshots_before = count("data/metrics.db", "video_metrics");
  const std::int64_t usages_before = count("data/image_library.db", "image_usage");
  const std::set<std::int64_t> used_before = used_topics(trends);

  const double seconds = writing_seconds();
  const auto until = Clock::now() + std::chrono::duration<double>(seconds);
  std::vector<std::unique_ptr<Process>> writers;
  for (int i = 1; i <= kWriters; ++i) {
    writers.push_back(std::make_unique<Process>(
        std::vector<std::string>{PIPELINE_WRITER_PATH, "--trends", trends, "--metrics", metrics,
                                 "--image-library", images, "--writer", std::to_string(i),
                                 "--seconds", fmt::format("{}", seconds)},
        ProcessOptions{dir.path(), {}, {}}));
  }

  // Backups in a loop: each one, as soon as it is written, must be whole
  // (integrity_check) and an emf database in order (emf_check); the claimed
  // topics it holds never fewer than the previous one's. Then it is deleted,
  // so that hundreds of them do not fill the disk.
  Loop backups;
  std::int64_t backup_files = 0;
  std::thread backup_loop([&] {
    Db reader;  // reads the reports
    std::int64_t claimed_in_last = 0;
    while (Clock::now() < until) {
      const ProcessResult result = emf({"backup", "--json"});
      ++backups.runs;
      if (result.exit_code != 0) {
        backups.failures.push_back(result.out + result.err);
        continue;
      }
      for (int i = 0; i < 3; ++i) {
        const std::string kind = reader.json(result.out, fmt::format("$.databases[{}].kind", i));
        const std::string file =
            reader.json(result.out, fmt::format("$.databases[{}].backup.path", i));
        try {
          Db backup(file);
          ++backup_files;
          if (backup.text("PRAGMA integrity_check") != "ok") {
            backups.failures.push_back(file + ": integrity_check fails");
          }
          if (backup.json(backup.text(fmt::format("SELECT emf_check('{}')", kind)), "$.ok") !=
              "1") {
            backups.failures.push_back(file + ": emf_check finds problems");
          }
          if (kind == "trends") {
            const std::int64_t claimed =
                backup.integer("SELECT count(*) FROM trending_topics WHERE used_flag = 1");
            if (claimed < claimed_in_last) {
              backups.failures.push_back(
                  fmt::format("{} holds {} claimed topics, the backup before it {}", file, claimed,
                              claimed_in_last));
            }
            claimed_in_last = claimed;
          }
        } catch (const std::exception& error) {
          backups.failures.push_back(file + ": " + error.what());
        }
        fs::remove(file);
      }
    }
  });
  Loop checks;
  std::thread check_loop([&] {
    while (Clock::now() < until) {
      const ProcessResult result = emf({"check"});
      ++checks.runs;
      if (result.exit_code != 0) checks.failures.push_back(result.out + result.err);
    }
  });

  Committed total{0, 0, 0, 0, 0, {}};
  for (int i = 0; i < kWriters; ++i) {
    const ProcessResult result = writers[static_cast<std::size_t>(i)]->wait();
    // A lock error, or any other, is printed by the writer and fails it.
    EXPECT_EQ(result.exit_code, 0) << "writer " << i + 1 << ": " << result.err;
    EXPECT_EQ(result.err, "") << "writer " << i + 1;
    const Committed committed = read_committed(result.out);
    EXPECT_EQ(committed.errors, 0) << "writer " << i + 1;
    EXPECT_EQ(static_cast<std::int64_t>(committed.claimed.size()), committed.claims);
    total.topics += committed.topics;
    total.claims += committed.claims;
    total.snapshots += committed.snapshots;
    total.usages += committed.usages;
    total.claimed.insert(total.claimed.end(), committed.claimed.begin(), committed.claimed.end());
  }
  backup_loop.join();
  check_loop.join();

  EXPECT_EQ(backups.failures, std::vector<std::string>{});
  EXPECT_EQ(checks.failures, std::vector<std::string>{});
  EXPECT_GT(backup_files, 0);
  EXPECT_GT(checks.runs, 0);
  EXPECT_GT(total.claims, 0);

  // Every row committed is there; each topic was claimed once, and the
  // topics claimed are exactly those whose used_flag was set meanwhile.
  EXPECT_EQ(count("data/trends.db", "trending_topics"), topics_before + total.topics);
  EXPECT_EQ(count("data/metrics.db", "video_metrics"), snapshots_before + total.snapshots);
  EXPECT_EQ(count("data/image_library.db", "image_usage"), usages_before + total.usages);
  const std::set<std::int64_t> claimed(total.claimed.begin(), total.claimed.end());
  EXPECT_EQ(claimed.size(), total.claimed.size()) << "a topic was claimed twice";
  std::set<std::int64_t> newly_used;
  std::ranges::set_difference(used_topics(trends), used_before,
                              std::inserter(newly_used, newly_used.end()));
  EXPECT_EQ(newly_used, claimed);
  EXPECT_EQ(emf({"check"}).exit_code, 0);

  std::cout << fmt::format(
      "{:.0f} s, {} writers: {} topics added, {} claimed, {} metrics snapshots, {} image uses "
      "committed, every one found; {} runs of emf backup ({} backups checked), {} of emf check, "
      "none failed\n",
      seconds, kWriters, total.topics, total.claims, total.snapshots, total.usages, backups.runs,
      backup_files, checks.runs);
}

// Each kind's history: every version once, none missing.
void expect_each_migration_once(Db& db, const std::string& kind, int latest) {
  EXPECT_EQ(db.rows(fmt::format(
                "SELECT version FROM emf_schema_history WHERE kind = '{}' ORDER BY version", kind)),
            [&] {
              std::vector<std::vector<std::string>> versions;
              for (int v = 1; v <= latest; ++v) versions.push_back({std::to_string(v)});
              return versions;
            }())
      << kind;
}

constexpr std::pair<const char*, int> kLatest[] = {
    {"trends", 4}, {"metrics", 4}, {"image_library", 4}};

std::vector<std::unique_ptr<Process>> start_emf(int processes,
                                                const std::vector<std::string>& arguments,
                                                const fs::path& folder) {
  std::vector<std::string> argv = arguments;
  argv.insert(argv.begin(), EMF_SHELL_PATH);
  std::vector<std::unique_ptr<Process>> started;
  for (int i = 0; i < processes; ++i) {
    started.push_back(std::make_unique<Process>(argv, ProcessOptions{folder, {}, {}}));
  }
  return started;
}

// Eight emf init on a folder where nothing exists yet: the folder, the
// files and their WAL are made once, each migration applied once, and one
// process only says it created each database.
TEST_F(Concurrency, EightInitsOnAFreshFolderApplyEachMigrationOnce) {
  std::map<std::string, int> created;
  for (auto& process : start_emf(8, {"init"}, dir.path())) {
    const ProcessResult result = process->wait();
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    std::istringstream lines(result.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.find(" created (version ") != std::string::npos) {
        ++created[line.substr(0, line.find(' '))];
      }
    }
  }
  EXPECT_EQ(created,
            (std::map<std::string, int>{{"image_library", 1}, {"metrics", 1}, {"trends", 1}}));
  for (const auto& [kind, latest] : kLatest) {
    Db db(path(fmt::format("data/{}.db", kind)), false);
    expect_each_migration_once(db, kind, latest);
    EXPECT_EQ(db.text("PRAGMA journal_mode"), "wal") << kind;
  }
  EXPECT_EQ(emf({"check"}).exit_code, 0);
}

// Eight emf init upgrading the oldest version of a database with rows: one
// upgrades it, the others find it up to date; every row is kept.
TEST_F(Concurrency, EightInitsUpgradingTheOldestVersionApplyEachMigrationOnce) {
  fs::create_directories(path("data"));
  {
    Db db(path("data/trends.db"), false);
    make_version_1(db, "trends");
    fill_rows(db, "trends", /*legacy=*/false, 500);
  }
  int upgraded = 0;
  for (auto& process : start_emf(8, {"init", "--only", "trends", "--no-backup"}, dir.path())) {
    const ProcessResult result = process->wait();
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    upgraded += result.out.find("upgraded to version 4") != std::string::npos;
  }
  EXPECT_EQ(upgraded, 1);
  Db db(path("data/trends.db"), false);
  expect_each_migration_once(db, "trends", 4);
  EXPECT_EQ(db.integer("SELECT count(*) FROM trending_topics"), 500);
  EXPECT_EQ(db.integer("SELECT count(*) FROM search_history"), 500);
}

// Eight connections of one process at once on one file holding the three
// kinds: trends at version 1 with rows (an upgrade), metrics and
// image_library not there yet (a creation). Each migration is applied once,
// by one connection, whose report says so; the others' say nothing applied.
TEST_F(Concurrency, EightConnectionsCreatingAndUpgradingOneFileApplyEachMigrationOnce) {
  const std::string file = path("race.db");
  {
    Db db(file);
    db.exec("PRAGMA journal_mode = WAL");
    make_version_1(db, "trends");
    fill_rows(db, "trends", /*legacy=*/false, 500);
  }
  constexpr int kConnections = 8;
  std::vector<std::string> errors(kConnections);
  std::vector<std::map<std::string, std::string>> applied(kConnections);
  std::vector<std::thread> threads;
  for (int i = 0; i < kConnections; ++i) {
    threads.emplace_back([&, i] {
      try {
        Db db(file);
        for (const auto& [kind, latest] : kLatest) {
          applied[i][kind] =
              db.json(db.text(fmt::format("SELECT emf_init('{}')", kind)), "$.applied");
        }
      } catch (const std::exception& error) {
        errors[i] = error.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const std::map<std::string, std::string> expected = {
      {"trends", "[2,3,4]"}, {"metrics", "[1,2,3,4]"}, {"image_library", "[1,2,3,4]"}};
  for (const auto& [kind, migrations] : expected) {
    int applying = 0;
    for (int i = 0; i < kConnections; ++i) {
      EXPECT_EQ(errors[i], "");
      if (applied[i][kind] == migrations) {
        ++applying;
      } else {
        EXPECT_EQ(applied[i][kind], "[]") << kind;
      }
    }
    EXPECT_EQ(applying, 1) << kind;
  }
  Db db(file);
  for (const auto& [kind, latest] : kLatest) expect_each_migration_once(db, kind, latest);
  EXPECT_EQ(db.integer("SELECT count(*) FROM trending_topics"), 500);
  EXPECT_EQ(db.json(db.text("SELECT emf_check()"), "$.ok"), "1");
}

// How long the pipeline's writer below waits for a lock: far shorter than
// the whole seeding, longer than one batch. Instrumented builds run a batch
// several times slower. The rows seeded: enough batches of 5,000 that the
// shell's pauses between them (120 ms each) alone outlast the patience,
// however fast the machine writes (80,000 rows once ended in 4.7 s in a
// coverage build, under its 5 s).
#if defined(EMF_SANITIZE) || defined(EMF_COVERAGE)
constexpr int kWriterPatienceMs = 5000;
constexpr int kSeedRows = 250000;  // 49 pauses: 5.9 s
#else
constexpr int kWriterPatienceMs = 1000;
constexpr int kSeedRows = 80000;  // 15 pauses: 1.8 s
#endif

// emf seed --rows commits in short batches: a pipeline writing meanwhile,
// with a busy timeout far shorter than the whole seeding, never fails.
TEST_F(Concurrency, SeedingManyRowsNeverLocksAWriterOut) {
  ASSERT_EQ(emf({"init", "--only", "trends"}).exit_code, 0);
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> committed{0}, failed{0};
  std::string first_failure;
  std::thread writer([&] {
    Db db(path("data/trends.db"), /*load_extension=*/false);
    sqlite3_busy_timeout(db.get(), kWriterPatienceMs);
    while (!stop) {
      if (const auto error = db.error("INSERT INTO search_history (query) VALUES ('pipeline')")) {
        if (failed++ == 0) first_failure = *error;
      } else {
        ++committed;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));  // a pipeline's pace
    }
  });
  const auto started = Clock::now();
  auto result =
      emf({"seed", "--rows", std::to_string(kSeedRows), "--random-seed", "7", "--only", "trends"});
  const auto seconds = std::chrono::duration<double>(Clock::now() - started);
  stop = true;
  writer.join();
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(
      result.out.find(fmt::format("seeded: trending_topics {0}, search_history {0}", kSeedRows)),
      std::string::npos)
      << result.out;
  EXPECT_EQ(failed.load(), 0) << first_failure << "; seeding took " << seconds.count() << " s";
  // A seeding shorter than the writer's patience proves nothing of batches.
  EXPECT_GT(seconds.count(), kWriterPatienceMs / 1000.0) << "seeding ended too soon";
  EXPECT_GT(committed.load(), 0);
  EXPECT_EQ(count("data/trends.db", "search_history"), kSeedRows + committed.load());
}

}  // namespace
}  // namespace emf::test
