// The emf Python package, installed as docs/python.md says: a venv of
// Debian's Python with its system site packages (setuptools), pip install
// --no-build-isolation --no-index of python/, the library named by
// EMF_LIBRARY. Offline, in the test's own folder; the source tree is copied
// there first, since pip builds in place and would leave build/ behind.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "clients_support.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;

// python/ without what an earlier in-place build left there.
void copy_package_source(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  for (const auto& entry : fs::directory_iterator(from)) {
    const std::string name = entry.path().filename().string();
    if (name == "build" || name == "__pycache__" || name.ends_with(".egg-info")) continue;
    if (entry.is_directory()) {
      copy_package_source(entry.path(), to / name);
    } else {
      fs::copy_file(entry.path(), to / name);
    }
  }
}

class PythonPackageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(program_exists(EMF_TEST_PYTHON, "Python"));
    copy_package_source(fs::path(EMF_SOURCE_DIR) / "python", dir.path() / "python");
    const auto venv = run({EMF_TEST_PYTHON, "-m", "venv", "--system-site-packages", "venv"},
                          client_options(dir.path()));
    ASSERT_EQ(venv.exit_code, 0) << venv.out << venv.err
                                 << "\n(Debian: apt-get install python3-venv)";
  }

  ProcessResult pip_install(const std::string& library) {
    ProcessOptions options = client_options(dir.path());
    options.env["EMF_LIBRARY"] = library;
    return run({python(), "-m", "pip", "install", "--no-build-isolation", "--no-index",
                "--no-cache-dir", (dir.path() / "python").string()},
               options);
  }

  std::string python() const { return (dir.path() / "venv" / "bin" / "python").string(); }

  TempDir dir;
};

TEST_F(PythonPackageTest, InstallsOfflineWithTheBuiltLibraryAndRunsTheScenario) {
  const auto install = pip_install(EMF_LIBRARY_FILE);
  ASSERT_EQ(install.exit_code, 0) << install.out << install.err;
  Db library(":memory:");
  const std::string version = library.text("SELECT emf_version()");
  EXPECT_NE(install.out.find("Successfully installed emf-" + version), std::string::npos)
      << install.out;

  // The package holds a copy of the built library, loads it, and leaves
  // extension loading off again.
  const auto probe = run({python(), "-c", R"py(
import sqlite3, emf
print("version=" + emf.__version__)
print("path=" + emf.loadable_path())
conn = sqlite3.connect(":memory:")
emf.load(conn)
print("emf_version=" + conn.execute("SELECT emf_version()").fetchone()[0])
try:
    conn.execute("SELECT load_extension('x')")
    print("after_load=allowed")
except sqlite3.OperationalError as error:
    print("after_load=" + str(error))
)py"},
                         client_options(dir.path()));
  ASSERT_EQ(probe.exit_code, 0) << probe.out << probe.err;
  auto values = parse_lines(probe.out);
  EXPECT_EQ(values["version"], version);
  EXPECT_EQ(values["emf_version"], version);
  EXPECT_EQ(values["after_load"], "not authorized");
  const fs::path packaged = values["path"];
  EXPECT_EQ(packaged.filename(), "libemf.so");
  EXPECT_TRUE(packaged.string().starts_with((dir.path() / "venv" / "lib").string())) << packaged;
  EXPECT_TRUE(read_file(packaged.string()) == read_file(EMF_LIBRARY_FILE))
      << packaged << " differs from " << EMF_LIBRARY_FILE;

  // The clients scenario and the example, through `import emf`.
  fs::create_directory(dir.path() / "data");
  expect_scenario(dir.path() / "data", run({python(), clients_file("scenario.py"), "--package",
                                            (dir.path() / "data").string()},
                                           client_options(dir.path())));
  const auto pipeline =
      run({python(), (fs::path(EMF_SOURCE_DIR) / "examples" / "pipeline.py").string(), "--seed",
           "--at", "2026-11-24 18:00:00", (dir.path() / "pipeline").string()},
          client_options(dir.path()));
  ASSERT_EQ(pipeline.exit_code, 0) << pipeline.out << pipeline.err;
  EXPECT_NE(pipeline.out.find("emf " + version +
                              ": trends version 4, metrics version 4, "
                              "image_library version 4\n"),
            std::string::npos)
      << pipeline.out;
  EXPECT_NE(pipeline.out.find("claimed topic 1: AI art generators (relevance 0.92)\n"),
            std::string::npos)
      << pipeline.out;
  Db metrics(dir.file("pipeline/metrics.db"), false);
  EXPECT_EQ(metrics.integer("SELECT count(*) FROM latest_video_metrics "
                            "WHERE video_id = 'emf-topic-1'"),
            3);
}

TEST_F(PythonPackageTest, BuildWithoutTheLibrarySaysWhereItLooked) {
  const std::string missing = dir.file("nowhere/libemf.so");
  const auto install = pip_install(missing);
  EXPECT_NE(install.exit_code, 0);
  EXPECT_NE((install.out + install.err).find("emf: libemf.so not found at EMF_LIBRARY=" + missing),
            std::string::npos)
      << install.out << install.err;
  const auto probe = run({python(), "-c", "import emf"}, client_options(dir.path()));
  EXPECT_NE(probe.exit_code, 0) << "emf was installed without its library";
}

}  // namespace
}  // namespace emf::test
