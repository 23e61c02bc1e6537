// What the shell prints and how: colour when asked (--color), or by default
// only when stdout is a terminal, NO_COLOR is unset and TERM is not dumb; a
// progress bar on stderr only when it is a terminal (nothing extra when
// piped); with --quiet, only what went wrong.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace emf::shell {

enum class Tone { plain, good, warn, bad, dim };

enum class ColorMode { automatic, always, never };

class Terminal {
 public:
  explicit Terminal(ColorMode color = ColorMode::automatic, bool quiet = false);
  bool quiet() const { return quiet_; }
  bool stdin_interactive() const { return stdin_tty_; }
  bool progress_enabled() const { return stderr_tty_; }
  // text in the tone's colour, when colour is on.
  std::string paint(Tone tone, std::string_view text) const;
  // The columns of standard output when it is a terminal (its window size,
  // else COLUMNS, else 80); 0 when it is not: lines for other programs are
  // never wrapped.
  std::size_t width() const { return width_; }

 private:
  bool stdin_tty_;
  bool stderr_tty_;
  bool color_;
  bool quiet_;
  std::size_t width_;
};

// A size as people read it: "640 MiB", "12 KiB", "512 bytes".
std::string human_size(std::int64_t bytes);

// Text wrapped at spaces to lines of at most `width` columns (a longer word
// stays whole), the first line already `used` columns in, the others
// starting with `indent` spaces. Width 0: one line.
std::vector<std::string> wrap(std::string_view text, std::size_t width, std::size_t used,
                              std::size_t indent);

// A one-line bar redrawn in place at most ten times a second; cleared when
// done. Does nothing unless enabled.
class ProgressBar {
 public:
  ProgressBar(bool enabled, std::string label);
  ~ProgressBar();
  void update(std::int64_t done, std::int64_t total);

 private:
  bool enabled_;
  std::string label_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace emf::shell
