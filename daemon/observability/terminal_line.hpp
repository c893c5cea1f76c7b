#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

#include <unistd.h>

namespace feedd::daemon {

// One live line at the bottom of a terminal (stderr), redrawn in place with
// \r: other output (log lines, messages) goes through write_above(), which
// erases the line, writes, and draws it again, so neither garbles the other.
// Safe from any thread. Only ever made for a terminal: a pipe or file gets
// no \r or escape sequence at all (see wanted()).
class terminal_line {
 public:
  // Redraws at most this often (show() in between only keeps the text).
  static constexpr std::chrono::milliseconds min_interval{250};

  // True when fd is a terminal that understands \r and ESC [ K (TERM is
  // not "dumb").
  static bool wanted(int fd = STDERR_FILENO);

  explicit terminal_line(int fd = STDERR_FILENO) : fd_(fd) {}
  terminal_line(const terminal_line&) = delete;
  terminal_line& operator=(const terminal_line&) = delete;

  // Draws `text` (cut to the terminal's width) unless the last draw was
  // less than min_interval ago; force draws now.
  void show(std::string text, bool force = false);
  // Erases the line for good (until the next show()).
  void clear();
  // `text` (whole lines, ending in '\n') above the live line.
  void write_above(std::string_view text);

 private:
  std::size_t columns() const;
  void write_all(std::string_view bytes) const;

  std::mutex mutex_;
  int fd_;
  std::string text_;  // as drawn: fitted to the width
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace feedd::daemon
