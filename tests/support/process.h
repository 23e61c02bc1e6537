// Runs a program as a test would from a shell: in a folder, with an
// environment of our choosing (the *_DB_PATH variables and NO_COLOR are
// cleared unless given), with standard input from a string, or on a
// pseudo-terminal.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace emf::test {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;  // empty on a terminal, where both go to `out`
};

struct ProcessOptions {
  std::filesystem::path cwd;
  // Variables to set (a value) or remove (nullopt) for the child.
  std::map<std::string, std::optional<std::string>> env;
  std::string input;  // standard input (not on a terminal)
};

// A started program; wait() collects it.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const ProcessOptions& options);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ProcessResult wait();
  // Sends the program a signal (SIGKILL: a crash); nothing once it is collected.
  void signal(int number);

 private:
  pid_t pid_ = -1;
  std::filesystem::path out_path_, err_path_, in_path_;
};

ProcessResult run(const std::vector<std::string>& argv, const ProcessOptions& options);

// A free TCP port on 127.0.0.1, as the kernel hands one out.
int free_port();

// The path of an executable program on PATH, or "" when there is none.
std::string find_on_path(const std::string& name);

// On a pseudo-terminal (stdin, stdout and stderr all on it); `typed` is
// written to the terminal once the program has printed `prompt` (or at once
// when prompt is empty).
ProcessResult run_on_terminal(const std::vector<std::string>& argv, const ProcessOptions& options,
                              const std::string& prompt = {}, const std::string& typed = {});

}  // namespace emf::test
