// A file emf writes beside another before it is done with it (a backup's
// copy, a compacted database), locked while it is being written and
// removed afterwards. The files of a process that was killed are removed
// by the next one of the same tag, never one still being written, nor any
// file emf did not make: tags are emf's own (".emf-backup-"), and a file
// is removed only when it is empty or a SQLite database, this user's, and
// nobody holds a lock on it.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string_view>
#include <vector>

namespace emf {

class TemporaryFile {
 public:
  // "<beside><tag>XXXXXX", created with `mode` (before the umask), after
  // removing stale files of the same tag in that folder.
  TemporaryFile(const std::filesystem::path& beside, std::string_view tag, mode_t mode = 0600);
  ~TemporaryFile();
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  const std::filesystem::path& path() const { return path_; }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::filesystem::path path_;
  // The file, then its -journal, -wal and -shm: what the destructor removes.
  std::vector<std::string> files_;
};

}  // namespace emf
