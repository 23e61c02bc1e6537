// `emf shell`; see sqlite_shell.h.
#include "sqlite_shell.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <system_error>

#include "cli.h"
#include "db.h"
#include "programs.h"

#ifdef EMF_COVERAGE
extern "C" void __gcov_dump(void);
extern "C" void __gcov_reset(void);
#endif

namespace emf::shell {

namespace {

namespace fs = std::filesystem;

// libemf.so beside this program (the build folder), in ../lib (an install),
// or in the configured library folder.
std::optional<fs::path> find_extension() {
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  std::vector<fs::path> candidates;
  if (!error) {
    candidates.push_back(self.parent_path() / "libemf.so");
    candidates.push_back(self.parent_path().parent_path() / "lib" / "libemf.so");
    candidates.push_back(self.parent_path() / EMF_RELATIVE_LIBDIR / "libemf.so");
  }
  candidates.push_back(fs::path(EMF_INSTALL_LIBDIR) / "libemf.so");
  for (const fs::path& candidate : candidates) {
    if (fs::exists(candidate)) return candidate;
  }
  return std::nullopt;
}

}  // namespace

int run_sqlite_shell(const std::vector<std::string>& arguments, const TargetOptions& options) {
  const std::optional<fs::path> sqlite3_program = find_program("sqlite3");
  if (!sqlite3_program) {
    fmt::print(stderr,
               "emf shell: the sqlite3 program is not installed; install it (apt-get install "
               "sqlite3) and run this again\n");
    return 1;
  }
  const std::optional<fs::path> extension = find_extension();
  if (!extension) {
    fmt::print(stderr,
               "emf shell: cannot find libemf.so beside this program or in {}; reinstall emf\n",
               EMF_INSTALL_LIBDIR);
    return 1;
  }

  std::vector<std::string> command = {sqlite3_program->string(), "-cmd",
                                      fmt::format(".load \"{}\"", extension->string()), "-cmd",
                                      "PRAGMA foreign_keys = ON"};
  std::vector<std::string> rest = arguments;
  std::string database = ":memory:";
  const bool names_database = !rest.empty() && !rest.front().starts_with("-");
  if (names_database) {
    const std::string target = rest.front();
    rest.erase(rest.begin());
    database = target;
    bool is_kind = false;
    std::vector<std::string> kinds;
    for (const auto& [kind, variable] : known_kinds()) {
      kinds.push_back(kind);
      if (kind != target) continue;
      TargetOptions one = options;
      one.only = {kind};
      database = resolve_targets(one).front().path.string();
      is_kind = true;
    }
    // sqlite3 would create whatever it is given: a typo would leave an
    // empty database behind. emf shell opens databases that exist.
    if (!fs::exists(database)) {
      if (is_kind) {
        fmt::print(stderr,
                   "emf shell: there is no {} database at {} yet; create it with emf init\n",
                   target, display_path(database));
        return 1;
      }
      const bool looks_like_a_kind =
          target.find('/') == std::string::npos && target.find('.') == std::string::npos;
      const auto guess = looks_like_a_kind ? nearest(target, kinds) : std::nullopt;
      fmt::print(stderr, "emf shell: {} is neither a kind ({}) nor an existing database file{}\n",
                 target, fmt::join(kinds, ", "),
                 guess ? fmt::format("; did you mean {}?", *guess) : "");
      return kUsageError;
    }
  } else {
    // No database named: an in-memory one with the three attached by kind.
    for (const Target& target : resolve_targets(options)) {
      if (!fs::exists(target.path)) continue;
      command.push_back("-cmd");
      command.push_back(fmt::format("ATTACH {} AS {}", quote_literal(target.path.string()),
                                    quote_identifier(target.kind)));
    }
  }
  command.push_back(database);
  command.insert(command.end(), rest.begin(), rest.end());

  std::vector<char*> argv;
  for (std::string& word : command) argv.push_back(word.data());
  argv.push_back(nullptr);
#ifdef EMF_COVERAGE
  // execv replaces this process before exit would write its coverage counts:
  // they are written now, and counting starts again from zero, so that the
  // path of a failed execv is counted too, and nothing twice.
  __gcov_dump();
  __gcov_reset();  // GCOVR_EXCL_LINE: the reset clears this line's own count
#endif
  ::execv(sqlite3_program->c_str(), argv.data());
  const int exec_error = errno;
  fmt::print(stderr, "emf shell: cannot run {}: {}\n", sqlite3_program->string(),
             std::system_category().message(exec_error));
  return 1;
}

}  // namespace emf::shell
