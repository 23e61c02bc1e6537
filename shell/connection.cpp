// Database connections of the shell; see connection.h.
#include "connection.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <system_error>

#include "db.h"
#include "failure_cause.h"

namespace emf::shell {

namespace {

// How long a command waits for another process holding the write lock
// (--busy-timeout); the extension's functions wait as long.
int busy_timeout_ms = kDefaultBusyTimeoutMs;

// What to do, for failures whose cause SQLite's message names (failure_cause
// diagnoses the others: a full disk, a -shm that cannot be written).
std::string advice(int code, const Target& target) {
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "another process is using it; try again when it is done";
    case SQLITE_READONLY:
      return "the file or its folder is read-only; check the permissions";
    case SQLITE_NOTADB:
      return fmt::format("move it away, or point {} elsewhere", target.variable);
    case SQLITE_CANTOPEN:
      return "check that its folder exists and is writable";
    case SQLITE_CORRUPT:
      return "the file is damaged; restore it from a backup";
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return "permission denied; check the permissions";
    default:
      return {};
  }
}

// The nearest part of a path that exists, when it is not a folder: the
// file that keeps the folder from being made.
std::optional<std::filesystem::path> file_in_the_way(const std::filesystem::path& folder) {
  for (std::filesystem::path part = folder; !part.empty(); part = part.parent_path()) {
    std::error_code error;
    const auto status = std::filesystem::status(part, error);
    if (std::filesystem::exists(status)) {
      if (std::filesystem::is_directory(status)) return std::nullopt;
      return part;
    }
    if (part == part.parent_path()) break;
  }
  return std::nullopt;
}

}  // namespace

void Connection::set_busy_timeout(int milliseconds) {
  busy_timeout_ms = milliseconds;
}

Connection::Connection(const Target& target, Mode mode) : target_(target) {
  std::error_code ignored;
  if (mode != Mode::scratch && std::filesystem::is_directory(target.path, ignored)) {
    throw DatabaseError(fmt::format("{} is a folder, not a database file; move it away, or "
                                    "point {} (or --data-dir) elsewhere",
                                    display_path(target.path), target.variable),
                        SQLITE_CANTOPEN);
  }
  if (mode == Mode::create) {
    std::error_code error;
    std::filesystem::create_directories(target.path.parent_path(), error);
    if (error) {
      // A file where a folder should be is no matter of permissions.
      const auto file = file_in_the_way(target.path.parent_path());
      throw DatabaseError(
          fmt::format("cannot create folder {}: {}; {}, or choose another place with --data-dir "
                      "or {}",
                      display_path(target.path.parent_path()),
                      file ? fmt::format("{} is a file, not a folder", display_path(*file))
                           : error.message(),
                      file ? "move it away" : "check the permissions", target.variable),
          SQLITE_CANTOPEN);
    }
  }
  const std::string path = mode == Mode::scratch ? ":memory:" : target.path.string();
  try {
    if (mode == Mode::read_only) {
      open_for_reading(path);
    } else {
      const int flags =
          mode == Mode::create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READWRITE;
      const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
      if (rc != SQLITE_OK) fail(rc, "cannot open it");
      read_schema();
    }
  } catch (...) {
    sqlite3_close_v2(db_);  // a failed open leaves a handle too
    throw;
  }
}

// What only reads goes where SQLite's locks work, so that it sees what
// writers commit meanwhile:
// - where this process may write, an ordinary connection with query_only
//   on: it reads a WAL database's -wal, and, closing last, removes the -wal
//   and -shm it needed (a read-only connection would leave them behind);
// - elsewhere (read-only media, or only read permission), a read-only
//   connection, which reads a rollback-journal database, and a WAL database
//   whose -shm exists;
// - failing that, with no -wal file holding changes, the file alone,
//   opened immutable: nothing can be writing a file on read-only media.
void Connection::open_for_reading(const std::string& path) {
  const std::filesystem::path file(path);
  const std::filesystem::path folder =
      file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  const bool writable = faccessat(AT_FDCWD, file.c_str(), W_OK, AT_EACCESS) == 0 &&
                        faccessat(AT_FDCWD, folder.c_str(), W_OK, AT_EACCESS) == 0;
  int rc = sqlite3_open_v2(path.c_str(), &db_,
                           writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY, nullptr);
  if (rc == SQLITE_OK && writable) {
    rc = sqlite3_exec(db_, "PRAGMA query_only = ON", nullptr, nullptr, nullptr);
  }
  if (rc == SQLITE_OK) rc = try_read_schema();
  if (rc == SQLITE_OK) return;
  std::error_code ignored;
  const bool wal_holds_changes = std::filesystem::file_size(path + "-wal", ignored) > 0 && !ignored;
  const int primary = rc & 0xff;
  if (writable || wal_holds_changes || (primary != SQLITE_CANTOPEN && primary != SQLITE_READONLY)) {
    fail(rc, "cannot read it");
  }
  sqlite3_close_v2(db_);
  db_ = nullptr;
  rc = sqlite3_open_v2((file_uri(path) + "?immutable=1").c_str(), &db_,
                       SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr);
  if (rc != SQLITE_OK) fail(rc, "cannot open it");
  read_schema();
}

// The first read of the schema tells a database from any other file.
int Connection::try_read_schema() {
  sqlite3_busy_timeout(db_, busy_timeout_ms);
  sqlite3_extended_result_codes(db_, 1);
  return sqlite3_exec(db_, "PRAGMA foreign_keys = ON; SELECT count(*) FROM sqlite_schema", nullptr,
                      nullptr, nullptr);
}

void Connection::read_schema() {
  const int rc = try_read_schema();
  // A WAL database whose file or folder this user cannot write fails its
  // first read as read-only: the command cannot write to it, it can read.
  if (rc != SQLITE_OK)
    fail(rc, (rc & 0xff) == SQLITE_READONLY ? "cannot write to it" : "cannot read it");
}

Connection::~Connection() {
  sqlite3_close_v2(db_);
}

std::string Connection::help(int code) const {
  std::string cause = failure_cause(db_, code);
  return cause.empty() ? advice(code, target_) : cause;
}

void Connection::fail(int code, std::string_view what) const {
  std::string reason = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(code);
  std::string help = this->help(code);
  throw DatabaseError(fmt::format("{}: {}{}{}", what, reason, help.empty() ? "" : "; ", help),
                      code);
}

std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> Connection::prepare(
    std::string_view sql, const Arguments& arguments) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> statement(raw, sqlite3_finalize);
  if (rc != SQLITE_OK) fail(rc, "cannot query it");
  int index = 0;
  for (const CallArgument& argument : arguments) {
    ++index;
    if (const auto* text = std::get_if<std::string_view>(&argument)) {
      sqlite3_bind_text(raw, index, text->data(), static_cast<int>(text->size()), SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_int64(raw, index, std::get<std::int64_t>(argument));
    }
  }
  return statement;
}

std::string Connection::call(std::string_view function, const Arguments& arguments) {
  std::string sql = fmt::format("SELECT {}(", function);
  for (std::size_t i = 0; i < arguments.size(); ++i)
    sql += fmt::format("{}?{}", i ? ", " : "", i + 1);
  sql += ")";
  auto statement = prepare(sql, arguments);
  const int rc = sqlite3_step(statement.get());
  if (rc != SQLITE_ROW) {
    // The extension's message already names the function, and the cause
    // failure_cause finds.
    std::string reason = sqlite3_errmsg(db_);
    const bool explained = !failure_cause(db_, rc).empty();
    // The extension tells a SQL caller what to do in SQL's terms (PRAGMA
    // busy_timeout); the shell says it in its own, after the extension's
    // own account of what happened ("another connection committed
    // meanwhile; nothing was replaced"), or SQLite's bare cause.
    const std::string sql_advice = explained ? "" : advice_for_sql(db_, rc);
    if (!sql_advice.empty()) {
      const std::string in_sql_terms = "; " + sql_advice;
      if (reason.ends_with(in_sql_terms)) {
        reason.erase(reason.size() - in_sql_terms.size());
      } else {
        reason = fmt::format("{}: {}", function, sqlite3_errstr(rc));
      }
    }
    std::string help = explained ? "" : advice(rc, target_);
    throw DatabaseError(fmt::format("{}{}{}", reason, help.empty() ? "" : "; ", help), rc);
  }
  const auto* text = sqlite3_column_text(statement.get(), 0);
  return text != nullptr ? reinterpret_cast<const char*>(text) : "";
}

std::vector<std::vector<std::string>> Connection::rows(std::string_view sql,
                                                       const Arguments& arguments) {
  auto statement = prepare(sql, arguments);
  std::vector<std::vector<std::string>> result;
  int rc;
  while ((rc = sqlite3_step(statement.get())) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(statement.get()); ++i) {
      const auto* text = sqlite3_column_text(statement.get(), i);
      row.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
    }
    result.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) {
    // SQLite's message before the diagnosis: help() runs queries of its own,
    // which replace it ("not an error").
    std::string reason = sqlite3_errmsg(db_);
    std::string help = this->help(rc);
    throw DatabaseError(fmt::format("{}{}{}", reason, help.empty() ? "" : "; ", help), rc);
  }
  return result;
}

}  // namespace emf::shell
