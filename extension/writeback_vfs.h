// A VFS, in front of the default one, for a connection that writes one large
// new file (a backup's copy): it gathers the page writes into writes of
// 64 KiB, and hands what is written to the disk while the file is being
// written, 256 KiB at a time, instead of leaving it all dirty in the page
// cache for the final sync. On ext4 a sync waits for the
// journal's commit, which first writes out the dirty data of every file in
// it: another connection's commit would otherwise wait behind the whole copy.
// The final fsync still decides durability: this only spreads the writing.
// A failure to write out is kept (error()) and fails every later write; a
// write of the file that fails is kept too (failed_write()). Only the first
// main database opened through it is the copy; any other file is passed
// through. Nothing is gathered when the default VFS is not one of SQLite's
// unix VFSes (a VFS that checksums or encrypts page by page must get each
// page alone), once the file has shared memory (WAL mode: other connections
// read it without telling this one), or inside a batch of atomic writes.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>

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

  // A write to the main database file `file` (the underlying VFS's): gathered
  // with the writes that follow it into one write of up to a chunk, since a
  // backup writes one 4 KiB page at a time and the system's cost is per call.
  int write(sqlite3_file* file, const void* data, int amount, std::int64_t offset);
  // Writes what is gathered; called before any other use of the file.
  int flush(sqlite3_file* file);
  // Writes are passed on as they come from now on (see file_shm_map).
  void stop_gathering() { gathering_ = false; }
  // True for the first caller only: that main database file is the copy.
  bool claim() { return !std::exchange(claimed_, true); }

  // The errno of the first failure to write the file out, or 0.
  int error() const { return error_; }
  // The SQLite code of the first write of the copy that failed, or
  // SQLITE_OK: SQLite ignores the result of a close or an unlock, which may
  // write out what is gathered.
  int failed_write() const { return failed_write_; }

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
  int write_through(sqlite3_file* file, const void* data, int amount, std::int64_t offset);
  void wrote(std::int64_t offset, std::int64_t amount);

  std::unique_ptr<char[]> gathered_;  // kGather bytes
  std::int64_t gathered_offset_ = 0;
  std::int64_t gathered_size_ = 0;
  bool gathering_ = false;  // set by the constructor
  bool claimed_ = false;
  int failed_write_ = SQLITE_OK;
  Range writing_;  // handed to the disk, not yet waited for
  Range dirty_;    // written since, only to the page cache
  std::int64_t dirty_bytes_ = 0;
  int error_ = 0;
};

}  // namespace emf
