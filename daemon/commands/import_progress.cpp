#include "import_progress.hpp"

#include <iostream>

namespace feedd::daemon {

import_progress::import_progress(std::int64_t total) : total_(total) {
  rate_.add(std::chrono::steady_clock::now(), 0);
  if (!terminal_line::wanted()) return;
  line_ = std::make_unique<terminal_line>();
  buffer_ = std::make_unique<above_line>(*line_);
  cerr_before_ = std::cerr.rdbuf(buffer_.get());
}

import_progress::~import_progress() {
  if (!line_) return;
  std::cerr.rdbuf(cerr_before_);
  line_->clear();
}

void import_progress::step(std::int64_t done, std::int64_t refused) {
  if (!line_) return;
  if (done >= total_) {
    // Done: the summary that follows on stdout must not land on the line.
    line_->clear();
    return;
  }
  rate_.add(std::chrono::steady_clock::now(), done);
  progress_snapshot s;
  s.verb = "import";
  s.failed_word = "refused";
  s.done = done;
  s.failed = refused;
  s.total = total_;
  s.per_second = rate_.per_second();
  line_->show(format_progress(s));
}

import_progress::above_line::int_type import_progress::above_line::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  const char ch = traits_type::to_char_type(c);
  xsputn(&ch, 1);
  return c;
}

std::streamsize import_progress::above_line::xsputn(const char* s, std::streamsize n) {
  pending_.append(s, static_cast<std::size_t>(n));
  if (const auto end = pending_.rfind('\n'); end != std::string::npos) {
    line_.write_above(std::string_view(pending_).substr(0, end + 1));
    pending_.erase(0, end + 1);
  }
  return n;
}

}  // namespace feedd::daemon
