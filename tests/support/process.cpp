// Child processes for the shell tests; see process.h.
#include "support/process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/test_db.h"

namespace emf::test {

namespace {

const char* const kClearedVariables[] = {"TRENDS_DB_PATH", "METRICS_DB_PATH",
                                         "IMAGE_LIBRARY_DB_PATH", "NO_COLOR"};

// In the child, before exec: folder and environment.
void prepare_child(const ProcessOptions& options) {
  if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) _exit(126);
  for (const char* name : kClearedVariables) ::unsetenv(name);
  for (const auto& [name, value] : options.env) {
    if (value) {
      ::setenv(name.c_str(), value->c_str(), 1);
    } else {
      ::unsetenv(name.c_str());
    }
  }
}

[[noreturn]] void exec(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& word : argv) args.push_back(const_cast<char*>(word.c_str()));
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  _exit(127);
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::filesystem::path temporary_file(const std::string& content) {
  std::string pattern = (std::filesystem::temp_directory_path() / "emf-process-XXXXXX").string();
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  if (!content.empty() && ::write(fd, content.data(), content.size()) < 0) {
    ::close(fd);
    throw std::runtime_error("write failed");
  }
  ::close(fd);
  return pattern;
}

}  // namespace

Process::Process(const std::vector<std::string>& argv, const ProcessOptions& options)
    : out_path_(temporary_file("")),
      err_path_(temporary_file("")),
      in_path_(temporary_file(options.input)) {
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    const int in = ::open(in_path_.c_str(), O_RDONLY);
    const int out = ::open(out_path_.c_str(), O_WRONLY | O_TRUNC);
    const int err = ::open(err_path_.c_str(), O_WRONLY | O_TRUNC);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    ::dup2(in, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    prepare_child(options);
    exec(argv);
  }
}

Process::~Process() {
  if (pid_ > 0) {
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::error_code ignored;
  for (const auto& path : {out_path_, err_path_, in_path_}) std::filesystem::remove(path, ignored);
}

ProcessResult Process::wait() {
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return ProcessResult{exit_code_of(status), read_file(out_path_.string()),
                       read_file(err_path_.string())};
}

void Process::signal(int number) {
  if (pid_ > 0) ::kill(pid_, number);
}

ProcessResult run(const std::vector<std::string>& argv, const ProcessOptions& options) {
  return Process(argv, options).wait();
}

ProcessResult run_on_terminal(const std::vector<std::string>& argv, const ProcessOptions& options,
                              const std::string& prompt, const std::string& typed) {
  int master = -1;
  struct winsize size = {24, 120, 0, 0};
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, &size);
  if (pid < 0) throw std::runtime_error("forkpty failed");
  if (pid == 0) {
    prepare_child(options);
    exec(argv);
  }
  std::string out;
  bool typed_yet = typed.empty();
  if (!typed_yet && prompt.empty()) {
    (void)::write(master, typed.data(), typed.size());
    typed_yet = true;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    pollfd poll_fd{master, POLLIN, 0};
    const int ready = ::poll(&poll_fd, 1, 100);
    if (ready > 0) {
      char buffer[4096];
      const ssize_t count = ::read(master, buffer, sizeof buffer);
      if (count <= 0) break;  // the child closed the terminal (EIO)
      out.append(buffer, static_cast<std::size_t>(count));
      if (!typed_yet && out.find(prompt) != std::string::npos) {
        (void)::write(master, typed.data(), typed.size());
        typed_yet = true;
      }
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      break;
    }
  }
  ::close(master);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return ProcessResult{exit_code_of(status), out, {}};
}

std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream folders(path != nullptr ? path : "/usr/bin:/bin");
  std::string folder;
  while (std::getline(folders, folder, ':')) {
    const std::filesystem::path candidate =
        std::filesystem::path(folder.empty() ? "." : folder) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return {};
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  const bool bound = fd >= 0 &&
                     ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  if (fd >= 0) ::close(fd);
  if (!bound) throw std::runtime_error("no free port on 127.0.0.1");
  return ntohs(address.sin_port);
}

}  // namespace emf::test
