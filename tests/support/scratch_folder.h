// A temporary folder in memory when there is one: the loops run every
// operation thousands of times, each with its syncs, which a disk makes slow.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace emf::test {

class ScratchFolder {
 public:
  // prefix: the start of the folder's name, e.g. "emf-faults".
  explicit ScratchFolder(const std::string& prefix);
  ~ScratchFolder();
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Removes every file in it, so that each run starts from the same files.
  void empty() const;
  std::vector<std::string> names() const;

 private:
  std::filesystem::path path_;
};

// Writes the bytes to the file, replacing it.
void write_file(const std::string& path, const std::string& bytes);

}  // namespace emf::test
