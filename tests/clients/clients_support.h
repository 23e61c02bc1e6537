// Helpers of the client tests: the environment their child processes get,
// the key=value lines the scenarios print, and the check of a finished
// scenario (what it printed and what it left on disk).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "support/process.h"

namespace emf::test {

// Options for a child in `cwd`: Python and pip isolated from the user's
// settings (no PYTHONPATH, user site, pip configuration or index), HOME in
// the test's folder, no bytecode written beside the scripts in the source tree.
ProcessOptions client_options(const std::filesystem::path& cwd);

// Lines of the form key=value; a line without '=' is kept under its text.
std::map<std::string, std::string> parse_lines(const std::string& out);

// A file of the source tree's tests/clients folder.
std::string clients_file(const std::string& name);

// Fails the test when a program the client tests need is missing.
::testing::AssertionResult program_exists(const std::string& path, const std::string& what);

// Checks the output of a scenario (scenario.sql and its twins) and the three
// databases it left in `dir`.
void expect_scenario(const std::filesystem::path& dir, const ProcessResult& result);

}  // namespace emf::test
