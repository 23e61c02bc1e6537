// CREATE TABLE parsing for drift detail; see table_definition.h.
#include "table_definition.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "sql_text.h"

namespace emf {

namespace {

// The index just past the parenthesis matching tokens[open].
std::size_t past_matching(const std::vector<Token>& tokens, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < tokens.size(); ++i) {
    if (is_punctuation(tokens[i], "(")) ++depth;
    if (is_punctuation(tokens[i], ")") && --depth == 0) return i + 1;
  }
  return tokens.size();
}

bool starts_table_constraint(const Token& token) {
  return is_word(token, "CONSTRAINT") || is_word(token, "PRIMARY") || is_word(token, "UNIQUE") ||
         is_word(token, "CHECK") || is_word(token, "FOREIGN");
}

// Reads one column definition or table constraint, tokens [begin, end).
void read_item(std::string_view sql, const std::vector<Token>& tokens, std::size_t begin,
               std::size_t end, TableDefinition& definition) {
  const bool is_column = !starts_table_constraint(tokens[begin]);
  const std::string column = is_column ? identifier_name(tokens[begin]) : std::string();
  if (is_column) {
    definition.columns.push_back(column);
    const std::size_t from = tokens[begin].offset;
    const std::size_t to = tokens[end - 1].offset + tokens[end - 1].text.size();
    definition.column_sql[column] = std::string(sql.substr(from, to - from));
  }
  for (std::size_t i = is_column ? begin + 1 : begin; i < end; ++i) {
    if (is_word(tokens[i], "CHECK") && i + 1 < end && is_punctuation(tokens[i + 1], "(")) {
      const std::size_t close = past_matching(tokens, i + 1);
      definition.checks.push_back(normalize_tokens(tokens, i, close));
      i = close - 1;
    } else if (is_word(tokens[i], "COLLATE") && i + 1 < end && is_column) {
      definition.collate[column] = identifier_name(tokens[i + 1]);
    } else if (is_word(tokens[i], "AUTOINCREMENT")) {
      definition.autoincrement = true;
    } else if (is_punctuation(tokens[i], "(")) {
      i = past_matching(tokens, i) - 1;  // a default or type argument: not ours
    }
  }
}

}  // namespace

TableDefinition parse_table_definition(std::string_view create_table_sql) {
  TableDefinition definition;
  const std::vector<Token> tokens = tokenize(create_table_sql);
  std::size_t open = 0;
  while (open < tokens.size() && !is_punctuation(tokens[open], "(")) ++open;
  if (open == tokens.size()) return definition;           // CREATE TABLE ... AS SELECT
  const std::size_t close = past_matching(tokens, open);  // just past ")"
  std::size_t item_begin = open + 1;
  int depth = 0;
  for (std::size_t i = open + 1; i + 1 < close; ++i) {
    if (is_punctuation(tokens[i], "(")) ++depth;
    if (is_punctuation(tokens[i], ")")) --depth;
    if (depth == 0 && is_punctuation(tokens[i], ",")) {
      if (i > item_begin) read_item(create_table_sql, tokens, item_begin, i, definition);
      item_begin = i + 1;
    }
  }
  if (close - 1 > item_begin)
    read_item(create_table_sql, tokens, item_begin, close - 1, definition);
  for (std::size_t i = close; i < tokens.size(); ++i) {
    if (is_word(tokens[i], "STRICT")) definition.options.push_back("strict");
    if (is_word(tokens[i], "ROWID")) definition.options.push_back("without rowid");
  }
  std::sort(definition.checks.begin(), definition.checks.end());
  std::sort(definition.options.begin(), definition.options.end());
  return definition;
}

std::vector<std::string> compare_table_definitions(const TableDefinition& expected,
                                                   const TableDefinition& live) {
  std::vector<std::string> differences;
  std::vector<std::string> missing, extra;
  std::set_difference(expected.checks.begin(), expected.checks.end(), live.checks.begin(),
                      live.checks.end(), std::back_inserter(missing));
  std::set_difference(live.checks.begin(), live.checks.end(), expected.checks.begin(),
                      expected.checks.end(), std::back_inserter(extra));
  for (const std::string& check : missing) differences.push_back("missing " + check);
  for (const std::string& check : extra) differences.push_back("extra " + check);
  for (const std::string& column : expected.columns) {
    auto want = expected.collate.find(column);
    auto have = live.collate.find(column);
    const std::string want_text = want == expected.collate.end() ? "binary" : want->second;
    const std::string have_text = have == live.collate.end() ? "binary" : have->second;
    if (want_text != have_text) {
      differences.push_back(
          fmt::format("column {}: collate {}, expected {}", column, have_text, want_text));
    }
  }
  if (expected.autoincrement != live.autoincrement) {
    differences.push_back(expected.autoincrement ? "AUTOINCREMENT expected"
                                                 : "AUTOINCREMENT not expected");
  }
  if (expected.options != live.options) {
    differences.push_back(fmt::format("table options ({}), expected ({})",
                                      fmt::join(live.options, ", "),
                                      fmt::join(expected.options, ", ")));
  }
  std::vector<std::string> expected_sorted = expected.columns, live_sorted = live.columns;
  std::sort(expected_sorted.begin(), expected_sorted.end());
  std::sort(live_sorted.begin(), live_sorted.end());
  if (expected_sorted == live_sorted && expected.columns != live.columns) {
    differences.push_back(fmt::format("column order ({}), expected ({})",
                                      fmt::join(live.columns, ", "),
                                      fmt::join(expected.columns, ", ")));
  }
  return differences;
}

}  // namespace emf
