#include "run_progress.hpp"

#include "notify.hpp"

namespace feedd::daemon {

namespace {

std::int64_t finished(const run_counters& c) { return c.fetched + c.not_modified + c.failed; }

}  // namespace

run_progress::run_progress(logger& log, bool live, std::optional<std::int64_t> total) : log_(log), total_(total) {
  rate_.add(std::chrono::steady_clock::now(), 0);
  if (!live) return;
  line_ = std::make_unique<terminal_line>();
  log_.set_live_line(line_.get());
  // At once, so that a slow first fetch is not a silent terminal.
  line_->show(format_progress(snapshot(true)));
}

run_progress::~run_progress() { finish(); }

progress_snapshot run_progress::snapshot(bool with_total) const {
  progress_snapshot s;
  s.done = finished(counters_);
  s.failed = counters_.failed;
  // Claims made after the count at start (an import meanwhile) still count.
  if (with_total && total_) s.total = std::max(*total_, s.done + outstanding_);
  s.queue_depth = queue_depth_;
  if (!with_total) s.entries_new = counters_.entries_new;
  s.per_second = rate_.per_second();
  return s;
}

void run_progress::update(const run_counters& c, std::size_t queue_depth, int outstanding) {
  const auto now = std::chrono::steady_clock::now();
  counters_ = c;
  queue_depth_ = queue_depth;
  outstanding_ = outstanding;
  rate_.add(now, finished(c));
  if (line_) {
    // The last feed is drawn whatever the throttle: the run ends with it.
    const auto s = snapshot(true);
    line_->show(format_progress(s), s.total && s.done >= *s.total);
  }
  if (now >= next_status_) send_status();
}

void run_progress::send_status() {
  // An idle daemon's rate falls to 0 rather than keep its last busy value.
  rate_.add(std::chrono::steady_clock::now(), finished(counters_));
  notify_status(format_progress(snapshot(false)));
  next_status_ = std::chrono::steady_clock::now() + status_every;
}

void run_progress::finish() {
  if (!line_) return;
  log_.set_live_line(nullptr);
  line_->clear();
  line_.reset();
}

}  // namespace feedd::daemon
