// Synthetic rows; see synthetic_data.h.
#include "synthetic_data.h"

#include <fmt/format.h>

#include <array>
#include <ctime>
#include <string_view>

#include "db.h"
#include "progress.h"

namespace emf {

namespace {

// splitmix64's output function: a bijective mix of 64 bits.
constexpr std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A stream of random numbers for one row of one table: counter-based, so a
// row's values do not depend on how many rows came before it in this call.
class RowRandom {
 public:
  RowRandom(std::int64_t seed, std::uint64_t table_salt, std::int64_t row)
      : state_(mix(static_cast<std::uint64_t>(seed) ^
                   mix(table_salt ^ mix(static_cast<std::uint64_t>(row))))) {}

  std::uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return mix(state_);
  }
  std::int64_t below(std::int64_t bound) {
    return static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(bound));
  }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  template <std::size_t N>
  std::string_view pick(const std::array<std::string_view, N>& items) {
    return items[static_cast<std::size_t>(below(N))];
  }

 private:
  std::uint64_t state_;
};

constexpr std::array<std::string_view, 8> kAdjectives = {"viral", "unexpected", "local", "global",
                                                         "weird", "heated",     "quiet", "record"};
constexpr std::array<std::string_view, 10> kNouns = {"cheese",   "election", "heatwave", "robot",
                                                     "baguette", "strike",   "festival", "meme",
                                                     "football", "podcast"};
constexpr std::array<std::string_view, 5> kTrendSources = {"google_trends", "twitter", "reddit",
                                                           "tiktok", "youtube"};
constexpr std::array<std::string_view, 6> kCategories = {"technology", "food",   "lifestyle",
                                                         "politics",   "sports", "culture"};
constexpr std::array<std::string_view, 4> kPlatforms = {"tiktok", "instagram", "youtube",
                                                        "facebook"};
constexpr std::array<std::string_view, 4> kStatuses = {"draft", "rendered", "posted", "archived"};
constexpr std::array<std::string_view, 2> kCharacters = {"butcher", "nutsy"};
constexpr std::array<std::string_view, 5> kEmotions = {"happy", "sad", "angry", "neutral",
                                                       "excited"};
constexpr std::array<std::string_view, 4> kPoses = {"sitting", "standing", "jumping", "profile"};
constexpr std::array<std::string_view, 4> kImageSources = {"generated", "photo", "dreambooth",
                                                           "stable_diffusion"};
constexpr std::array<std::string_view, 3> kFormats = {"png", "jpg", "webp"};

// 2026-01-01 00:00:00 UTC: synthetic time starts here and moves with the row.
constexpr std::int64_t kEpochMs = 1767225600000LL;

std::string timestamp(std::int64_t epoch_ms) {
  const std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                     epoch_ms % 1000);
}

std::string video_id(std::int64_t row) {
  return fmt::format("syn-{:09}", row);
}

// The rowid the next insert into the table will get: AUTOINCREMENT takes the
// larger of sqlite_sequence and max(rowid), plus one.
std::int64_t next_rowid(sqlite3* db, std::string_view table) {
  const std::string quoted = quote_identifier(table);
  std::int64_t next = query_int(db, "SELECT coalesce(max(rowid), 0) + 1 FROM main." + quoted);
  if (query_optional_text(db, "SELECT 1 FROM main.sqlite_schema WHERE name = 'sqlite_sequence'")) {
    next = std::max(next, query_int(db,
                                    "SELECT coalesce(max(seq), 0) + 1 FROM main.sqlite_sequence "
                                    "WHERE name = " +
                                        quote_literal(table)));
  }
  return next;
}

// Rows inserted so far in this call, against the call's total, for the
// progress observer.
struct SeedProgress {
  sqlite3* db;
  std::int64_t done = 0;
  std::int64_t total = 0;
};

constexpr std::int64_t kProgressEvery = 4096;

// Runs one prepared INSERT per row; `bind` fills it for row number `row`
// (its index in this call is `index`).
template <typename Bind>
std::int64_t insert_rows(SeedProgress& progress, std::string_view sql, std::int64_t first_row,
                         std::int64_t rows, Bind bind) {
  Statement statement(progress.db, sql);
  for (std::int64_t i = 0; i < rows; ++i) {
    statement.reset();
    bind(statement, first_row + i, i);
    statement.run();
    if (++progress.done % kProgressEvery == 0) {
      report_progress(progress.db, "seed", progress.done, progress.total);
    }
  }
  return rows;
}

InsertCounts insert_trends(SeedProgress& progress, std::int64_t rows, std::int64_t seed) {
  sqlite3* db = progress.db;
  InsertCounts counts;
  const std::int64_t first_topic = next_rowid(db, "trending_topics");
  counts.emplace_back(
      "trending_topics",
      insert_rows(progress,
                  "INSERT INTO main.trending_topics (topic, source, timestamp, relevance_score, "
                  "used_flag, category, metadata, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, "
                  "?5, ?6, json_object('rank', ?7, 'region', ?8), ?3, ?3)",
                  first_topic, rows, [&](Statement& s, std::int64_t row, std::int64_t) {
                    RowRandom random(seed, 1, row);
                    s.bind_text(1, fmt::format("{} {} {}", random.pick(kAdjectives),
                                               random.pick(kNouns), row))
                        .bind_text(2, random.pick(kTrendSources))
                        .bind_text(3, timestamp(kEpochMs + row * 60000 + random.below(60000)))
                        .bind_double(4, static_cast<double>(random.below(1001)) / 1000.0)
                        .bind_int(5, random.below(4) == 0 ? 1 : 0)
                        .bind_text(6, random.pick(kCategories))
                        .bind_int(7, 1 + random.below(100))
                        .bind_text(8, random.below(2) == 0 ? "FR" : "US");
                  }));
  const std::int64_t first_search = next_rowid(db, "search_history");
  counts.emplace_back(
      "search_history",
      insert_rows(progress,
                  "INSERT INTO main.search_history (query, source, result_count, timestamp) "
                  "VALUES (?1, ?2, ?3, ?4)",
                  first_search, rows, [&](Statement& s, std::int64_t row, std::int64_t) {
                    RowRandom random(seed, 2, row);
                    s.bind_text(1, fmt::format("{} {}", random.pick(kNouns), random.pick(kNouns)))
                        .bind_text(2, random.pick(kTrendSources))
                        .bind_int(3, random.below(500))
                        .bind_text(4, timestamp(kEpochMs + row * 45000 + random.below(45000)));
                  }));
  return counts;
}

InsertCounts insert_metrics(SeedProgress& progress, std::int64_t rows, std::int64_t seed) {
  sqlite3* db = progress.db;
  InsertCounts counts;
  const std::int64_t first_video = next_rowid(db, "video_metadata");
  counts.emplace_back(
      "video_metadata",
      insert_rows(
          progress,
          "INSERT INTO main.video_metadata (video_id, title, description, topic, script_path, "
          "audio_path, video_path, duration_seconds, created_at, posted_at, status) VALUES (?1, "
          "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
          first_video, rows, [&](Statement& s, std::int64_t row, std::int64_t) {
            RowRandom random(seed, 3, row);
            const std::string id = video_id(row);
            const std::string_view status = random.pick(kStatuses);
            const std::int64_t created = kEpochMs + row * 3600000;
            s.bind_text(1, id)
                .bind_text(2,
                           fmt::format("The {} {}", random.pick(kAdjectives), random.pick(kNouns)))
                .bind_text(3, "Synthetic video for load testing.")
                .bind_text(4, fmt::format("{} {}", random.pick(kAdjectives), random.pick(kNouns)))
                .bind_text(5, fmt::format("scripts/{}.md", id))
                .bind_text(6, fmt::format("audio/{}.wav", id))
                .bind_text(7, fmt::format("videos/{}.mp4", id))
                .bind_double(8, 15.0 + static_cast<double>(random.below(450)) / 10.0)
                .bind_text(9, timestamp(created))
                .bind_text(11, status);
            if (status == "posted" || status == "archived") {
              s.bind_text(10, timestamp(created + 1800000 + random.below(3600000)));
            } else {
              s.bind_null(10);
            }
          }));
  const std::int64_t first_snapshot = next_rowid(db, "video_metrics");
  counts.emplace_back(
      "video_metrics",
      insert_rows(progress,
                  "INSERT INTO main.video_metrics (video_id, platform, views, likes, comments, "
                  "shares, saves, watch_time_seconds, engagement_rate, timestamp, created_at) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
                  first_snapshot, rows, [&](Statement& s, std::int64_t row, std::int64_t) {
                    RowRandom random(seed, 4, row);
                    const std::int64_t views = random.below(1000000);
                    const std::int64_t likes = views == 0 ? 0 : random.below(views / 5 + 1);
                    const std::int64_t comments = views == 0 ? 0 : random.below(views / 50 + 1);
                    const std::int64_t shares = views == 0 ? 0 : random.below(views / 100 + 1);
                    const double engagement =
                        views == 0 ? 0.0
                                   : std::min(1.0, static_cast<double>(likes + comments + shares) /
                                                       static_cast<double>(views));
                    // Each snapshot has its own millisecond, so (video_id,
                    // platform, timestamp) stays unique.
                    s.bind_text(
                         1, video_id(first_video + random.below(std::max<std::int64_t>(rows, 1))))
                        .bind_text(2, random.pick(kPlatforms))
                        .bind_int(3, views)
                        .bind_int(4, likes)
                        .bind_int(5, comments)
                        .bind_int(6, shares)
                        .bind_int(7, views == 0 ? 0 : random.below(views / 200 + 1))
                        .bind_double(8, static_cast<double>(views) * (5.0 + random.unit() * 25.0))
                        .bind_double(9, engagement)
                        .bind_text(10, timestamp(kEpochMs + row * 1000));
                  }));
  return counts;
}

InsertCounts insert_images(SeedProgress& progress, std::int64_t rows, std::int64_t seed) {
  sqlite3* db = progress.db;
  InsertCounts counts;
  const std::int64_t first_image = next_rowid(db, "image_library");
  counts.emplace_back(
      "image_library",
      insert_rows(
          progress,
          "INSERT INTO main.image_library (character, emotion, pose, file_path, source, "
          "file_size_bytes, width, height, format, generation_prompt, generation_model, "
          "quality_score, tags, metadata, timestamp, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
          "?7, ?8, ?9, ?10, ?11, ?12, json_array(?13, ?14), json_object('seed', ?15), ?16, ?16)",
          first_image, rows, [&](Statement& s, std::int64_t row, std::int64_t) {
            RowRandom random(seed, 5, row);
            const std::string_view character = random.pick(kCharacters);
            const std::string_view emotion = random.pick(kEmotions);
            const std::string_view pose = random.pick(kPoses);
            const std::string_view format = random.pick(kFormats);
            const std::int64_t side = 512 + 256 * random.below(4);
            s.bind_text(1, character)
                .bind_text(2, emotion)
                .bind_text(3, pose)
                .bind_text(4, fmt::format("synthetic/{}/{:09}.{}", character, row, format))
                .bind_text(5, random.pick(kImageSources))
                .bind_int(6, 50000 + random.below(950000))
                .bind_int(7, side)
                .bind_int(8, side)
                .bind_text(9, format)
                .bind_text(10, fmt::format("{} {} {}", character, emotion, pose))
                .bind_text(11, "synthetic-model")
                .bind_double(12, static_cast<double>(random.below(1001)) / 1000.0)
                .bind_text(13, emotion)
                .bind_text(14, pose)
                .bind_int(15, static_cast<std::int64_t>(random.next() >> 33))
                .bind_text(16, timestamp(kEpochMs + row * 30000));
          }));
  const std::int64_t first_usage = next_rowid(db, "image_usage");
  counts.emplace_back(
      "image_usage",
      insert_rows(progress,
                  "INSERT INTO main.image_usage (image_id, video_id, scene_number, timestamp) "
                  "VALUES (?1, ?2, ?3, ?4)",
                  first_usage, rows, [&](Statement& s, std::int64_t row, std::int64_t) {
                    RowRandom random(seed, 6, row);
                    s.bind_int(1, first_image + random.below(rows))
                        .bind_text(2, video_id(1 + random.below(rows)))
                        .bind_int(3, 1 + random.below(12))
                        .bind_text(4, timestamp(kEpochMs + row * 20000));
                  }));
  const std::int64_t first_collection = next_rowid(db, "image_collections");
  counts.emplace_back(
      "image_collections",
      insert_rows(progress,
                  "INSERT INTO main.image_collections (name, description, character, created_at) "
                  "VALUES (?1, ?2, ?3, ?4)",
                  first_collection, rows, [&](Statement& s, std::int64_t row, std::int64_t) {
                    RowRandom random(seed, 7, row);
                    s.bind_text(1, fmt::format("synthetic collection {:09}", row))
                        .bind_text(
                            2, fmt::format("{} {}", random.pick(kAdjectives), random.pick(kNouns)))
                        .bind_text(4, timestamp(kEpochMs + row * 60000));
                    const std::int64_t choice = random.below(3);
                    if (choice == 2) {
                      s.bind_null(3);
                    } else {
                      s.bind_text(3, kCharacters[static_cast<std::size_t>(choice)]);
                    }
                  }));
  // One membership for each new collection, so (collection_id, image_id)
  // is unique by construction.
  counts.emplace_back(
      "collection_images",
      insert_rows(progress,
                  "INSERT INTO main.collection_images (collection_id, image_id, sort_order) "
                  "VALUES (?1, ?2, ?3)",
                  next_rowid(db, "collection_images"), rows,
                  [&](Statement& s, std::int64_t row, std::int64_t index) {
                    RowRandom random(seed, 8, row);
                    s.bind_int(1, first_collection + index)
                        .bind_int(2, first_image + random.below(rows))
                        .bind_int(3, random.below(100));
                  }));
  return counts;
}

}  // namespace

InsertCounts insert_synthetic_rows(sqlite3* db, Kind kind, std::int64_t rows,
                                   std::int64_t random_seed, std::int64_t table_count) {
  SeedProgress progress{db, 0, rows * table_count};
  InsertCounts counts;
  switch (kind) {
    case Kind::trends:
      counts = insert_trends(progress, rows, random_seed);
      break;
    case Kind::metrics:
      counts = insert_metrics(progress, rows, random_seed);
      break;
    case Kind::image_library:
      counts = insert_images(progress, rows, random_seed);
      break;
  }
  report_progress(db, "seed", progress.done, progress.total);
  return counts;
}

}  // namespace emf
