// Fuzzes emf's SQL-text handling (extension/sql_text.h and the CREATE TABLE
// and CREATE INDEX parsing of table_definition.h) with arbitrary text. Each
// function either returns or throws emf::Error; beyond not crashing, what
// the comparison of schemas relies on must hold: every token is the text at
// its offset, a statement of a script is a piece of it, and white space and
// comments between tokens never change the normalised spelling.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "sql_text.h"
#include "table_definition.h"

namespace {

// Calls f, taking emf::Error as the documented way to refuse; any other
// exception escapes and stops the run.
template <typename F>
void refusable(F f) {
  try {
    f();
  } catch (const emf::Error&) {
  }
}

void check_tokens(std::string_view sql) {
  const std::vector<emf::Token> tokens = emf::tokenize(sql);
  std::size_t next_free = 0;
  for (const emf::Token& token : tokens) {
    if (token.text.empty() || token.offset < next_free || token.offset > sql.size() ||
        sql.substr(token.offset, token.text.size()) != token.text) {
      std::abort();
    }
    next_free = token.offset + token.text.size();
  }
  // The same tokens with a comment and new lines between each: tokenized
  // alike, and normalised to the same spelling.
  std::string spaced;
  for (const emf::Token& token : tokens) {
    spaced += token.text;
    spaced += " /* */\n";
  }
  const std::vector<emf::Token> respaced = emf::tokenize(spaced);
  if (respaced.size() != tokens.size()) std::abort();
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (respaced[i].text != tokens[i].text || respaced[i].type != tokens[i].type) std::abort();
  }
  if (emf::normalize_sql(spaced) != emf::normalize_sql(sql)) std::abort();
}

void check_statements(std::string_view sql) {
  for (std::string_view statement : emf::split_statements(sql)) {
    if (statement.data() < sql.data() ||
        statement.data() + statement.size() > sql.data() + sql.size()) {
      std::abort();
    }
    refusable([&] { emf::qualify_statement(statement, "aux \"1\""); });
    refusable([&] { emf::statement_object_name(statement); });
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view sql(reinterpret_cast<const char*>(data), size);
  refusable([&] { check_tokens(sql); });
  refusable([&] { check_statements(sql); });
  refusable([&] { emf::normalize_default(sql); });
  refusable([&] { emf::normalize_type(sql); });
  refusable([&] { emf::starts_with_words(sql, {"CREATE", "TABLE"}); });
  refusable([&] { emf::split_update(sql); });
  refusable([&] { emf::replace_object_name(sql, "\"emf_new\""); });
  refusable([&] { emf::parse_table_definition(sql); });
  refusable([&] { emf::parse_index_definition(sql); });
  refusable([&] {
    const std::vector<emf::Token> tokens = emf::tokenize(sql);
    emf::normalize_expression(tokens, 0, tokens.size());
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      if (emf::is_punctuation(tokens[i], "(")) emf::past_matching(tokens, i);
    }
  });
  return 0;
}
