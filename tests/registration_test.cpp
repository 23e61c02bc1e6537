// Loading libemf where SQLite refuses to register its functions: the load
// fails naming the function and SQLite's reason, and the functions already
// there keep working.
#include <dlfcn.h>
#include <gtest/gtest.h>

// The routines table only: this program calls SQLite directly.
#define SQLITE_CORE 1
#include <sqlite3ext.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/test_db.h"

namespace emf::test {
namespace {

TEST(Registration, ALoadWhileAStatementRunsFailsNamingTheFunction) {
  Db db;  // emf loaded once
  sqlite3_stmt* running = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db.get(), "SELECT emf_version() UNION ALL SELECT 'second'", -1,
                               &running, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(running), SQLITE_ROW);  // the statement is active

  // SQLite will not replace a function while a statement is active.
  char* message = nullptr;
  const int rc = sqlite3_load_extension(db.get(), EMF_EXTENSION_PATH, nullptr, &message);
  const std::string text = message != nullptr ? message : "";
  sqlite3_free(message);
  EXPECT_EQ(rc, SQLITE_ERROR);
  EXPECT_EQ(text,
            "error during initialization: emf: cannot register emf_version/0: unable to "
            "delete/modify user-function due to "
            "active statements");

  ASSERT_EQ(sqlite3_step(running), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(running, 0)), "second");
  sqlite3_finalize(running);
  EXPECT_EQ(db.text("SELECT emf_version() = json_extract(emf_debug(), '$.version')"), "1");
  // Loaded again with nothing running, it registers over itself.
  ASSERT_EQ(sqlite3_load_extension(db.get(), EMF_EXTENSION_PATH, nullptr, nullptr), SQLITE_OK);
  EXPECT_EQ(db.integer("SELECT count(*) FROM emf_objects(NULL)"), 0);
}

// The routines SQLite hands to an extension it loads, captured from a real
// load: sqlite3_emf_init is then called with a copy that reports an older
// SQLite, which is how a host with SQLite before 3.38 meets the extension.
const sqlite3_api_routines* captured_routines = nullptr;
int capture_routines(sqlite3*, char**, const sqlite3_api_routines* routines) {
  captured_routines = routines;
  return SQLITE_OK;
}
int old_version_number() {
  return 3037002;
}
const char* old_version() {
  return "3.37.2";
}

TEST(Registration, AnOlderSqliteRefusesTheLoadNamingBothVersions) {
  ASSERT_EQ(sqlite3_auto_extension(reinterpret_cast<void (*)()>(capture_routines)), SQLITE_OK);
  Db db(":memory:", /*load_extension=*/false);
  sqlite3_cancel_auto_extension(reinterpret_cast<void (*)()>(capture_routines));
  ASSERT_NE(captured_routines, nullptr);
  sqlite3_api_routines older = *captured_routines;
  older.libversion_number = old_version_number;
  older.libversion = old_version;

  const std::string library = std::string(EMF_EXTENSION_PATH) + ".so";
  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  using Init = int (*)(sqlite3*, char**, const sqlite3_api_routines*);
  const auto init = reinterpret_cast<Init>(dlsym(handle, "sqlite3_emf_init"));
  ASSERT_NE(init, nullptr);
  const std::string emf_functions =
      "SELECT count(*) FROM pragma_function_list WHERE name LIKE 'emf\\_%' ESCAPE '\\'";
  char* message = nullptr;
  EXPECT_EQ(init(db.get(), &message, &older), SQLITE_ERROR);
  EXPECT_STREQ(message, "emf: needs SQLite 3.38.0 or later, this is 3.37.2");
  sqlite3_free(message);
  EXPECT_EQ(db.integer(emf_functions), 0);  // the refused call registered nothing
  // Given the real routines, the same library registers its functions.
  EXPECT_EQ(init(db.get(), &message, captured_routines), SQLITE_OK);
  EXPECT_GT(db.integer(emf_functions), 0);
  // The handle stays open: the connection's functions live in the library
  // until it closes, as with SQLite's own loader.
}

// The shared libraries libemf.so asks the loader for, as `readelf -d` lists
// them.
std::vector<std::string> needed_libraries() {
  const std::string command = std::string("readelf -d ") + EMF_EXTENSION_PATH + ".so";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  std::vector<std::string> needed;
  if (!pipe) return needed;
  char line[512];
  while (std::fgets(line, sizeof line, pipe.get()) != nullptr) {
    const std::string text = line;
    const auto open = text.find("Shared library: [");
    if (open == std::string::npos) continue;
    const auto start = open + 17;
    needed.push_back(text.substr(start, text.find(']', start) - start));
  }
  return needed;
}

// SQLite loads an extension with RTLD_NOW: every symbol that the library and
// the libraries it needs import is looked up then, and the C++ runtime and
// fmt alone cost several milliseconds a process (docs/PERFORMANCE.md). They
// are linked in, with their symbols kept local.
TEST(Registration, TheLibraryNeedsNoCppRuntimeToLoad) {
  const std::vector<std::string> needed = needed_libraries();
  ASSERT_FALSE(needed.empty()) << "readelf -d listed nothing for " << EMF_EXTENSION_PATH;
  const auto needs = [&](std::string_view prefix) {
    return std::ranges::any_of(needed,
                               [&](const std::string& name) { return name.starts_with(prefix); });
  };
  EXPECT_TRUE(needs("libnettle.so"));  // SHA-256 of the migrations
  EXPECT_FALSE(needs("libfmt.so"));
  EXPECT_FALSE(needs("libcrypto.so"));
#if defined(EMF_SANITIZE)
  // The sanitizer build keeps the shared runtime, which its runtime expects.
  EXPECT_TRUE(needs("libstdc++.so"));
#else
  EXPECT_FALSE(needs("libstdc++.so"));
  EXPECT_FALSE(needs("libgcc_s.so"));
#endif
}

}  // namespace
}  // namespace emf::test
