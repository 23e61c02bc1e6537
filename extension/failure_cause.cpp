// Diagnosing failures; see failure_cause.h.
#include "failure_cause.h"

#include <fmt/format.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <vector>

#include "db.h"
#include "error.h"

namespace emf {

namespace {

namespace fs = std::filesystem;

// SQLite's largest max_page_count before 3.45; from 3.45 it is larger. A
// smaller one was set by someone.
constexpr std::int64_t kDefaultMaxPageCount = 1073741823;

// The attached schemas; "main" alone when even that list cannot be read
// (a -shm that cannot be mapped fails every read).
std::vector<std::string> schemas(sqlite3* db) {
  try {
    return schema_names(db);
  } catch (const Error&) {
    return {"main"};
  }
}

std::vector<std::string> file_schemas(sqlite3* db) {
  std::vector<std::string> files;
  for (std::string& schema : schemas(db)) {
    if (is_file_schema(db, schema)) files.push_back(std::move(schema));
  }
  return files;
}

std::string bytes_text(double bytes) {
  if (bytes >= 1e9) return fmt::format("{:.1f} GB", bytes / 1e9);
  if (bytes >= 1e6) return fmt::format("{:.1f} MB", bytes / 1e6);
  return fmt::format("{:.0f} KB", bytes / 1e3);
}

// A table whose rowids can grow no more: AUTOINCREMENT has handed out the
// largest once, and never reuses one. (Without AUTOINCREMENT a taken largest
// rowid is no cause: SQLite then picks an unused rowid at random.)
std::optional<std::string> table_out_of_ids(sqlite3* db, const std::string& schema) {
  const std::string quoted = quote_identifier(schema);
  if (!query_optional_text(
          db, "SELECT 1 FROM " + quoted + ".sqlite_schema WHERE name = 'sqlite_sequence'")) {
    return std::nullopt;
  }
  return query_optional_text(db, fmt::format("SELECT name FROM {}.sqlite_sequence WHERE seq = {}",
                                             quoted, std::numeric_limits<std::int64_t>::max()));
}

std::string system_error(sqlite3* db) {
  const int number = sqlite3_system_errno(db);
  return number != 0 ? std::string(std::strerror(number)) : std::string();
}

// SQLite records no system error for SQLITE_FULL (only for I/O errors), so
// the free space is what tells.
std::string disk_full(sqlite3* db, const std::string& schema) {
  const fs::path file(sqlite3_db_filename(db, schema.c_str()));
  const fs::path folder = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  std::string free_space;
  struct statvfs disk {};
  if (::statvfs(folder.c_str(), &disk) == 0) {
    free_space = fmt::format(" ({} free now)",
                             bytes_text(static_cast<double>(disk.f_bavail) * disk.f_frsize));
  }
  return fmt::format(
      "the disk is full: free space on the disk holding {}{}, or in SQLite's temporary folder "
      "(SQLITE_TMPDIR, else /var/tmp or /tmp), then run it again",
      shown_path(folder.string()), free_space);
}

std::string full(sqlite3* db) {
  for (const std::string& schema : schemas(db)) {
    if (const auto table = table_out_of_ids(db, schema)) {
      return fmt::format(
          "not the disk: table {} has used every rowid (the largest, {}, is taken, and "
          "AUTOINCREMENT never reuses one); copy its rows into a new table with ids from 1, or "
          "delete the row with the largest id if nothing refers to it",
          *table, std::numeric_limits<std::int64_t>::max());
    }
  }
  for (const std::string& schema : schemas(db)) {
    const std::string quoted = quote_identifier(schema);
    const std::int64_t limit = query_int(db, "PRAGMA " + quoted + ".max_page_count");
    if (limit < kDefaultMaxPageCount) {
      const std::int64_t page_size = query_int(db, "PRAGMA " + quoted + ".page_size");
      return fmt::format(
          "not the disk: PRAGMA max_page_count holds {} to {} pages ({}) on this connection, "
          "and the work needs more; raise it",
          schema, limit, bytes_text(static_cast<double>(limit) * page_size));
    }
  }
  const auto files = file_schemas(db);
  if (files.empty()) {
    return "the memory or temporary storage is full: free memory, or space in SQLite's "
           "temporary folder (SQLITE_TMPDIR, else /var/tmp or /tmp), then run it again";
  }
  return disk_full(db, files.front());
}

// The WAL index beside a database that cannot be opened for writing: a
// folder, another user's file, or a file on a full disk.
std::optional<std::string> unwritable_shm(sqlite3* db, int code) {
  for (const std::string& schema : file_schemas(db)) {
    const std::string file = sqlite3_db_filename(db, schema.c_str());
    const std::string shm = file + "-shm";
    std::error_code error;
    const bool folder = fs::is_directory(shm, error);
    const bool unwritable = fs::exists(shm, error) && ::access(shm.c_str(), W_OK) != 0;
    const bool shm_failed = code == SQLITE_IOERR_SHMOPEN || code == SQLITE_IOERR_SHMSIZE ||
                            code == SQLITE_IOERR_SHMMAP || code == SQLITE_IOERR_SHMLOCK;
    if (!folder && !unwritable && !shm_failed) continue;
    const std::string reason = system_error(db);
    return fmt::format(
        "the WAL index {} cannot be written{}{}: WAL needs it beside the database; {}",
        shown_path(shm), folder ? " (it is a folder)" : "",
        reason.empty() || folder ? "" : fmt::format(" ({})", reason),
        folder || unwritable
            ? "while no program uses the database, remove it (or give this user write permission)"
            : "free space on its disk, then run it again");
  }
  return std::nullopt;
}

// The attached files that are not SQLite databases: their first 16 bytes
// are not SQLite's header. An empty file is a database not yet written.
std::vector<std::string> files_not_databases(sqlite3* db) {
  constexpr std::string_view kHeader("SQLite format 3\0", 16);
  std::vector<std::string> files;
  for (const std::string& schema : file_schemas(db)) {
    const std::string file = sqlite3_db_filename(db, schema.c_str());
    std::ifstream in(file, std::ios::binary);
    std::string header(kHeader.size(), '\0');
    if (!in.read(header.data(), static_cast<std::streamsize>(header.size())) && in.gcount() == 0) {
      continue;
    }
    header.resize(static_cast<std::size_t>(in.gcount()));
    if (header != kHeader) files.push_back(file);
  }
  return files;
}

}  // namespace

std::string advice_for_sql(sqlite3* db, int code) {
  if (db == nullptr) return {};
  try {
    switch (code & 0xff) {
      case SQLITE_BUSY:
        return fmt::format(
            "another connection is using the database; run this again when it is done, or wait "
            "longer (PRAGMA busy_timeout; this call waited {} ms)",
            busy_patience(db).count());
      case SQLITE_READONLY:
        return "this connection cannot write to it: it was opened read-only, or the file or its "
               "folder is read-only to this user; open it read-write, or check the permissions";
      case SQLITE_NOTADB: {
        const auto files = files_not_databases(db);
        // None: the file is another connection's (emf_restore's backup),
        // and the message names it already.
        if (files.empty()) return {};
        return fmt::format("{} is not a SQLite database (or it is encrypted); check the path",
                           shown_path(files.front()));
      }
      default:
        return {};
    }
  } catch (const std::exception&) {
    return {};  // advice is a courtesy; the failure itself is reported anyway
  }
}

std::string failure_cause(sqlite3* db, int code) {
  // The diagnosis reads the database, and a read that fails would ask again.
  thread_local bool diagnosing = false;
  if (db == nullptr || diagnosing) return {};
  struct Guard {
    Guard() { diagnosing = true; }
    ~Guard() { diagnosing = false; }
  } guard;
  try {
    switch (code & 0xff) {
      case SQLITE_FULL:
        return full(db);
      case SQLITE_READONLY:
      case SQLITE_IOERR:
        if (auto shm = unwritable_shm(db, code)) return *shm;
        if ((code & 0xff) == SQLITE_IOERR) {
          const std::string reason = system_error(db);
          return reason.empty() ? std::string() : "the operating system says: " + reason;
        }
        return {};
      default:
        return {};
    }
  } catch (const std::exception&) {
    return {};  // the diagnosis is a courtesy; the failure itself is reported anyway
  }
}

}  // namespace emf
