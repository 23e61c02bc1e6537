// Online backups; see backup.h.
#include "backup.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "db.h"
#include "dqlite.h"
#include "json.h"
#include "progress.h"
#include "temporary_file.h"
#include "writeback_vfs.h"

namespace emf {

namespace {

namespace fs = std::filesystem;

std::string errno_text(int error) {
  return std::system_category().message(error);
}

void fsync_path(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0)
    throw Error(fmt::format("cannot open {}: {}", path.string(), errno_text(errno)),
                SQLITE_CANTOPEN);
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0)
    throw Error(fmt::format("cannot sync {}: {}", path.string(), errno_text(error)), SQLITE_IOERR);
}

void copy_schema(sqlite3* source, std::string_view schema, const TemporaryFile& copy) {
  // The copy goes to the disk while it is made, not all at the final sync: a
  // writer's commit meanwhile then never waits for the whole copy's data.
  WritebackVfs vfs(copy.fd());  // not const: its files update it
  sqlite3* destination = nullptr;
  int rc = sqlite3_open_v2(copy.path().c_str(), &destination, SQLITE_OPEN_READWRITE, vfs.name());
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> owner(destination, sqlite3_close);
  if (rc != SQLITE_OK) throw_sqlite_error(destination, rc, "cannot open the backup file");

  sqlite3_backup* backup =
      sqlite3_backup_init(destination, "main", source, std::string(schema).c_str());
  if (backup == nullptr)
    throw_sqlite_error(destination, sqlite3_errcode(destination), "cannot start the backup");
  // Copies in steps, so progress can be shown. SQLite restarts a backup whose
  // source another connection changed between steps; at the first restart
  // the rest is copied in one step, under one read transaction, so a busy
  // database cannot keep the copy from finishing. Either way the copy is a
  // consistent snapshot.
  constexpr int kPagesPerStep = 1024;
  int pages_per_step = kPagesPerStep;
  int previous_remaining = -1;
  // SQLite does not call a busy handler for the source: wait out a writer
  // that holds the lock (rollback-journal mode) for a bounded time.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  do {
    rc = sqlite3_backup_step(backup, pages_per_step);
    if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && std::chrono::steady_clock::now() < give_up) {
      sqlite3_sleep(20);
      rc = SQLITE_OK;
      continue;
    }
    const int remaining = sqlite3_backup_remaining(backup);
    const int total = sqlite3_backup_pagecount(backup);
    // A restart copies from page 1 again: the step made no progress.
    if (previous_remaining >= 0 && remaining >= previous_remaining) pages_per_step = -1;
    previous_remaining = remaining;
    report_progress(source, "backup", total - remaining, total);
  } while (rc == SQLITE_OK);
  const int finish_rc = sqlite3_backup_finish(backup);
  const std::string finish_message = sqlite3_errmsg(destination);
  // Closed before anything is judged: what the copy's file still had
  // gathered is written when it closes, and a failure then counts too.
  owner.reset();
  if (vfs.error() != 0) {
    throw Error(fmt::format("cannot sync {}: {}", copy.path().string(), errno_text(vfs.error())),
                SQLITE_IOERR);
  }
  if (vfs.failed_write() != SQLITE_OK) {
    throw Error(fmt::format("cannot write {}: {}", copy.path().string(),
                            sqlite3_errstr(vfs.failed_write())),
                vfs.failed_write());
  }
  if (rc != SQLITE_DONE) {
    if (rc == SQLITE_NOMEM) throw std::bad_alloc();
    throw Error(fmt::format("backup failed: {}", sqlite3_errstr(rc)), rc);
  }
  if (finish_rc != SQLITE_OK)
    throw Error(fmt::format("backup failed: {}", finish_message), finish_rc);
}

}  // namespace

BackupReport backup_schema(sqlite3* db, std::string_view schema, std::string_view path) {
  if (sqlite3_txn_state(db, std::string(schema).c_str()) == SQLITE_TXN_WRITE) {
    throw Error(fmt::format("the connection has uncommitted changes in schema {}; commit or roll "
                            "back first, so the backup does not copy a half-done transaction",
                            schema),
                SQLITE_LOCKED);
  }
  // The folder as the operating system resolves it (lnk/.. is the parent of
  // what lnk points to, not the folder lnk is in); the name as given.
  std::error_code error;
  const fs::path requested = fs::absolute(fs::path(std::string(path)), error);
  if (error) {
    throw Error(fmt::format("cannot resolve {}: {}", shown_path(path), error.message()),
                SQLITE_CANTOPEN);
  }
  const fs::path name = requested.filename();
  if (name.empty() || name == "." || name == "..") {
    throw Error(
        fmt::format("{} names a folder; give the path of a file to create", shown_path(path)),
        SQLITE_CANTOPEN);
  }
  const fs::path folder = fs::canonical(requested.parent_path(), error);
  if (error || !fs::is_directory(folder)) {
    throw Error(
        fmt::format("folder {} does not exist", shown_path(requested.parent_path().string())),
        SQLITE_CANTOPEN);
  }
  const fs::path target = folder / name;
  // SQLite takes X-journal (or -wal, -shm) for database X's own file: the
  // next open of X finds no journal header in it and deletes it, so a backup
  // written there would be lost after its success was reported.
  for (const std::string_view suffix : {"-journal", "-wal", "-shm"}) {
    if (name.string().ends_with(suffix)) {
      throw Error(fmt::format("{} ends in {}: SQLite takes such a file for the journal of the "
                              "database beside it and deletes it; choose another name",
                              shown_path(target.string()), suffix),
                  SQLITE_CANTOPEN);
    }
  }
  // The error_code form: a name the system refuses (longer than NAME_MAX)
  // must be reported as such, not escape as a std::filesystem message that
  // repeats the whole path.
  const fs::file_status status = fs::symlink_status(target, error);
  if (error && error != std::errc::no_such_file_or_directory) {
    throw Error(fmt::format("cannot create {}: {}", shown_path(target.string()), error.message()),
                SQLITE_CANTOPEN);
  }
  if (fs::exists(status)) {
    throw Error(fmt::format("{} already exists; emf_backup never overwrites a file",
                            shown_path(target.string())),
                SQLITE_CANTOPEN);
  }

  TemporaryFile temporary(target, ".emf-backup-");
  copy_schema(db, schema, temporary);
  fsync_path(temporary.path(), O_RDONLY);
  // link() fails when the target exists: no race can make us overwrite.
  if (::link(temporary.path().c_str(), target.c_str()) != 0) {
    const int link_error = errno;
    if (link_error == EEXIST) {
      throw Error(
          fmt::format("{} already exists; emf_backup never overwrites a file", target.string()),
          SQLITE_CANTOPEN);
    }
    throw Error(fmt::format("cannot create {}: {}", target.string(), errno_text(link_error)),
                SQLITE_CANTOPEN);
  }
  fsync_path(target.parent_path(), O_RDONLY | O_DIRECTORY);

  BackupReport report;
  report.path = target.string();
  report.bytes = static_cast<std::int64_t>(fs::file_size(target));
  const std::int64_t page_size = query_int(db, "PRAGMA " + quote_identifier(schema) + ".page_size");
  report.pages = page_size > 0 ? report.bytes / page_size : 0;
  report.on_leader = is_dqlite(db, schema);
  return report;
}

std::string backup_report_json(sqlite3* db, const BackupReport& report) {
  json::Members members;
  members.emplace_back("path", report.path);
  members.emplace_back("pages", report.pages);
  members.emplace_back("bytes", report.bytes);
  if (report.on_leader) members.emplace_back("written_on", "leader");
  return json::object(db, members);
}

}  // namespace emf
