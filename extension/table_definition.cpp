// CREATE TABLE and CREATE INDEX parsing for drift detail; see
// table_definition.h.
#include "table_definition.h"

#include <algorithm>

#include "sql_text.h"

namespace emf {

namespace {

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
    const bool parenthesis_follows = i + 1 < end && is_punctuation(tokens[i + 1], "(");
    if (is_word(tokens[i], "CHECK") && parenthesis_follows) {
      const std::size_t close = past_matching(tokens, i + 1);
      definition.checks.push_back("check(" + normalize_expression(tokens, i + 2, close - 1) + ")");
      i = close - 1;
    } else if (is_word(tokens[i], "AS") && parenthesis_follows && is_column) {
      const std::size_t close = past_matching(tokens, i + 1);
      definition.generated[column] = normalize_expression(tokens, i + 2, close - 1);
      i = close - 1;
    } else if (is_word(tokens[i], "PRIMARY") && !is_column && i + 2 < end &&
               is_punctuation(tokens[i + 2], "(")) {
      // PRIMARY KEY (id AUTOINCREMENT)
      const std::size_t close = past_matching(tokens, i + 2);
      for (std::size_t j = i + 3; j < close; ++j) {
        if (is_word(tokens[j], "AUTOINCREMENT")) {
          definition.autoincrement_column = identifier_name(tokens[i + 3]);
        }
      }
      i = close - 1;
    } else if (is_word(tokens[i], "COLLATE") && i + 1 < end && is_column) {
      definition.collate[column] = identifier_name(tokens[i + 1]);
    } else if (is_word(tokens[i], "AUTOINCREMENT") && is_column) {
      definition.autoincrement_column = column;
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
  for_each_item(tokens, open, close, [&](std::size_t begin, std::size_t end) {
    read_item(create_table_sql, tokens, begin, end, definition);
  });
  std::sort(definition.checks.begin(), definition.checks.end());
  return definition;
}

IndexDefinition parse_index_definition(std::string_view create_index_sql) {
  IndexDefinition definition;
  const std::vector<Token> tokens = tokenize(create_index_sql);
  // No name before the key list can hold an unquoted parenthesis.
  std::size_t open = 0;
  while (open < tokens.size() && !is_punctuation(tokens[open], "(")) ++open;
  if (open == tokens.size()) return definition;
  const std::size_t close = past_matching(tokens, open);
  for_each_item(tokens, open, close, [&](std::size_t begin, std::size_t end) {
    // The expression ends at a top-level COLLATE, ASC or DESC.
    int depth = 0;
    std::size_t stop = begin;
    for (; stop < end; ++stop) {
      if (is_punctuation(tokens[stop], "(")) ++depth;
      if (is_punctuation(tokens[stop], ")")) --depth;
      if (depth == 0 && stop > begin &&
          (is_word(tokens[stop], "COLLATE") || is_word(tokens[stop], "ASC") ||
           is_word(tokens[stop], "DESC"))) {
        break;
      }
    }
    definition.keys.push_back(normalize_expression(tokens, begin, stop));
  });
  std::size_t end = tokens.size();
  while (end > close && is_punctuation(tokens[end - 1], ";")) --end;
  if (close < end && is_word(tokens[close], "WHERE")) {
    definition.where = normalize_expression(tokens, close + 1, end);
  }
  return definition;
}

}  // namespace emf
