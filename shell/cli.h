// The command line of emf: parses the arguments, runs the command, and
// returns the exit status (0 success, 1 a problem found or an operation
// failed, 2 bad usage).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace emf::shell {

// The exit status of bad usage (1 is a problem found or an operation failed).
inline constexpr int kUsageError = 2;

int run_command_line(int argc, char** argv);

// The name closest to a mistyped word, if one is close enough to guess.
std::optional<std::string> nearest(std::string_view word, const std::vector<std::string>& names);

}  // namespace emf::shell
