// The scratch folder; see scratch_folder.h.
#include "scratch_folder.h"

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <system_error>

namespace emf::fuzz {

namespace {

class ScratchFolder {
 public:
  ScratchFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "emf-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("emf fuzz: cannot make a scratch folder");
      std::abort();
    }
    path_ = pattern;
  }
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

const std::filesystem::path& scratch_folder() {
  static const ScratchFolder folder;
  return folder.path();
}

void empty_scratch_folder() {
  for (const auto& entry : std::filesystem::directory_iterator(scratch_folder())) {
    std::filesystem::remove_all(entry.path());
  }
}

std::string scratch_file(const std::string& name) {
  return (scratch_folder() / name).string();
}

}  // namespace emf::fuzz
