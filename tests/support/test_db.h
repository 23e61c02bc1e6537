// Test helpers: a real SQLite connection with the built libemf loaded (and
// recursive triggers on, the harshest setting for emf's triggers), and a
// temporary folder removed after the test.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace emf::test {

class TempDir {
 public:
  // In memory (/dev/shm) when there is one: for tests that write much and
  // sync often, where a disk would only make them slow.
  enum class Where { disk, memory };
  explicit TempDir(Where where = Where::disk);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

class Db {
 public:
  // ":memory:" or a file path; the extension is loaded unless told not to.
  explicit Db(const std::string& path = ":memory:", bool load_extension = true,
              const char* vfs = nullptr);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* get() const { return db_; }
  // Runs SQL; throws std::runtime_error with SQLite's message on failure.
  void exec(const std::string& sql);
  // The first column of the first row; throws when there is no row.
  std::string text(const std::string& sql);
  std::int64_t integer(const std::string& sql);
  // Every row, each column as text ("NULL" for NULL).
  std::vector<std::vector<std::string>> rows(const std::string& sql);
  // The error message of running sql, or nullopt when it succeeds.
  std::optional<std::string> error(const std::string& sql);
  // A JSON value from a report: json_extract(report, path) as text.
  std::string json(const std::string& report, const std::string& path);
  // Every object in sqlite_schema with its SQL, and every row of every
  // table: two databases with the same dump hold the same things.
  std::string dump();

 private:
  sqlite3* db_ = nullptr;
};

// The bytes of a file.
std::string read_file(const std::string& path);

}  // namespace emf::test
