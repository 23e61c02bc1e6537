// Temporary files of emf's own; see temporary_file.h.
#include "temporary_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

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

// What emf's temporary files hold: nothing yet, or a SQLite database, whose
// first page a killed copy may not have written yet (its pages reach the
// file in the order SQLite spills them).
bool empty_or_a_database(int fd, const struct stat& status) {
  if (status.st_size == 0) return true;
  constexpr std::string_view kHeader("SQLite format 3\0", 16);
  char header[kHeader.size()] = {};
  if (::pread(fd, header, sizeof header, 0) != static_cast<ssize_t>(sizeof header)) return false;
  const std::string_view start(header, sizeof header);
  return start == kHeader || start.find_first_not_of('\0') == std::string_view::npos;
}

// Whether any process holds a POSIX lock on the file, as SQLite's
// connections do while they read or write it (emf's own writers hold a
// flock instead).
bool locked_by_anyone(int fd) {
  struct flock probe {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  probe.l_start = 0;
  probe.l_len = 0;  // the whole file, SQLite's lock bytes past 1 GiB too
  return ::fcntl(fd, F_OFD_GETLK, &probe) != 0 || probe.l_type != F_UNLCK;
}

// A stale temporary is emf's beyond doubt before it is removed: named
// "<name><tag>XXXXXX" with a tag only emf uses, a regular file of this
// user's (not a link), empty or a SQLite database, and no writer left: emf
// holds an exclusive flock on its file while it writes, so one whose flock
// can be taken, and that nobody holds a POSIX lock on, is abandoned.
// POSIX's readdir, not std::filesystem::directory_iterator: libstdc++'s
// iterator allocates inside noexcept code, so running out of memory there
// would end the host program instead of failing the call with
// SQLITE_NOMEM. A folder that cannot be listed has nothing to clean up.
void remove_stale_temporaries(const fs::path& folder, std::string_view tag) {
  DIR* listing = ::opendir(folder.c_str());
  if (listing == nullptr) return;
  try {
    while (const dirent* entry = ::readdir(listing)) {
      const std::string name = entry->d_name;
      if (!names_a_temporary(name, tag)) continue;
      const fs::path path = folder / name;
      std::vector<std::string> files;  // named before the lock is taken: nothing throws under it
      for (const char* suffix : kSqliteSiblings) files.push_back(path.string() + suffix);
      const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0) continue;
      struct stat status {};
      if (::fstat(fd, &status) == 0 && S_ISREG(status.st_mode) && status.st_uid == ::geteuid() &&
          empty_or_a_database(fd, status) && ::flock(fd, LOCK_EX | LOCK_NB) == 0 &&
          !locked_by_anyone(fd)) {
        for (const std::string& file : files) {
          std::error_code ignored;
          fs::remove(file, ignored);
        }
      }
      ::close(fd);
    }
  } catch (...) {
    ::closedir(listing);
    throw;
  }
  ::closedir(listing);
}

}  // namespace

TemporaryFile::TemporaryFile(const fs::path& beside, std::string_view tag, mode_t mode) {
  const fs::path folder = beside.has_parent_path() ? beside.parent_path() : fs::path(".");
  remove_stale_temporaries(folder, tag);
  std::string pattern = beside.string() + std::string(tag) + std::string(kRandomPart, 'X');
  // Every name this file and SQLite's files beside it will have, made before
  // the file exists: the destructor then removes them without allocating
  // (it runs while an out-of-memory error unwinds).
  for (const char* suffix : kSqliteSiblings) files_.push_back(pattern + suffix);
  fd_ = ::mkstemp(pattern.data());
  if (fd_ < 0) {
    throw Error(fmt::format("cannot create a file in {}: {}", shown_path(folder.string()),
                            std::system_category().message(errno)),
                SQLITE_CANTOPEN);
  }
  for (std::string& file : files_) std::copy(pattern.begin(), pattern.end(), file.begin());
  ::fchmod(fd_, mode);    // mkstemp makes it 0600
  ::flock(fd_, LOCK_EX);  // new and ours alone: never waits
  try {
    path_ = pattern;
  } catch (...) {
    ::unlink(files_.front().c_str());
    ::close(fd_);
    throw;
  }
}

TemporaryFile::~TemporaryFile() {
  for (const std::string& file : files_) ::unlink(file.c_str());
  ::close(fd_);  // and the lock with it
}

}  // namespace emf
