// The shell's client of a cluster (shell/cluster_client.cpp), against one
// real emf-node: calls, rows and their placeholders, errors as the shell
// reports them, and the retry of a rebuild with foreign keys off.
#include "cluster_client.h"
#include "cluster_commands.h"
#include "terminal.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

#include "support/process.h"
#include "support/scratch_folder.h"

namespace {

using emf::shell::ClusterClient;
using emf::test::Process;
using emf::test::ProcessOptions;

class ClusterClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = std::make_unique<Process>(
        std::vector<std::string>{EMF_NODE_PATH, "--id", "a", "--address", address_, "--data-dir",
                                 folder_.file("a")},
        ProcessOptions{});
    // Ready once a statement is answered.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        if (client_.rows("probe", "SELECT 1", {}).size() == 1) return;
      } catch (const std::runtime_error&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    FAIL() << "emf-node did not answer within 60 s";
  }
  void TearDown() override {
    node_->signal(SIGKILL);
    node_->wait();
  }

  emf::test::ScratchFolder folder_{"emf-cluster-client"};
  std::string address_ = "127.0.0.1:" + std::to_string(emf::test::free_port());
  ClusterClient client_{address_};
  std::unique_ptr<Process> node_;
};

TEST_F(ClusterClientTest, CallsTheExtensionsFunctionsAndReadsTheirReports) {
  const std::string init = client_.call("trends", "emf_init", {std::string("trends")}, true);
  EXPECT_NE(init.find("\"version\":4"), std::string::npos) << init;
  const std::string seeded = client_.call(
      "trends", "emf_seed", {std::string("trends"), std::int64_t{25}, std::int64_t{7}}, true);
  EXPECT_NE(seeded.find("\"trending_topics\":25"), std::string::npos) << seeded;
  EXPECT_EQ(client_.rows("trends", "SELECT count(*) FROM trending_topics", {}),
            (std::vector<std::vector<std::string>>{{"25"}}));
  EXPECT_EQ(client_.addresses(), address_);
}

TEST_F(ClusterClientTest, ArgumentsGoInAsLiteralsInOnePass) {
  // ?2's value holds "?1", a quote and ?10 stays ?10's: none is read as a
  // placeholder; a ? without a number is SQLite's.
  const auto rows =
      client_.rows("probe", "SELECT ?2, ?1, ?1 || 'x', '?' , typeof(?3)",
                   {std::string("it's"), std::string("?1 and ?10"), std::int64_t{42}});
  EXPECT_EQ(
      rows,
      (std::vector<std::vector<std::string>>{{"?1 and ?10", "it's", "it'sx", "?", "integer"}}));
  EXPECT_THROW(client_.rows("probe", "SELECT ?2", {std::string("one")}), std::invalid_argument);
}

TEST_F(ClusterClientTest, AFailureIsEmfsOwnMessage) {
  try {
    client_.call("trends", "emf_check", {std::string("nope")}, false);
    FAIL() << "emf_check('nope') answered";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what()).rfind("emf_check: unknown kind 'nope'", 0), 0u)
        << error.what();
  }
  // A rebuild's refusal is not the only error call_rebuilding lets through.
  EXPECT_THROW(client_.call_rebuilding("trends", "emf_init", {std::string("nope")}),
               std::runtime_error);
}

TEST_F(ClusterClientTest, ARebuildRefusedWithForeignKeysOnIsCalledAgainWithThemOff) {
  std::ifstream file(std::string(EMF_SOURCE_DIR) + "/sql/image_library/001_initial.sql");
  const std::string schema((std::istreambuf_iterator<char>(file)),
                           std::istreambuf_iterator<char>());
  const emf::test::ProcessResult created = emf::test::run(
      {EMF_NODE_PATH, "sql", "--cluster", address_, "--database", "image_library", "--write", "--",
       schema + "; INSERT INTO image_library (character, file_path) VALUES ('nutsy', 'n.png')"},
      ProcessOptions{});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_THROW(client_.call("image_library", "emf_init", {std::string("image_library")}, true),
               std::runtime_error);
  const std::string report =
      client_.call_rebuilding("image_library", "emf_init", {std::string("image_library")});
  EXPECT_NE(report.find("\"baseline\":1"), std::string::npos) << report;
  EXPECT_EQ(client_.rows("image_library", "SELECT file_path FROM image_library", {}),
            (std::vector<std::vector<std::string>>{{"n.png"}}));
}

// The --cluster commands, run in this process: each exit status, and a
// database that emf refuses reported as that database's failure while the
// others go on.
TEST_F(ClusterClientTest, TheClusterCommandsReportEachDatabase) {
  const emf::shell::Terminal terminal(emf::shell::ColorMode::never);
  emf::shell::CommandOptions options;
  options.json = true;
  testing::internal::CaptureStdout();
  EXPECT_EQ(emf::shell::run_on_cluster("check", address_, {"trends"}, options, terminal), 1);
  EXPECT_EQ(emf::shell::run_on_cluster("init", address_, {"trends"}, options, terminal), 0);
  options.rows = 30;
  EXPECT_EQ(emf::shell::run_on_cluster("seed", address_, {"trends"}, options, terminal), 0);
  EXPECT_EQ(emf::shell::run_on_cluster("status", address_, {"trends"}, options, terminal), 0);
  EXPECT_EQ(emf::shell::run_on_cluster("check", address_, {"trends"}, options, terminal), 0);
  const std::string printed = testing::internal::GetCapturedStdout();
  EXPECT_NE(printed.find("\"command\":\"seed\",\"ok\":true"), std::string::npos) << printed;
  EXPECT_EQ(client_.rows("trends", "SELECT count(*) FROM trending_topics", {}),
            (std::vector<std::vector<std::string>>{{"30"}}));

  // A table of the user's where emf's would go, which emf will not adopt:
  // init and seed fail for metrics, and say why; trends is still done.
  const emf::test::ProcessResult made =
      emf::test::run({EMF_NODE_PATH, "sql", "--cluster", address_, "--database", "metrics",
                      "--write", "CREATE TABLE video_metrics (note TEXT)"},
                     ProcessOptions{});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  options.json = false;
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  EXPECT_EQ(emf::shell::run_on_cluster("seed", address_, {"metrics", "trends"}, options, terminal),
            1);
  EXPECT_EQ(emf::shell::run_on_cluster("init", address_, {"metrics"}, options, terminal), 1);
  const std::string out = testing::internal::GetCapturedStdout();
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find("trends"), std::string::npos) << out;
  EXPECT_NE(err.find("metrics (dqlite://" + address_ + "/metrics): emf_init"), std::string::npos)
      << err;
  EXPECT_EQ(client_.rows("metrics", "SELECT name FROM sqlite_schema", {}),
            (std::vector<std::vector<std::string>>{{"video_metrics"}}))
      << "nothing changed";
}

// A stand-in for emf-node, a shell script that answers as told: what the
// shell's client makes of an emf-node that fails in ways a live cluster
// rarely shows. Written beside the real emf-node, in a folder of its own:
// a folder programs run from (/dev/shm or /tmp may be mounted noexec).
class StandIn {
 public:
  explicit StandIn(const std::string& script) {
    std::string pattern =
        (std::filesystem::path(EMF_NODE_PATH).parent_path() / "stand-in-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    folder_ = pattern;
    path_ = folder_ / "emf-node";
    {
      std::ofstream file(path_);
      file << "#!/bin/sh\n" << script << "\n";
    }
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all);
  }
  ~StandIn() {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }
  StandIn(const StandIn&) = delete;
  StandIn& operator=(const StandIn&) = delete;
  ClusterClient client() const { return ClusterClient("127.0.0.1:1", path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path folder_;
  std::filesystem::path path_;
};

std::string failure_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const std::exception& error) {
    return error.what();
  }
  return "(no failure)";
}

TEST(ClusterClientStandIn, EmfNodeKilledBySignalSaysWhichStatus) {
  const StandIn killed("kill -9 $$");
  ClusterClient client = killed.client();
  EXPECT_EQ(failure_of([&] { client.call("trends", "emf_check", {"trends"}, false); }),
            "emf-node exited with status 137");
}

TEST(ClusterClientStandIn, EmfNodesOwnMessageComesWithoutItsPrefix) {
  const StandIn failing("printf 'emf-node sql: no leader answered\\n\\n' >&2; exit 1");
  ClusterClient client = failing.client();
  EXPECT_EQ(failure_of([&] { client.rows("trends", "SELECT 1", {}); }), "no leader answered");
}

TEST(ClusterClientStandIn, ACallAnsweredByOtherThanOneValueIsAnError) {
  const StandIn two_rows("printf '[\"a\"]\\n[\"b\"]\\n'");
  ClusterClient client = two_rows.client();
  EXPECT_EQ(failure_of([&] { client.call("trends", "emf_check", {"trends"}, false); }),
            "emf_check answered 2 rows through emf-node; expected one value");
  const StandIn two_columns("printf '[\"a\",\"b\"]'");
  ClusterClient wide = two_columns.client();
  EXPECT_EQ(failure_of([&] { wide.call("trends", "emf_check", {"trends"}, false); }),
            "emf_check answered a row of 2 values through emf-node; expected one value");
}

// Blank lines are no rows; the last row needs no newline; NULL is empty.
TEST(ClusterClientStandIn, RowsAreReadLineByLine) {
  const StandIn rows("printf '\\n[\"a\",1]\\n\\n[null,\"c\"]'");
  ClusterClient client = rows.client();
  EXPECT_EQ(client.rows("trends", "SELECT 1", {}),
            (std::vector<std::vector<std::string>>{{"a", "1"}, {"", "c"}}));
}

// What emf-node receives: the database, --write for a writing call, the
// statement after "--" with its arguments as literals.
TEST(ClusterClientStandIn, TheStatementGoesAfterDoubleDash) {
  const StandIn echo("printf '[\"%s\"]' \"$*\"");
  ClusterClient client = echo.client();
  EXPECT_EQ(client.call("metrics", "emf_seed", {"metrics", std::int64_t{5}}, true),
            "sql --cluster 127.0.0.1:1 --database metrics --write -- "
            "SELECT emf_seed('metrics', 5)");
}

TEST(ClusterClientStandIn, AProgramThatCannotRunIsNamed) {
  const StandIn not_executable("exit 0");
  std::filesystem::permissions(not_executable.path(), std::filesystem::perms::owner_read);
  ClusterClient client = not_executable.client();
  // posix_spawn reports the failed exec (no execute bit: even root cannot).
  EXPECT_EQ(failure_of([&] { client.call("trends", "emf_check", {"trends"}, false); }),
            "cannot run " + not_executable.path().string() + ": Permission denied");
}

// Out of file descriptors, emf-node cannot be run: the error says so, and
// nothing is left open.
TEST_F(ClusterClientTest, NoDescriptorsLeftIsAnErrorThatSaysSo) {
  std::size_t open = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++open;
  }
  rlimit before{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &before), 0);
  rlimit tight = before;
  tight.rlim_cur = open;  // the iterator's own descriptor is closed again
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &tight), 0);
  std::string message;
  try {
    client_.rows("probe", "SELECT 1", {});
  } catch (const std::system_error& error) {
    message = error.what();
  }
  ::setrlimit(RLIMIT_NOFILE, &before);
  EXPECT_NE(message.find("cannot run"), std::string::npos) << message;
  EXPECT_NE(message.find("emf-node"), std::string::npos) << message;
  std::size_t after = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++after;
  }
  EXPECT_EQ(after, open);
  EXPECT_EQ(client_.rows("probe", "SELECT 1", {}), (std::vector<std::vector<std::string>>{{"1"}}));
}

}  // namespace
