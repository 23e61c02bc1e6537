// Temporary files of emf's own; see temporary_file.h.
#include "temporary_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <string>
#include <system_error>

#include "error.h"
#include "sqlite_api.h"

namespace emf {

namespace {

namespace fs = std::filesystem;

constexpr const char* kSqliteSiblings[] = {"", "-journal", "-wal", "-shm"};
constexpr std::size_t kRandomPart = 6;  // mkstemp's XXXXXX

// "<name><tag>XXXXXX": what mkstemp() makes of the pattern.
bool names_a_temporary(const std::string& name, std::string_view tag) {
  const std::size_t at = name.rfind(tag);
  if (at == std::string::npos || at == 0 || name.size() - at != tag.size() + kRandomPart) {
    return false;
  }
  return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(at + tag.size()), name.end(),
                     [](unsigned char c) { return std::isalnum(c) != 0; });
}

// A writer holds an exclusive lock on its file while it writes: one whose
// lock can be taken has no writer left.
void remove_stale_temporaries(const fs::path& folder, std::string_view tag) {
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder, error)) {
    const std::string name = entry.path().filename().string();
    if (!names_a_temporary(name, tag) || !entry.is_regular_file(error)) continue;
    const int fd = ::open(entry.path().c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      std::error_code ignored;
      for (const char* suffix : kSqliteSiblings) {
        fs::remove(entry.path().string() + suffix, ignored);
      }
    }
    ::close(fd);
  }
}

}  // namespace

TemporaryFile::TemporaryFile(const fs::path& beside, std::string_view tag, mode_t mode) {
  const fs::path folder = beside.has_parent_path() ? beside.parent_path() : fs::path(".");
  remove_stale_temporaries(folder, tag);
  std::string pattern = beside.string() + std::string(tag) + std::string(kRandomPart, 'X');
  fd_ = ::mkstemp(pattern.data());
  if (fd_ < 0) {
    throw Error(fmt::format("cannot create a file in {}: {}", shown_path(folder.string()),
                            std::system_category().message(errno)),
                SQLITE_CANTOPEN);
  }
  path_ = pattern;
  ::fchmod(fd_, mode);    // mkstemp makes it 0600
  ::flock(fd_, LOCK_EX);  // new and ours alone: never waits
}

TemporaryFile::~TemporaryFile() {
  if (!keep_) {
    std::error_code ignored;
    for (const char* suffix : kSqliteSiblings) fs::remove(path_.string() + suffix, ignored);
  }
  ::close(fd_);  // and the lock with it
}

}  // namespace emf
