// Helpers of the client tests; see clients_support.h.
#include "clients_support.h"

#include <fmt/format.h>
#include <unistd.h>

#include <sstream>

#include "support/test_db.h"

namespace emf::test {

namespace fs = std::filesystem;

ProcessOptions client_options(const fs::path& cwd) {
  ProcessOptions options;
  options.cwd = cwd;
  for (const char* name : {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV",
                           "PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_USER",
                           "PIP_TARGET", "PIP_PREFIX", "PIP_REQUIRE_VIRTUALENV", "EMF_LIBRARY"}) {
    options.env[name] = std::nullopt;
  }
  options.env["PYTHONNOUSERSITE"] = "1";
  options.env["PYTHONDONTWRITEBYTECODE"] = "1";
  options.env["PIP_CONFIG_FILE"] = "/dev/null";
  options.env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1";
  options.env["PIP_NO_INPUT"] = "1";
  options.env["HOME"] = cwd.string();
  options.env["XDG_CACHE_HOME"] = (cwd / ".cache").string();
  return options;
}

std::map<std::string, std::string> parse_lines(const std::string& out) {
  std::map<std::string, std::string> values;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    const auto equals = line.find('=');
    if (equals == std::string::npos) {
      values[line] = "";
    } else {
      values[line.substr(0, equals)] = line.substr(equals + 1);
    }
  }
  return values;
}

std::string clients_file(const std::string& name) {
  return (fs::path(EMF_CLIENTS_DIR) / name).string();
}

::testing::AssertionResult program_exists(const std::string& path, const std::string& what) {
  if (!path.empty() && path.find("NOTFOUND") == std::string::npos &&
      ::access(path.c_str(), X_OK) == 0) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << what << " not found (" << path << "): run scripts/install-deps.sh, then cmake again";
}

void expect_scenario(const fs::path& dir, const ProcessResult& result) {
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.err, "");
  auto values = parse_lines(result.out);

  // The reports of emf_init and emf_seed, read with SQLite's JSON functions.
  Db json(":memory:", /*load_extension=*/false);
  const std::map<std::string, std::pair<std::string, std::string>> kinds = {
      {"trends", {"4", "[1,2,3,4]"}},
      {"metrics", {"4", "[1,2,3,4]"}},
      {"image_library", {"4", "[1,2,3,4]"}}};
  const std::map<std::string, std::string> seeded = {
      {"trends", R"({"trending_topics":6,"search_history":4})"},
      {"metrics", R"({"video_metrics":8,"video_metadata":3})"},
      {"image_library",
       R"({"image_library":6,"image_usage":4,"image_collections":2,"collection_images":5})"}};
  for (const auto& [kind, version] : kinds) {
    const std::string init = values[kind + ".init"];
    ASSERT_FALSE(init.empty()) << kind << "\n" << result.out;
    EXPECT_EQ(json.json(init, "$.kind"), kind);
    EXPECT_EQ(json.json(init, "$.version"), version.first) << init;
    EXPECT_EQ(json.json(init, "$.applied"), version.second) << init;
    EXPECT_EQ(json.json(init, "$.journal_mode"), "wal") << init;
    EXPECT_EQ(json.json(init, "$.warnings"), "NULL") << init;
    const std::string seed = values[kind + ".seed"];
    ASSERT_FALSE(seed.empty()) << kind << "\n" << result.out;
    EXPECT_EQ(json.json(seed, "$.inserted"), seeded.at(kind)) << seed;
    values.erase(kind + ".init");
    values.erase(kind + ".seed");
  }

  // Every other line, exactly: nothing missing, nothing more.
  const std::map<std::string, std::string> expected = {
      {"trends.check_ok", "1"},
      {"metrics.check_ok", "1"},
      {"image_library.check_ok", "1"},
      {"claimed", "AI art generators"},
      {"unused_topics", "3"},
      {"video.snapshots", "3"},
      {"video.upserted_views", "250"},
      {"video_metrics.rows", "11"},
      {"latest.rows", "6"},
      {"latest.emf-0004", "instagram:40,tiktok:900"},
      {"latest.emf-0004.topic", "AI art generators"},
      {"latest.top", "emf-0001/tiktok/15300"},
      {"picked", "images/butcher/happy_sitting.png"},
      {"picked.usage_count", "1"},
      {"picked.last_used_at", "2026-11-24 18:30:00.000"},
      {"image_usage.rows", "5"},
      {"trends.final_check_ok", "1"},
      {"metrics.final_check_ok", "1"},
      {"image_library.final_check_ok", "1"},
  };
  EXPECT_EQ(values, expected) << result.out;

  // What was committed to the files, seen from a connection of our own.
  for (const auto& [kind, version] : kinds) {
    Db db((dir / (kind + ".db")).string());
    EXPECT_EQ(db.text("PRAGMA journal_mode"), "wal") << kind;
    const std::string check = db.text(fmt::format("SELECT emf_check('{}')", kind));
    EXPECT_EQ(db.json(check, "$.ok"), "1") << check;
    EXPECT_EQ(db.json(check, "$.kinds[0].version"), version.first) << check;
  }
  Db trends((dir / "trends.db").string(), false);
  EXPECT_EQ(trends.rows("SELECT topic FROM trending_topics WHERE used_flag = 1 ORDER BY id"),
            (std::vector<std::vector<std::string>>{
                {"AI art generators"}, {"Cats that hate Mondays"}, {"World chess final"}}));
  Db metrics((dir / "metrics.db").string(), false);
  EXPECT_EQ(metrics.rows("SELECT video_id, platform, views, likes, timestamp FROM video_metrics "
                         "WHERE video_id = 'emf-0004' ORDER BY timestamp, platform"),
            (std::vector<std::vector<std::string>>{
                {"emf-0004", "tiktok", "250", "30", "2026-11-23 18:00:00.000"},
                {"emf-0004", "instagram", "40", "2", "2026-11-24 18:00:00.000"},
                {"emf-0004", "tiktok", "900", "120", "2026-11-24 18:00:00.000"}}));
  EXPECT_EQ(metrics.rows("SELECT title, topic, status, duration_seconds FROM video_metadata "
                         "WHERE video_id = 'emf-0004'"),
            (std::vector<std::vector<std::string>>{
                {"Butcher reviews AI art", "AI art generators", "rendered", "41.0"}}));
  Db images((dir / "image_library.db").string(), false);
  EXPECT_EQ(images.rows("SELECT i.file_path, i.usage_count, i.last_used_at, u.video_id, "
                        "u.scene_number, u.timestamp FROM image_usage AS u "
                        "JOIN image_library AS i ON i.id = u.image_id "
                        "WHERE u.video_id = 'emf-0004'"),
            (std::vector<std::vector<std::string>>{{"images/butcher/happy_sitting.png", "1",
                                                    "2026-11-24 18:30:00.000", "emf-0004", "1",
                                                    "2026-11-24 18:30:00.000"}}));
  EXPECT_EQ(images.integer("SELECT count(*) FROM image_library"), 7);
}

}  // namespace emf::test
