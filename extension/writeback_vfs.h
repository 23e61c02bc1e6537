// A VFS, in front of the default one, for a connection that writes one large
// new file (a backup's copy): it hands what is written to the disk while the
// file is being written, a few MiB at a time, instead of leaving it all dirty
// in the page cache for the final sync. On ext4 a sync waits for the
// journal's commit, which first writes out the dirty data of every file in
// it: another connection's commit would otherwise wait behind the whole copy.
// The final fsync still decides durability: this only spreads the writing.
// A failure to write out is kept (error()) and fails every later write.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "sqlite_api.h"

namespace emf {

class WritebackVfs {
 public:
  // Registered (never as the default) until destroyed; `fd` is a descriptor
  // of the file that will be opened as the main database through it.
  explicit WritebackVfs(int fd);
  ~WritebackVfs();
  WritebackVfs(const WritebackVfs&) = delete;
  WritebackVfs& operator=(const WritebackVfs&) = delete;
  const char* name() const { return name_.c_str(); }

  // Called after every write to the main database file.
  void wrote(std::int64_t offset, std::int64_t amount);
  // The errno of the first failure to write the file out, or 0.
  int error() const { return error_; }

  sqlite3_vfs* underlying() const { return underlying_; }

 private:
  struct Range {
    std::int64_t begin = std::numeric_limits<std::int64_t>::max();
    std::int64_t end = 0;
  };

  sqlite3_vfs vfs_{};
  sqlite3_vfs* underlying_ = nullptr;
  std::string name_;
  int fd_;
  Range writing_;  // handed to the disk, not yet waited for
  Range dirty_;    // written since, only to the page cache
  std::int64_t dirty_bytes_ = 0;
  int error_ = 0;
};

}  // namespace emf
