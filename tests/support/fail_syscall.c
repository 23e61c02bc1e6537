/* A test-only interposer, loaded with LD_PRELOAD, that fails one POSIX call
 * emf makes on a file of its own, where no SQLite VFS sees it: open, fsync,
 * pwrite, link, rename or mkstemp on a path containing a chosen text. What to fail is
 * read from the environment at every call, so that a test can arm it just
 * around the call it tests:
 *
 *   EMF_FAIL_CALL   open | fsync | sync_file_range | pwrite | link | rename |
 *                   mkstemp (unset: nothing fails; pwrite is pwrite and
 *                   pwrite64)
 *   EMF_FAIL_PATH   a shell pattern (fnmatch) the whole path must match (for
 *                   fsync, sync_file_range and pwrite, the path of the
 *                   descriptor;
 *                   for link and rename,
 *                   the new name); unset: any path
 *   EMF_FAIL_NTH    the first matching call to fail, from 1 (default 1);
 *                   every later matching call fails too
 *   EMF_FAIL_ERRNO  the errno it fails with (default EIO)
 *   EMF_FAIL_RUN    any text; a new value restarts the count
 *
 * Every other call goes to the C library untouched. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Lets a test check that it runs with the interposer loaded. */
int emf_fail_syscall_loaded(void) {
  return 1;
}

static long matched_calls;
static char last_settings[1024];

/* Whether this call, of `call` on `path`, is one to fail (then errno is set). */
static int should_fail(const char* call, const char* path) {
  const char* wanted = getenv("EMF_FAIL_CALL");
  if (wanted == NULL || strcmp(wanted, call) != 0 || path == NULL) return 0;
  const char* part = getenv("EMF_FAIL_PATH");
  const char* nth_text = getenv("EMF_FAIL_NTH");
  const char* errno_text = getenv("EMF_FAIL_ERRNO");
  const char* run = getenv("EMF_FAIL_RUN");
  char settings[sizeof last_settings];
  snprintf(settings, sizeof settings, "%s|%s|%s|%s|%s", wanted, part ? part : "",
           nth_text ? nth_text : "", errno_text ? errno_text : "", run ? run : "");
  if (strcmp(settings, last_settings) != 0) {
    strcpy(last_settings, settings);
    matched_calls = 0;
  }
  if (part != NULL && fnmatch(part, path, 0) != 0) return 0;
  ++matched_calls;
  const long nth = nth_text != NULL ? atol(nth_text) : 1;
  if (matched_calls < nth) return 0;
  errno = errno_text != NULL ? atoi(errno_text) : EIO;
  return 1;
}

static void* next(const char* name) {
  return dlsym(RTLD_NEXT, name);
}

int open(const char* path, int flags, ...) {
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list arguments;
    va_start(arguments, flags);
    mode = va_arg(arguments, mode_t);
    va_end(arguments);
  }
  if (should_fail("open", path)) return -1;
  int (*real)(const char*, int, ...) = (int (*)(const char*, int, ...))next("open");
  return real(path, flags, mode);
}

int open64(const char* path, int flags, ...) {
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list arguments;
    va_start(arguments, flags);
    mode = va_arg(arguments, mode_t);
    va_end(arguments);
  }
  if (should_fail("open", path)) return -1;
  int (*real)(const char*, int, ...) = (int (*)(const char*, int, ...))next("open64");
  return real(path, flags, mode);
}

/* Whether `call` on descriptor `fd` is one to fail. */
static int should_fail_fd(const char* call, int fd) {
  /* Cheap first: every write of the process comes here. */
  const char* wanted = getenv("EMF_FAIL_CALL");
  if (wanted == NULL || strcmp(wanted, call) != 0) return 0;
  char link_path[64], path[4096];
  snprintf(link_path, sizeof link_path, "/proc/self/fd/%d", fd);
  const ssize_t length = readlink(link_path, path, sizeof path - 1);
  if (length <= 0) return 0;
  path[length] = '\0';
  return should_fail(call, path);
}

int fsync(int fd) {
  if (should_fail_fd("fsync", fd)) return -1;
  int (*real)(int) = (int (*)(int))next("fsync");
  return real(fd);
}

int sync_file_range(int fd, off64_t offset, off64_t length, unsigned int flags) {
  if (should_fail_fd("sync_file_range", fd)) return -1;
  int (*real)(int, off64_t, off64_t, unsigned int) =
      (int (*)(int, off64_t, off64_t, unsigned int))next("sync_file_range");
  return real(fd, offset, length, flags);
}

ssize_t pwrite(int fd, const void* data, size_t size, off_t offset) {
  if (should_fail_fd("pwrite", fd)) return -1;
  ssize_t (*real)(int, const void*, size_t, off_t) =
      (ssize_t(*)(int, const void*, size_t, off_t))next("pwrite");
  return real(fd, data, size, offset);
}

ssize_t pwrite64(int fd, const void* data, size_t size, off64_t offset) {
  if (should_fail_fd("pwrite", fd)) return -1;
  ssize_t (*real)(int, const void*, size_t, off64_t) =
      (ssize_t(*)(int, const void*, size_t, off64_t))next("pwrite64");
  return real(fd, data, size, offset);
}

int link(const char* from, const char* to) {
  if (should_fail("link", to)) return -1;
  int (*real)(const char*, const char*) = (int (*)(const char*, const char*))next("link");
  return real(from, to);
}

int rename(const char* from, const char* to) {
  if (should_fail("rename", to)) return -1;
  int (*real)(const char*, const char*) = (int (*)(const char*, const char*))next("rename");
  return real(from, to);
}

int mkstemp(char* pattern) {
  if (should_fail("mkstemp", pattern)) return -1;
  int (*real)(char*) = (int (*)(char*))next("mkstemp");
  return real(pattern);
}

int mkstemp64(char* pattern) {
  if (should_fail("mkstemp", pattern)) return -1;
  int (*real)(char*) = (int (*)(char*))next("mkstemp64");
  return real(pattern);
}
