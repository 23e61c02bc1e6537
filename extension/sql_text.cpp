// SQL tokenizing, splitting, normalising and qualifying; see sql_text.h.
#include "sql_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstddef>

#include "db.h"
#include "error.h"
#include "sqlite_api.h"

namespace emf {

namespace {

bool is_identifier_start(unsigned char c) {
  return std::isalpha(c) || c == '_' || c >= 0x80;
}
bool is_identifier_char(unsigned char c) {
  return is_identifier_start(c) || std::isdigit(c) || c == '$';
}

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

// Length of a quoted run starting at sql[start] == open, where a doubled close
// character stands for itself ('it''s', "a""b"); [x] has no escape.
std::size_t quoted_length(std::string_view sql, std::size_t start, char close, bool doubling) {
  std::size_t i = start + 1;
  while (i < sql.size()) {
    if (sql[i] == close) {
      if (doubling && i + 1 < sql.size() && sql[i + 1] == close) {
        i += 2;
        continue;
      }
      return i + 1 - start;
    }
    ++i;
  }
  throw Error(
      fmt::format("unterminated {} at offset {}", close == '\'' ? "string" : "identifier", start));
}

std::size_t number_length(std::string_view sql, std::size_t start) {
  std::size_t i = start;
  if (sql.substr(i, 2) == "0x" || sql.substr(i, 2) == "0X") {
    i += 2;
    while (i < sql.size() && std::isxdigit(static_cast<unsigned char>(sql[i]))) ++i;
    return i - start;
  }
  while (i < sql.size() &&
         (std::isdigit(static_cast<unsigned char>(sql[i])) || sql[i] == '.' || sql[i] == '_')) {
    ++i;
  }
  if (i < sql.size() && (sql[i] == 'e' || sql[i] == 'E')) {
    ++i;
    if (i < sql.size() && (sql[i] == '+' || sql[i] == '-')) ++i;
    while (i < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i]))) ++i;
  }
  return i - start;
}

std::size_t punctuation_length(std::string_view sql, std::size_t start) {
  static constexpr std::string_view kLongOperators[] = {
      "->>", "||", "<=", ">=", "==", "!=", "<>", "<<", ">>", "->"};
  for (std::string_view op : kLongOperators) {
    if (sql.substr(start, op.size()) == op) return op.size();
  }
  return 1;
}

bool is_name(const Token& token) {
  return token.type == Token::Type::word || token.type == Token::Type::quoted_identifier ||
         token.type == Token::Type::string;
}

// The index of the token naming the object a statement acts on.
std::optional<std::size_t> object_token_index(const std::vector<Token>& tokens) {
  auto word_at = [&](std::size_t i, std::string_view keyword) {
    return i < tokens.size() && is_word(tokens[i], keyword);
  };
  std::size_t i = 0;
  if (word_at(i, "CREATE")) {
    ++i;
    if (word_at(i, "TEMP") || word_at(i, "TEMPORARY")) return std::nullopt;
    if (word_at(i, "UNIQUE") || word_at(i, "VIRTUAL")) ++i;
    if (!(word_at(i, "TABLE") || word_at(i, "INDEX") || word_at(i, "VIEW") ||
          word_at(i, "TRIGGER"))) {
      return std::nullopt;
    }
    ++i;
    if (word_at(i, "IF") && word_at(i + 1, "NOT") && word_at(i + 2, "EXISTS")) i += 3;
  } else if (word_at(i, "DROP")) {
    ++i;
    if (!(word_at(i, "TABLE") || word_at(i, "INDEX") || word_at(i, "VIEW") ||
          word_at(i, "TRIGGER"))) {
      return std::nullopt;
    }
    ++i;
    if (word_at(i, "IF") && word_at(i + 1, "EXISTS")) i += 2;
  } else if (word_at(i, "ALTER")) {
    if (!word_at(i + 1, "TABLE")) return std::nullopt;
    i += 2;
  } else if (word_at(i, "INSERT") || word_at(i, "REPLACE")) {
    ++i;
    if (word_at(i, "OR")) i += 2;
    if (!word_at(i, "INTO")) return std::nullopt;
    ++i;
  } else if (word_at(i, "UPDATE")) {
    ++i;
    if (word_at(i, "OR")) i += 2;
  } else if (word_at(i, "DELETE")) {
    if (!word_at(i + 1, "FROM")) return std::nullopt;
    i += 2;
  } else {
    return std::nullopt;
  }
  if (i >= tokens.size() || !is_name(tokens[i])) return std::nullopt;
  return i;
}

// The index just past the parenthesis that closes tokens[open], or end + 1
// when none before end does (so that an unclosed one is never taken to close
// at end - 1).
std::size_t past_matching_parenthesis(const std::vector<Token>& tokens, std::size_t open,
                                      std::size_t end) {
  int depth = 0;
  for (std::size_t i = open; i < end; ++i) {
    if (tokens[i].type != Token::Type::punctuation) continue;
    if (tokens[i].text == "(") ++depth;
    if (tokens[i].text == ")" && --depth == 0) return i + 1;
  }
  return end + 1;
}

// Narrows [begin, end) while a parenthesis at begin closes at end - 1.
void strip_enclosing_parentheses(const std::vector<Token>& tokens, std::size_t& begin,
                                 std::size_t& end) {
  while (end - begin >= 2 && tokens[begin].type == Token::Type::punctuation &&
         tokens[begin].text == "(" && tokens[end - 1].type == Token::Type::punctuation &&
         tokens[end - 1].text == ")" && past_matching_parenthesis(tokens, begin, end) == end) {
    ++begin;
    --end;
  }
}

// A word's text, or a quoted token's (identifier or string) with its quotes
// removed and doubled quotes undone; case kept.
std::string unquoted(const Token& token) {
  if (token.type == Token::Type::word) return std::string(token.text);
  std::string_view body = token.text.substr(1, token.text.size() - 2);
  if (token.text.front() == '[') return std::string(body);
  const char quote = token.text.front();
  std::string name;
  for (std::size_t i = 0; i < body.size(); ++i) {
    name += body[i];
    if (body[i] == quote) ++i;  // skip the second of a doubled quote
  }
  return name;
}

}  // namespace

bool is_word(const Token& token, std::string_view keyword) {
  if (token.type != Token::Type::word || token.text.size() != keyword.size()) return false;
  return std::equal(token.text.begin(), token.text.end(), keyword.begin(), [](char a, char b) {
    return std::toupper(static_cast<unsigned char>(a)) == b;
  });
}

bool is_punctuation(const Token& token, std::string_view text) {
  return token.type == Token::Type::punctuation && token.text == text;
}

// An identifier token's name: quotes removed, doubled quotes undone, lower case
// (SQLite compares identifiers without regard to ASCII case).
std::string identifier_name(const Token& token) {
  return lower(unquoted(token));
}

std::vector<Token> tokenize(std::string_view sql, std::size_t max_tokens) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < sql.size() && tokens.size() < max_tokens) {
    const unsigned char c = static_cast<unsigned char>(sql[i]);
    if (std::isspace(c)) {
      ++i;
      continue;
    }
    if (sql.substr(i, 2) == "--") {
      std::size_t end = sql.find('\n', i);
      i = end == std::string_view::npos ? sql.size() : end + 1;
      continue;
    }
    if (sql.substr(i, 2) == "/*") {
      // Unterminated, it runs to the end of the text, as SQLite reads it.
      const std::size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
      continue;
    }
    Token::Type type;
    std::size_t length;
    if (c == '\'') {
      type = Token::Type::string;
      length = quoted_length(sql, i, '\'', true);
    } else if ((c == 'x' || c == 'X') && i + 1 < sql.size() && sql[i + 1] == '\'') {
      type = Token::Type::blob;
      length = 1 + quoted_length(sql, i + 1, '\'', false);
    } else if (c == '"' || c == '`') {
      type = Token::Type::quoted_identifier;
      length = quoted_length(sql, i, static_cast<char>(c), true);
    } else if (c == '[') {
      type = Token::Type::quoted_identifier;
      length = quoted_length(sql, i, ']', false);
    } else if (std::isdigit(c) || (c == '.' && i + 1 < sql.size() &&
                                   std::isdigit(static_cast<unsigned char>(sql[i + 1])))) {
      type = Token::Type::number;
      length = number_length(sql, i);
    } else if (is_identifier_start(c)) {
      type = Token::Type::word;
      length = 1;
      while (i + length < sql.size() &&
             is_identifier_char(static_cast<unsigned char>(sql[i + length]))) {
        ++length;
      }
    } else if (c == '?' || c == ':' || c == '@' || c == '$') {
      type = Token::Type::variable;
      length = 1;
      while (i + length < sql.size() &&
             is_identifier_char(static_cast<unsigned char>(sql[i + length]))) {
        ++length;
      }
    } else {
      type = Token::Type::punctuation;
      length = punctuation_length(sql, i);
    }
    tokens.push_back(Token{type, sql.substr(i, length), i});
    i += length;
  }
  return tokens;
}

std::vector<std::string_view> split_statements(std::string_view sql) {
  std::vector<std::string_view> statements;
  const std::vector<Token> tokens = tokenize(sql);
  std::size_t first = 0;  // first token of the statement being gathered
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (!is_punctuation(tokens[i], ";")) continue;
    const std::size_t begin = tokens[first].offset;
    const std::size_t end = tokens[i].offset;
    // A semicolon inside CREATE TRIGGER ... BEGIN ... END does not end it.
    std::string candidate(sql.substr(begin, end + 1 - begin));
    if (!sqlite3_complete(candidate.c_str())) continue;
    if (i > first) statements.push_back(sql.substr(begin, end - begin));
    first = i + 1;
  }
  if (first < tokens.size()) {
    const std::size_t begin = tokens[first].offset;
    const Token& last = tokens.back();
    statements.push_back(sql.substr(begin, last.offset + last.text.size() - begin));
  }
  return statements;
}

std::string normalize_tokens(const std::vector<Token>& tokens, std::size_t begin, std::size_t end) {
  std::string normalized;
  for (std::size_t i = begin; i < end; ++i) {
    const Token& token = tokens[i];
    const bool after_name = i > begin && (tokens[i - 1].type == Token::Type::word ||
                                          tokens[i - 1].type == Token::Type::quoted_identifier);
    const bool glued_left = is_punctuation(token, ",") || is_punctuation(token, ")") ||
                            is_punctuation(token, ".") || is_punctuation(token, ";") ||
                            (is_punctuation(token, "(") && after_name);
    const bool glued_right =
        i > begin && (is_punctuation(tokens[i - 1], "(") || is_punctuation(tokens[i - 1], "."));
    if (i > begin && !glued_left && !glued_right) normalized += ' ';
    switch (token.type) {
      case Token::Type::word:
      case Token::Type::quoted_identifier:
        normalized += identifier_name(token);
        break;
      case Token::Type::blob:
        normalized += lower(token.text);
        break;
      default:
        normalized += token.text;
    }
  }
  return normalized;
}

namespace {

// One spelling for what SQL spells two ways, for comparison: == is =, <> is
// !=, NOTNULL (and, in expressions, x NOT NULL) is IS NOT NULL, ISNULL is IS
// NULL, LEFT OUTER JOIN is LEFT JOIN; the AS before an alias or a CTE's body
// is left out, and so is a trigger's FOR EACH ROW (the only kind SQLite has).
std::vector<Token> canonical_tokens(const std::vector<Token>& tokens, std::size_t begin,
                                    std::size_t end, bool expressions) {
  static constexpr std::string_view kIs = "IS", kNot = "NOT", kNull = "NULL";
  std::vector<Token> canonical;
  for (std::size_t i = begin; i < end; ++i) {
    Token token = tokens[i];
    const auto word_at = [&](std::size_t at, std::string_view keyword) {
      return at < end && is_word(tokens[at], keyword);
    };
    if (is_word(token, "AS")) continue;
    if (is_word(token, "OUTER") && i > begin &&
        (is_word(tokens[i - 1], "LEFT") || is_word(tokens[i - 1], "RIGHT") ||
         is_word(tokens[i - 1], "FULL"))) {
      continue;
    }
    if (is_word(token, "FOR") && word_at(i + 1, "EACH") && word_at(i + 2, "ROW")) {
      i += 2;
      continue;
    }
    if (is_word(token, "NOTNULL") || is_word(token, "ISNULL")) {
      const bool negated = is_word(token, "NOTNULL");
      canonical.push_back(Token{Token::Type::word, kIs, token.offset});
      if (negated) canonical.push_back(Token{Token::Type::word, kNot, token.offset});
      canonical.push_back(Token{Token::Type::word, kNull, token.offset});
      continue;
    }
    // In an expression, x NOT NULL is x IS NOT NULL (in a column
    // definition NOT NULL is a constraint: only tables have those).
    if (expressions && is_word(token, "NOT") && word_at(i + 1, "NULL") &&
        !(i > begin && is_word(tokens[i - 1], "IS"))) {
      canonical.push_back(Token{Token::Type::word, kIs, token.offset});
    }
    if (is_punctuation(token, "==")) token.text = "=";
    if (is_punctuation(token, "<>")) token.text = "!=";
    canonical.push_back(token);
  }
  return canonical;
}

}  // namespace

std::string normalize_expression(const std::vector<Token>& tokens, std::size_t begin,
                                 std::size_t end) {
  strip_enclosing_parentheses(tokens, begin, end);
  const std::vector<Token> canonical = canonical_tokens(tokens, begin, end, true);
  return normalize_tokens(canonical, 0, canonical.size());
}

std::string normalize_default(std::string_view dflt_value) {
  const std::vector<Token> tokens = tokenize(dflt_value);
  std::size_t begin = 0;
  std::size_t end = tokens.size();
  strip_enclosing_parentheses(tokens, begin, end);
  if (end - begin == 1) {
    const Token& token = tokens[begin];
    const bool keyword = is_word(token, "NULL") || is_word(token, "TRUE") ||
                         is_word(token, "FALSE") || is_word(token, "CURRENT_TIME") ||
                         is_word(token, "CURRENT_DATE") || is_word(token, "CURRENT_TIMESTAMP");
    // DEFAULT draft and DEFAULT "draft" store the string 'draft'.
    if (token.type == Token::Type::quoted_identifier ||
        (token.type == Token::Type::word && !keyword)) {
      return quote_literal(unquoted(token));
    }
  }
  if (end - begin == 2 && is_punctuation(tokens[begin], "+") &&
      tokens[begin + 1].type == Token::Type::number) {
    ++begin;
  }
  return normalize_expression(tokens, begin, end);
}

std::string normalize_type(std::string_view declared_type) {
  const std::vector<Token> tokens = tokenize(declared_type);
  std::string type = normalize_tokens(tokens, 0, tokens.size());
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return type;
}

std::string normalize_sql(std::string_view sql) {
  std::vector<Token> tokens = tokenize(sql);
  while (!tokens.empty() && is_punctuation(tokens.back(), ";")) tokens.pop_back();
  const bool table = tokens.size() > 1 && is_word(tokens[0], "CREATE") &&
                     (is_word(tokens[1], "TABLE") || is_word(tokens[1], "TEMP") ||
                      is_word(tokens[1], "TEMPORARY") || is_word(tokens[1], "VIRTUAL"));
  const std::vector<Token> canonical = canonical_tokens(tokens, 0, tokens.size(), !table);
  return normalize_tokens(canonical, 0, canonical.size());
}

bool starts_with_words(std::string_view statement, std::initializer_list<std::string_view> words) {
  const std::vector<Token> tokens = tokenize(statement, words.size());
  std::size_t i = 0;
  for (std::string_view word : words) {
    if (i >= tokens.size() || !is_word(tokens[i], word)) return false;
    ++i;
  }
  return true;
}

UpdateParts split_update(std::string_view statement) {
  const std::vector<Token> tokens = tokenize(statement);
  UpdateParts parts;
  int depth = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (is_punctuation(tokens[i], "(")) ++depth;
    if (is_punctuation(tokens[i], ")")) --depth;
    if (depth == 0 && parts.column.empty() && is_word(tokens[i], "SET") && i + 1 < tokens.size()) {
      parts.column = identifier_name(tokens[i + 1]);
    }
    if (depth == 0 && is_word(tokens[i], "WHERE")) {
      parts.head = std::string(statement.substr(0, tokens[i].offset));
      parts.condition = std::string(statement.substr(tokens[i].offset + tokens[i].text.size()));
      return parts;
    }
  }
  parts.head = std::string(statement);
  return parts;
}

std::optional<std::string> statement_object_name(std::string_view statement) {
  const std::vector<Token> tokens = tokenize(statement);
  const std::optional<std::size_t> index = object_token_index(tokens);
  if (!index) return std::nullopt;
  return identifier_name(tokens[*index]);
}

std::string replace_object_name(std::string_view statement, std::string_view replacement) {
  const std::vector<Token> tokens = tokenize(statement);
  const std::optional<std::size_t> index = object_token_index(tokens);
  auto head = [&] {
    return std::string(statement.substr(0, std::min<std::size_t>(statement.size(), 60)));
  };
  if (!index) {
    throw Error(fmt::format(
        "cannot direct '{}...' at another schema or name: only CREATE, DROP, ALTER TABLE, "
        "INSERT, UPDATE and DELETE statements name the object they act on",
        head()));
  }
  if (*index + 1 < tokens.size() && is_punctuation(tokens[*index + 1], ".")) {
    throw Error(fmt::format("'{}...' names a schema itself; emf chooses the schema", head()));
  }
  const Token& name = tokens[*index];
  return std::string(statement.substr(0, name.offset)) + std::string(replacement) +
         std::string(statement.substr(name.offset + name.text.size()));
}

std::string qualify_statement(std::string_view statement, std::string_view schema) {
  const std::vector<Token> tokens = tokenize(statement);
  const std::optional<std::size_t> index = object_token_index(tokens);
  const std::string name = index ? std::string(tokens[*index].text) : std::string();
  return replace_object_name(statement, quote_identifier(schema) + "." + name);
}

std::size_t past_matching(const std::vector<Token>& tokens, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < tokens.size(); ++i) {
    if (is_punctuation(tokens[i], "(")) ++depth;
    if (is_punctuation(tokens[i], ")") && --depth == 0) return i + 1;
  }
  return tokens.size();
}

}  // namespace emf
