// A writer of the pipeline, for the concurrency tests: for a given time it
// writes to the three databases what the pipeline writes (a trending topic
// found, the most relevant unused one claimed, a metrics snapshot, an
// image's use), each statement its own transaction, through plain SQLite
// connections with a busy timeout, as the pipeline's programs do.
//
//   pipeline_writer --trends T --metrics M --image-library I --writer 3 --seconds 30
//
// It prints what it committed: "claimed <id>" for each topic it claimed,
// then "topics <n>", "claims <n>", "snapshots <n>", "usages <n>" and
// "errors <n>". Each error goes to stderr; the exit status is 1 after one.
#include <sqlite3.h>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// What a pipeline's program waits for another's write lock.
constexpr int kBusyTimeoutMs = 5000;

// The query that hands the next topic to exactly one worker.
constexpr const char* kClaimTopic =
    "UPDATE trending_topics SET used_flag = 1 WHERE id = (SELECT id FROM trending_topics WHERE "
    "used_flag = 0 ORDER BY relevance_score DESC LIMIT 1) RETURNING id, topic";

using Statement = std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)>;

class Database {
 public:
  explicit Database(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      const std::string reason = sqlite3_errmsg(db_);
      sqlite3_close_v2(db_);
      throw std::runtime_error(fmt::format("cannot open {}: {}", path, reason));
    }
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    sqlite3_exec(db_, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr);
  }
  ~Database() { sqlite3_close_v2(db_); }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Statement prepare(const char* sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &raw, nullptr) != SQLITE_OK) {
      throw std::runtime_error(fmt::format("cannot prepare {}: {}", sql, sqlite3_errmsg(db_)));
    }
    return Statement(raw, sqlite3_finalize);
  }
  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

struct Counts {
  std::int64_t topics = 0, claims = 0, snapshots = 0, usages = 0, errors = 0;
};

class Writer {
 public:
  Writer(const std::string& trends, const std::string& metrics, const std::string& images,
         int number)
      : trends_(trends), metrics_(metrics), images_(images), number_(number) {
    auto ids = images_.prepare("SELECT id FROM image_library ORDER BY id");
    while (sqlite3_step(ids.get()) == SQLITE_ROW) {
      image_ids_.push_back(sqlite3_column_int64(ids.get(), 0));
    }
    if (image_ids_.empty()) throw std::runtime_error("image_library has no image to use");
  }

  // One round of the pipeline's writes; i numbers the round.
  void round(std::int64_t i) {
    sqlite3_bind_text(add_topic_.get(), 1, fmt::format("writer {} topic {}", number_, i).c_str(),
                      -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(add_topic_.get(), 2, fmt::format("writer {}", number_).c_str(), -1,
                      SQLITE_TRANSIENT);
    sqlite3_bind_double(add_topic_.get(), 3, static_cast<double>((i * 37) % 101) / 100.0);
    if (done(trends_, add_topic_, "add a topic")) ++counts.topics;

    // The claim commits when the statement finishes, not when it returns its
    // row: only a claim stepped to its end counts.
    int rc = sqlite3_step(claim_.get());
    std::int64_t claimed = -1;
    if (rc == SQLITE_ROW) {
      claimed = sqlite3_column_int64(claim_.get(), 0);
      rc = sqlite3_step(claim_.get());
    }
    if (rc == SQLITE_DONE) {
      if (claimed >= 0) {
        ++counts.claims;
        claimed_ids.push_back(claimed);
      }
      sqlite3_reset(claim_.get());
    } else {
      failed(trends_, claim_, "claim a topic");
    }

    sqlite3_bind_text(snapshot_.get(), 1,
                      fmt::format("writer {} video {}", number_, i % 20).c_str(), -1,
                      SQLITE_TRANSIENT);
    sqlite3_bind_text(snapshot_.get(), 2, i % 2 == 0 ? "tiktok" : "youtube", -1, SQLITE_STATIC);
    sqlite3_bind_int64(snapshot_.get(), 3, i * 10);
    sqlite3_bind_int64(snapshot_.get(), 4, i);
    sqlite3_bind_int64(snapshot_.get(), 5, i);  // seconds after 2026-01-01: one per round
    if (done(metrics_, snapshot_, "insert a metrics snapshot")) ++counts.snapshots;

    sqlite3_bind_int64(usage_.get(), 1,
                       image_ids_[static_cast<std::size_t>(i) % image_ids_.size()]);
    sqlite3_bind_text(usage_.get(), 2, fmt::format("writer {} video {}", number_, i % 20).c_str(),
                      -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(usage_.get(), 3, i % 7);
    if (done(images_, usage_, "record an image's use")) ++counts.usages;
  }

  Counts counts;
  std::vector<std::int64_t> claimed_ids;

 private:
  bool done(Database& db, Statement& statement, const char* what) {
    if (sqlite3_step(statement.get()) == SQLITE_DONE) {
      sqlite3_reset(statement.get());
      return true;
    }
    failed(db, statement, what);
    return false;
  }
  void failed(Database& db, Statement& statement, const char* what) {
    const int code = sqlite3_extended_errcode(db.get());
    const std::string message = sqlite3_errmsg(db.get());
    sqlite3_reset(statement.get());
    ++counts.errors;
    fmt::print(stderr, "writer {}: cannot {}: {} (code {})\n", number_, what, message, code);
  }

  Database trends_, metrics_, images_;
  int number_;
  std::vector<std::int64_t> image_ids_;
  Statement add_topic_ = trends_.prepare(
      "INSERT INTO trending_topics (topic, source, relevance_score) VALUES (?1, ?2, ?3)");
  Statement claim_ = trends_.prepare(kClaimTopic);
  Statement snapshot_ = metrics_.prepare(
      "INSERT INTO video_metrics (video_id, platform, views, likes, engagement_rate, timestamp) "
      "VALUES (?1, ?2, ?3, ?4, 0.5, strftime('%Y-%m-%d %H:%M:%f', '2026-01-01', '+' || ?5 || ' "
      "seconds'))");
  Statement usage_ = images_.prepare(
      "INSERT INTO image_usage (image_id, video_id, scene_number) VALUES (?1, ?2, ?3)");
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Writes what the pipeline writes, for a given time"};
  std::string trends, metrics, images;
  int number = 0;
  double seconds = 0;
  app.add_option("--trends", trends, "the trends database")->required();
  app.add_option("--metrics", metrics, "the metrics database")->required();
  app.add_option("--image-library", images, "the image_library database")->required();
  app.add_option("--writer", number, "this writer's number, in what it writes")->required();
  app.add_option("--seconds", seconds, "how long to write")->required();
  CLI11_PARSE(app, argc, argv);
  try {
    Writer writer(trends, metrics, images, number);
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    for (std::int64_t i = 1; std::chrono::steady_clock::now() < until; ++i) writer.round(i);
    for (const std::int64_t id : writer.claimed_ids) fmt::print("claimed {}\n", id);
    const Counts& counts = writer.counts;
    fmt::print("topics {}\nclaims {}\nsnapshots {}\nusages {}\nerrors {}\n", counts.topics,
               counts.claims, counts.snapshots, counts.usages, counts.errors);
    return counts.errors == 0 ? 0 : 1;
  } catch (const std::exception& error) {
    fmt::print(stderr, "writer {}: {}\n", number, error.what());
    return 1;
  }
}
