// The fixture of the shell tests: a temporary folder to run the real emf
// binary in, and helpers to write files and count rows there.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/process.h"
#include "support/test_db.h"

namespace emf::test {

class ShellTest : public ::testing::Test {
 protected:
  ProcessResult emf(std::vector<std::string> arguments, ProcessOptions options = {}) {
    arguments.insert(arguments.begin(), EMF_SHELL_PATH);
    if (options.cwd.empty()) options.cwd = dir.path();
    return run(arguments, options);
  }
  std::string path(const std::string& relative) const { return dir.file(relative); }
  void write(const std::string& relative, const std::string& content) {
    std::filesystem::create_directories(std::filesystem::path(path(relative)).parent_path());
    std::ofstream(path(relative)) << content;
  }
  std::int64_t count(const std::string& database, const std::string& table) {
    Db db(path(database), /*load_extension=*/false);
    return db.integer("SELECT count(*) FROM " + table);
  }

  TempDir dir;
};

}  // namespace emf::test
