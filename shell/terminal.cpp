// Terminal output; see terminal.h.
#include "terminal.h"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string_view>

namespace emf::shell {

namespace {

std::size_t terminal_width() {
  if (::isatty(STDOUT_FILENO) == 0) return 0;
  winsize size{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    const long value = std::strtol(columns, nullptr, 10);
    if (value > 0) return static_cast<std::size_t>(value);
  }
  return 80;
}

bool colour_by_default() {
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  return ::isatty(STDOUT_FILENO) != 0 && (no_color == nullptr || *no_color == '\0') &&
         (term == nullptr || std::string_view(term) != "dumb");
}

}  // namespace

Terminal::Terminal(ColorMode color, bool quiet)
    : stdin_tty_(::isatty(STDIN_FILENO) != 0),
      stderr_tty_(::isatty(STDERR_FILENO) != 0),
      color_(color == ColorMode::always || (color == ColorMode::automatic && colour_by_default())),
      quiet_(quiet),
      width_(terminal_width()) {}

std::string human_size(std::int64_t bytes) {
  constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return fmt::format("{} bytes", bytes);
  double value = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  return value < 10 ? fmt::format("{:.1f} {}", value, kUnits[unit])
                    : fmt::format("{:.0f} {}", value, kUnits[unit]);
}

std::string Terminal::paint(Tone tone, std::string_view text) const {
  if (!color_ || tone == Tone::plain) return std::string(text);
  const char* code = tone == Tone::good   ? "32"
                     : tone == Tone::warn ? "33"
                     : tone == Tone::bad  ? "31"
                                          : "2";
  return fmt::format("\033[{}m{}\033[0m", code, text);
}

std::vector<std::string> wrap(std::string_view text, std::size_t width, std::size_t used,
                              std::size_t indent) {
  if (width == 0) return {std::string(text)};  // verbatim, one line
  std::vector<std::string> lines(1);
  std::size_t column = used;  // of the line being filled
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(start, end - start);
    start = end + 1;
    if (word.empty()) continue;
    const bool fresh = lines.back().empty();
    if (!fresh && column + 1 + word.size() > width) {
      lines.push_back(std::string());
      column = indent;
    }
    std::string& line = lines.back();
    if (!line.empty()) {
      line += ' ';
      ++column;
    } else if (lines.size() > 1) {
      line.assign(indent, ' ');
    }
    line += word;
    column += word.size();
  }
  return lines;
}

ProgressBar::ProgressBar(bool enabled, std::string label)
    : enabled_(enabled), label_(std::move(label)) {}

ProgressBar::~ProgressBar() {
  if (drawn_) std::fputs("\r\033[2K", stderr);
}

void ProgressBar::update(std::int64_t done, std::int64_t total) {
  if (!enabled_ || total <= 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && done < total && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  constexpr int kWidth = 30;
  const double fraction = static_cast<double>(std::min(done, total)) / static_cast<double>(total);
  const int filled = static_cast<int>(fraction * kWidth);
  fmt::print(stderr, "\r\033[2K{} [{:#<{}}{: <{}}] {:3.0f}%", label_, "", filled, "",
             kWidth - filled, fraction * 100.0);
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace emf::shell
