#include "terminal_line.hpp"

#include <cstdlib>
#include <cstring>

#include <sys/ioctl.h>

#include "progress_line.hpp"

namespace feedd::daemon {

namespace {

constexpr std::string_view erase_line = "\r\x1b[K";

}  // namespace

bool terminal_line::wanted(int fd) {
  if (::isatty(fd) != 1) return false;
  const char* term = std::getenv("TERM");
  return term == nullptr || std::strcmp(term, "dumb") != 0;
}

std::size_t terminal_line::columns() const {
  winsize size{};
  if (::ioctl(fd_, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

void terminal_line::write_all(std::string_view bytes) const {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n <= 0) return;  // a terminal gone away: nothing to tell
    done += static_cast<std::size_t>(n);
  }
}

void terminal_line::show(std::string text, bool force) {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  text_ = fit_to_width(std::move(text), columns());
  if (!force && drawn_ && now - last_draw_ < min_interval) return;
  write_all(std::string(erase_line) + text_);
  drawn_ = true;
  last_draw_ = now;
}

void terminal_line::clear() {
  std::lock_guard lock(mutex_);
  if (drawn_) write_all(erase_line);
  drawn_ = false;
  text_.clear();
}

void terminal_line::write_above(std::string_view text) {
  std::lock_guard lock(mutex_);
  if (!drawn_) {
    write_all(text);
    return;
  }
  // One write: erase, the text, the line again.
  write_all(std::string(erase_line) + std::string(text) + text_);
}

}  // namespace feedd::daemon
