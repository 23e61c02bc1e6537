// The installed emf: the Debian package made by CPack (the packaging_deb
// fixture), its control fields and files, and the scenario run from a
// temporary root it is extracted into (emf init, seed, check, emf shell;
// sqlite3 loading the installed libemf.so by path and by name); then the
// same from `cmake --install --prefix`. Each test extracts or installs its
// own copy, so they run in any order, as root or not.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "support/process.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;

const std::string kVersion = EMF_PROJECT_VERSION;

// A program on PATH (run() takes absolute paths), or "" when there is none.
std::string program(const std::string& name) {
  return find_on_path(name);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The files every install has, relative to its prefix (the library's folder
// is the build's CMAKE_INSTALL_LIBDIR: lib, or lib/<multiarch> for /usr).
std::vector<std::string> installed_files() {
  return {
      "bin/emf",
      std::string(EMF_LIBDIR) + "/libemf.so",
      "share/bash-completion/completions/emf",
      "share/zsh/vendor-completions/_emf",
      "share/doc/emf/README.md",
      "share/doc/emf/docs/shell.md",
      "share/doc/emf/docs/functions.md",
      "share/doc/emf/docs/install.md",
  };
}

class PackagingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dpkg_deb_ = program("dpkg-deb");
    ASSERT_FALSE(dpkg_deb_.empty()) << "dpkg-deb is not installed (Debian package dpkg)";
    const auto architecture = run({program("dpkg"), "--print-architecture"}, {});
    ASSERT_EQ(architecture.exit_code, 0) << architecture.err;
    architecture_ = architecture.out.substr(0, architecture.out.find('\n'));
    package_ = fs::path(EMF_PACKAGE_DIR) / fmt::format("emf_{}_{}.deb", kVersion, architecture_);
    ASSERT_TRUE(fs::exists(package_))
        << package_ << " is missing: the packaging_deb test (cpack) makes it; in "
        << EMF_PACKAGE_DIR << ": " << run({program("ls"), "-1", EMF_PACKAGE_DIR}, {}).out;
  }

  // The package's files under <temporary>/root, as dpkg would install them
  // under /; returns root/usr, the prefix.
  fs::path extract() {
    const fs::path root = temporary_.path() / "root";
    const auto result = run({dpkg_deb_, "-x", package_.string(), root.string()}, {});
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    return root / "usr";
  }

  fs::path work_folder() {
    const fs::path work = temporary_.path() / "work";
    fs::create_directories(work);
    return work;
  }

  std::string field(const std::string& name) {
    const auto result = run({dpkg_deb_, "-f", package_.string(), name}, {});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.out.substr(0, result.out.find_last_not_of('\n') + 1);
  }

  // emf init, seed, check and shell, run from prefix/bin in a folder of their
  // own (data/ is created there).
  void run_scenario(const fs::path& prefix) {
    const std::string emf = (prefix / "bin/emf").string();
    const auto version = run({emf, "--version"}, {});
    EXPECT_EQ(version.exit_code, 0) << version.out << version.err;
    EXPECT_TRUE(version.out.starts_with("emf " + kVersion + " ")) << version.out;

    ProcessOptions in_work;
    in_work.cwd = work_folder();
    for (const char* command : {"init", "seed", "check"}) {
      const auto result = run({emf, command}, in_work);
      EXPECT_EQ(result.exit_code, 0) << "emf " << command << ":\n" << result.out << result.err;
    }
    EXPECT_TRUE(fs::exists(in_work.cwd / "data/trends.db"));

    // emf shell finds the installed libemf.so (sqlite3 comes from PATH).
    ASSERT_FALSE(program("sqlite3").empty()) << "sqlite3 is not installed (Debian package sqlite3)";
    ProcessOptions shell = in_work;
    shell.input = "SELECT count(*) > 0 FROM trending_topics;\nSELECT emf_version();\n";
    const auto result = run({emf, "shell", "trends"}, shell);
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(result.out, "1\n" + kVersion + "\n") << result.err;
  }

  TempDir temporary_;
  std::string dpkg_deb_;
  std::string architecture_;
  fs::path package_;
};

TEST_F(PackagingTest, PackageIsNamedAndDescribedAfterTheProject) {
  EXPECT_EQ(field("Package"), "emf");
  EXPECT_EQ(field("Version"), kVersion);
  EXPECT_EQ(field("Architecture"), architecture_);
  EXPECT_FALSE(field("Maintainer").empty());
  EXPECT_FALSE(field("Description").empty());
  // What the binaries link, found by dpkg-shlibdeps (or written by hand
  // without it), SQLite at the version the extension needs at least.
  const std::string depends = field("Depends");
  for (const char* dependency : {"libsqlite3-0 (>= 3.38.0)", "libfmt", "libc6", "libstdc++6"}) {
    EXPECT_TRUE(contains(depends, dependency)) << dependency << " missing in: " << depends;
  }
  // emf shell runs sqlite3, but nothing else needs it.
  EXPECT_EQ(field("Recommends"), "sqlite3");
  EXPECT_EQ(field("Suggests"), "bash-completion");
}

TEST_F(PackagingTest, PackageHoldsTheProgramLibraryManPageCompletionsAndDocs) {
  const auto listing = run({dpkg_deb_, "--contents", package_.string()}, {});
  ASSERT_EQ(listing.exit_code, 0) << listing.err;
  for (const std::string& file : installed_files()) {
    EXPECT_TRUE(contains(listing.out, " ./usr/" + file + "\n")) << file << " missing in:\n"
                                                                << listing.out;
  }
  EXPECT_TRUE(contains(listing.out, " ./usr/share/man/man1/emf.1.gz\n")) << listing.out;

  // Everything under /usr; nothing of the build (test programs, headers).
  std::istringstream lines(listing.out);
  std::string line;
  while (std::getline(lines, line)) {
    const std::string path = line.substr(line.find(" ./") + 1);
    EXPECT_TRUE(path == "./" || path.starts_with("./usr/")) << line;
    EXPECT_FALSE(contains(path, "_test") || contains(path, "/include/")) << line;
  }

  // The extracted files are what an install needs: the program and the
  // library executable, the rest readable by everyone.
  const fs::path prefix = extract();
  EXPECT_EQ(fs::status(prefix / "bin/emf").permissions() & fs::perms::others_exec,
            fs::perms::others_exec);
  EXPECT_EQ(fs::status(prefix / "share/man/man1/emf.1.gz").permissions() & fs::perms::others_read,
            fs::perms::others_read);
}

TEST_F(PackagingTest, ExtractedProgramInitsSeedsChecksAndOpensTheShell) {
  run_scenario(extract());
}

TEST_F(PackagingTest, Sqlite3LoadsTheExtractedLibraryByPath) {
  const std::string sqlite3 = program("sqlite3");
  ASSERT_FALSE(sqlite3.empty()) << "sqlite3 is not installed (Debian package sqlite3)";
  const fs::path library = extract() / EMF_LIBDIR / "libemf";
  ProcessOptions options;
  options.input = fmt::format(
      ".load '{}'\n"
      "SELECT json_extract(emf_init('trends'), '$.kind');\n"
      "SELECT emf_version();\n",
      library.string());
  const auto result = run({sqlite3, "-bail", (work_folder() / "trends.db").string()}, options);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.out, "trends\n" + kVersion + "\n") << result.err;
}

// `.load libemf`, no path: dlopen() searches the loader's folders, which
// LD_LIBRARY_PATH stands for here (an install under /usr/lib/<multiarch>
// is found the same way, with nothing set).
TEST_F(PackagingTest, Sqlite3LoadsLibemfByNameFromTheLoadersFolders) {
  const std::string sqlite3 = program("sqlite3");
  ASSERT_FALSE(sqlite3.empty()) << "sqlite3 is not installed (Debian package sqlite3)";
  const fs::path library_folder = extract() / EMF_LIBDIR;
  ProcessOptions options;
  options.env["LD_LIBRARY_PATH"] = library_folder.string();
  options.input = ".load libemf\nSELECT emf_version();\nSELECT emf_init('metrics') IS NOT NULL;\n";
  const auto result = run({sqlite3, "-bail", ":memory:"}, options);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.out, kVersion + "\n1\n") << result.err;
}

TEST_F(PackagingTest, PrefixInstallHoldsEverythingAndRunsTheScenario) {
  const fs::path prefix = temporary_.path() / "prefix";
  const auto install =
      run({EMF_CMAKE_COMMAND, "--install", EMF_BUILD_DIR, "--prefix", prefix.string()}, {});
  ASSERT_EQ(install.exit_code, 0) << install.out << install.err;
  for (const std::string& file : installed_files()) {
    EXPECT_TRUE(fs::exists(prefix / file)) << file;
  }
  EXPECT_TRUE(fs::exists(prefix / "share/man/man1/emf.1.gz") ||
              fs::exists(prefix / "share/man/man1/emf.1"));
  run_scenario(prefix);
}

}  // namespace
}  // namespace emf::test
