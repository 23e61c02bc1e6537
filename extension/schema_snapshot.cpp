// Reads a schema into a SchemaSnapshot; see schema_snapshot.h.
#include "schema_snapshot.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <new>
#include <tuple>
#include <utility>

#include "db.h"
#include "sql_text.h"
#include "table_definition.h"

namespace emf {

namespace {

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

// The statements read_schema runs for every table and index, prepared once.
struct SchemaReader {
  SchemaReader(sqlite3* db, std::string_view schema)
      : db(db),
        schema(schema),
        columns(db,
                "SELECT name, type, \"notnull\", dflt_value, pk, hidden "
                "FROM pragma_table_xinfo(?1, ?2) ORDER BY cid"),
        foreign_keys(db,
                     "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete "
                     "FROM pragma_foreign_key_list(?1, ?2) ORDER BY id, seq"),
        // pragma_table_list takes one argument, the table; the schema is a column.
        table_list(db, "SELECT wr, strict FROM pragma_table_list(?1) WHERE schema = ?2"),
        index_list(db,
                   "SELECT name, origin FROM pragma_index_list(?1, ?2) "
                   "WHERE origin IN ('u', 'pk')"),
        index_of(db, "SELECT \"unique\" FROM pragma_index_list(?1, ?2) WHERE name = ?3"),
        index_keys(db,
                   "SELECT cid, name, \"desc\", coll FROM pragma_index_xinfo(?1, ?2) "
                   "WHERE key = 1 ORDER BY seqno") {}

  sqlite3* db;
  std::string schema;
  Statement columns;
  Statement foreign_keys;
  Statement table_list;
  Statement index_list;
  Statement index_of;
  Statement index_keys;
};

// Each column's collation and AUTOINCREMENT, as SQLite reports them where it
// can, else as the table's SQL declares them.
void read_column_metadata(sqlite3* db, std::string_view schema, const SchemaObject& table,
                          const TableDefinition& definition, Column& column) {
  const std::string name = lower_name(column.name);
  if (has_column_metadata()) {
    const char* collation = nullptr;
    int autoincrement = 0;
    const int rc = sqlite3_table_column_metadata(db, std::string(schema).c_str(),
                                                 table.name.c_str(), column.name.c_str(), nullptr,
                                                 &collation, nullptr, nullptr, &autoincrement);
    if (rc == SQLITE_NOMEM) throw std::bad_alloc();
    if (rc == SQLITE_OK) {
      column.collation = lower_name(collation != nullptr ? collation : "binary");
      column.autoincrement = autoincrement != 0;
      return;
    }
  }
  const auto declared = definition.collate.find(name);
  column.collation = declared == definition.collate.end() ? "binary" : declared->second;
  column.autoincrement = definition.autoincrement_column == name;
}

void read_columns(SchemaReader& reader, SchemaObject& table, const TableDefinition& definition) {
  Statement& statement = reader.columns;
  statement.reset();
  statement.bind_text(1, table.name).bind_text(2, reader.schema);
  while (statement.step()) {
    Column column;
    column.name = statement.column_text(0);
    column.type = normalize_type(statement.column_text(1));
    column.not_null = statement.column_int(2) != 0;
    if (auto value = statement.column_optional_text(3))
      column.default_value = normalize_default(*value);
    column.primary_key_position = static_cast<int>(statement.column_int(4));
    column.hidden = static_cast<int>(statement.column_int(5));
    if (column.hidden == 2 || column.hidden == 3) {
      const auto expression = definition.generated.find(lower_name(column.name));
      if (expression != definition.generated.end()) column.generated = expression->second;
    }
    table.columns.push_back(std::move(column));
  }
  for (Column& column : table.columns) {
    read_column_metadata(reader.db, reader.schema, table, definition, column);
  }
}

void read_foreign_keys(SchemaReader& reader, SchemaObject& table) {
  Statement& statement = reader.foreign_keys;
  statement.reset();
  statement.bind_text(1, table.name).bind_text(2, reader.schema);
  std::map<std::int64_t, ForeignKey> by_id;
  while (statement.step()) {
    ForeignKey& key = by_id[statement.column_int(0)];
    key.table = lower_name(statement.column_text(1));
    key.from_columns.push_back(lower_name(statement.column_text(2)));
    if (!statement.column_is_null(3))
      key.to_columns.push_back(lower_name(statement.column_text(3)));
    key.on_update = upper(statement.column_text(4));
    key.on_delete = upper(statement.column_text(5));
  }
  for (auto& [id, key] : by_id) {
    // REFERENCES parent (no columns) means the parent's primary key.
    if (key.to_columns.empty()) {
      Statement parent(reader.db,
                       "SELECT name FROM pragma_table_info(?1, ?2) WHERE pk > 0 ORDER BY pk");
      parent.bind_text(1, key.table).bind_text(2, reader.schema);
      while (parent.step()) key.to_columns.push_back(lower_name(parent.column_text(0)));
    }
    table.foreign_keys.push_back(std::move(key));
  }
  // pragma ids follow declaration order; compare as a set.
  std::sort(table.foreign_keys.begin(), table.foreign_keys.end(),
            [](const ForeignKey& a, const ForeignKey& b) {
              return std::tie(a.table, a.from_columns) < std::tie(b.table, b.from_columns);
            });
}

// An index's key columns as they read in CREATE INDEX: "topic",
// "timestamp DESC", "lower(topic)". A key's collation is shown only where it
// is not its column's own (on a table whose column changed collation, that
// change is reported once, on the column).
std::vector<std::string> read_index_keys(SchemaReader& reader, const std::string& index,
                                         const std::vector<Column>& table_columns,
                                         const std::vector<std::string>& expressions) {
  Statement& statement = reader.index_keys;
  statement.reset();
  statement.bind_text(1, index).bind_text(2, reader.schema);
  std::vector<std::string> keys;
  while (statement.step()) {
    const std::int64_t cid = statement.column_int(0);
    std::string key;
    std::string own_collation = "binary";
    if (cid >= 0) {
      key = lower_name(statement.column_text(1));
      if (const Column* column = find_column(table_columns, key)) {
        own_collation = column->collation;
      }
    } else if (cid == -1) {
      key = "rowid";
    } else {
      key = keys.size() < expressions.size() ? expressions[keys.size()] : "<expression>";
    }
    const std::string collation = lower_name(statement.column_text(3));
    if (collation != own_collation) key += " COLLATE " + collation;
    if (statement.column_int(2) != 0) key += " DESC";
    keys.push_back(std::move(key));
  }
  return keys;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string text;
  for (const std::string& part : parts) text += (text.empty() ? "" : ", ") + part;
  return text;
}

// The UNIQUE constraints and the primary key, matched by content rather than
// by their sqlite_autoindex_* names, which depend on order.
void read_keys(SchemaReader& reader, SchemaObject& table) {
  Statement& statement = reader.index_list;
  statement.reset();
  statement.bind_text(1, table.name).bind_text(2, reader.schema);
  std::vector<std::pair<std::string, std::string>> indexes;  // name, origin
  while (statement.step()) indexes.emplace_back(statement.column_text(0), statement.column_text(1));
  bool primary_key_index = false;
  for (const auto& [name, origin] : indexes) {
    const std::string keys = joined(read_index_keys(reader, name, table.columns, {}));
    if (origin == "pk") {
      table.primary_key = keys;
      primary_key_index = true;
    } else {
      table.unique_keys.push_back("UNIQUE (" + keys + ")");
    }
  }
  std::sort(table.unique_keys.begin(), table.unique_keys.end());
  if (primary_key_index) return;
  // A rowid table's INTEGER PRIMARY KEY has no index: it is the rowid.
  std::vector<const Column*> key_columns;
  for (const Column& column : table.columns) {
    if (column.primary_key_position > 0) key_columns.push_back(&column);
  }
  std::sort(key_columns.begin(), key_columns.end(), [](const Column* a, const Column* b) {
    return a->primary_key_position < b->primary_key_position;
  });
  std::vector<std::string> names;
  for (const Column* column : key_columns) names.push_back(lower_name(column->name));
  table.primary_key = joined(names);
  if (!table.without_rowid && names.size() == 1) table.rowid_alias = names.front();
}

void read_table(SchemaReader& reader, SchemaObject& table) {
  const TableDefinition definition = parse_table_definition(table.sql);
  Statement& list = reader.table_list;
  list.reset();
  list.bind_text(1, table.name).bind_text(2, reader.schema);
  if (list.step()) {
    table.without_rowid = list.column_int(0) != 0;
    table.strict = list.column_int(1) != 0;
  }
  read_columns(reader, table, definition);
  read_foreign_keys(reader, table);
  read_keys(reader, table);
  table.checks = definition.checks;
}

void read_index(SchemaReader& reader, const SchemaSnapshot& snapshot, SchemaObject& index) {
  const IndexDefinition definition = parse_index_definition(index.sql);
  const SchemaObject* table = snapshot.find(index.table);
  static const std::vector<Column> kNoColumns;
  index.index_columns = read_index_keys(
      reader, index.name, table != nullptr ? table->columns : kNoColumns, definition.keys);
  Statement& statement = reader.index_of;
  statement.reset();
  statement.bind_text(1, index.table).bind_text(2, reader.schema).bind_text(3, index.name);
  index.unique = statement.step() && statement.column_int(0) != 0;
  index.where = definition.where;
}

}  // namespace

bool has_column_metadata() {
  static const bool available = sqlite3_compileoption_used("ENABLE_COLUMN_METADATA") != 0;
  return available;
}

const Column* find_column(const std::vector<Column>& columns, std::string_view name) {
  const std::string wanted = lower_name(name);
  for (const Column& column : columns) {
    if (lower_name(column.name) == wanted) return &column;
  }
  return nullptr;
}

const SchemaObject* SchemaSnapshot::find(std::string_view name) const {
  const std::string wanted = lower_name(name);
  for (const SchemaObject& object : objects) {
    if (lower_name(object.name) == wanted) return &object;
  }
  return nullptr;
}

SchemaSnapshot read_schema(sqlite3* db, std::string_view schema) {
  return read_schema(db, schema, std::nullopt);
}

SchemaSnapshot read_schema(sqlite3* db, std::string_view schema,
                           std::optional<std::string_view> table) {
  SchemaSnapshot snapshot;
  Statement statement(db, "SELECT type, name, tbl_name, sql FROM " + quote_identifier(schema) +
                              ".sqlite_schema WHERE sql IS NOT NULL "
                              "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' " +
                              (table ? "AND tbl_name = ?1 COLLATE NOCASE " : "") +
                              "ORDER BY rowid");
  if (table) statement.bind_text(1, *table);
  while (statement.step()) {
    SchemaObject object;
    object.type = statement.column_text(0);
    object.name = statement.column_text(1);
    object.table = statement.column_text(2);
    object.sql = statement.column_text(3);
    object.normalized_sql = normalize_sql(object.sql);
    snapshot.objects.push_back(std::move(object));
  }
  SchemaReader reader(db, schema);
  // Tables first: an index's keys are read against its table's columns.
  for (SchemaObject& object : snapshot.objects) {
    if (object.type == "table") read_table(reader, object);
  }
  for (SchemaObject& object : snapshot.objects) {
    if (object.type == "index") read_index(reader, snapshot, object);
  }
  return snapshot;
}

}  // namespace emf
