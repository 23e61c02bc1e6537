// The shell's terminal output (shell/terminal.h), called directly: sizes as
// people read them, wrapping, colour (asked for, or by default on a terminal
// unless NO_COLOR is set or TERM is dumb), the width of the window, and the
// progress bar. Standard streams are put on a pseudo-terminal of a chosen
// size, or on a file, for the length of one check.
#include "terminal.h"

#include <gtest/gtest.h>
#include <pty.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

#include "support/test_db.h"

namespace emf::shell {
namespace {

// An environment variable set (or removed) until the end of the scope.
class ScopedVariable {
 public:
  ScopedVariable(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedVariable() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedVariable(const ScopedVariable&) = delete;
  ScopedVariable& operator=(const ScopedVariable&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A standard stream (0, 1 or 2) put elsewhere until the end of the scope.
class Redirected {
 public:
  Redirected(int stream, int fd) : stream_(stream), saved_(::dup(stream)) {
    std::fflush(nullptr);
    ::dup2(fd, stream);
  }
  ~Redirected() {
    std::fflush(nullptr);
    ::dup2(saved_, stream_);
    ::close(saved_);
  }
  Redirected(const Redirected&) = delete;
  Redirected& operator=(const Redirected&) = delete;

 private:
  int stream_;
  int saved_;
};

// A pseudo-terminal whose window has `columns` columns (0: size unknown).
class PseudoTerminal {
 public:
  explicit PseudoTerminal(unsigned short columns) {
    winsize size{24, columns, 0, 0};
    if (::openpty(&master_, &slave_, nullptr, nullptr, &size) != 0) {
      throw std::runtime_error("openpty failed");
    }
  }
  ~PseudoTerminal() {
    ::close(slave_);
    ::close(master_);
  }
  PseudoTerminal(const PseudoTerminal&) = delete;
  PseudoTerminal& operator=(const PseudoTerminal&) = delete;
  int slave() const { return slave_; }

 private:
  int master_ = -1;
  int slave_ = -1;
};

// A Terminal made while standard output is on a pseudo-terminal.
Terminal terminal_on_stdout(unsigned short columns, ColorMode color = ColorMode::automatic) {
  const PseudoTerminal pty(columns);
  const Redirected out(STDOUT_FILENO, pty.slave());
  return Terminal(color);
}

const std::string kGreen = "\033[32mok\033[0m";

TEST(Terminal, HumanSizes) {
  EXPECT_EQ(human_size(0), "0 bytes");
  EXPECT_EQ(human_size(1023), "1023 bytes");
  EXPECT_EQ(human_size(1024), "1.0 KiB");
  EXPECT_EQ(human_size(1536), "1.5 KiB");
  EXPECT_EQ(human_size(12 * 1024), "12 KiB");
  EXPECT_EQ(human_size(640LL * 1024 * 1024), "640 MiB");
  EXPECT_EQ(human_size(3LL * 1024 * 1024 * 1024), "3.0 GiB");
  // Past the largest unit, the number grows.
  EXPECT_EQ(human_size(2048LL * 1024 * 1024 * 1024 * 1024), "2048 TiB");
}

TEST(Terminal, WrapsAtSpacesUnderAnIndent) {
  using Lines = std::vector<std::string>;
  EXPECT_EQ(wrap("one two three", 0, 50, 4), Lines{"one two three"});  // not a terminal
  EXPECT_EQ(wrap("", 20, 0, 4), Lines{""});
  EXPECT_EQ(wrap("one two three four", 10, 0, 2), (Lines{"one two", "  three", "  four"}));
  // The first line is already `used` columns in.
  EXPECT_EQ(wrap("one two", 10, 6, 0), (Lines{"one", "two"}));
  // A word longer than the width stays whole, on a line of its own.
  EXPECT_EQ(wrap("a abcdefghijklmnop b", 8, 0, 1), (Lines{"a", " abcdefghijklmnop", " b"}));
  // Runs of spaces are one break.
  EXPECT_EQ(wrap("a   b", 80, 0, 0), Lines{"a b"});
}

TEST(Terminal, ColourWhenAskedForWhateverTheOutput) {
  const Terminal always(ColorMode::always);
  EXPECT_EQ(always.paint(Tone::good, "ok"), kGreen);
  EXPECT_EQ(always.paint(Tone::warn, "w"), "\033[33mw\033[0m");
  EXPECT_EQ(always.paint(Tone::bad, "b"), "\033[31mb\033[0m");
  EXPECT_EQ(always.paint(Tone::dim, "d"), "\033[2md\033[0m");
  EXPECT_EQ(always.paint(Tone::plain, "p"), "p");
  const Terminal never = terminal_on_stdout(80, ColorMode::never);
  EXPECT_EQ(never.paint(Tone::good, "ok"), "ok");
}

TEST(Terminal, ByDefaultColourOnlyOnATerminalWithoutNoColorOrDumbTerm) {
  const ScopedVariable term("TERM", "xterm");
  {
    const ScopedVariable no_color("NO_COLOR", std::nullopt);
    EXPECT_EQ(terminal_on_stdout(80).paint(Tone::good, "ok"), kGreen);
    // Not a terminal: a file, a pipe.
    test::TempDir dir;
    std::FILE* file = std::fopen(dir.file("out").c_str(), "w");
    ASSERT_NE(file, nullptr);
    {
      const Redirected out(STDOUT_FILENO, ::fileno(file));
      const Terminal piped;
      EXPECT_EQ(piped.paint(Tone::good, "ok"), "ok");
      EXPECT_EQ(piped.width(), 0u);
    }
    std::fclose(file);
  }
  {
    // NO_COLOR set to anything but the empty string turns it off.
    const ScopedVariable no_color("NO_COLOR", "1");
    EXPECT_EQ(terminal_on_stdout(80).paint(Tone::good, "ok"), "ok");
    EXPECT_EQ(terminal_on_stdout(80, ColorMode::always).paint(Tone::good, "ok"), kGreen);
  }
  {
    const ScopedVariable no_color("NO_COLOR", "");
    EXPECT_EQ(terminal_on_stdout(80).paint(Tone::good, "ok"), kGreen);
  }
  const ScopedVariable no_color("NO_COLOR", std::nullopt);
  {
    const ScopedVariable dumb("TERM", "dumb");
    EXPECT_EQ(terminal_on_stdout(80).paint(Tone::good, "ok"), "ok");
  }
  {
    const ScopedVariable unset("TERM", std::nullopt);
    EXPECT_EQ(terminal_on_stdout(80).paint(Tone::good, "ok"), kGreen);
  }
}

TEST(Terminal, WidthIsTheWindowsElseColumnsElseEighty) {
  EXPECT_EQ(terminal_on_stdout(132).width(), 132u);
  {
    // The window's size wins over COLUMNS.
    const ScopedVariable columns("COLUMNS", "50");
    EXPECT_EQ(terminal_on_stdout(132).width(), 132u);
    // A terminal that does not know its size: COLUMNS.
    EXPECT_EQ(terminal_on_stdout(0).width(), 50u);
  }
  for (const std::optional<std::string>& columns :
       {std::optional<std::string>(), std::optional<std::string>("wide"),
        std::optional<std::string>("0"), std::optional<std::string>("-3")}) {
    const ScopedVariable variable("COLUMNS", columns);
    EXPECT_EQ(terminal_on_stdout(0).width(), 80u) << columns.value_or("(unset)");
  }
}

TEST(Terminal, InteractiveInputAndProgressFollowTheirStreams) {
  test::TempDir dir;
  std::FILE* file = std::fopen(dir.file("stream").c_str(), "w+");
  ASSERT_NE(file, nullptr);
  const PseudoTerminal pty(80);
  {
    const Redirected in(STDIN_FILENO, pty.slave());
    const Redirected err(STDERR_FILENO, ::fileno(file));
    const Terminal terminal;
    EXPECT_TRUE(terminal.stdin_interactive());
    EXPECT_FALSE(terminal.progress_enabled());
  }
  {
    const Redirected in(STDIN_FILENO, ::fileno(file));
    const Redirected err(STDERR_FILENO, pty.slave());
    const Terminal terminal(ColorMode::automatic, /*quiet=*/true);
    EXPECT_FALSE(terminal.stdin_interactive());
    EXPECT_TRUE(terminal.progress_enabled());
    EXPECT_TRUE(terminal.quiet());
  }
  std::fclose(file);
}

// What a progress bar writes to standard error, put in a file meanwhile.
template <typename Draw>
std::string drawn(Draw draw) {
  test::TempDir dir;
  const std::string path = dir.file("stderr");
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) throw std::runtime_error("cannot open " + path);
  {
    const Redirected err(STDERR_FILENO, ::fileno(file));
    draw();
  }
  std::fclose(file);
  return test::read_file(path);
}

TEST(Terminal, ProgressBarRedrawsInPlaceAtMostTenTimesASecondAndClearsItself) {
  const std::string clear = "\r\033[2K";
  const std::string half =
      clear + "copying [" + std::string(15, '#') + std::string(15, ' ') + "]  50%";
  const std::string full = clear + "copying [" + std::string(30, '#') + "] 100%";
  EXPECT_EQ(drawn([] {
              ProgressBar bar(true, "copying");
              bar.update(50, 100);
              bar.update(60, 100);   // too soon: not drawn
              bar.update(100, 100);  // the end is always drawn
            }),
            half + full + clear);
  EXPECT_EQ(drawn([] {
              ProgressBar bar(true, "copying");
              bar.update(50, 100);
              std::this_thread::sleep_for(std::chrono::milliseconds(150));
              bar.update(75, 100);   // a tenth of a second later: drawn
              bar.update(150, 100);  // more than the total: full
            }),
            half + clear + "copying [" + std::string(22, '#') + std::string(8, ' ') + "]  75%" +
                full + clear);
  // Disabled, or nothing to count: nothing at all, not even the clearing.
  EXPECT_EQ(drawn([] {
              ProgressBar bar(false, "copying");
              bar.update(50, 100);
            }),
            "");
  EXPECT_EQ(drawn([] {
              ProgressBar bar(true, "copying");
              bar.update(0, 0);
            }),
            "");
}

}  // namespace
}  // namespace emf::shell
