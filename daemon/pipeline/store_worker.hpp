#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "bounded_queue.hpp"
#include "feedd/config/config.hpp"
#include "feedd/storage/database.hpp"
#include "log.hpp"
#include "messages.hpp"
#include "run_counters.hpp"
#include "scheduler.hpp"

namespace feedd::daemon {

// The parse-and-store thread: the only thread that touches the database.
// It claims due feeds, hands them to the scheduler, pops fetched documents,
// parses them and finishes each feed in one transaction.
class store_worker {
 public:
  struct hooks {
    std::function<void(const std::string&)> status;  // sd_notify STATUS=
    std::function<void()> alive;                     // the loop made progress (watchdog)
    // After every finished feed: counters, queue depth, claims outstanding
    // (for /metrics; called on this thread, must only post).
    std::function<void(const run_counters&, std::size_t, int)> progress;
    // When nonzero, alive() is called at least this often while the loop
    // waits (idle polling, database backoff), so that a short WatchdogSec
    // is kept whatever the polling interval.
    std::chrono::milliseconds alive_every{0};
  };

  store_worker(storage::database& db, bounded_queue<message>& queue, scheduler& fetch_side, logger& log,
               const config::config& settings, bool once, hooks h);

  // Returns 0 after a clean drain, 1 when the database became unusable and
  // could not be recovered while stopping.
  int run();

  const run_counters& counters() const { return counters_; }

 private:
  void apply_control(const message& control);
  void begin_drain(std::chrono::steady_clock::time_point signalled, bool cancel);
  void claim_more();
  void disable_unfetchable(const storage::claim& c);
  void give_back(const deferred& d);
  void handle(fetched& result);
  void finish(fetched& result);
  using step_result = expected<bool, storage::db_error>;
  bool with_database(const std::function<step_result()>& attempt, std::string_view step);
  void wait_out(std::chrono::milliseconds length);
  void log_summary(std::string_view event);
  std::chrono::seconds lease() const;

  storage::database& db_;
  bounded_queue<message>& queue_;
  scheduler& fetch_side_;
  logger& log_;
  config::config settings_;
  bool once_;
  hooks hooks_;

  std::string owner_;
  int outstanding_ = 0;  // claims handed to the scheduler and not yet back
  bool wait_for_finish_ = false;  // --once: claims were deferred, claim again after a finish
  bool exhausted_ = false;
  bool draining_ = false;
  bool cancelling_ = false;
  bool db_failed_ = false;
  std::chrono::steady_clock::time_point drain_deadline_{};  // set when the drain begins
  std::chrono::steady_clock::time_point next_claim_{};
  std::chrono::steady_clock::time_point next_summary_{};
  run_counters counters_;
};

}  // namespace feedd::daemon
