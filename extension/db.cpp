// RAII helpers over the SQLite C API; see db.h.
#include "db.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "dqlite.h"
#include "failure_cause.h"

namespace emf {

std::string shown_path(std::string_view path) {
  constexpr std::size_t kLongest = 240, kEnds = 100;
  if (path.size() <= kLongest) return std::string(path);
  return fmt::format("{}...{} ({} characters)", path.substr(0, kEnds),
                     path.substr(path.size() - kEnds), path.size());
}

void throw_sqlite_error(sqlite3* db, int rc, std::string_view context) {
  // A copy: failure_cause runs SQL on the connection, which frees the
  // connection's message.
  const std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (rc == SQLITE_NOMEM) throw std::bad_alloc();
  // The extended code says more (which I/O failed), whether or not the
  // caller's connection has extended codes on; SQLite masks it for them.
  if (db != nullptr && (sqlite3_extended_errcode(db) & 0xff) == (rc & 0xff)) {
    rc = sqlite3_extended_errcode(db);
  }
  const std::string cause = failure_cause(db, rc);
  throw Error(fmt::format("{}{}{}{}{}", context, context.empty() ? "" : ": ", message,
                          cause.empty() ? "" : "; ", cause),
              rc);
}

namespace {

// The SQL a failure quotes, or "" when the failure concerns the database as
// a whole: a locked, read-only, unreadable or full database fails whatever
// the statement, and quoting emf's internal SQL there only hides the cause.
std::string statement_context(int rc, std::string context) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_READONLY:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
      return {};
    default:
      return context;
  }
}

}  // namespace

Statement::Statement(sqlite3* db, std::string_view sql)
    : db_(db), head_(sql.substr(0, std::min<std::size_t>(sql.size(), 48))) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  stmt_.reset(stmt);
  if (rc != SQLITE_OK) {
    throw_sqlite_error(db, rc, statement_context(rc, fmt::format("cannot prepare '{}'", sql)));
  }
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_sqlite_error(db_, rc, statement_context(rc, fmt::format("'{}...' failed", head_)));
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

Statement& Statement::bind_text(int index, std::string_view text) {
  int rc = sqlite3_bind_text(stmt_.get(), index, text.data(), static_cast<int>(text.size()),
                             SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, "cannot bind a parameter");
  return *this;
}

Statement& Statement::bind_int(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_.get(), index, value);
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, "cannot bind a parameter");
  return *this;
}

Statement& Statement::bind_double(int index, double value) {
  int rc = sqlite3_bind_double(stmt_.get(), index, value);
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, "cannot bind a parameter");
  return *this;
}

Statement& Statement::bind_null(int index) {
  int rc = sqlite3_bind_null(stmt_.get(), index);
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, "cannot bind a parameter");
  return *this;
}

std::int64_t Statement::column_int(int index) const {
  return sqlite3_column_int64(stmt_.get(), index);
}

std::string Statement::column_text(int index) const {
  const auto* text = sqlite3_column_text(stmt_.get(), index);
  if (text == nullptr) {
    if (sqlite3_errcode(db_) == SQLITE_NOMEM) throw std::bad_alloc();
    return {};
  }
  return {reinterpret_cast<const char*>(text),
          static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), index))};
}

std::optional<std::string> Statement::column_optional_text(int index) const {
  if (column_is_null(index)) return std::nullopt;
  return column_text(index);
}

bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_.get(), index) == SQLITE_NULL;
}

void exec(sqlite3* db, std::string_view sql) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) throw_sqlite_error(db, rc, "");
}

std::optional<std::string> query_optional_text(sqlite3* db, std::string_view sql) {
  Statement statement(db, sql);
  if (!statement.step()) return std::nullopt;
  return statement.column_text(0);
}

std::int64_t query_int(sqlite3* db, std::string_view sql) {
  Statement statement(db, sql);
  return statement.step() ? statement.column_int(0) : 0;
}

namespace {

// Formats one argument with sqlite3_mprintf, SQLite's own quoting.
std::string sqlite_format(const char* format, std::string_view text) {
  char* formatted = sqlite3_mprintf(format, static_cast<int>(text.size()), text.data());
  if (formatted == nullptr) throw std::bad_alloc();
  std::string result(formatted);
  sqlite3_free(formatted);
  return result;
}

}  // namespace

std::string file_uri(std::string_view path) {
  std::string uri = "file:";
  for (const char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      uri += fmt::format("%{:02x}", static_cast<unsigned char>(c));
    } else {
      uri += c;
    }
  }
  return uri;
}

std::string quote_identifier(std::string_view name) {
  return sqlite_format("\"%.*w\"", name);
}
std::string quote_literal(std::string_view text) {
  return sqlite_format("'%.*q'", text);
}

std::string lower_name(std::string_view name) {
  std::string result(name);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

std::vector<std::string> schema_names(sqlite3* db) {
  std::vector<std::string> names;
  Statement statement(db, "SELECT name FROM pragma_database_list ORDER BY seq");
  while (statement.step()) names.push_back(statement.column_text(0));
  return names;
}

std::optional<std::string> find_schema(sqlite3* db, std::string_view name) {
  for (std::string& schema : schema_names(db)) {
    if (sqlite3_stricmp(schema.c_str(), std::string(name).c_str()) == 0) return schema;
  }
  return std::nullopt;
}

bool is_file_schema(sqlite3* db, std::string_view schema) {
  const char* file = sqlite3_db_filename(db, std::string(schema).c_str());
  // dqlite names its databases, but keeps them in memory: the name is no
  // file on this machine's disk.
  return file != nullptr && file[0] != '\0' && !is_dqlite(db, schema);
}

namespace {

// Bytes 18 and 19 of the file's header (fileformat2 1.3.3): 2 in WAL mode, 1
// in a rollback-journal mode; nullopt when the file has no header yet.
std::optional<int> header_file_format(sqlite3* db, std::string_view schema) {
  sqlite3_file* handle = nullptr;
  unsigned char header[100] = {};
  if (sqlite3_file_control(db, std::string(schema).c_str(), SQLITE_FCNTL_FILE_POINTER, &handle) !=
          SQLITE_OK ||
      handle == nullptr || handle->pMethods == nullptr ||
      handle->pMethods->xRead(handle, header, sizeof header, 0) != SQLITE_OK ||
      std::memcmp(header, "SQLite format 3", 16) != 0 || header[18] != header[19]) {
    return std::nullopt;
  }
  return header[18];
}

}  // namespace

std::string journal_mode(sqlite3* db, std::string_view schema) {
  // dqlite opens every database in WAL mode and supports no other: not even
  // the PRAGMA that reads the mode is issued there (one that changed it
  // would crash the leader).
  if (is_dqlite(db, schema)) return "wal";
  std::string mode = query_optional_text(db, "PRAGMA " + quote_identifier(schema) + ".journal_mode")
                         .value_or("unknown");
  const char* file = sqlite3_db_filename(db, std::string(schema).c_str());
  if (file == nullptr || file[0] == '\0') return mode;
  const std::optional<int> format = header_file_format(db, schema);
  // Opened immutable (read-only media), SQLite answers 'delete' whatever the
  // file says; the header's WAL mark is the mode every writer will use.
  if (sqlite3_uri_boolean(file, "immutable", 0)) return format == 2 ? "wal" : mode;
  // A switch to WAL whose header failed to commit leaves the connection
  // answering 'wal' for a file that is not: the file is what others open,
  // and this connection falls back to 'delete' at its next read.
  if (mode == "wal" && format == 1) return "delete";
  return mode;
}

bool foreign_keys_enabled(sqlite3* db) {
  return query_int(db, "PRAGMA foreign_keys") != 0;
}

PrivateConnection::PrivateConnection() {
  int rc = sqlite3_open_v2(":memory:", &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_close(db_);
    db_ = nullptr;
    if (rc == SQLITE_NOMEM) throw std::bad_alloc();
    throw Error(fmt::format("cannot open a private in-memory database: {}", sqlite3_errstr(rc)),
                rc);
  }
}

std::chrono::milliseconds busy_patience(sqlite3* db) {
  const std::int64_t timeout = query_int(db, "PRAGMA busy_timeout");
  return timeout > 0 ? std::chrono::milliseconds(timeout) : kBusyPatience;
}

PrivateConnection::~PrivateConnection() {
  sqlite3_close(db_);
}

WriteTransaction::WriteTransaction(sqlite3* db, std::string_view savepoint_name)
    : db_(db),
      savepoint_(quote_identifier(savepoint_name)),
      joined_caller_(!sqlite3_get_autocommit(db)),
      undo_(db, joined_caller_ ? "ROLLBACK TO " + savepoint_ : std::string("ROLLBACK")) {
  if (joined_caller_) {
    release_.emplace(db_, "RELEASE " + savepoint_);
    exec(db_, "SAVEPOINT " + savepoint_);
  } else {
    exec(db_, "BEGIN IMMEDIATE");
  }
}

namespace {

// Runs a prepared statement of an undo, ignoring its result: nothing is left
// to undo when an I/O error or a full disk already rolled SQLite's
// transaction back.
void run_undo(sqlite3_stmt* statement) {
  sqlite3_step(statement);
  sqlite3_reset(statement);
}

}  // namespace

WriteTransaction::~WriteTransaction() {
  if (finished_) return;
  if (joined_caller_) {
    run_undo(undo_.get());
    run_undo(release_->get());
  } else if (!sqlite3_get_autocommit(db_)) {
    run_undo(undo_.get());
  }
}

void WriteTransaction::commit() {
  exec(db_, joined_caller_ ? "RELEASE " + savepoint_ : std::string("COMMIT"));
  finished_ = true;
}

Savepoint::Savepoint(sqlite3* db, std::string_view name)
    : db_(db),
      name_(quote_identifier(name)),
      rollback_(db, "ROLLBACK TO " + name_),
      release_(db, "RELEASE " + name_) {
  exec(db_, "SAVEPOINT " + name_);
}

Savepoint::~Savepoint() {
  if (released_) return;
  run_undo(rollback_.get());
  run_undo(release_.get());
}

void Savepoint::release() {
  exec(db_, "RELEASE " + name_);
  released_ = true;
}

}  // namespace emf
