// emf inside a three-node dqlite cluster of the real emf-node: every kind
// initialised and seeded, the pipeline's writes, the leader killed three
// times in a row while writes go on, and the killed node catching up.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/process.h"
#include "support/scratch_folder.h"

namespace {

using emf::test::Process;
using emf::test::ProcessOptions;
using emf::test::ProcessResult;
using std::chrono::steady_clock;

const std::vector<std::string> kKinds = {"trends", "metrics", "image_library"};

// One emf-node; killed (SIGKILL) when the test ends, whatever happens.
class Node {
 public:
  Node(std::string name, std::string address, std::string data_dir)
      : name_(std::move(name)), address_(std::move(address)), data_dir_(std::move(data_dir)) {}
  ~Node() { kill(); }

  void start(const std::vector<std::string>& join = {}) {
    std::vector<std::string> argv = {EMF_NODE_PATH, "--id",       name_,    "--address",
                                     address_,      "--data-dir", data_dir_};
    for (const std::string& address : join) argv.insert(argv.end(), {"--join", address});
    process_ = std::make_unique<Process>(argv, ProcessOptions{});
  }
  void kill() {
    if (!process_) return;
    process_->signal(SIGKILL);
    log_ += process_->wait().err;
    process_.reset();
  }
  // SIGTERM: the node hands leadership over and stops; its exit code.
  int stop() {
    process_->signal(SIGTERM);
    const ProcessResult result = process_->wait();
    log_ += result.err;
    process_.reset();
    return result.exit_code;
  }
  bool running() const { return process_ != nullptr; }
  const std::string& address() const { return address_; }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& log() const { return log_; }

 private:
  std::string name_, address_, data_dir_, log_;
  std::unique_ptr<Process> process_;
};

ProcessResult emf_node(const std::vector<std::string>& arguments) {
  std::vector<std::string> argv = {EMF_NODE_PATH};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  return emf::test::run(argv, ProcessOptions{});
}

class Cluster : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"a", "b", "c"}) {
      nodes_.push_back(std::make_unique<Node>(
          name, "127.0.0.1:" + std::to_string(emf::test::free_port()), folder_.file(name)));
    }
  }
  void TearDown() override {
    if (HasFailure()) {
      for (const auto& node : nodes_) {
        node->kill();
        std::cerr << "--- log of " << node->address() << "\n" << node->log();
      }
    }
  }

  std::string addresses(const std::vector<Node*>& which) const {
    std::string list;
    for (const Node* node : which) list += (list.empty() ? "" : ",") + node->address();
    return list;
  }
  std::string all() const { return addresses({nodes_[0].get(), nodes_[1].get(), nodes_[2].get()}); }

  // SQL against the cluster; the rows as emf-node prints them (a JSON array
  // a line). A write runs inside BEGIN ... COMMIT.
  ProcessResult sql(const std::string& database, const std::string& statement, bool write = false,
                    const std::string& cluster = {}) {
    std::vector<std::string> arguments = {
        "sql",       "--cluster", cluster.empty() ? all() : cluster, "--database", database,
        "--timeout", "30s"};
    if (write) arguments.emplace_back("--write");
    arguments.emplace_back("--");
    arguments.push_back(statement);
    return emf_node(arguments);
  }
  std::string answer(const std::string& database, const std::string& statement,
                     const std::string& cluster = {}) {
    const ProcessResult result = sql(database, statement, false, cluster);
    EXPECT_EQ(result.exit_code, 0) << statement << ": " << result.err;
    return result.out;
  }
  void write(const std::string& database, const std::string& statement) {
    const ProcessResult result = sql(database, statement, true);
    ASSERT_EQ(result.exit_code, 0) << statement << ": " << result.err;
  }

  // The node that leads now, waiting for one.
  Node* leader() {
    const auto deadline = steady_clock::now() + std::chrono::seconds(60);
    while (steady_clock::now() < deadline) {
      const ProcessResult status = emf_node({"status", "--cluster", all()});
      for (const auto& node : nodes_) {
        if (status.out.find("\"address\":\"" + node->address() + "\",\"id\":") !=
            std::string::npos) {
          const std::size_t at = status.out.find(node->address());
          const std::size_t end = status.out.find('\n', at);
          if (status.out.substr(at, end - at).find("\"leader\":true") != std::string::npos &&
              node->running()) {
            return node.get();
          }
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ADD_FAILURE() << "no leader within 60 s";
    return nullptr;
  }

  // Every node a voter: the cluster survives the loss of any one.
  void wait_for_three_voters() {
    const auto deadline = steady_clock::now() + std::chrono::seconds(120);
    std::string out;
    while (steady_clock::now() < deadline) {
      out = emf_node({"status", "--cluster", all()}).out;
      std::size_t voters = 0;
      for (std::size_t at = out.find("\"role\":\"voter\""); at != std::string::npos;
           at = out.find("\"role\":\"voter\"", at + 1)) {
        ++voters;
      }
      if (voters == 3) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    FAIL() << "not three voters within 120 s: " << out;
  }

  // Every schema object and every row of each kind's database, as the
  // cluster serves them.
  std::map<std::string, std::string> contents(const std::string& cluster = {}) {
    std::map<std::string, std::string> found;
    for (const std::string& kind : kKinds) {
      if (HasFailure()) break;  // each failed query waits out its timeout
      const std::string schema =
          answer(kind, "SELECT type, name, sql FROM sqlite_schema ORDER BY type, name", cluster);
      found[kind + " schema"] = schema;
      std::size_t at = 0;
      while ((at = schema.find("[\"table\",\"", at)) != std::string::npos && !HasFailure()) {
        at += 10;
        const std::string table = schema.substr(at, schema.find('"', at) - at);
        if (table.starts_with("sqlite_")) continue;
        found[kind + " " + table] =
            answer(kind, "SELECT * FROM \"" + table + "\" ORDER BY rowid", cluster);
      }
    }
    return found;
  }
  void expect_healthy(const std::string& cluster = {}) {
    for (const std::string& kind : kKinds) {
      EXPECT_EQ(answer(kind, "SELECT json_extract(emf_check(), '$.ok')", cluster), "[1]\n") << kind;
      EXPECT_EQ(answer(kind, "SELECT * FROM pragma_integrity_check", cluster), "[\"ok\"]\n")
          << kind;
    }
  }

  // One snapshot written until it is in, exactly once: a commit whose
  // outcome is unknown (the leader died) is looked for before trying again.
  void write_snapshot(int number) {
    const std::string key = "video_id = 'failover' AND timestamp = '2026-12-01 00:00:" +
                            std::string(number < 10 ? "0" : "") + std::to_string(number) + ".000'";
    const std::string insert =
        "INSERT INTO video_metrics (video_id, platform, views, likes, timestamp) VALUES "
        "('failover', 'tiktok', " +
        std::to_string(number) + ", 1, '2026-12-01 00:00:" + (number < 10 ? "0" : "") +
        std::to_string(number) + ".000')";
    const auto deadline = steady_clock::now() + std::chrono::seconds(120);
    while (steady_clock::now() < deadline) {
      const ProcessResult result = sql("metrics", insert, true);
      if (result.exit_code == 0) return;
      ASSERT_TRUE(result.exit_code == 3 || result.exit_code == 4) << result.err;
      if (result.exit_code == 4 &&
          sql("metrics", "SELECT count(*) FROM video_metrics WHERE " + key).out == "[1]\n") {
        return;
      }
    }
    FAIL() << "snapshot " << number << " not written within 120 s";
  }

  emf::test::ScratchFolder folder_{"emf-cluster"};
  std::vector<std::unique_ptr<Node>> nodes_;
};

TEST_F(Cluster, EmfSurvivesTheLeadersDeathThreeTimesAndAKilledNodeCatchesUp) {
  Node& first = *nodes_[0];
  first.start();
  nodes_[1]->start({first.address()});
  nodes_[2]->start({first.address()});
  ASSERT_NO_FATAL_FAILURE(wait_for_three_voters());

  for (const std::string& kind : kKinds) {
    ASSERT_NO_FATAL_FAILURE(write(kind, "SELECT emf_init('" + kind + "')"));
    ASSERT_NO_FATAL_FAILURE(write(kind, "SELECT emf_seed('" + kind + "', 200)"));
  }
  // The pipeline's writes: a topic claimed, snapshots, an image used (its
  // trigger counts the use).
  const ProcessResult claimed =
      sql("trends",
          "UPDATE trending_topics SET used_flag = 1 WHERE id = (SELECT id "
          "FROM trending_topics WHERE used_flag = 0 ORDER BY "
          "relevance_score DESC LIMIT 1) RETURNING topic",
          true);
  ASSERT_EQ(claimed.exit_code, 0) << claimed.err;
  EXPECT_FALSE(claimed.out.empty());
  ASSERT_NO_FATAL_FAILURE(write_snapshot(0));
  const std::string uses_before =
      answer("image_library", "SELECT usage_count FROM image_library ORDER BY id LIMIT 1");
  ASSERT_NO_FATAL_FAILURE(write("image_library",
                                "INSERT INTO image_usage (image_id, video_id, scene_number) "
                                "SELECT id, 'failover', 1 FROM image_library ORDER BY id LIMIT 1"));
  EXPECT_NE(answer("image_library", "SELECT usage_count FROM image_library ORDER BY id LIMIT 1"),
            uses_before);
  expect_healthy();

  int written = 1;
  Node* killed = nullptr;
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("kill " + std::to_string(round + 1));
    const std::map<std::string, std::string> before = contents();
    killed = leader();
    ASSERT_NE(killed, nullptr);
    const auto killed_at = steady_clock::now();
    killed->kill();
    // Writes during the election, retried until a new leader takes them.
    for (int i = 0; i < 5; ++i) ASSERT_NO_FATAL_FAILURE(write_snapshot(written++));
    Node* next = leader();
    ASSERT_NE(next, nullptr);
    EXPECT_NE(next, killed);
    EXPECT_LT(steady_clock::now() - killed_at, std::chrono::seconds(60));

    std::map<std::string, std::string> after = contents();
    // Everything as before but the five snapshots written meanwhile.
    const std::string snapshots = answer(
        "metrics", "SELECT views FROM video_metrics WHERE video_id = 'failover' ORDER BY views");
    std::string expected;
    for (int i = 0; i < written; ++i) expected += "[" + std::to_string(i) + "]\n";
    EXPECT_EQ(snapshots, expected) << "a snapshot lost or doubled";
    for (const auto& [what, rows] : before) {
      if (what.starts_with("metrics video_metrics")) continue;
      EXPECT_EQ(after[what], rows) << what;
    }
    expect_healthy();
    // The killed node comes back on its folder, without --join.
    killed->start();
  }

  // The node killed last catches up: Raft hands it leadership only once its
  // log holds every committed entry; then, the others stopped, it alone
  // (recovered as a cluster of one) serves everything.
  const std::map<std::string, std::string> expected = contents();
  const ProcessResult moved =
      emf_node({"transfer", "--cluster", all(), "--to", killed->address(), "--timeout", "60s"});
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  EXPECT_EQ(contents(killed->address()), expected);
  for (const auto& node : nodes_) {
    if (node.get() != killed) {
      EXPECT_EQ(node->stop(), 0) << node->log();
    }
  }
  killed->kill();  // alone, it has no majority to hand anything over to
  const ProcessResult recovered = emf_node({"recover", "--data-dir", killed->data_dir()});
  ASSERT_EQ(recovered.exit_code, 0) << recovered.err;
  killed->start();
  EXPECT_EQ(contents(killed->address()), expected);
  expect_healthy(killed->address());
}

// The shell against the cluster: emf --cluster runs init, check, status and
// seed through emf-node, across a change of leader, and refuses the rest.
TEST_F(Cluster, TheShellInitialisesSeedsAndChecksTheClusterAcrossALeaderChange) {
  nodes_[0]->start();
  nodes_[1]->start({nodes_[0]->address()});
  nodes_[2]->start({nodes_[0]->address()});
  ASSERT_NO_FATAL_FAILURE(wait_for_three_voters());
  const auto emf = [&](std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {EMF_SHELL_PATH, "--cluster", all(), "--color", "never"});
    return emf::test::run(arguments,
                          ProcessOptions{.cwd = folder_.file(""), .env = {}, .input = {}});
  };

  // image_library at version 1, as the old script made it, with a row: its
  // upgrade rebuilds tables inside the client's transaction, which emf
  // refuses with foreign keys on; the shell asks again with them off.
  std::ifstream version_1(std::string(EMF_SOURCE_DIR) + "/sql/image_library/001_initial.sql");
  const std::string schema_1((std::istreambuf_iterator<char>(version_1)),
                             std::istreambuf_iterator<char>());
  ASSERT_NO_FATAL_FAILURE(write("image_library", schema_1));
  ASSERT_NO_FATAL_FAILURE(write("image_library",
                                "INSERT INTO image_library (character, file_path, width) VALUES "
                                "('butcher', 'butcher/happy.png', '640')"));

  ProcessResult init = emf({"init"});
  ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  for (const std::string& kind : kKinds) {
    EXPECT_NE(init.out.find(kind), std::string::npos) << init.out;
  }
  std::size_t created = 0;
  for (std::size_t at = init.out.find("created (version 4)"); at != std::string::npos;
       at = init.out.find("created (version 4)", at + 1)) {
    ++created;
  }
  EXPECT_EQ(created, 2u) << init.out;
  EXPECT_NE(init.out.find("adopted, upgraded to version 4"), std::string::npos) << init.out;
  // The row kept, its width now the number it spelled.
  EXPECT_EQ(answer("image_library", "SELECT file_path, width, typeof(width) FROM image_library"),
            "[\"butcher/happy.png\",640,\"integer\"]\n");
  EXPECT_EQ(answer("image_library", "SELECT count(*) FROM pragma_foreign_key_check"), "[0]\n");
  ProcessResult seeded = emf({"seed", "--rows", "6000", "--random-seed", "7", "--only", "metrics"});
  ASSERT_EQ(seeded.exit_code, 0) << seeded.out << seeded.err;
  EXPECT_NE(seeded.out.find("seeded: video_metrics 6000, video_metadata 6000"), std::string::npos)
      << seeded.out;
  EXPECT_EQ(answer("metrics", "SELECT count(*) FROM video_metrics"), "[6000]\n");

  Node* killed = leader();
  ASSERT_NE(killed, nullptr);
  killed->kill();
  // The next command waits for the new leader.
  const ProcessResult check = emf({"check", "--json"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("\"command\":\"check\",\"ok\":true"), std::string::npos) << check.out;
  const ProcessResult status = emf({"status", "--only", "trends"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("version 4 (latest)"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("dqlite://"), std::string::npos) << status.out;

  // Inside the real dqlite, emf knows where it is: what dqlite cannot do is
  // refused, and a backup says on which machine its file is.
  const ProcessResult optimize = sql("trends", "SELECT emf_optimize('trends')", true);
  EXPECT_EQ(optimize.exit_code, 1);
  EXPECT_NE(optimize.err.find("emf_optimize: refused inside dqlite"), std::string::npos)
      << optimize.err;
  // A statement that writes, sent without --write, changes nothing and is
  // refused (alone as a query it would stay unreplicated and crash the
  // leader); the cluster answers on.
  const ProcessResult unflagged =
      sql("image_library", "UPDATE image_library SET width = 1 RETURNING id");
  EXPECT_EQ(unflagged.exit_code, 1);
  EXPECT_NE(unflagged.err.find("the statement writes: run it with --write"), std::string::npos)
      << unflagged.err;
  EXPECT_EQ(answer("image_library", "SELECT width FROM image_library"), "[640]\n");
  const ProcessResult several = sql("image_library", "SELECT 1; DELETE FROM image_library");
  EXPECT_EQ(several.exit_code, 2) << several.err;
  // emf's own message comes through (dqlite 1.11 words a failed query with
  // its column name; emf-node asks again as an exec).
  const ProcessResult unknown = sql("trends", "SELECT emf_check('nope')");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("emf_check: unknown kind 'nope'"), std::string::npos) << unknown.err;
  const std::string copy = folder_.file("trends-copy.db");
  const ProcessResult backup = sql("trends", "SELECT emf_backup('" + copy + "')");
  EXPECT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_NE(backup.out.find("\\\"written_on\\\":\\\"leader\\\""), std::string::npos) << backup.out;
  EXPECT_TRUE(std::filesystem::exists(copy));

  const ProcessResult refused = emf({"repair"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("--cluster goes with init, check, status and seed"), std::string::npos)
      << refused.err;
  const ProcessResult empty =
      emf::test::run({EMF_SHELL_PATH, "--cluster", "", "init"},
                     ProcessOptions{.cwd = folder_.file(""), .env = {}, .input = {}});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.err.find("--cluster needs the address of a node"), std::string::npos)
      << empty.err;
  EXPECT_FALSE(std::filesystem::exists(folder_.file("data"))) << "no file made instead";
  const ProcessResult dry = emf({"init", "--dry-run"});
  EXPECT_EQ(dry.exit_code, 2);
  EXPECT_NE(dry.err.find("--dry-run"), std::string::npos) << dry.err;
}

}  // namespace
