// The --cluster client; see cluster_client.h.
#include "cluster_client.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <memory>
#include <optional>
#include <stdexcept>
#include <system_error>

#include "programs.h"
#include "report_reader.h"
#include "sqlite_api.h"

namespace emf::shell {

namespace {

namespace fs = std::filesystem;

// emf-node beside this program (the build folder, or an install's bin),
// else on PATH.
std::optional<fs::path> find_emf_node() {
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (!error && ::access((self.parent_path() / "emf-node").c_str(), X_OK) == 0) {
    return self.parent_path() / "emf-node";
  }
  return find_program("emf-node");
}

struct Finished {
  int exit_code = -1;
  std::string out, err;
};

// Runs a program with no shell in between, its standard output and error
// read as they come (neither pipe can fill and stall it).
Finished run_program(const std::vector<std::string>& argv) {
  // Close-on-exec pipes, duplicated onto the child's standard output and
  // error by posix_spawn: no code of ours runs in the child.
  int out[2] = {-1, -1}, err[2] = {-1, -1};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int failure = ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 ? errno : 0;
  if (failure == 0) {
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    failure = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  }
  posix_spawn_file_actions_destroy(&actions);
  for (int fd : {out[1], err[1]}) {
    if (fd >= 0) ::close(fd);
  }
  if (failure != 0) {
    for (int fd : {out[0], err[0]}) {
      if (fd >= 0) ::close(fd);
    }
    throw std::system_error(failure, std::generic_category(), "cannot run " + argv[0]);
  }
  Finished finished;
  std::array<pollfd, 2> fds = {pollfd{out[0], POLLIN, 0}, pollfd{err[0], POLLIN, 0}};
  std::array<std::string*, 2> into = {&finished.out, &finished.err};
  // Whatever happens here, the pipes are closed and the child is collected
  // (a child left writing into a pipe no one reads would never end).
  const auto close_all = [&] {
    for (pollfd& each : fds) {
      if (each.fd >= 0) ::close(each.fd);
      each.fd = -1;
    }
  };
  try {
    int open = 2;
    while (open > 0) {
      if (::poll(fds.data(), fds.size(), -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      for (std::size_t i = 0; i < fds.size(); ++i) {
        if (fds[i].fd < 0 || fds[i].revents == 0) continue;
        char buffer[65536];
        const ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
        if (got > 0) {
          into[i]->append(buffer, static_cast<std::size_t>(got));
        } else if (got == 0 || errno != EINTR) {
          ::close(fds[i].fd);
          fds[i].fd = -1;
          --open;
        }
      }
    }
  } catch (...) {
    close_all();
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    throw;
  }
  close_all();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  finished.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return finished;
}

// A value as an SQL literal: text quoted by SQLite's own %Q.
std::string literal(const CallArgument& value) {
  if (const auto* number = std::get_if<std::int64_t>(&value)) return std::to_string(*number);
  const std::string text(std::get<std::string_view>(value));  // %Q reads up to a NUL
  const std::unique_ptr<char, void (*)(void*)> quoted(sqlite3_mprintf("%Q", text.c_str()),
                                                      sqlite3_free);
  if (!quoted) throw std::bad_alloc();
  return quoted.get();
}

}  // namespace

ClusterClient::ClusterClient(std::string addresses) : addresses_(std::move(addresses)) {
  const std::optional<fs::path> found = find_emf_node();
  if (!found) {
    throw std::runtime_error(
        "--cluster needs the emf-node program, beside emf or on PATH (docs/cluster.md)");
  }
  program_ = *found;
}

ClusterClient::ClusterClient(std::string addresses, std::filesystem::path program)
    : addresses_(std::move(addresses)), program_(std::move(program)) {}

std::string ClusterClient::run(const std::string& database, const std::string& sql, bool writes,
                               bool foreign_keys_off) {
  std::vector<std::string> argv = {program_.string(), "sql",        "--cluster",
                                   addresses_,        "--database", database};
  if (writes) argv.emplace_back("--write");
  if (foreign_keys_off) argv.emplace_back("--foreign-keys-off");
  argv.emplace_back("--");  // the statement is never read as an option
  argv.push_back(sql);
  const Finished finished = run_program(argv);
  if (finished.exit_code != 0) {
    std::string message = finished.err;
    while (!message.empty() && message.back() == '\n') message.pop_back();
    if (message.starts_with("emf-node sql: ")) message.erase(0, 14);
    throw std::runtime_error(message.empty()
                                 ? fmt::format("emf-node exited with status {}", finished.exit_code)
                                 : message);
  }
  return finished.out;
}

std::string ClusterClient::call_sql(std::string_view function, const Arguments& arguments) const {
  std::string sql = fmt::format("SELECT {}(", function);
  const char* separator = "";
  for (const CallArgument& argument : arguments) {
    sql += separator + literal(argument);
    separator = ", ";
  }
  return sql + ")";
}

std::string ClusterClient::call_rebuilding(const std::string& database, std::string_view function,
                                           const Arguments& arguments) {
  try {
    return call(database, function, arguments, true);
  } catch (const std::runtime_error& error) {
    if (std::string_view(error.what())
            .find("cannot rebuild tables inside a transaction while "
                  "foreign keys are on") == std::string_view::npos) {
      throw;
    }
  }
  return single_value(function, run(database, call_sql(function, arguments), true, true));
}

std::string ClusterClient::call(const std::string& database, std::string_view function,
                                const Arguments& arguments, bool writes) {
  return single_value(function, run(database, call_sql(function, arguments), writes));
}

std::string ClusterClient::single_value(std::string_view function,
                                        const std::string& output) const {
  const auto found = rows_of(output);
  if (found.size() != 1) {
    throw std::runtime_error(fmt::format("{} answered {} rows through emf-node; expected one value",
                                         function, found.size()));
  }
  if (found[0].size() != 1) {
    throw std::runtime_error(
        fmt::format("{} answered a row of {} values through emf-node; expected one value", function,
                    found[0].size()));
  }
  return found[0][0];
}

std::vector<std::vector<std::string>> ClusterClient::rows(const std::string& database,
                                                          const std::string& sql,
                                                          const Arguments& arguments) {
  // emf-node sql binds no values: the arguments go in as literals, in one
  // pass over `sql`, so that a value is never read as a placeholder.
  std::string statement;
  for (std::size_t at = 0; at < sql.size();) {
    std::size_t end = at + 1;
    while (sql[at] == '?' && end < sql.size() && std::isdigit(static_cast<unsigned char>(sql[end])))
      ++end;
    const std::size_t number =
        sql[at] == '?' && end > at + 1 ? std::stoul(sql.substr(at + 1, end - at - 1)) : 0;
    if (number == 0) {
      statement += sql[at++];
      continue;
    }
    if (number > arguments.size())
      throw std::invalid_argument("no argument for ?" + std::to_string(number));
    statement += literal(arguments.begin()[number - 1]);
    at = end;
  }
  return rows_of(run(database, statement, false));
}

// emf-node prints each row as a JSON array on a line of its own.
std::vector<std::vector<std::string>> ClusterClient::rows_of(const std::string& output) const {
  std::vector<std::vector<std::string>> rows;
  std::size_t start = 0;
  while (start < output.size()) {
    std::size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    const std::string line = output.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    std::vector<std::string> row;
    const std::int64_t columns = reader_.length(line, "$");
    for (std::int64_t i = 0; i < columns; ++i) {
      row.push_back(reader_.value(line, fmt::format("$[{}]", i)).value_or(""));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace emf::shell
