#pragma once

#include <chrono>

#include "database_retry.hpp"
#include "feedd/storage/feed_state_totals.hpp"
#include "live_metrics.hpp"

namespace feedd::daemon {

// feedd_feeds{state=...}: counted by the store thread, which alone owns the
// database, at most every `every`; network threads and scrapes only read
// the last count.
class feed_state_gauge {
 public:
  explicit feed_state_gauge(std::chrono::steady_clock::duration every = std::chrono::seconds(30)) : every_(every) {}

  void refresh_if_due(database_retry& database) {
    const auto now = std::chrono::steady_clock::now();
    if (now < next_) return;
    next_ = now + every_;
    if (auto n = database("count feed states", storage::count_feed_states))
      record_feed_states({n->ok, n->failing, n->disabled, n->due});
  }

 private:
  std::chrono::steady_clock::duration every_;
  std::chrono::steady_clock::time_point next_{};
};

}  // namespace feedd::daemon
