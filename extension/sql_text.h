// SQL as text: a tokenizer that follows SQLite's lexical rules, and what emf
// builds on it. Statements are split where sqlite3_complete() says they end
// (so trigger bodies stay whole); SQL is normalised for comparison (case,
// quoting, white space and comments do not count); and the object a
// statement creates, drops, alters or writes is qualified with a schema name,
// so that the same migration file can build an attached database.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace emf {

struct Token {
  enum class Type { word, quoted_identifier, string, blob, number, variable, punctuation };
  Type type;
  std::string_view text;
  std::size_t offset;  // in the tokenized text
};

// Throws emf::Error on an unterminated string or identifier; a comment left
// open runs to the end of the text, as SQLite reads it. Stops after
// `max_tokens` tokens, for a caller that reads only the first few.
std::vector<Token> tokenize(std::string_view sql,
                            std::size_t max_tokens = std::numeric_limits<std::size_t>::max());

// The statements of a script, without their terminating semicolons.
std::vector<std::string_view> split_statements(std::string_view sql);

// A canonical spelling: keywords and identifiers lower case and unquoted,
// literals kept as written, one space between tokens (none inside
// parentheses or around dots and commas), no trailing semicolon, and one
// spelling for what SQL spells two ways (== and =, <> and !=, NOTNULL and IS
// NOT NULL, LEFT OUTER JOIN and LEFT JOIN, an alias with or without AS, a
// trigger with or without FOR EACH ROW).
std::string normalize_sql(std::string_view sql);

// The spacing and case of normalize_sql over tokens [begin, end) of a
// tokenized text, the tokens as they are.
std::string normalize_tokens(const std::vector<Token>& tokens, std::size_t begin, std::size_t end);

// An expression, tokens [begin, end), spelled canonically for comparison:
// as normalize_sql, without the parentheses that enclose all of it
// ("((x > 0))" is "x > 0").
std::string normalize_expression(const std::vector<Token>& tokens, std::size_t begin,
                                 std::size_t end);

// A column's default as pragma_table_xinfo reports it (dflt_value), spelled
// canonically: normalize_expression, a bare or quoted name taken as the
// string SQLite stores for it (DEFAULT draft is 'draft'), "+1" as "1".
std::string normalize_default(std::string_view dflt_value);

// A declared type as pragma_table_xinfo reports it (as written, white space
// and comments included), spelled canonically: "VARCHAR(10, 2)".
std::string normalize_type(std::string_view declared_type);

// True for a punctuation token spelled `text`; for a word token spelled
// `keyword` in any case (keyword given in upper case).
bool is_punctuation(const Token& token, std::string_view text);
bool is_word(const Token& token, std::string_view keyword);
// An identifier token's name: unquoted, lower case.
std::string identifier_name(const Token& token);

// True when the statement begins with these keywords (given in upper case),
// comments and case aside: starts_with_words(s, {"CREATE", "TABLE"}).
bool starts_with_words(std::string_view statement, std::initializer_list<std::string_view> words);

// An UPDATE statement cut at its top-level WHERE: the text before it and the
// condition after it (empty when it has none).
struct UpdateParts {
  std::string head;       // "UPDATE t SET c = ..."
  std::string condition;  // "c IS NOT ..."
  std::string column;     // the first column it sets, lower case
};
UpdateParts split_update(std::string_view statement);

// The name of the object a statement creates, drops, alters, inserts into,
// updates or deletes from (unquoted, lower case); nullopt for anything else.
std::optional<std::string> statement_object_name(std::string_view statement);

// The statement with the name of the object it acts on replaced (e.g. by a
// qualified temporary name). Throws emf::Error like qualify_statement.
std::string replace_object_name(std::string_view statement, std::string_view replacement);

// The statement with that object name prefixed by "schema". Throws
// emf::Error for a statement that names no such object or already names a
// schema.
std::string qualify_statement(std::string_view statement, std::string_view schema);

// The index just past the parenthesis matching tokens[open].
std::size_t past_matching(const std::vector<Token>& tokens, std::size_t open);

// Calls item(begin, end) for each comma-separated item of the list whose
// parentheses are tokens[open] and tokens[close - 1].
template <typename Item>
void for_each_item(const std::vector<Token>& tokens, std::size_t open, std::size_t close,
                   Item item) {
  std::size_t item_begin = open + 1;
  int depth = 0;
  for (std::size_t i = open + 1; i + 1 < close; ++i) {
    if (is_punctuation(tokens[i], "(")) ++depth;
    if (is_punctuation(tokens[i], ")")) --depth;
    if (depth == 0 && is_punctuation(tokens[i], ",")) {
      if (i > item_begin) item(item_begin, i);
      item_begin = i + 1;
    }
  }
  if (close - 1 > item_begin) item(item_begin, close - 1);
}

}  // namespace emf
