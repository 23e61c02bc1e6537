// Terminal output; see terminal.h.
#include "terminal.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace emf::shell {

Terminal::Terminal()
    : stdin_tty_(::isatty(STDIN_FILENO) != 0),
      stderr_tty_(::isatty(STDERR_FILENO) != 0),
      color_(::isatty(STDOUT_FILENO) != 0 &&
             (std::getenv("NO_COLOR") == nullptr || *std::getenv("NO_COLOR") == '\0')) {}

std::string Terminal::paint(Tone tone, std::string_view text) const {
  if (!color_ || tone == Tone::plain) return std::string(text);
  const char* code = tone == Tone::good   ? "32"
                     : tone == Tone::warn ? "33"
                     : tone == Tone::bad  ? "31"
                                          : "2";
  return fmt::format("\033[{}m{}\033[0m", code, text);
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
