// Fuzzes emf's SQL functions (docs/functions.md): the input is read as a
// sequence of calls, each a function of the list below with arguments of
// random types (NULL, integers with the extremes, reals, text that looks
// like kinds, schemas and SQL or is huge, blobs), or a transaction or
// foreign-key statement between them, on a scratch database (in memory or
// a file) with a second one attached as aux.
//
// Only emf touches these databases, and each call is all or nothing, so
// after every call, whether it succeeded or was refused, emf_check of main
// and of aux must report ok and quick_check must pass: an installed kind is
// always complete and up to date. Files (the database, backups) are kept in
// the scratch folder. EMF_FUZZ_VERBOSE=1 prints each call, for turning a
// crash into a test.
#include <fmt/format.h>
#include <fuzzer/FuzzedDataProvider.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "connection.h"
#include "scratch_folder.h"

namespace {

using emf::fuzz::fail;

struct Function {
  const char* name;
  bool table_valued;
  // What each argument is, in order: k a kind, s a schema, r a row count,
  // i any integer, p a path; the first `required` must be given.
  std::string_view arguments;
  std::size_t required;
};

// Every function of docs/functions.md; checked against what emf registers.
const std::vector<Function> kFunctions = {
    {"emf_version", false, "", 0},     {"emf_debug", false, "", 0},
    {"emf_init", false, "ks", 1},      {"emf_plan", false, "ks", 1},
    {"emf_check", false, "ks", 0},     {"emf_seed", false, "kri", 1},
    {"emf_reset", false, "ks", 1},     {"emf_repair", false, "ks", 1},
    {"emf_backup", false, "ps", 1},    {"emf_restore", false, "psp", 1},
    {"emf_optimize", false, "ksp", 1}, {"emf_objects", true, "ks", 0},
    {"emf_migrations", true, "ks", 1}, {"emf_random", false, "ikii", 3},
};

const std::vector<std::string> kStatements = {
    "BEGIN",
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "PRAGMA foreign_keys = ON",
    "PRAGMA foreign_keys = OFF",
    "SAVEPOINT fuzz",
    "RELEASE fuzz",
};

const std::vector<std::string> kTexts = {
    "trends",
    "metrics",
    "image_library",
    "TRENDS",
    "trend",
    "main",
    "aux",
    "MAIN",
    "temp",
    "",
    " trends",
    std::string("trends\0x", 8),
    "'; DROP TABLE trending_topics; --",
    "main\"; DROP TABLE emf_schema_history; --",
    "%s%n%w",
    "\xff\xfe",
    "emf_schema_history",
};

// Names of files in the scratch folder, the databases' own among them.
const std::vector<std::string> kFileNames = {
    "backup.db", "main.db",    "main.db-journal", "main.db-wal",
    "aux.db",    "aux.db-wal", "aux.db-journal",
};

// The largest row count a call may ask for: enough to fill every table, small
// enough that a call stays fast (up to 100,000,000 is valid).
constexpr std::int64_t kMaxFuzzedRows = 20;

// One of the values, chosen by the input.
template <typename T>
const T& pick_from(FuzzedDataProvider& input, const std::vector<T>& values) {
  return values[input.ConsumeIntegralInRange<std::size_t>(0, values.size() - 1)];
}

using Value = std::variant<std::monostate, std::int64_t, double, std::string, std::vector<char>>;

Value random_value(FuzzedDataProvider& input) {
  switch (input.ConsumeIntegralInRange(0, 7)) {
    case 0:
      return std::monostate{};
    case 1:
      return input.PickValueInArray<std::int64_t>({std::numeric_limits<std::int64_t>::min(),
                                                   std::numeric_limits<std::int64_t>::max(), -1, 0,
                                                   1, 3, 100000000, 100000001});
    case 2:
      return input.ConsumeIntegral<std::int64_t>();
    case 3:
      return input.PickValueInArray<double>({0.0, -0.0, 1.5, 1e308, -1e308, 5.0,
                                             std::numeric_limits<double>::infinity(),
                                             std::numeric_limits<double>::quiet_NaN()});
    case 4:
      return pick_from(input, kTexts);
    case 5:
      return std::string(input.ConsumeIntegralInRange<std::size_t>(0, 1 << 20),
                         input.ConsumeIntegral<char>());
    case 6: {
      const std::string bytes = input.ConsumeRandomLengthString(64);
      return std::vector<char>(bytes.begin(), bytes.end());
    }
    default:
      return input.ConsumeRandomLengthString(64);
  }
}

// A value of the kind the argument expects (see Function).
Value expected_value(FuzzedDataProvider& input, char role) {
  switch (role) {
    case 'k':
      return input.PickValueInArray<std::string>({"trends", "metrics", "image_library"});
    case 's':
      return input.PickValueInArray<std::string>({"main", "aux", "MAIN", "Aux"});
    case 'r':
      return input.ConsumeIntegralInRange<std::int64_t>(0, kMaxFuzzedRows);
    case 'i':
      return input.ConsumeIntegral<std::int64_t>();
    case 'p':
      return emf::fuzz::scratch_file(pick_from(input, kFileNames));
    default:
      return random_value(input);
  }
}

// A path argument as a name in the scratch folder: text (or a blob) cut
// down to characters that cannot leave the folder.
Value confined_path(const Value& value) {
  const auto* text = std::get_if<std::string>(&value);
  if (text == nullptr && !std::holds_alternative<std::vector<char>>(value)) return value;
  std::string name;
  if (text != nullptr) {
    for (char c : text->substr(0, 64)) {
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') {
        name += c;
      }
    }
  }
  if (name.empty() || name == "." || name == "..") name = "x";
  return emf::fuzz::scratch_file(name);
}

std::string describe(const Value& value) {
  if (std::holds_alternative<std::monostate>(value)) return "NULL";
  if (const auto* number = std::get_if<std::int64_t>(&value)) return std::to_string(*number);
  if (const auto* real = std::get_if<double>(&value)) return fmt::format("{}", *real);
  if (const auto* text = std::get_if<std::string>(&value)) {
    if (text->size() > 80) return fmt::format("<text of {} bytes>", text->size());
    return fmt::format("'{}'", *text);
  }
  return fmt::format("<blob of {} bytes>", std::get<std::vector<char>>(value).size());
}

void bind(sqlite3_stmt* statement, int index, const Value& value) {
  if (const auto* number = std::get_if<std::int64_t>(&value)) {
    sqlite3_bind_int64(statement, index, *number);
  } else if (const auto* real = std::get_if<double>(&value)) {
    sqlite3_bind_double(statement, index, *real);
  } else if (const auto* text = std::get_if<std::string>(&value)) {
    sqlite3_bind_text64(statement, index, text->data(), text->size(), SQLITE_TRANSIENT,
                        SQLITE_UTF8);
  } else if (const auto* blob = std::get_if<std::vector<char>>(&value)) {
    sqlite3_bind_blob64(statement, index, blob->data(), blob->size(), SQLITE_TRANSIENT);
  } else {
    sqlite3_bind_null(statement, index);
  }
}

// Runs SELECT function(?, ...) (or SELECT * FROM function(?, ...)) to the
// end; a refusal is an answer like any other.
void call(sqlite3* db, const Function& function, const std::vector<Value>& arguments,
          bool verbose) {
  std::string placeholders;
  for (std::size_t i = 0; i < arguments.size(); ++i) placeholders += i == 0 ? "?" : ", ?";
  const std::string sql = function.table_valued
                              ? fmt::format("SELECT * FROM {}({})", function.name, placeholders)
                              : fmt::format("SELECT {}({})", function.name, placeholders);
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    // Too many arguments for the function: SQLite refuses it before emf runs.
    if (verbose) std::fprintf(stderr, "%s: %s\n", sql.c_str(), sqlite3_errmsg(db));
    return;
  }
  std::string shown;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    bind(statement, static_cast<int>(i + 1), arguments[i]);
    shown += (i == 0 ? "" : ", ") + describe(arguments[i]);
  }
  const auto start = std::chrono::steady_clock::now();
  int rc;
  while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
  }
  if (verbose) {
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    std::fprintf(stderr, "%s(%s): %s (%lld ms)\n", function.name, shown.c_str(),
                 rc == SQLITE_DONE ? "done" : sqlite3_errmsg(db),
                 static_cast<long long>(elapsed.count()));
  }
  sqlite3_finalize(statement);
}

// What must hold between calls, whatever they did.
void check_invariants(sqlite3* db, const std::string& after) {
  for (const char* schema : {"main", "aux"}) {
    const std::string quick_check =
        emf::fuzz::text(db, fmt::format("PRAGMA {}.quick_check", schema));
    if (quick_check != "ok") {
      fail(fmt::format("after {}: {} quick_check: {}", after, schema, quick_check));
    }
    const auto report = emf::fuzz::rows(
        db, fmt::format("WITH c(report) AS MATERIALIZED (SELECT emf_check(NULL, '{}')) "
                        "SELECT json_extract(report, '$.ok'), report FROM c",
                        schema));
    if (report.at(0).at(0) != "1") {
      fail(fmt::format("after {}: emf_check of {} is not ok: {}", after, schema, report[0][1]));
    }
  }
}

// The functions emf registers, scalar and table-valued: the list above
// must name them all.
void check_function_list() {
  const emf::fuzz::Connection db = emf::fuzz::open_connection(":memory:");
  std::set<std::string> registered;
  for (const auto& row : emf::fuzz::rows(
           db.get(),
           "SELECT name FROM pragma_function_list WHERE name LIKE 'emf\\_%' ESCAPE '\\' "
           "UNION SELECT name FROM pragma_module_list WHERE name LIKE 'emf\\_%' ESCAPE '\\'")) {
    registered.insert(row[0]);
  }
  std::set<std::string> listed;
  for (const Function& function : kFunctions) listed.insert(function.name);
  if (registered != listed) fail("the harness's list of functions differs from what emf registers");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  check_function_list();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool verbose = std::getenv("EMF_FUZZ_VERBOSE") != nullptr;
  FuzzedDataProvider input(data, size);
  emf::fuzz::empty_scratch_folder();
  const bool files = input.ConsumeBool();
  const emf::fuzz::Connection db =
      emf::fuzz::open_connection(files ? emf::fuzz::scratch_file("main.db") : ":memory:");
  // Paths in the scratch folder hold no quote.
  emf::fuzz::exec(db.get(), fmt::format("ATTACH '{}' AS aux",
                                        files ? emf::fuzz::scratch_file("aux.db") : ":memory:"));
  for (int step = 0; step < 12 && input.remaining_bytes() > 0; ++step) {
    const std::size_t choice =
        input.ConsumeIntegralInRange<std::size_t>(0, kFunctions.size() + kStatements.size() - 1);
    if (choice >= kFunctions.size()) {
      const std::string& statement = kStatements[choice - kFunctions.size()];
      const auto error = emf::fuzz::try_exec(db.get(), statement);
      if (verbose)
        std::fprintf(stderr, "%s: %s\n", statement.c_str(), error ? error->c_str() : "done");
      check_invariants(db.get(), statement);
      continue;
    }
    const Function& function = kFunctions[choice];
    // Mostly as many arguments as the function takes, of the kinds it
    // expects, so that calls get past the validation; sometimes anything.
    const bool wild = input.ConsumeIntegralInRange(0, 3) == 0;
    std::vector<Value> arguments(
        wild ? input.ConsumeIntegralInRange<std::size_t>(0, 4)
             : input.ConsumeIntegralInRange(function.required, function.arguments.size()));
    for (std::size_t i = 0; i < arguments.size(); ++i) {
      const char role = i < function.arguments.size() ? function.arguments[i] : '?';
      const bool random = wild || input.ConsumeIntegralInRange(0, 3) == 0;
      arguments[i] = random ? random_value(input) : expected_value(input, role);
      if (role == 'p' && random) arguments[i] = confined_path(arguments[i]);
      // Up to 100,000,000 rows is valid, and slow: a few fill every table.
      if (auto* rows = std::get_if<std::int64_t>(&arguments[i]);
          role == 'r' && rows && *rows > kMaxFuzzedRows && *rows <= 100000000) {
        *rows %= kMaxFuzzedRows + 1;
      }
    }
    call(db.get(), function, arguments, verbose);
    check_invariants(db.get(), function.name);
  }
  return 0;
}
