// What the shell prints and how: colour only when stdout is a terminal and
// NO_COLOR is unset, and a progress bar on stderr only when it is a
// terminal (nothing extra when piped).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace emf::shell {

enum class Tone { plain, good, warn, bad, dim };

class Terminal {
 public:
  Terminal();
  bool stdin_interactive() const { return stdin_tty_; }
  bool progress_enabled() const { return stderr_tty_; }
  // text in the tone's colour, when colour is on.
  std::string paint(Tone tone, std::string_view text) const;

 private:
  bool stdin_tty_;
  bool stderr_tty_;
  bool color_;
};

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
