#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "log.hpp"
#include "progress_line.hpp"
#include "run_counters.hpp"
#include "terminal_line.hpp"

namespace feedd::daemon {

// What `run` tells people of its progress, from the store thread's counters:
// sd_notify STATUS= (at most every status_every, and at each minute summary)
// and, for `run --once` with stderr on a terminal, the live line, with log
// lines written above it.
class run_progress {
 public:
  static constexpr std::chrono::seconds status_every{5};

  // live: draw the line (the caller checked terminal_line::wanted()).
  // total: the feeds due at start (run --once), for % and ETA.
  run_progress(logger& log, bool live, std::optional<std::int64_t> total);
  run_progress(const run_progress&) = delete;
  run_progress& operator=(const run_progress&) = delete;
  ~run_progress();

  // After every claim that came back: the run's counters, fetched documents
  // queued, claims not back yet.
  void update(const run_counters& c, std::size_t queue_depth, int outstanding);
  // STATUS= now (the minute summary, the last one at exit).
  void send_status();
  // Erases the live line (before the last log lines).
  void finish();

 private:
  progress_snapshot snapshot(bool with_total) const;

  logger& log_;
  std::unique_ptr<terminal_line> line_;
  std::optional<std::int64_t> total_;
  run_counters counters_;
  std::size_t queue_depth_ = 0;
  int outstanding_ = 0;
  rate_meter rate_;
  std::chrono::steady_clock::time_point next_status_{};
};

}  // namespace feedd::daemon
