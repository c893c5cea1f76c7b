#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <streambuf>
#include <string>

#include "progress_line.hpp"
#include "terminal_line.hpp"

namespace feedd::daemon {

// The live line of `feeds import` when stderr is a terminal (nothing at all
// otherwise): outlines done of total, refused, rate, ETA. While it lives,
// std::cerr goes above the line, so the loop's messages need no care.
class import_progress {
 public:
  explicit import_progress(std::int64_t total);
  import_progress(const import_progress&) = delete;
  import_progress& operator=(const import_progress&) = delete;
  ~import_progress();

  // After each outline: how many are done (whatever the outcome), refused.
  void step(std::int64_t done, std::int64_t refused);

 private:
  // Whole lines of std::cerr, each written above the live line.
  class above_line : public std::streambuf {
   public:
    explicit above_line(terminal_line& line) : line_(line) {}

   protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* s, std::streamsize n) override;

   private:
    terminal_line& line_;
    std::string pending_;
  };

  std::int64_t total_;
  std::unique_ptr<terminal_line> line_;
  std::unique_ptr<above_line> buffer_;
  std::streambuf* cerr_before_ = nullptr;
  rate_meter rate_;
};

}  // namespace feedd::daemon
