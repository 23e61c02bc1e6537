// The examples of README.md and docs/*.md, run: every ```console block, and
// every ```sql block marked <!-- example -->, is executed against the built
// emf and libemf.so in a temporary folder, and what it prints is compared
// with what the document shows, volatile parts (times, sizes, the folder's
// path, SQLite's version) masked. docs/CONTRIBUTING.md describes the
// convention; a document whose example no longer matches what emf does
// fails here, with the document's file and line.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/process.h"
#include "support/test_db.h"

namespace emf::test {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = EMF_SOURCE_DIR;
const std::string kEllipsis = "\xE2\x80\xA6";  // "…": any text in a line, or any lines alone
const std::string kStepMark = "@@emf-example-step ";
const std::string kEndMark = "@@emf-example-end@@";

// ---------------------------------------------------------------------------
// Reading the examples out of a document.

// One command of a console block, or one statement of a sql block, with the
// output the document shows for it.
struct Step {
  int line = 0;  // of the command in the document
  std::string code;
  std::vector<std::string> expected;
  bool compared = true;  // a sql statement without a result comment is only run
};

struct Example {
  int line = 0;          // of the opening fence
  std::string language;  // "console" or "sql"
  std::string setup;     // the hidden set-up of <!-- example: ... -->
  std::string command;   // sql: the `sqlite3 ...` line that opens the block, if any
  std::vector<Step> steps;
};

struct Problem {
  int line = 0;
  std::string message;
};

struct Document {
  std::vector<Example> examples;
  std::vector<Problem> problems;  // a malformed example is a failure, never skipped
};

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t\r") - begin + 1);
}

std::string trim_right(const std::string& text) {
  const auto end = text.find_last_not_of(" \t\r");
  return end == std::string::npos ? "" : text.substr(0, end + 1);
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

// Where a `--` comment starts in a line of SQL (outside quotes), or npos.
std::size_t comment_start(const std::string& line) {
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"' || c == '`') {
      quote = c;
    } else if (c == '[') {
      quote = ']';
    } else if (c == '-' && i + 1 < line.size() && line[i + 1] == '-') {
      return i;
    }
  }
  return std::string::npos;
}

// A result comment's text: "-- x" is "x", "--" alone an empty line.
std::string comment_text(const std::string& comment) {
  std::string text = comment.substr(2);
  if (starts_with(text, " ")) text.erase(0, 1);
  return trim_right(text);
}

void parse_console(const std::vector<std::string>& body, int first_line, Example& example,
                   Document& document) {
  for (std::size_t i = 0; i < body.size(); ++i) {
    const std::string& line = body[i];
    const int number = first_line + static_cast<int>(i);
    if (starts_with(line, "$ ")) {
      Step step;
      step.line = number;
      step.code = line.substr(2);
      // A command continued with a backslash goes on over the next lines.
      while (!step.code.empty() && step.code.back() == '\\' && i + 1 < body.size()) {
        step.code += "\n" + body[++i];
      }
      example.steps.push_back(step);
    } else if (example.steps.empty()) {
      if (!trim(line).empty()) {
        document.problems.push_back({number, "a console example must start with a `$ ` command"});
        return;
      }
    } else {
      example.steps.back().expected.push_back(trim_right(line));
    }
  }
}

void parse_sql(const std::vector<std::string>& body, int first_line, Example& example,
               Document& document) {
  std::optional<Step> open;  // a statement not ended by `;` yet
  for (std::size_t i = 0; i < body.size(); ++i) {
    const std::string& line = body[i];
    const std::string trimmed = trim(line);
    const int number = first_line + static_cast<int>(i);
    if (i == 0 && starts_with(trimmed, "sqlite3 ")) {
      example.command = trimmed;  // the shell, opened as the document shows
      continue;
    }
    if (trimmed.empty()) continue;
    if (!open && starts_with(trimmed, "--")) {
      if (example.steps.empty()) {
        document.problems.push_back(
            {number, "a result comment must follow a statement (other comments go in the text)"});
        return;
      }
      example.steps.back().expected.push_back(comment_text(trimmed));
      example.steps.back().compared = true;
      continue;
    }
    if (!open && starts_with(trimmed, ".")) {
      // A dot-command is one line, and takes no comment: the shell would
      // read one as more arguments. It is run as written.
      example.steps.push_back(Step{number, trimmed, {}, false});
      continue;
    }
    const std::size_t comment = comment_start(line);
    const std::string code = trim_right(line.substr(0, comment));
    if (!open) open = Step{number, "", {}, false};
    open->code += (open->code.empty() ? "" : "\n") + code;
    if (!code.empty() && code.back() == ';') {
      if (comment != std::string::npos) {
        open->expected.push_back(comment_text(line.substr(comment)));
        open->compared = true;
      }
      example.steps.push_back(*open);
      open.reset();
    }
  }
  if (open) document.problems.push_back({open->line, "this statement does not end with `;`"});
}

// The examples of a document, outside the generated reference of
// docs/schema.md (<!-- BEGIN GENERATED ... <!-- END GENERATED -->).
Document parse(const std::string& text) {
  Document document;
  const std::vector<std::string> lines = split_lines(text);
  const std::regex fence(R"(^( {0,3})(`{3,}|~{3,})\s*([^\s`]*).*$)");
  std::optional<std::pair<int, std::string>> marker;  // line and set-up
  bool generated = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string trimmed = trim(lines[i]);
    const int number = static_cast<int>(i) + 1;
    if (generated) {
      generated = !starts_with(trimmed, "<!-- END GENERATED");
      continue;
    }
    if (starts_with(trimmed, "<!-- BEGIN GENERATED")) {
      generated = true;
      continue;
    }
    if (starts_with(trimmed, "<!-- example") &&
        (trimmed.size() == 12 || trimmed[12] == ' ' || trimmed[12] == ':')) {
      if (marker) document.problems.push_back({marker->first, "no code block after this marker"});
      // The set-up runs from after "example:" up to "-->", over lines.
      std::string setup = trimmed.substr(12);
      while (setup.find("-->") == std::string::npos && i + 1 < lines.size()) {
        setup += "\n" + lines[++i];
      }
      setup = setup.substr(0, setup.find("-->"));
      setup = trim(setup);
      if (starts_with(setup, ":")) setup = trim(setup.substr(1));
      marker = {number, setup};
      continue;
    }
    std::smatch match;
    if (!std::regex_match(lines[i], match, fence)) {
      if (marker && !trimmed.empty()) {
        document.problems.push_back({marker->first, "a marker must come right before its block"});
        marker.reset();
      }
      continue;
    }
    const std::string indent = match[1];
    const std::string fence_text = match[2];
    const std::string language = match[3];
    std::vector<std::string> body;
    const int first_line = number + 1;
    for (++i; i < lines.size(); ++i) {
      const std::string closing = trim(lines[i]);
      if (closing.size() >= fence_text.size() &&
          closing.find_first_not_of(fence_text[0]) == std::string::npos) {
        break;
      }
      body.push_back(starts_with(lines[i], indent) ? lines[i].substr(indent.size()) : lines[i]);
    }
    Example example;
    example.line = number;
    example.language = language;
    if (marker) example.setup = marker->second;
    const std::size_t problems = document.problems.size();
    if (language == "console") {
      parse_console(body, first_line, example, document);
    } else if (language == "sql" && marker) {
      parse_sql(body, first_line, example, document);
    } else if (marker) {
      document.problems.push_back(
          {marker->first, "only ```console and ```sql blocks can be examples, not ```" + language});
    }
    if ((language == "console" || (language == "sql" && marker)) && example.steps.empty() &&
        document.problems.size() == problems) {
      document.problems.push_back({number, "this example runs nothing"});
    } else if (!example.steps.empty() && document.problems.size() == problems) {
      document.examples.push_back(example);
    }
    marker.reset();
  }
  if (marker) document.problems.push_back({marker->first, "no code block after this marker"});
  return document;
}

// ---------------------------------------------------------------------------
// Comparing what an example printed with what its document shows.

// The volatile parts, masked the same way in both, so that the documents
// keep realistic values. Digits become '#', so the form stays compared (a
// time with or without milliseconds, with 'T' or a space).
std::string mask(std::string text) {
  struct Rule {
    std::regex pattern;
    bool digits;         // mask the digits of the match
    std::string with{};  // else replace it by this
  };
  static const std::vector<Rule> rules = {
      // Times and backup names' stamps: 2026-12-01 09:15:00.123, 20261201_091500.
      {std::regex(R"(\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?Z?)"), true},
      {std::regex(R"(\d{8}_\d{6})"), true},
      // Sizes, which follow SQLite's page layout: 60 KiB, 1.2 MiB, 708608 bytes.
      {std::regex(R"(\d+(\.\d+)? ?(bytes|[KMG]iB)\b)"), false, "<size>"},
      {std::regex(R"(\d+ of \d+ pages)"), false, "# of # pages"},
      {std::regex(
           R"re("(bytes|bytes_before|bytes_after|pages|pages_before|free_pages_before|free_pages_after)":\d+)re"),
       false, "\"$1\":#"},
      // Durations, which follow the machine.
      {std::regex(R"(under a second|about \d+ (s|min)\b)"), false, "<duration>"},
      {std::regex(R"re("(duration_ms|seconds)":[0-9.e+-]+)re"), false, "\"$1\":#"},
      // The SQLite and the compiler of this machine.
      {std::regex(R"(SQLite 3\.\d+\.\d+)"), false, "SQLite 3.#"},
      {std::regex(R"re("(sqlite_compiled|sqlite_runtime|compiler)":"[^"]*")re"), false,
       "\"$1\":\"#\""},
      // The sqlite3 shell reading a script names the line of an error; at
      // its prompt it does not, and the documents show the prompt's form.
      {std::regex(R"((Parse|Runtime) error near line \d+:)"), false, "$1 error:"},
  };
  for (const Rule& rule : rules) {
    if (!rule.digits) {
      text = std::regex_replace(text, rule.pattern, rule.with);
      continue;
    }
    std::string out;
    auto last = text.cbegin();
    for (std::sregex_iterator it(text.begin(), text.end(), rule.pattern), end; it != end; ++it) {
      out.append(last, (*it)[0].first);
      std::string hit = it->str();
      std::replace_if(
          hit.begin(), hit.end(), [](char c) { return c >= '0' && c <= '9'; }, '#');
      out += hit;
      last = (*it)[0].second;
    }
    out.append(last, text.cend());
    text = out;
  }
  return text;
}

// JSON shown over several lines compares as the one line emf prints:
// white space outside strings is dropped from both.
std::string squeeze_json(const std::string& text) {
  std::string out;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
      out += c;
    } else if (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
      out += c;
    }
  }
  return out;
}

// One line against a pattern where "…" stands for any text.
bool line_matches(const std::string& pattern, const std::string& line) {
  std::vector<std::string> parts;
  for (std::size_t from = 0;;) {
    const std::size_t at = pattern.find(kEllipsis, from);
    parts.push_back(pattern.substr(from, at == std::string::npos ? at : at - from));
    if (at == std::string::npos) break;
    from = at + kEllipsis.size();
  }
  if (parts.size() == 1) return pattern == line;
  if (!starts_with(line, parts.front())) return false;
  std::size_t position = parts.front().size();
  for (std::size_t i = 1; i + 1 < parts.size(); ++i) {
    position = line.find(parts[i], position);
    if (position == std::string::npos) return false;
    position += parts[i].size();
  }
  const std::string& last = parts.back();
  return line.size() >= position + last.size() &&
         line.compare(line.size() - last.size(), last.size(), last) == 0;
}

// Lines against pattern lines, where a line that is only "…" stands for any
// number of lines.
bool lines_match(const std::vector<std::string>& pattern, std::size_t p,
                 const std::vector<std::string>& lines, std::size_t l) {
  if (p == pattern.size()) return l == lines.size();
  if (trim(pattern[p]) == kEllipsis) {
    for (std::size_t skip = l; skip <= lines.size(); ++skip) {
      if (lines_match(pattern, p + 1, lines, skip)) return true;
    }
    return false;
  }
  return l < lines.size() && line_matches(pattern[p], lines[l]) &&
         lines_match(pattern, p + 1, lines, l + 1);
}

// Lines without trailing blanks, and without blank lines at either end.
std::vector<std::string> tidy(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const std::string& line : lines) out.push_back(trim_right(line));
  while (!out.empty() && out.back().empty()) out.pop_back();
  while (!out.empty() && out.front().empty()) out.erase(out.begin());
  return out;
}

std::string join(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

bool output_matches(const std::vector<std::string>& expected, const std::string& actual) {
  std::vector<std::string> pattern = tidy(split_lines(mask(join(expected))));
  std::vector<std::string> lines = tidy(split_lines(mask(actual)));
  if (!pattern.empty() &&
      (starts_with(pattern.front(), "{") || starts_with(pattern.front(), "["))) {
    pattern = {squeeze_json(join(pattern))};
    lines = {squeeze_json(join(lines))};
  }
  return lines_match(pattern, 0, lines, 0);
}

// ---------------------------------------------------------------------------
// Running an example.

// Shell functions for hidden set-ups (documented in docs/CONTRIBUTING.md).
const char* const kHelpers = R"sh(
make_version_1() {  # KIND FILE: KIND at version 1, as the first emf made it
  mkdir -p "$(dirname "$2")" &&
  sum=$(sha256sum < "$EMF_SOURCE_DIR/sql/$1/001_initial.sql" | cut -d' ' -f1) &&
  { cat "$EMF_SOURCE_DIR/sql/emf_schema_history.sql" "$EMF_SOURCE_DIR/sql/$1/001_initial.sql" &&
    echo "INSERT INTO emf_schema_history (kind, version, name, checksum, applied_at)
          VALUES ('$1', 1, 'initial', '$sum', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));"
  } | sqlite3 -bail "$2"
}
make_legacy() {  # KIND FILE: KIND as the old Python script made it
  mkdir -p "$(dirname "$2")" &&
  sqlite3 -bail "$2" < "$EMF_SOURCE_DIR/tests/fixtures/legacy_$1.sql"
}
redefine_table() {  # FILE TABLE SQL: TABLE's stored definition replaced, as a hand edit does
  sqlite3 -bail "$1" "PRAGMA writable_schema = ON;
    UPDATE sqlite_schema SET sql = '$(printf %s "$3" | sed "s/'/''/g")'
    WHERE type = 'table' AND name = '$2';"
}
hold_write_lock() {  # FILE: another process holds its write lock until the example ends
  mkfifo "$EMF_EXAMPLE_TMP/lock" &&
  { sqlite3 "$1" < "$EMF_EXAMPLE_TMP/lock" > /dev/null 2>&1 & } &&
  exec 9> "$EMF_EXAMPLE_TMP/lock" &&
  echo ".timeout 10000
BEGIN IMMEDIATE;" >&9 &&
  tries=0 &&
  while sqlite3 "$1" 'BEGIN IMMEDIATE;' > /dev/null 2>&1; do
    tries=$((tries + 1)); [ $tries -lt 200 ] || return 1; sleep 0.05
  done
}
)sh";

std::string mark(std::size_t step) {
  return kStepMark + std::to_string(step) + "@@";
}

// The script of /bin/sh that runs the example: helpers, set-up (which must
// succeed), then each step after a mark that tells their outputs apart.
std::string script_of(const Example& example) {
  std::string script = "exec 2>&1\n";
  script += kHelpers;
  script += "set -e\n" + example.setup + "\nset +e\n";
  if (example.language == "console") {
    for (std::size_t i = 0; i < example.steps.size(); ++i) {
      script += "printf '\\n%s\\n' '" + mark(i) + "'\n" + example.steps[i].code + "\n";
    }
  } else {
    const bool loads =
        std::any_of(example.steps.begin(), example.steps.end(),
                    [](const Step& step) { return starts_with(step.code, ".load"); });
    // The shell opens the block's own `sqlite3 ...` line, else the file the
    // set-up names in $database, else an in-memory database.
    script += (example.command.empty() ? "sqlite3 ${database:-}" : example.command) +
              " <<'EMF_EXAMPLE_SQL'\n";
    // The extension is loaded for blocks that do not show how.
    if (!loads) script += ".load build/libemf\n";
    for (std::size_t i = 0; i < example.steps.size(); ++i) {
      script += ".print " + mark(i) + "\n" + example.steps[i].code + "\n";
    }
    script += "EMF_EXAMPLE_SQL\n";
  }
  script += "printf '\\n%s\\n' '" + kEndMark + "'\n";
  return script;
}

// The output of each step, or nullopt when the set-up failed.
std::optional<std::vector<std::string>> outputs_of(const std::string& out, std::size_t steps) {
  std::vector<std::string> outputs;
  std::size_t from = out.find(mark(0));
  if (from == std::string::npos) return std::nullopt;
  for (std::size_t i = 0; i < steps; ++i) {
    from = out.find('\n', from);
    from = from == std::string::npos ? out.size() : from + 1;
    std::size_t to = out.find(i + 1 < steps ? mark(i + 1) : kEndMark, from);
    if (to == std::string::npos) to = out.size();
    outputs.push_back(out.substr(from, to - from));
    from = to;
  }
  return outputs;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string indented(const std::string& text) {
  std::string out;
  for (const std::string& line : split_lines(text)) out += "    " + line + "\n";
  return out.empty() ? "    (nothing)\n" : out;
}

// The programs the examples call: `emf` on PATH, libemf where the loader
// looks (`.load libemf`), made once for the test program.
class Tools {
 public:
  Tools() {
    fs::create_directories(dir_.path() / "bin");
    fs::create_directories(dir_.path() / "lib");
    fs::create_symlink(EMF_SHELL_PATH, dir_.path() / "bin/emf");
    fs::create_symlink(EMF_LIBRARY_FILE, dir_.path() / "lib/libemf.so");
  }
  fs::path bin() const { return dir_.path() / "bin"; }
  fs::path lib() const { return dir_.path() / "lib"; }

 private:
  TempDir dir_;
};

const Tools& tools() {
  static const Tools instance;
  return instance;
}

void run_example(const fs::path& document, const Example& example) {
  TempDir scratch;  // the folder the example runs in, standing for /srv/emf
  TempDir aside;    // the helpers' own files, out of the example's sight
  // `.load build/libemf` and build/emf work as from the repository root.
  fs::create_directories(scratch.path() / "build");
  fs::create_symlink(EMF_LIBRARY_FILE, scratch.path() / "build/libemf.so");
  fs::create_symlink(EMF_SHELL_PATH, scratch.path() / "build/emf");

  const char* path = std::getenv("PATH");
  const char* libraries = std::getenv("LD_LIBRARY_PATH");
  ProcessOptions options;
  options.cwd = scratch.path();
  options.env = {
      {"PATH", tools().bin().string() + ":" + (path != nullptr ? path : "/usr/bin:/bin")},
      {"LD_LIBRARY_PATH",
       tools().lib().string() + (libraries != nullptr ? std::string(":") + libraries : "")},
      {"HOME", scratch.path().string()},
      {"EMF_SOURCE_DIR", kSource.string()},
      {"EMF_EXAMPLE_TMP", aside.path().string()},
      {"TZ", "UTC"},
      {"LC_ALL", "C.UTF-8"},
      {"TERM", "dumb"}};
  const ProcessResult result = run({"/bin/sh", "-c", script_of(example)}, options);

  // The folder's path, as printed, reads /srv/emf, as in the documents.
  std::string out = result.out + result.err;
  out = replace_all(out, fs::canonical(scratch.path()).string(), "/srv/emf");
  out = replace_all(out, scratch.path().string(), "/srv/emf");

  const std::string file = document.string();
  const auto outputs = outputs_of(out, example.steps.size());
  if (!outputs) {
    ADD_FAILURE_AT(file.c_str(), example.line) << "the example's set-up failed:\n"
                                               << indented(example.setup) << "It printed:\n"
                                               << indented(out);
    return;
  }
  if (out.find(kEndMark) == std::string::npos) {
    ADD_FAILURE_AT(file.c_str(), example.line) << "the example stopped before its end (exit status "
                                               << result.exit_code << "); it printed:\n"
                                               << indented(out);
  }
  for (std::size_t i = 0; i < example.steps.size(); ++i) {
    const Step& step = example.steps[i];
    const std::string& actual = (*outputs)[i];
    if (!step.compared) {
      // Shown without its output: it must still work.
      static const std::regex failed(R"((^|\n)(Parse error|Runtime error|Error)\b)");
      if (std::regex_search(actual, failed)) {
        ADD_FAILURE_AT(file.c_str(), step.line) << "this statement failed:\n"
                                                << indented(step.code) << "It printed:\n"
                                                << indented(actual);
      }
      continue;
    }
    if (output_matches(step.expected, actual)) continue;
    const std::string expected = join(step.expected);
    const std::string shown = join(tidy(split_lines(actual)));
    std::string masked;
    if (mask(expected) != expected || mask(shown) != shown) {
      masked = "Compared, masked (see docs/CONTRIBUTING.md):\n" + indented(mask(expected)) +
               "  against\n" + indented(mask(shown));
    }
    ADD_FAILURE_AT(file.c_str(), step.line)
        << "the output differs from the document's.\n"
        << (example.language == "console" ? "Command:\n" : "Statement:\n") << indented(step.code)
        << "Expected (the document):\n"
        << indented(expected) << "Actual:\n"
        << indented(shown) << masked;
  }
}

// ---------------------------------------------------------------------------
// The documents.

// README.md and docs/*.md as this build found them, by their path in the
// repository (one test each; see CMakeLists.txt).
std::vector<std::string> documents() {
  std::vector<std::string> names;
  std::istringstream list(EMF_DOCUMENTS);
  for (std::string name; std::getline(list, name, ',');) names.push_back(name);
  return names;
}

// README.md and docs/*.md as they are now.
std::vector<std::string> documents_on_disk() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kSource / "docs")) {
    if (entry.path().extension() == ".md")
      names.push_back("docs/" + entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  names.insert(names.begin(), "README.md");
  return names;
}

class DocumentExamples : public ::testing::TestWithParam<std::string> {};

TEST_P(DocumentExamples, RunAsShown) {
  const fs::path document = kSource / GetParam();
  ASSERT_TRUE(fs::exists(document)) << document;
  const Document parsed = parse(read_file(document.string()));
  // Without the sqlite3 shell every example would fail, each for that reason.
  ASSERT_TRUE(parsed.examples.empty() || !find_on_path("sqlite3").empty())
      << "the examples need the sqlite3 program (Debian: apt-get install sqlite3)";
  for (const Problem& problem : parsed.problems) {
    ADD_FAILURE_AT(document.string().c_str(), problem.line) << problem.message;
  }
  if (parsed.examples.empty()) {
    std::cout << GetParam() << " has no runnable examples\n";
  }
  for (const Example& example : parsed.examples) {
    SCOPED_TRACE(GetParam() + ":" + std::to_string(example.line) + ": ```" + example.language);
    run_example(document, example);
  }
}

INSTANTIATE_TEST_SUITE_P(Docs, DocumentExamples, ::testing::ValuesIn(documents()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// A document added since the build would have no test: the build must be
// redone (cmake --build re-lists them).
TEST(DocsConvention, EveryDocumentHasItsTest) {
  EXPECT_EQ(documents(), documents_on_disk())
      << "README.md and docs/*.md changed since docs_test was built; rebuild it";
}

// The parts of the convention that the documents alone might not exercise.

TEST(DocsConvention, ReadsConsoleAndMarkedSqlBlocksOnly) {
  const Document document = parse(
      "```sh\nemf check\n```\n"
      "```console\n$ emf check\ntrends  ok\n$ emf status\n```\n"
      "```sql\nSELECT 1;  -- 1\n```\n"
      "<!-- example: emf seed -q -->\n"
      "```sql\nSELECT 1;  -- 1\n-- more\nSELECT 2;\n.mode box\n```\n"
      "<!-- BEGIN GENERATED: x -->\n```console\n$ false\n```\n<!-- END GENERATED -->\n");
  EXPECT_TRUE(document.problems.empty());
  ASSERT_EQ(document.examples.size(), 2u);
  EXPECT_EQ(document.examples[0].line, 4);
  ASSERT_EQ(document.examples[0].steps.size(), 2u);
  EXPECT_EQ(document.examples[0].steps[0].expected, std::vector<std::string>{"trends  ok"});
  EXPECT_EQ(document.examples[1].setup, "emf seed -q");
  ASSERT_EQ(document.examples[1].steps.size(), 3u);
  EXPECT_EQ(document.examples[1].steps[0].expected, (std::vector<std::string>{"1", "more"}));
  EXPECT_FALSE(document.examples[1].steps[1].compared);
  EXPECT_EQ(document.examples[1].steps[2].code, ".mode box");
}

TEST(DocsConvention, AMisplacedMarkerOrAnEmptyExampleIsAProblem) {
  EXPECT_EQ(parse("<!-- example -->\ntext\n```sql\nSELECT 1;\n```\n").problems.size(), 1u);
  EXPECT_EQ(parse("<!-- example -->\n```python\nprint(1)\n```\n").problems.size(), 1u);
  EXPECT_EQ(parse("```console\nno command\n```\n").problems.size(), 1u);
  EXPECT_EQ(parse("<!-- example -->\n```sql\n-- 1\n```\n").problems.size(), 1u);
}

TEST(DocsConvention, MasksOnlyWhatVaries) {
  EXPECT_TRUE(output_matches({"at 2026-12-01 09:15:00 UTC, 60 KiB"},
                             "at 2027-01-02 10:00:01 UTC, 1.2 MiB"));
  EXPECT_FALSE(output_matches({"at 2026-12-01 09:15:00 UTC"}, "at 2026-12-01 09:15:00.000 UTC"));
  EXPECT_TRUE(
      output_matches({"trends_backup_20261201_091500.db"}, "trends_backup_20270101_000000.db"));
  EXPECT_FALSE(output_matches({"version 2"}, "version 3"));
  EXPECT_TRUE(output_matches({"emf 0.1.0 (SQLite 3.40.1)"}, "emf 0.1.0 (SQLite 3.46.0)"));
  EXPECT_FALSE(output_matches({"emf 0.1.0 (SQLite 3.40.1)"}, "emf 0.2.0 (SQLite 3.40.1)"));
}

TEST(DocsConvention, AnEllipsisStandsForAnyTextOrLines) {
  EXPECT_TRUE(output_matches({"a … c"}, "a b b c"));
  EXPECT_FALSE(output_matches({"a … c"}, "a b b d"));
  EXPECT_TRUE(output_matches({"a", "…", "d"}, "a\nb\nc\nd\n"));
  EXPECT_TRUE(output_matches({"a", "    …"}, "a\n"));
  EXPECT_FALSE(output_matches({"a", "…", "d"}, "a\nb\n"));
}

TEST(DocsConvention, JsonComparesWithoutItsLayout) {
  EXPECT_TRUE(output_matches({"{\"a\": 1,", "  \"b\":[1, 2]}"}, "{\"a\":1,\"b\":[1,2]}\n"));
  EXPECT_TRUE(output_matches({"{\"a\":\"x y\",…}"}, "{\"a\":\"x y\",\"b\":2}"));
  EXPECT_FALSE(output_matches({"{\"a\":\"x y\"}"}, "{\"a\":\"xy\"}"));
}

}  // namespace
}  // namespace emf::test
