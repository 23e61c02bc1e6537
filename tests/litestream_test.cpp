// Litestream beside emf (docs/litestream.md), with the real Litestream that
// scripts/install-deps.sh installs (0.3.13, from the npm package
// @flydotio/litestream-linux-x64@1.0.1) and the real emf binary:
//
// - Litestream replicates data/trends.db, made by an older emf (version 1),
//   to a file:// replica while a writer does the pipeline's writes and
//   `emf init` upgrades it and `emf seed` fills it; the replica, restored to
//   a new file, is whole (integrity_check), has the same schema and the same
//   rows in every table, and every row the writer committed.
// - emf reset, emf restore and emf repair the documented way: Litestream
//   stopped, the command run, Litestream started again; the replica
//   restored then is the live file, row for row.
//
// Every Litestream started here is stopped when the test ends, whatever
// happens (Child below, SIGKILL at the latest); each wait for it is bounded
// (60 s), and CTest's timeout bounds the commands run to their end.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/database_digest.h"
#include "support/fixtures.h"
#include "support/shell_fixture.h"

extern char** environ;

namespace emf::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// The binary CMake found (tests/CMakeLists.txt), or a "-NOTFOUND" name.
const std::string kLitestream = EMF_LITESTREAM_PATH;

// A program running in the background, its output in a log file; stopped
// with SIGKILL at the latest when this goes.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    std::vector<char*> args;
    for (const std::string& word : argv) args.push_back(const_cast<char*>(word.c_str()));
    args.push_back(nullptr);
    const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      pid_ = -1;
      throw std::runtime_error(fmt::format("cannot start {}: {}", argv[0], std::strerror(rc)));
    }
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Sends SIGTERM (Litestream then syncs what it has not yet replicated and
  // exits) and waits for the exit; its status, or -1 when it took longer
  // than `patience` (it is then killed).
  int stop(std::chrono::seconds patience = 60s) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + patience;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clock::now() > deadline) return -1;  // the destructor kills it
      std::this_thread::sleep_for(50ms);
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == 0) return true;
    pid_ = -1;
    return false;
  }

 private:
  pid_t pid_ = -1;
};

// The pipeline's writes on trends, in a thread, until stopped: a topic
// found, then the most relevant unused one claimed, each its own
// transaction, with the busy timeout the pipeline's programs use.
class TopicWriter {
 public:
  explicit TopicWriter(const std::string& path) : thread_([this, path] { write(path); }) {}
  ~TopicWriter() { stop(); }
  TopicWriter(const TopicWriter&) = delete;
  TopicWriter& operator=(const TopicWriter&) = delete;
  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::int64_t topics() const { return topics_; }
  std::int64_t claims() const { return claims_; }
  const std::string& errors() const { return errors_; }

 private:
  void write(const std::string& path) {
    Db db(path, /*load_extension=*/false);
    sqlite3_busy_timeout(db.get(), 5000);
    for (std::int64_t i = 0; !stopping_; ++i) {
      const auto failed =
          db.error(fmt::format("INSERT INTO trending_topics (topic, source, relevance_score) "
                               "VALUES ('written {}', 'writer', {})",
                               i, static_cast<double>((i * 37) % 101) / 100.0));
      if (failed) {
        errors_ += *failed + "\n";
      } else {
        ++topics_;
      }
      const auto claim_failed = db.error(
          "UPDATE trending_topics SET used_flag = 1 WHERE id = (SELECT id FROM trending_topics "
          "WHERE used_flag = 0 ORDER BY relevance_score DESC LIMIT 1)");
      if (claim_failed) {
        errors_ += *claim_failed + "\n";
      } else {
        ++claims_;
      }
      std::this_thread::sleep_for(5ms);
    }
  }

  std::atomic<bool> stopping_{false};
  std::int64_t topics_ = 0, claims_ = 0;
  std::string errors_;
  std::thread thread_;
};

// Litestream's own objects, which it creates in every database it
// replicates: they are not emf's and not the pipeline's.
bool is_litestreams(const std::string& name) {
  return name.rfind("_litestream_", 0) == 0;
}

// The schema, without Litestream's objects, one line each.
std::string schema_of(Db& db) {
  std::string out;
  for (const auto& object :
       db.rows("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name")) {
    if (!is_litestreams(object[1]))
      out += fmt::format("{} {}: {}\n", object[0], object[1], object[2]);
  }
  return out;
}

class Litestream : public ShellTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(::access(kLitestream.c_str(), X_OK), 0)
        << "Litestream not found (" << kLitestream
        << "): run scripts/install-deps.sh, which installs it into .deps/litestream/, then "
           "configure again";
    fs::create_directories(path("data"));
    // The configuration docs/litestream.md shows, with this folder's paths.
    write("litestream.yml", fmt::format("dbs:\n"
                                        "  - path: {}\n"
                                        "    replicas:\n"
                                        "      - url: file://{}\n"
                                        "        sync-interval: 1s\n",
                                        database(), replica()));
  }

  std::string database() const { return path("data/trends.db"); }
  std::string replica() const { return path("replica/trends"); }

  // `litestream replicate`, once it has taken the database in hand and the
  // replica has a generation.
  std::unique_ptr<Child> start_litestream() {
    fs::remove(path("litestream.log"));  // each start's log of its own
    auto child = std::make_unique<Child>(
        std::vector<std::string>{kLitestream, "replicate", "-config", path("litestream.yml")},
        path("litestream.log"));
    const auto deadline = Clock::now() + 60s;
    for (;;) {
      if (!child->running()) {
        ADD_FAILURE() << "litestream replicate stopped:\n" << read_file(path("litestream.log"));
        return child;
      }
      if (read_file(path("litestream.log")).find("initialized db") != std::string::npos &&
          !generations().empty()) {
        return child;
      }
      if (Clock::now() > deadline) {
        ADD_FAILURE() << "litestream took over 60 s to start:\n"
                      << read_file(path("litestream.log"));
        return child;
      }
      std::this_thread::sleep_for(100ms);
    }
  }

  // Stops Litestream with SIGTERM, which ships what it has not yet shipped.
  // Litestream 0.3.13 may then exit with status 1 after that last sync: its
  // closing checkpoint of the database runs under the context that the
  // signal cancelled ("error closing db ... checkpoint: mode=PASSIVE
  // err=release read lock: context canceled"), or, under load, its closing
  // sync finds no temporary file of the WAL segment it ships ("client
  // write: stat .../wal/....wal.lz4.tmp: no such file or directory").
  // Nothing is lost by either: the comparisons after each stop say so, and
  // what was not shipped is shipped after the next start. Any other error
  // fails the test.
  void stop_litestream(Child& child) {
    const int status = child.stop();
    const std::string log = read_file(path("litestream.log"));
    if (status == 0) return;
    EXPECT_EQ(status, 1) << log;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
      if (line.find("level=ERROR") == std::string::npos) continue;
      // Any of its work the signal cancelled ("... context canceled": the
      // closing checkpoint, a pre-snapshot checkpoint of its monitor), or
      // the temporary segment file its closing sync did not find.
      const bool known =
          line.find("context canceled") != std::string::npos ||
          (line.find("client write: stat ") != std::string::npos &&
           line.find(".wal.lz4.tmp: no such file or directory") != std::string::npos);
      EXPECT_TRUE(known) << line;
    }
  }

  // The generations in the replica: one per start that found the database
  // changed behind its back, or new.
  std::vector<std::string> generations() const {
    std::vector<std::string> names;
    const fs::path folder = fs::path(replica()) / "generations";
    std::error_code ignored;
    if (!fs::exists(folder, ignored)) return names;
    for (const auto& entry : fs::directory_iterator(folder)) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  }

  // `litestream restore` of the replica into a new file.
  std::string restore_replica(const std::string& name) {
    const std::string output = path(name);
    ProcessOptions options;
    options.cwd = dir.path();
    const ProcessResult result =
        run({kLitestream, "restore", "-o", output, "file://" + replica()}, options);
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    return output;
  }

  // The restored file holds what the live one holds: whole, same schema,
  // same rows in every table (Litestream's own included).
  void expect_same(const std::string& restored) {
    Db copy(restored, /*load_extension=*/false);
    EXPECT_EQ(copy.text("PRAGMA integrity_check"), "ok");
    Db live(database(), /*load_extension=*/false);
    EXPECT_EQ(schema_of(copy), schema_of(live));
    const std::string expected = digest(live), found = digest(copy);
    EXPECT_EQ(found, expected) << first_difference(found, expected);
    EXPECT_GT(copy.integer("SELECT count(*) FROM trending_topics"), 0);
  }
};

TEST_F(Litestream, AReplicaOfAnUpgradeAndASeedWhileThePipelineWritesIsTheDatabase) {
  // data/trends.db as an older emf left it: version 1, in WAL mode, with rows.
  {
    Db db(database(), /*load_extension=*/false);
    make_version_1(db, "trends");
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("INSERT INTO trending_topics (topic, source) VALUES ('kept', 'x'), ('also kept', 'y')");
  }
  auto litestream = start_litestream();
  ASSERT_TRUE(litestream->running());
  TopicWriter writer(database());
  std::this_thread::sleep_for(1s);

  const ProcessResult init = emf({"init", "--only", "trends"});
  ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  EXPECT_NE(init.out.find("upgraded to version 4"), std::string::npos) << init.out;
  const ProcessResult seed = emf({"seed", "--only", "trends"});
  ASSERT_EQ(seed.exit_code, 0) << seed.out << seed.err;
  std::this_thread::sleep_for(1s);
  writer.stop();
  EXPECT_EQ(writer.errors(), "");
  EXPECT_GT(writer.topics(), 0);

  // What is not yet replicated is, when Litestream stops on SIGTERM.
  stop_litestream(*litestream);
  const std::string restored = restore_replica("restored.db");
  expect_same(restored);
  Db copy(restored, /*load_extension=*/false);
  EXPECT_EQ(copy.integer("SELECT max(version) FROM emf_schema_history WHERE kind = 'trends'"), 4);
  EXPECT_EQ(copy.integer("SELECT count(*) FROM trending_topics WHERE source = 'writer'"),
            writer.topics());
  EXPECT_EQ(
      copy.integer("SELECT count(*) FROM trending_topics WHERE topic IN ('kept', 'also kept')"), 2);
  EXPECT_GT(copy.integer("SELECT count(*) FROM search_history"), 0);  // the seed's

  // emf finds the restored file sound: Litestream's tables are listed as
  // tables of someone else's, as any table of the user's own, not as a
  // problem.
  ProcessOptions restored_file;
  restored_file.env["TRENDS_DB_PATH"] = restored;
  const ProcessResult check = emf({"check", "--only", "trends"}, restored_file);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("ok (version 4)"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("_litestream_seq   extra   not part of trends"), std::string::npos)
      << check.out;
}

// docs/litestream.md: stop Litestream, run emf reset, restore or repair,
// start Litestream again. It replicates what changed while it was stopped
// (from the WAL, or in a new generation when the WAL was checkpointed
// meanwhile); the replica restored then is the live file.
TEST_F(Litestream, ResetRestoreAndRepairTheDocumentedWay) {
  ASSERT_EQ(emf({"init", "-q", "--only", "trends"}).exit_code, 0);
  ASSERT_EQ(emf({"seed", "-q", "--only", "trends"}).exit_code, 0);
  const ProcessResult backup = emf({"backup", "--only", "trends", "--dir", "saved"});
  ASSERT_EQ(backup.exit_code, 0) << backup.out << backup.err;
  std::vector<std::string> saved;
  for (const auto& entry : fs::directory_iterator(path("saved"))) {
    saved.push_back(entry.path().string());
  }
  ASSERT_EQ(saved.size(), 1u);

  auto litestream = start_litestream();
  {
    TopicWriter writer(database());
    std::this_thread::sleep_for(1s);
    writer.stop();
    EXPECT_EQ(writer.errors(), "");
  }

  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"reset", "--yes", "--only", "trends"},
        std::vector<std::string>{"restore", "--yes", saved[0]},
        std::vector<std::string>{"repair", "--only", "trends"}}) {
    SCOPED_TRACE(command[0]);
    if (command[0] == "repair") {
      // A table drifted from emf's schema, for repair to rebuild.
      Db db(database(), /*load_extension=*/false);
      drop_constraints(db, "search_history");
    }
    {
      // The pipeline goes on writing while Litestream is stopped, during
      // the command and after it.
      TopicWriter pipeline(database());
      stop_litestream(*litestream);
      const ProcessResult result = emf(command);
      ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
      if (command[0] == "repair") {
        EXPECT_NE(result.out.find("rebuilt search_history"), std::string::npos) << result.out;
      }
      {
        // Why Litestream must be stopped: the backup, made before it first
        // ran, has no tables of Litestream's, and the restore put it back
        // whole. reset and repair leave them be.
        Db live(database(), /*load_extension=*/false);
        EXPECT_EQ(live.integer("SELECT count(*) FROM sqlite_schema WHERE name IN "
                               "('_litestream_seq', '_litestream_lock')"),
                  command[0] == "restore" ? 0 : 2);
      }
      litestream = start_litestream();
      pipeline.stop();
      EXPECT_EQ(pipeline.errors(), "");
    }
    ASSERT_TRUE(litestream->running());
    {
      TopicWriter writer(database());
      std::this_thread::sleep_for(1s);
      writer.stop();
      EXPECT_EQ(writer.errors(), "");
      EXPECT_GT(writer.topics(), 0);
    }
    stop_litestream(*litestream);
    expect_same(restore_replica(command[0] + ".db"));
    litestream = start_litestream();
  }
  stop_litestream(*litestream);
}

}  // namespace
}  // namespace emf::test
