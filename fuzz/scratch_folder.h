// A private temporary folder for what a harness writes (databases, backups),
// made once per process and removed, with everything in it, when the process
// exits normally. Paths inside it are absolute: libFuzzer writes its crash
// files to the current folder, which the harnesses therefore never change.
#pragma once

#include <filesystem>
#include <string>

namespace emf::fuzz {

// The folder, made on first use.
const std::filesystem::path& scratch_folder();
// Removes everything in it, so that an input never sees another's files.
void empty_scratch_folder();
// The absolute path of a file named `name` in it.
std::string scratch_file(const std::string& name);

}  // namespace emf::fuzz
