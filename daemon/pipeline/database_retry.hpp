#pragma once

#include <chrono>
#include <functional>
#include <string_view>
#include <utility>

#include "bounded_queue.hpp"
#include "drain_control.hpp"
#include "feedd/storage/database.hpp"
#include "live_metrics.hpp"
#include "log.hpp"
#include "messages.hpp"
#include "run_counters.hpp"

namespace feedd::daemon {

// Runs the store thread's database steps, reconnecting and retrying on
// connection loss and transient errors with capped exponential backoff.
// While running normally it retries until the database comes back (the
// pipeline stalls and backpressure holds the fetchers); while draining it
// gives up once drain_timeout has passed since the drain began (one budget
// for the whole queue, not one per document, so that a drain into a
// database that is down ends when systemd expects it to), and at once after
// a second signal (drain_control::give_up_on_database). A step given up on
// leaves its feed leased: the lease expires and the feed is fetched again,
// so nothing is lost.
class database_retry {
 public:
  // What the store thread keeps doing while it waits out a backoff.
  struct waiting {
    bounded_queue<message>& queue;                  // signals are heard at once
    std::function<void(const message&)> on_control;  // ... and applied by the store thread
    std::function<void()> alive;                     // the watchdog's ping, if any
    std::chrono::milliseconds alive_every{0};        // at least this often (0: no bound)
  };

  database_retry(storage::database& db, const drain_control& drain, logger& log, run_counters& counters, waiting w);

  // step(db, args...) until it succeeds, fails for good or is given up on;
  // its last result. A refusal of the data (kind::content) is returned at
  // once and not logged here: the same data fails the same way, and what
  // that means is the caller's to say.
  template <class Step, class... Args>
  auto operator()(std::string_view name, Step&& step, const Args&... args) {
    const auto started = std::chrono::steady_clock::now();
    for (attempt a;;) {
      auto result = std::invoke(step, db_, args...);
      if (result) record_store_step(std::chrono::steady_clock::now() - started, writes_a_result(name));
      if (result || !again(name, result.error(), a)) return result;
    }
  }

  // A step failed in a way retrying could not fix (a schema error), or was
  // given up on while stopping: the run is to exit 1.
  bool failed() const { return failed_; }

 private:
  struct attempt {
    int tries = 1;
    std::chrono::milliseconds backoff{500};
  };

  // The steps that write a fetched feed's result (finisher.cpp), timed for
  // feedd_store_step_duration_seconds; the rest (claims, idle waits) only
  // show that the store thread and its database are alive.
  static bool writes_a_result(std::string_view name) { return name.starts_with("store") || name.starts_with("finish"); }

  // After a failed try: whether to try again (the backoff waited out).
  bool again(std::string_view name, const storage::db_error& e, attempt& a);
  void wait_out(std::chrono::milliseconds length);

  storage::database& db_;
  const drain_control& drain_;
  logger& log_;
  run_counters& counters_;
  waiting waiting_;
  bool failed_ = false;
};

}  // namespace feedd::daemon
