// Restoring and optimizing a live database; see restore.h.
#include "restore.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>

#include "backup.h"
#include "db.h"
#include "dqlite.h"
#include "history.h"
#include "json.h"
#include "migrations.h"
#include "temporary_file.h"

namespace emf {

namespace {

namespace fs = std::filesystem;

// A connection of emf's own to a database file, waiting for locks as long
// as the caller's connection would.
class FileConnection {
 public:
  FileConnection(const std::string& uri, int flags, std::string_view shown,
                 std::chrono::milliseconds patience) {
    const int rc = sqlite3_open_v2(uri.c_str(), &db_, flags | SQLITE_OPEN_URI, nullptr);
    if (rc != SQLITE_OK) {
      const std::string reason = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      db_ = nullptr;
      throw Error(fmt::format("cannot open {}: {}", shown_path(shown), reason), rc);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, static_cast<int>(patience.count()));
  }
  ~FileConnection() { sqlite3_close(db_); }
  FileConnection(const FileConnection&) = delete;
  FileConnection& operator=(const FileConnection&) = delete;
  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// A backup is a finished file: with no -wal beside it, opened immutable,
// SQLite reads it alone and leaves no -wal or -shm beside it (a read-only
// open of a WAL-mode file would). With a -wal beside it (a copy of a live
// database), an ordinary read-only open reads its changes too.
std::string finished_file_uri(const fs::path& path) {
  std::error_code ignored;
  const bool wal_beside = fs::exists(path.string() + "-wal", ignored);
  return file_uri(path.string()) + (wal_beside ? "?mode=ro" : "?immutable=1");
}

// Whether the file's header says WAL (bytes 18 and 19 are 2).
bool header_says_wal(const fs::path& path) {
  unsigned char header[20] = {};
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return false;
  const std::size_t read = std::fread(header, 1, sizeof header, file);
  std::fclose(file);
  return read == sizeof header && header[18] == 2 && header[19] == 2;
}

std::string file_of(sqlite3* db, std::string_view schema, std::string_view function) {
  const char* file = sqlite3_db_filename(db, std::string(schema).c_str());
  if (file == nullptr || file[0] == '\0') {
    throw Error(fmt::format("schema {} is not a database file; {} replaces a file's content",
                            schema, function));
  }
  return file;
}

void refuse_in_transaction(sqlite3* db, std::string_view function) {
  if (!sqlite3_get_autocommit(db)) {
    throw Error(
        fmt::format("cannot run inside a transaction: {} replaces the whole database; "
                    "commit or roll back first",
                    function));
  }
}

// Called for each row of a query that reads the schema, the caller's own
// statement holds a read transaction on it: the copy could not start, after
// the current state was saved.
void refuse_while_reading(sqlite3* db, std::string_view schema, std::string_view function) {
  if (sqlite3_txn_state(db, std::string(schema).c_str()) != SQLITE_TXN_NONE) {
    throw Error(
        fmt::format("cannot run while its own statement reads schema {} (a query's "
                    "FROM?): {} replaces the whole database; call it in a SELECT of its "
                    "own: SELECT {}(...)",
                    schema, function, function));
  }
}

std::int64_t pragma_int(sqlite3* db, std::string_view schema, std::string_view pragma) {
  return query_int(db, fmt::format("PRAGMA {}.{}", quote_identifier(schema), pragma));
}

// Tells whether anyone committed to the database between two marks. In WAL
// mode, PRAGMA data_version of a connection of our own, refreshed by a read;
// in rollback-journal mode, the file change counter of the header (bytes
// 24-27, which every commit increments), read through the caller's own
// handle on the file: opening and closing another handle would drop the
// process's POSIX locks on it, the write lock included.
class CommitWatcher {
 public:
  CommitWatcher(sqlite3* db, std::string_view schema, const std::string& file, bool wal)
      : db_(db),
        schema_(schema),
        wal_(wal),
        reader_(file_uri(file) + "?mode=ro", SQLITE_OPEN_READONLY, file, busy_patience(db)) {}
  sqlite3* reader() const { return reader_.get(); }
  bool wal() const { return wal_; }
  std::int64_t mark() const {
    if (wal_) {
      query_int(reader_.get(), "SELECT count(*) FROM sqlite_schema");
      return query_int(reader_.get(), "PRAGMA data_version");
    }
    sqlite3_file* handle = nullptr;
    unsigned char counter[4] = {};
    if (sqlite3_file_control(db_, schema_.c_str(), SQLITE_FCNTL_FILE_POINTER, &handle) !=
            SQLITE_OK ||
        handle == nullptr || handle->pMethods == nullptr) {
      throw Error("cannot read the database's header", SQLITE_IOERR);
    }
    // A new, empty database has no header yet: nothing was committed.
    const int rc = handle->pMethods->xRead(handle, counter, sizeof counter, 24);
    if (rc == SQLITE_IOERR_SHORT_READ) return 0;
    if (rc != SQLITE_OK) throw Error("cannot read the database's header", rc);
    return (std::int64_t{counter[0]} << 24) | (counter[1] << 16) | (counter[2] << 8) | counter[3];
  }

 private:
  sqlite3* db_;
  std::string schema_;
  bool wal_;
  FileConnection reader_;
};

// The sibling files SQLite keeps beside a database: not a place to save to.
void refuse_save_path(const std::string& file, const std::string& path) {
  std::error_code error;
  const fs::path wanted = fs::absolute(path, error);
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
    if (wanted == fs::absolute(file + suffix, error)) {
      throw Error(fmt::format("cannot save the current state to {}: SQLite uses that file for the "
                              "database itself",
                              shown_path(path)),
                  SQLITE_CANTOPEN);
    }
  }
  if (fs::exists(fs::symlink_status(wanted, error))) {
    throw Error(fmt::format("{} already exists; the current state is saved to a new file only",
                            shown_path(path)),
                SQLITE_CANTOPEN);
  }
}

// Saves the current state of the database to `path` as emf_backup does.
void save_current(const CommitWatcher& watcher, const std::string& path,
                  std::optional<std::string>& saved) {
  saved = backup_schema(watcher.reader(), "main", path).path;
}

// put_back's work from the write lock on; the state is saved under the lock
// when `save_current_to` is given.
void put_back_under_lock(sqlite3* db, std::string_view schema, sqlite3* source,
                         const CommitWatcher& watcher, std::int64_t expected,
                         const std::optional<std::string>& save_current_to,
                         std::optional<std::string>& saved) {
  sqlite3_backup* raw = sqlite3_backup_init(db, std::string(schema).c_str(), source, "main");
  if (raw == nullptr) throw_sqlite_error(db, sqlite3_errcode(db), "cannot start the copy");
  std::unique_ptr<sqlite3_backup, int (*)(sqlite3_backup*)> backup(raw, sqlite3_backup_finish);
  const auto deadline = std::chrono::steady_clock::now() + busy_patience(db);
  int rc;
  while ((rc = sqlite3_backup_step(raw, 0)) == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    if (std::chrono::steady_clock::now() >= deadline) break;
    sqlite3_sleep(20);
  }
  if (rc != SQLITE_OK && rc != SQLITE_DONE) {
    throw Error(fmt::format("cannot take the write lock: {}", sqlite3_errstr(rc)), rc);
  }
  if (watcher.mark() != expected) {
    throw Error("another connection committed meanwhile; nothing was replaced", SQLITE_BUSY);
  }
  if (save_current_to) save_current(watcher, *save_current_to, saved);
  rc = sqlite3_backup_step(raw, -1);
  if (rc != SQLITE_DONE) throw Error(fmt::format("the copy failed: {}", sqlite3_errstr(rc)), rc);
  rc = sqlite3_backup_finish(backup.release());
  if (rc != SQLITE_OK) throw_sqlite_error(db, rc, "the copy failed");
}

// Copies the whole of `source` over the schema with the backup API: it takes
// the write lock first (a step of no pages), checks that nothing was
// committed since `expected`, then copies every page and commits at once.
// The current state is saved to `save_current_to` when given (`saved` names
// the file from then on; it is removed when nothing was replaced). In WAL
// mode readers never wait for the write lock, so the state is saved under
// it: no commit can come between what is saved and what is replaced,
// however busy the writers (they wait, as for the copy). In rollback-journal
// mode the backup API's lock is EXCLUSIVE and would keep the save from
// reading: the state is saved first, and a commit during the save is seen
// under the lock.
void put_back(sqlite3* db, std::string_view schema, sqlite3* source, const CommitWatcher& watcher,
              std::int64_t expected, const std::optional<std::string>& save_current_to,
              std::optional<std::string>& saved) {
  if (save_current_to && !watcher.wal()) save_current(watcher, *save_current_to, saved);
  try {
    put_back_under_lock(db, schema, source, watcher, expected,
                        watcher.wal() ? save_current_to : std::nullopt, saved);
  } catch (const Error& failure) {
    // Nothing was replaced when the lock or the check failed; the saved
    // state is then of no use, and a retry saves it again.
    if (saved && failure.code() == SQLITE_BUSY) {
      std::error_code ignored;
      fs::remove(*saved, ignored);
      saved.reset();
    }
    throw;
  }
}

void refuse_different_page_size(sqlite3* db, std::string_view schema, sqlite3* source, bool wal) {
  // SQLite cannot copy pages of another size into a WAL database.
  const std::int64_t ours = pragma_int(db, schema, "page_size");
  const std::int64_t theirs = query_int(source, "PRAGMA main.page_size");
  if (wal && ours != theirs) {
    throw Error(
        fmt::format("the backup's pages are {} bytes and the database's {}; SQLite "
                    "cannot copy pages of another size into a WAL database",
                    theirs, ours));
  }
}

// The kinds a database holds, at their versions.
std::vector<std::pair<Kind, int>> kinds_of(sqlite3* db, std::string_view schema) {
  std::vector<std::pair<Kind, int>> kinds;
  for (const Kind kind : installed_kinds(db, schema)) {
    const auto history = read_history(db, schema, kind);
    kinds.emplace_back(kind, history.empty() ? 0 : history.back().version);
  }
  return kinds;
}

std::string kind_list(const std::vector<std::pair<Kind, int>>& kinds) {
  std::vector<std::string> names;
  for (const auto& [kind, version] : kinds) names.emplace_back(kind_name(kind));
  return names.empty() ? "no emf kind" : fmt::format("{}", fmt::join(names, ", "));
}

// Whether every table of `live` has the same rows, rowids included, in
// `copy` (both attached to one connection).
// How to name a table's rowid in SQL: the first of rowid, _rowid_ and oid
// that is not one of its columns (a column of that name hides it); nullopt
// for a WITHOUT ROWID table.
std::optional<std::string> rowid_name(sqlite3* db, std::string_view schema,
                                      const std::string& table) {
  std::set<std::string> columns;
  Statement info(db, fmt::format("SELECT lower(name) FROM pragma_table_xinfo({}, {})",
                                 quote_literal(table), quote_literal(schema)));
  while (info.step()) columns.insert(info.column_text(0));
  for (const char* alias : {"rowid", "_rowid_", "oid"}) {
    if (columns.contains(alias)) continue;
    try {
      Statement probe(db, fmt::format("SELECT {} FROM {}.{} LIMIT 0", alias,
                                      quote_identifier(schema), quote_identifier(table)));
      return std::string(alias);
    } catch (const Error&) {
      return std::nullopt;  // WITHOUT ROWID
    }
  }
  throw Error(
      fmt::format("table {} has columns named rowid, _rowid_ and oid, which hide its "
                  "rowids; emf cannot copy them",
                  table));
}

std::optional<std::string> first_table_that_differs(sqlite3* db) {
  // Statistics are not rows of anyone's: ANALYZE samples them afresh.
  Statement tables(db,
                   "SELECT name, sql FROM main.sqlite_schema WHERE type = 'table' AND sql NOT "
                   "LIKE 'CREATE VIRTUAL%' AND name NOT LIKE 'sqlite\\_stat%' ESCAPE '\\'");
  std::vector<std::string> names;
  while (tables.step()) names.push_back(tables.column_text(0));
  for (const std::string& name : names) {
    const std::string table = quote_identifier(name);
    // WITHOUT ROWID: its key is among the columns.
    const auto rowid = rowid_name(db, "main", name);
    const std::string columns = rowid ? *rowid + ", *" : "*";
    const std::int64_t same = query_int(
        db, fmt::format("SELECT (SELECT count(*) FROM main.{0}) = (SELECT count(*) FROM copy.{0}) "
                        "AND NOT EXISTS (SELECT {1} FROM main.{0} EXCEPT SELECT {1} FROM copy.{0})",
                        table, columns));
    if (same == 0) return name;
  }
  return std::nullopt;
}

// What makes a database unfit for write_compact_copy, if anything.
std::optional<std::string> cannot_copy(sqlite3* live) {
  if (auto name = query_optional_text(
          live, "SELECT name FROM main.sqlite_schema WHERE sql LIKE 'CREATE VIRTUAL%' LIMIT 1")) {
    return fmt::format(
        "the database has a virtual table ({}), whose content emf cannot copy "
        "row by row",
        *name);
  }
  return std::nullopt;
}

// A compact copy of the database, as VACUUM makes one, but keeping every
// rowid (VACUUM may renumber those of a table without an INTEGER PRIMARY
// KEY): each table created from its own SQL and filled in rowid order, then
// the indexes, views and triggers, in a connection where the copy is main,
// so that every statement is stored as the user wrote it.
void write_compact_copy(sqlite3* live, const std::string& live_file, const fs::path& path,
                        std::chrono::milliseconds patience) {
  FileConnection copy(file_uri(path.string()), SQLITE_OPEN_READWRITE, path.string(), patience);
  sqlite3* db = copy.get();
  exec(db, fmt::format(
               "PRAGMA page_size = {}; PRAGMA auto_vacuum = {}; PRAGMA encoding = {}",
               query_int(live, "PRAGMA main.page_size"), query_int(live, "PRAGMA main.auto_vacuum"),
               quote_literal(query_optional_text(live, "PRAGMA main.encoding").value_or("UTF-8"))));
  exec(db, fmt::format("ATTACH {} AS live", quote_literal(file_uri(live_file) + "?mode=ro")));
  std::vector<std::pair<std::string, std::string>> tables, others;
  {
    Statement objects(db,
                      "SELECT type, name, sql FROM live.sqlite_schema WHERE sql IS NOT NULL AND "
                      "name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid");
    while (objects.step()) {
      auto& list = objects.column_text(0) == "table" ? tables : others;
      list.emplace_back(objects.column_text(1), objects.column_text(2));
    }
  }
  exec(db, "BEGIN");
  for (const auto& [name, sql] : tables) exec(db, sql);
  for (const auto& [name, sql] : tables) {
    std::vector<std::string> columns;
    Statement info(db, fmt::format("SELECT name FROM pragma_table_xinfo({}, 'live') WHERE hidden "
                                   "= 0 ORDER BY cid",
                                   quote_literal(name)));
    while (info.step()) columns.push_back(quote_identifier(info.column_text(0)));
    const std::string table = quote_identifier(name);
    // WITHOUT ROWID: its key is among the columns.
    const auto rowid = rowid_name(db, "live", name);
    const std::string list =
        fmt::format("{}{}", rowid ? *rowid + ", " : "", fmt::join(columns, ", "));
    exec(db, fmt::format("INSERT INTO main.{0} ({1}) SELECT {1} FROM live.{0}{2}", table, list,
                         rowid ? " ORDER BY " + *rowid : ""));
  }
  if (query_optional_text(db, "SELECT 1 FROM live.sqlite_schema WHERE name = 'sqlite_sequence'")) {
    exec(db,
         "DELETE FROM main.sqlite_sequence; INSERT INTO main.sqlite_sequence SELECT * FROM "
         "live.sqlite_sequence");
  }
  for (const auto& [name, sql] : others) exec(db, sql);
  exec(db, fmt::format("PRAGMA main.user_version = {}; PRAGMA main.application_id = {}",
                       query_int(db, "PRAGMA live.user_version"),
                       query_int(db, "PRAGMA live.application_id")));
  exec(db, "COMMIT");
  exec(db, "DETACH live");
  if (query_optional_text(live, "SELECT 1 FROM main.sqlite_schema WHERE name = 'sqlite_stat1'")) {
    exec(db, "PRAGMA analysis_limit = 1000; ANALYZE");
  }
}

}  // namespace

RestoreReport restore_schema(sqlite3* db, std::string_view schema, std::string_view from,
                             const std::optional<std::string>& save_current_to) {
  refuse_inside_dqlite(db,
                       "it puts a backup back through the database's file and a "
                       "connection of its own to it, and a dqlite database has no file (it lives "
                       "in the nodes' memory and the Raft log)",
                       "copy the backup's rows in through the cluster with ordinary SQL instead");
  refuse_in_transaction(db, "emf_restore");
  const std::string file = file_of(db, schema, "emf_restore");
  refuse_while_reading(db, schema, "emf_restore");
  std::error_code error;
  const fs::path source_path = fs::absolute(fs::path(std::string(from)), error);
  // The error_code forms: a name the system refuses (longer than NAME_MAX)
  // is reported with the path shortened, not as a std::filesystem message.
  const fs::file_status status = error ? fs::file_status() : fs::status(source_path, error);
  if (error && error != std::errc::no_such_file_or_directory) {
    throw Error(fmt::format("cannot read {}: {}", shown_path(from), error.message()),
                SQLITE_CANTOPEN);
  }
  if (!fs::exists(status)) {
    throw Error(fmt::format("{} does not exist", shown_path(from)), SQLITE_CANTOPEN);
  }
  if (!fs::is_regular_file(status)) {
    throw Error(fmt::format("{} is not a file", shown_path(from)), SQLITE_CANTOPEN);
  }
  if (fs::equivalent(source_path, file, error)) {
    throw Error(fmt::format("{} is the database itself", shown_path(from)), SQLITE_CANTOPEN);
  }
  // A -journal beside it: a copy taken in the middle of a transaction, whose
  // pages may be ones that were never committed.
  if (fs::file_size(source_path.string() + "-journal", error) > 0 && !error) {
    throw Error(fmt::format("{} has a -journal beside it: it was copied in the middle of a "
                            "transaction; open it once with sqlite3 (which rolls that back), "
                            "then restore it",
                            shown_path(source_path.string())),
                SQLITE_CANTOPEN);
  }
  if (save_current_to) refuse_save_path(file, *save_current_to);
  // Immutable only for a finished WAL-mode backup (nothing writes it without
  // a -wal); any other file is read under a lock, one read transaction for
  // the check and the copy.
  const bool finished =
      header_says_wal(source_path) && !fs::exists(source_path.string() + "-wal", error);
  FileConnection source(
      finished ? finished_file_uri(source_path) : file_uri(source_path.string()) + "?mode=ro",
      SQLITE_OPEN_READONLY, source_path.string(), busy_patience(db));
  exec(source.get(), "BEGIN");
  std::string integrity;
  try {
    integrity = query_optional_text(source.get(), "PRAGMA main.integrity_check").value_or("?");
  } catch (const Error& failure) {
    throw Error(fmt::format("{} is not a database SQLite can read ({})",
                            shown_path(source_path.string()), failure.what()),
                SQLITE_NOTADB);
  }
  if (integrity != "ok") {
    throw Error(fmt::format("{} fails integrity_check ({}); it is not put back",
                            shown_path(source_path.string()), integrity),
                SQLITE_CORRUPT);
  }
  RestoreReport report;
  report.from = source_path.string();
  report.kinds = kinds_of(source.get(), "main");
  if (report.kinds.empty()) {
    throw Error(
        fmt::format("{} holds no emf database (no emf_schema_history)", shown_path(report.from)));
  }
  for (const auto& [kind, version] : report.kinds) {
    if (version > latest_version(kind)) {
      throw Error(
          fmt::format("{} holds {} at version {}, which a newer emf made; this emf knows "
                      "versions up to {}; upgrade emf to restore it",
                      shown_path(report.from), kind_name(kind), version, latest_version(kind)));
    }
  }
  // The database may be at any version, a newer emf's too: a restore is how
  // an upgrade is undone.
  const auto current = kinds_of(db, schema);
  std::set<Kind> ours, theirs;
  for (const auto& [kind, version] : current) ours.insert(kind);
  for (const auto& [kind, version] : report.kinds) theirs.insert(kind);
  if (!ours.empty() && ours != theirs) {
    throw Error(fmt::format("{} holds {}, the database {}; restore a backup of the same kind",
                            shown_path(report.from), kind_list(report.kinds), kind_list(current)));
  }
  const bool wal = journal_mode(db, schema) == "wal";
  refuse_different_page_size(db, schema, source.get(), wal);

  CommitWatcher watcher(db, schema, file, wal);
  std::optional<std::string> saved;
  put_back(db, schema, source.get(), watcher, watcher.mark(), save_current_to, saved);
  exec(source.get(), "COMMIT");
  report.saved_current = saved;
  report.bytes = pragma_int(db, schema, "page_count") * pragma_int(db, schema, "page_size");
  return report;
}

std::string restore_report_json(sqlite3* db, const RestoreReport& report) {
  std::vector<json::Value> kinds;
  for (const auto& [kind, version] : report.kinds) {
    kinds.emplace_back(json::Raw{
        json::object(db, {{"kind", std::string(kind_name(kind))}, {"version", version}})});
  }
  return json::object(
      db, {{"from", report.from},
           {"kinds", json::Raw{json::array(db, kinds)}},
           {"bytes", report.bytes},
           {"saved_current",
            report.saved_current ? json::Value(*report.saved_current) : json::Value(nullptr)}});
}

OptimizeReport optimize_schema(sqlite3* db, std::string_view schema, Kind kind,
                               const std::optional<std::string>& save_current_to) {
  refuse_inside_dqlite(db,
                       "it checkpoints the WAL and compacts through the database's "
                       "file (a copy ATTACHed beside it, put back in its place), and a dqlite "
                       "database has no file (it lives in the nodes' memory and the Raft log, "
                       "and dqlite checkpoints it itself)",
                       "run ANALYZE for the query planner's statistics instead");
  refuse_in_transaction(db, "emf_optimize");
  const std::string file = file_of(db, schema, "emf_optimize");
  refuse_while_reading(db, schema, "emf_optimize");
  const auto history = read_history(db, schema, kind);
  refuse_newer(kind, history);
  if (history.empty()) {
    throw Error(fmt::format("{} is not initialised in schema {}; run emf_init('{}') first",
                            kind_name(kind), schema, kind_name(kind)));
  }
  if (save_current_to) refuse_save_path(file, *save_current_to);
  OptimizeReport report;
  const std::int64_t page_size = pragma_int(db, schema, "page_size");
  report.pages_before = pragma_int(db, schema, "page_count");
  report.free_pages_before = pragma_int(db, schema, "freelist_count");
  report.bytes_before = report.pages_before * page_size;

  // Statistics for the query planner, each index sampled, not read whole.
  const std::int64_t limit = query_int(db, "PRAGMA analysis_limit");
  exec(db, "PRAGMA analysis_limit = 1000");
  try {
    exec(db, "ANALYZE " + quote_identifier(schema));
  } catch (...) {
    exec(db, fmt::format("PRAGMA analysis_limit = {}", limit));
    throw;
  }
  exec(db, fmt::format("PRAGMA analysis_limit = {}", limit));
  report.analyzed = true;

  const bool wal = journal_mode(db, schema) == "wal";
  const auto checkpoint = [&] {
    Statement statement(
        db, fmt::format("PRAGMA {}.wal_checkpoint(TRUNCATE)", quote_identifier(schema)));
    statement.step();
    return statement.column_int(0) == 0
               ? std::string("done")
               : std::string("not complete: other connections are reading; it completes later");
  };
  if (wal) report.checkpoint = checkpoint();

  const std::int64_t free_bytes = report.free_pages_before * page_size;
  const bool worth_it =
      free_bytes >= kVacuumMinimumFreeBytes &&
      report.free_pages_before >= static_cast<std::int64_t>(kVacuumFreeShare * report.pages_before);
  if (!worth_it) {
    report.vacuum =
        fmt::format("not needed: {} of {} pages free (a VACUUM runs from {:.0f}% and {} KiB free)",
                    report.free_pages_before, report.pages_before, kVacuumFreeShare * 100,
                    kVacuumMinimumFreeBytes / 1024);
  } else {
    CommitWatcher watcher(db, schema, file, wal);
    if (const auto reason = cannot_copy(watcher.reader())) {
      report.vacuum = fmt::format(
          "not compacted: {}; SQLite's VACUUM would, but may renumber the rowids of tables "
          "without an INTEGER PRIMARY KEY",
          *reason);
    } else {
      // The copy gets the database's own permissions: it holds all its rows.
      struct stat status {};
      const mode_t mode = ::stat(file.c_str(), &status) == 0 ? (status.st_mode & 0777) : 0600;
      TemporaryFile copy(file, ".emf-vacuum-", mode);
      const std::int64_t mark = watcher.mark();
      write_compact_copy(watcher.reader(), file, copy.path(), busy_patience(db));
      exec(watcher.reader(),
           fmt::format("ATTACH {} AS copy", quote_literal(file_uri(copy.path().string()))));
      const auto differs = first_table_that_differs(watcher.reader());
      exec(watcher.reader(), "DETACH copy");
      if (watcher.mark() != mark) {
        throw Error("another connection committed during the compaction; nothing was replaced",
                    SQLITE_BUSY);
      }
      if (differs) {
        throw Error(
            fmt::format("the compacted copy differs from the database in table {}; "
                        "nothing was changed",
                        *differs));
      }
      std::optional<std::string> saved;
      FileConnection compacted(finished_file_uri(copy.path()), SQLITE_OPEN_READONLY,
                               copy.path().string(), busy_patience(db));
      refuse_different_page_size(db, schema, compacted.get(), wal);
      // Refused, under the write lock, if anyone committed since the copy
      // was made.
      put_back(db, schema, compacted.get(), watcher, mark, save_current_to, saved);
      report.saved_current = saved;
      report.vacuumed = true;
      report.vacuum = fmt::format("compacted: {} free pages given back", report.free_pages_before);
      // The copy went through the WAL: move it into the file now.
      if (wal) report.checkpoint = checkpoint();
    }
  }
  report.free_pages_after = pragma_int(db, schema, "freelist_count");
  report.bytes_after = pragma_int(db, schema, "page_count") * page_size;
  return report;
}

std::string optimize_report_json(sqlite3* db, const OptimizeReport& report) {
  return json::object(
      db,
      {{"bytes_before", report.bytes_before},
       {"bytes_after", report.bytes_after},
       {"pages_before", report.pages_before},
       {"free_pages_before", report.free_pages_before},
       {"free_pages_after", report.free_pages_after},
       {"analyzed", report.analyzed},
       {"checkpoint", report.checkpoint ? json::Value(*report.checkpoint) : json::Value(nullptr)},
       {"vacuumed", report.vacuumed},
       {"vacuum", report.vacuum},
       {"saved_current",
        report.saved_current ? json::Value(*report.saved_current) : json::Value(nullptr)}});
}

}  // namespace emf
