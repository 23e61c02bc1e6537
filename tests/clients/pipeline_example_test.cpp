// examples/pipeline.py on fresh databases, with Debian's Python and the built
// library: what it prints, and what it leaves in the three files.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "clients_support.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;
using Rows = std::vector<std::vector<std::string>>;

class PipelineExampleTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(program_exists(EMF_TEST_PYTHON, "Python")); }

  ProcessResult pipeline(std::vector<std::string> arguments) {
    arguments.insert(
        arguments.begin(),
        {EMF_TEST_PYTHON, (fs::path(EMF_SOURCE_DIR) / "examples" / "pipeline.py").string(),
         "--extension", EMF_LIBRARY_FILE});
    return run(arguments, client_options(dir.path()));
  }

  std::string version() {
    Db db(":memory:");
    return db.text("SELECT emf_version()");
  }

  void expect_checks_ok(const std::map<std::string, std::string>& files) {
    for (const auto& [kind, file] : files) {
      Db db(file);
      const std::string check = db.text(fmt::format("SELECT emf_check('{}')", kind));
      EXPECT_EQ(db.json(check, "$.ok"), "1") << check;
    }
  }

  TempDir dir;
};

TEST_F(PipelineExampleTest, RunsOnFreshDatabasesAndPrintsItsReport) {
  const auto result = pipeline({"--seed", "--at", "2026-11-24T18:00:00Z", dir.file("data")});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.err, "");
  EXPECT_EQ(result.out,
            fmt::format(R"(emf {}: trends version 4, metrics version 4, image_library version 4
claimed topic 1: AI art generators (relevance 0.92)
recorded video emf-topic-1: Butcher and Nutsy on AI art generators
image for butcher/happy: images/butcher/happy_standing.png (quality 0.91), usage_count now 3
snapshots at 2026-11-24 18:00:00.000: tiktok 9200 views, instagram 4600 views, youtube 1840 views
latest_video_metrics: 7 rows
  video_id       platform     views  likes   rate  topic
  emf-0001       tiktok       15300   1710   0.14  AI art generators
  emf-topic-1    tiktok        9200    920   0.12  AI art generators
  emf-topic-1    instagram     4600    460   0.12  AI art generators
  emf-0001       instagram     2100    260   0.14  AI art generators
  emf-topic-1    youtube       1840    184   0.11  AI art generators
  emf-0002       tiktok         450     51   0.13  Croissant shortage in Paris
  emf-0001       youtube        310     22   0.09  AI art generators
)",
                        version()));

  Db trends(dir.file("data/trends.db"), false);
  EXPECT_EQ(trends.text("SELECT used_flag FROM trending_topics WHERE id = 1"), "1");
  Db metrics(dir.file("data/metrics.db"), false);
  EXPECT_EQ(metrics.rows("SELECT topic, status, video_path FROM video_metadata "
                         "WHERE video_id = 'emf-topic-1'"),
            (Rows{{"AI art generators", "rendered", "videos/emf-topic-1.mp4"}}));
  EXPECT_EQ(metrics.rows("SELECT platform, views, timestamp FROM video_metrics "
                         "WHERE video_id = 'emf-topic-1' ORDER BY platform"),
            (Rows{{"instagram", "4600", "2026-11-24 18:00:00.000"},
                  {"tiktok", "9200", "2026-11-24 18:00:00.000"},
                  {"youtube", "1840", "2026-11-24 18:00:00.000"}}));
  Db images(dir.file("data/image_library.db"), false);
  EXPECT_EQ(images.rows("SELECT i.file_path, i.usage_count FROM image_usage AS u "
                        "JOIN image_library AS i ON i.id = u.image_id "
                        "WHERE u.video_id = 'emf-topic-1'"),
            (Rows{{"images/butcher/happy_standing.png", "3"}}));
  expect_checks_ok({{"trends", dir.file("data/trends.db")},
                    {"metrics", dir.file("data/metrics.db")},
                    {"image_library", dir.file("data/image_library.db")}});
}

// A second run claims the next topic; recording the same video at the same
// instant again updates its snapshots (the upsert) instead of adding rows.
TEST_F(PipelineExampleTest, SecondRunClaimsTheNextTopicAndUpsertsTheSameInstant) {
  std::vector<std::string> arguments = {"--video-id", "emf-demo", "--at", "2026-11-24 18:00:00"};
  arguments.insert(arguments.end(),
                   {"--character", "nutsy", "--emotion", "happy", dir.file("data")});
  auto first = arguments;
  first.insert(first.begin(), "--seed");
  auto result = pipeline(first);
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("claimed topic 1: AI art generators"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("image for nutsy/happy: images/nutsy/happy_standing.png (quality "
                            "0.93), usage_count now 1\n"),
            std::string::npos)
      << result.out;

  result = pipeline(arguments);
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("claimed topic 2: Croissant shortage in Paris (relevance 0.81)\n"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("snapshots at 2026-11-24 18:00:00.000: tiktok 8100 views, "
                            "instagram 4050 views, youtube 1620 views\n"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("latest_video_metrics: 7 rows\n"), std::string::npos) << result.out;

  Db trends(dir.file("data/trends.db"), false);
  EXPECT_EQ(trends.integer("SELECT count(*) FROM trending_topics WHERE used_flag = 0"), 2);
  Db metrics(dir.file("data/metrics.db"), false);
  EXPECT_EQ(metrics.rows("SELECT platform, views FROM video_metrics WHERE video_id = 'emf-demo' "
                         "ORDER BY platform"),
            (Rows{{"instagram", "4050"}, {"tiktok", "8100"}, {"youtube", "1620"}}));
  EXPECT_EQ(metrics.rows("SELECT topic FROM video_metadata WHERE video_id = 'emf-demo'"),
            (Rows{{"Croissant shortage in Paris"}}));
  Db images(dir.file("data/image_library.db"), false);
  EXPECT_EQ(images.rows("SELECT usage_count, last_used_at IS NOT NULL FROM image_library "
                        "WHERE file_path = 'images/nutsy/happy_standing.png'"),
            (Rows{{"2", "1"}}));
  EXPECT_EQ(images.integer("SELECT count(*) FROM image_usage WHERE video_id = 'emf-demo'"), 2);
}

TEST_F(PipelineExampleTest, TakesThreePathsAndSaysWhenNoTopicIsLeft) {
  const std::map<std::string, std::string> files = {{"trends", dir.file("t.db")},
                                                    {"metrics", dir.file("m.db")},
                                                    {"image_library", dir.file("i.db")}};
  const auto result =
      pipeline({files.at("trends"), files.at("metrics"), files.at("image_library")});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_EQ(result.err,
            "pipeline: no unused topic in trending_topics (add some, or run with --seed)\n");
  // The databases were made before the claim found nothing.
  expect_checks_ok(files);
  Db metrics(files.at("metrics"), false);
  EXPECT_EQ(metrics.integer("SELECT count(*) FROM video_metadata"), 0);

  const auto usage = pipeline({dir.file("a"), dir.file("b")});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("give one data folder or three database paths"), std::string::npos)
      << usage.err;
}

TEST_F(PipelineExampleTest, ABadTimeStopsTheRunBeforeItClaimsATopic) {
  const auto result = pipeline({"--seed", "--at", "yesterday", dir.file("data")});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_EQ(result.err, "pipeline: --at 'yesterday' is not a time SQLite reads\n");
  Db trends(dir.file("data/trends.db"), false);
  EXPECT_EQ(trends.integer("SELECT count(*) FROM trending_topics WHERE used_flag = 0"), 4);
}

}  // namespace
}  // namespace emf::test
