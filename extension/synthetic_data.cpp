// Synthetic rows; see synthetic_data.h.
#include "synthetic_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "arguments.h"
#include "db.h"
#include "error.h"
#include "expected_schema.h"
#include "migrations.h"
#include "progress.h"
#include "sql_text.h"

namespace emf {

namespace {

// splitmix64's output function: a bijective mix of 64 bits.
constexpr std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// FNV-1a: the salt (a table name) as 64 bits.
constexpr std::uint64_t hash_salt(std::string_view salt) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : salt) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::int64_t random_bits(std::int64_t seed, std::uint64_t salt_hash, std::int64_t row,
                         std::int64_t stream) {
  std::uint64_t z = mix(static_cast<std::uint64_t>(seed) ^ mix(salt_hash));
  z = mix(z ^ mix(static_cast<std::uint64_t>(row) + 0x9e3779b97f4a7c15ULL));
  z = mix(z + static_cast<std::uint64_t>(stream) * 0x9e3779b97f4a7c15ULL);
  return static_cast<std::int64_t>(z >> 1);
}

// emf_random(seed, salt, row [, stream]). The common case (integers and a
// text salt) takes no allocation; anything else goes through Arguments,
// whose messages name the argument and what was expected.
void random_function(sqlite3_context* context, int argc, sqlite3_value** argv) noexcept {
  const bool plain =
      sqlite3_value_type(argv[0]) == SQLITE_INTEGER && sqlite3_value_type(argv[1]) == SQLITE_TEXT &&
      sqlite3_value_bytes(argv[1]) > 0 && sqlite3_value_type(argv[2]) == SQLITE_INTEGER &&
      (argc < 4 || sqlite3_value_type(argv[3]) == SQLITE_INTEGER);
  if (plain) {
    // The salt is usually a constant: its hash is kept for the statement.
    std::uint64_t salt_hash = 0;
    if (auto* kept = static_cast<std::uint64_t*>(sqlite3_get_auxdata(context, 1))) {
      salt_hash = *kept;
    } else {
      const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[1]));
      if (text == nullptr) {
        sqlite3_result_error_nomem(context);
        return;
      }
      salt_hash = hash_salt(std::string_view(text, sqlite3_value_bytes(argv[1])));
      if (auto* copy = static_cast<std::uint64_t*>(sqlite3_malloc(sizeof(std::uint64_t)))) {
        *copy = salt_hash;
        sqlite3_set_auxdata(context, 1, copy, sqlite3_free);
      }
    }
    sqlite3_result_int64(
        context, random_bits(sqlite3_value_int64(argv[0]), salt_hash, sqlite3_value_int64(argv[2]),
                             argc < 4 ? 0 : sqlite3_value_int64(argv[3])));
    return;
  }
  try {
    const Arguments arguments(sqlite3_context_db_handle(context),
                              std::vector<sqlite3_value*>(argv, argv + argc));
    const std::int64_t seed = arguments.integer(0, "seed", INT64_MIN, INT64_MAX);
    const std::string salt = arguments.text(1, "salt", "text, such as a table name");
    const std::int64_t row = arguments.integer(2, "row", INT64_MIN, INT64_MAX);
    const std::int64_t stream = argc < 4 ? 0 : arguments.integer(3, "stream", INT64_MIN, INT64_MAX);
    sqlite3_result_int64(context, synthetic_random(seed, salt, row, stream));
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(context);
  } catch (const std::exception& error) {
    try {
      const std::string message = fmt::format("emf_random: {}", error.what());
      sqlite3_result_error(context, message.c_str(), -1);
    } catch (const std::bad_alloc&) {
      sqlite3_result_error_nomem(context);
    }
  }
}

// Rows a statement inserts at a time: the chunk that SQLite materialises
// before inserting it (the tables have row triggers) stays small, and
// progress is reported after each.
constexpr std::int64_t kChunkRows = 8192;

// The page cache of the call, in KiB (PRAGMA cache_size = -N): enough for the
// pages of the indexes that rows go to, small enough that seeding a million
// rows stays well under 64 MiB.
constexpr std::int64_t kSeedCacheKiB = 32 * 1024;

// Sets main's page cache for the call, and puts the connection's setting
// back when it ends, however it ends.
class LargerCache {
 public:
  explicit LargerCache(sqlite3* db) : db_(db) {
    // A negative setting is KiB, a positive one pages; only grow it.
    const std::int64_t before = query_int(db, "PRAGMA main.cache_size");
    const std::int64_t page_size = query_int(db, "PRAGMA main.page_size");
    const std::int64_t before_kib = before < 0 ? -before : before * page_size / 1024;
    if (before_kib < kSeedCacheKiB) {
      restore_ = fmt::format("PRAGMA main.cache_size = {}", before);
      exec(db, fmt::format("PRAGMA main.cache_size = -{}", kSeedCacheKiB));
      changed_ = true;
    }
  }
  // restore_ is built beforehand: nothing here may throw. Where SQLite refuses every
  // statement (after running out of memory), the setting stays as the call
  // left it.
  ~LargerCache() {
    if (changed_) sqlite3_exec(db_, restore_.c_str(), nullptr, nullptr, nullptr);
  }
  LargerCache(const LargerCache&) = delete;
  LargerCache& operator=(const LargerCache&) = delete;

 private:
  sqlite3* db_;
  std::string restore_;
  bool changed_ = false;
};

// emf's own non-unique indexes on `table`, each as it stands in the schema
// (name and SQL exactly as emf creates them): those a seed into the empty
// table may drop and build again once the rows are in. A user's index, or
// one of emf's names whose SQL differs, is never among them; UNIQUE indexes
// stay, since they are constraints the rows must meet as they go in.
std::vector<std::pair<std::string, std::string>> own_secondary_indexes(sqlite3* db, Kind kind,
                                                                       std::string_view table) {
  std::vector<std::pair<std::string, std::string>> indexes;
  for (const SchemaObject& object : expected_schema(kind, latest_version(kind)).objects) {
    if (object.type != "index" || object.table != table) continue;
    if (object.sql.empty() || object.sql.starts_with("CREATE UNIQUE")) continue;
    const std::optional<std::string> live = query_optional_text(
        db, fmt::format("SELECT sql FROM main.sqlite_schema WHERE type = 'index' AND name = {} "
                        "AND tbl_name = {}",
                        quote_literal(object.name), quote_literal(table)));
    if (live && *live == object.sql && live->starts_with("CREATE INDEX ")) {
      indexes.emplace_back(object.name, *live);
    }
  }
  return indexes;
}

// True when a trigger emf created (its SQL as stored) fires on INSERT: the
// words between its name and its body say so. Where unsure, true, which keeps
// every trigger.
bool fires_on_insert(const SchemaObject& trigger) {
  const std::size_t name = trigger.sql.find(trigger.name);
  const std::size_t body = trigger.sql.find("BEGIN");
  if (name == std::string::npos || body == std::string::npos || body < name) return true;
  const std::size_t after_name = name + trigger.name.size();
  const std::string_view head = std::string_view(trigger.sql).substr(after_name, body - after_name);
  return head.find("INSERT") != std::string_view::npos;
}

// emf's own trigger on `table` that turns times written in another form into
// the stored form on INSERT (<table>_times_on_insert), as it stands in the
// schema: the one a seed may set aside while its rows, all in the stored
// form already, go in. Only when every trigger on the table is emf's own,
// exactly as emf created it, and that one is its only INSERT trigger: a
// trigger of the user's (main or temp) could write a time in another form
// that it would convert, and with no other trigger firing on INSERT, none
// depends on the order in which the triggers fire.
std::optional<std::pair<std::string, std::string>> own_time_form_insert_trigger(
    sqlite3* db, Kind kind, std::string_view table) {
  const auto& objects = expected_schema(kind, latest_version(kind)).objects;
  if (query_int(db, fmt::format("SELECT count(*) FROM temp.sqlite_schema WHERE type = 'trigger' "
                                "AND lower(tbl_name) = lower({})",
                                quote_literal(table))) > 0) {
    return std::nullopt;
  }
  const std::string name = fmt::format("{}_times_on_insert", table);
  std::optional<std::pair<std::string, std::string>> found;
  Statement live(db, fmt::format("SELECT name, sql FROM main.sqlite_schema WHERE type = 'trigger' "
                                 "AND lower(tbl_name) = lower({})",
                                 quote_literal(table)));
  while (live.step()) {
    const std::string live_name = live.column_text(0);
    const std::optional<std::string> live_sql = live.column_optional_text(1);
    const auto own = std::find_if(objects.begin(), objects.end(), [&](const SchemaObject& object) {
      return object.type == "trigger" && object.name == live_name && object.table == table &&
             live_sql && object.sql == *live_sql;
    });
    if (own == objects.end()) return std::nullopt;  // a user's, or one of emf's changed
    if (!fires_on_insert(*own)) continue;
    if (own->name != name) return std::nullopt;  // another trigger fires on INSERT
    found.emplace(own->name, own->sql);
  }
  return found;
}

// A statement of synthetic.sql split around the body of its `start` CTE
// (where ids continue from): SQLite copies the rows of an INSERT ... SELECT
// into a temporary table first whenever the SELECT reads the table it
// inserts into, as that body does (max(id)). Run on its own just before each
// chunk, with the chunk's statement reading its values from parameters, it
// gives the same ids, and the rows go straight in.
struct SplitStart {
  std::string start;   // the body: a SELECT of the CTE's columns
  std::string insert;  // the statement, the body replaced by SELECT :emf_start_1, ...
};

std::optional<SplitStart> split_start(std::string_view statement) {
  constexpr std::string_view kWith = "WITH RECURSIVE";
  constexpr std::string_view kStart = "start(";
  const std::size_t with = statement.find(kWith);
  if (with == std::string_view::npos) return std::nullopt;
  const std::size_t at = statement.find_first_not_of(" \n", with + kWith.size());
  if (at == std::string_view::npos || statement.substr(at, kStart.size()) != kStart) {
    return std::nullopt;
  }
  const std::size_t columns_end = statement.find(')', at);
  const std::size_t open = statement.find("AS (", columns_end);
  if (columns_end == std::string_view::npos || open == std::string_view::npos) return std::nullopt;
  const std::size_t body_begin = open + 4;
  int depth = 1;
  std::size_t body_end = body_begin;
  for (; body_end < statement.size() && depth > 0; ++body_end) {
    if (statement[body_end] == '(') ++depth;
    if (statement[body_end] == ')') --depth;
  }
  if (depth != 0) return std::nullopt;
  --body_end;  // at the closing parenthesis
  const std::string_view columns =
      statement.substr(at + kStart.size(), columns_end - at - kStart.size());
  std::string values = "SELECT ";
  const auto column_count = 1 + std::count(columns.begin(), columns.end(), ',');
  for (std::ptrdiff_t i = 1; i <= column_count; ++i) {
    values += fmt::format("{}:emf_start_{}", i > 1 ? ", " : "", i);
  }
  return SplitStart{std::string(statement.substr(body_begin, body_end - body_begin)),
                    std::string(statement.substr(0, body_begin)) + values +
                        std::string(statement.substr(body_end))};
}

}  // namespace

std::string target_table(std::string_view statement) {
  constexpr std::string_view kInto = "INSERT INTO main.";
  const std::size_t at = statement.find(kInto);
  if (at == std::string_view::npos) throw Error("synthetic.sql: expected INSERT INTO main.<table>");
  std::string_view rest = statement.substr(at + kInto.size());
  return std::string(rest.substr(0, rest.find_first_of(" (\n")));
}

namespace {

bool is_empty(sqlite3* db, std::string_view table) {
  return !query_optional_text(
      db, fmt::format("SELECT 'x' FROM main.{} LIMIT 1", quote_identifier(table)));
}

}  // namespace

std::int64_t synthetic_random(std::int64_t seed, std::string_view salt, std::int64_t row,
                              std::int64_t stream) {
  return random_bits(seed, hash_salt(salt), row, stream);
}

int register_random_function(sqlite3* db, char** error) {
  constexpr int kFlags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  for (int count = 3; count <= 4; ++count) {
    const int rc = sqlite3_create_function_v2(db, "emf_random", count, kFlags, nullptr,
                                              random_function, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
      *error = sqlite3_mprintf("emf: cannot register emf_random/%d: %s", count, sqlite3_errmsg(db));
      return rc;
    }
  }
  return SQLITE_OK;
}

InsertCounts insert_synthetic_rows(sqlite3* db, Kind kind, std::int64_t rows,
                                   std::int64_t random_seed, std::int64_t table_count) {
  const std::int64_t total = rows * table_count;
  std::int64_t done = 0;
  InsertCounts counts;
  const std::vector<std::string_view> statements = split_statements(synthetic_data_sql(kind));
  // Which tables are empty is decided before anything goes in: a table that
  // held rows when the call began keeps every index throughout.
  std::vector<bool> empty;
  for (std::string_view statement : statements) {
    empty.push_back(rows > 0 && is_empty(db, target_table(statement)));
  }
  const LargerCache cache(db);
  for (std::size_t i = 0; i < statements.size(); ++i) {
    const std::string table = target_table(statements[i]);
    // An empty table is filled faster without its secondary indexes, each
    // then built once from the sorted rows; all inside the caller's
    // transaction, so a failure puts them back with everything else.
    std::vector<std::pair<std::string, std::string>> dropped;
    if (empty[i]) {
      for (auto& index : own_secondary_indexes(db, kind, table)) {
        // SQLite refuses to drop an index while another statement of the
        // connection reads the file (SELECT emf_seed(...) FROM t): the
        // indexes then stay, and the rows go into them as they come.
        const std::string drop = "DROP INDEX main." + quote_identifier(index.first);
        const int rc = sqlite3_exec(db, drop.c_str(), nullptr, nullptr, nullptr);
        if (rc == SQLITE_LOCKED) break;
        if (rc != SQLITE_OK) throw_sqlite_error(db, rc, "");
        dropped.push_back(std::move(index));
      }
    }
    // emf's time-form trigger cannot fire for these rows, all in the
    // stored form: it is set aside for the load, and created again from the
    // same SQL once the rows are in, inside the caller's transaction too.
    std::optional<std::pair<std::string, std::string>> set_aside;
    if (rows > 0) {
      if (auto trigger = own_time_form_insert_trigger(db, kind, table)) {
        const std::string drop = "DROP TRIGGER main." + quote_identifier(trigger->first);
        const int rc = sqlite3_exec(db, drop.c_str(), nullptr, nullptr, nullptr);
        if (rc != SQLITE_OK && rc != SQLITE_LOCKED) throw_sqlite_error(db, rc, "");
        if (rc == SQLITE_OK) set_aside = std::move(trigger);
      }
    }
    // With no trigger left on the table, the ids' start is read apart so
    // that SQLite inserts the rows without copying them first.
    const std::optional<SplitStart> split = set_aside ? split_start(statements[i]) : std::nullopt;
    std::int64_t inserted = 0;
    {
      Statement insert(db, split ? std::string_view(split->insert) : statements[i]);
      std::optional<Statement> start;
      if (split) start.emplace(db, split->start);
      // Each statement names the parameters it needs, among these.
      const auto bind = [&](Statement& statement, const char* name, std::int64_t value) {
        const int index = sqlite3_bind_parameter_index(statement.get(), name);
        if (index > 0) statement.bind_int(index, value);
      };
      for (std::int64_t first = 0; first < rows; first += kChunkRows) {
        const std::int64_t last = std::min(rows, first + kChunkRows) - 1;
        insert.reset();
        for (Statement* statement : {&insert, start ? &*start : nullptr}) {
          if (statement == nullptr) continue;
          bind(*statement, ":seed", random_seed);
          bind(*statement, ":rows", rows);
          bind(*statement, ":first", first);
          bind(*statement, ":last", last);
        }
        if (start) {
          start->reset();
          if (!start->step()) throw Error("synthetic.sql: the start of the ids gave no row");
          for (int column = 0; column < sqlite3_column_count(start->get()); ++column) {
            const std::string name = fmt::format(":emf_start_{}", column + 1);
            const int index = sqlite3_bind_parameter_index(insert.get(), name.c_str());
            const int rc =
                sqlite3_bind_value(insert.get(), index, sqlite3_column_value(start->get(), column));
            if (rc != SQLITE_OK) throw_sqlite_error(db, rc, "synthetic.sql: the start of the ids");
          }
          start->reset();
        }
        insert.run();
        inserted += sqlite3_changes(db);
        done += last - first + 1;
        report_progress(db, "seed", done, total);
      }
    }
    if (set_aside) {
      // SQLite stores the statement without the schema: the same text again.
      exec(db, "CREATE TRIGGER main." +
                   set_aside->second.substr(std::string_view("CREATE TRIGGER ").size()));
    }
    for (const auto& [name, sql] : dropped) {
      // SQLite stores the statement without the schema: the same text again.
      exec(db, "CREATE INDEX main." + sql.substr(std::string_view("CREATE INDEX ").size()));
    }
    counts.emplace_back(table, inserted);
  }
  report_progress(db, "seed", done, total);
  return counts;
}

}  // namespace emf
