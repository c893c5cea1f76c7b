#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>

#include "bounded_queue.hpp"
#include "database_retry.hpp"
#include "drain_control.hpp"
#include "feed_state_gauge.hpp"
#include "feedd/config/config.hpp"
#include "feedd/storage/database.hpp"
#include "finisher.hpp"
#include "log.hpp"
#include "messages.hpp"
#include "run_counters.hpp"
#include "scheduler.hpp"

namespace feedd::daemon {

// The parse-and-store thread: the only thread that touches the database.
// It claims due feeds, hands them to the scheduler, pops what comes back
// (fetched documents, signals) and
// finishes the results waiting in the queue together (take_results).
class store_worker {
 public:
  struct hooks {
    std::function<void(const std::string&)> status;  // sd_notify STATUS=
    std::function<void()> alive;                     // the loop made progress (watchdog)
    // After every claim that came back: counters, queue depth, claims
    // outstanding (for /metrics; called on this thread, must only post).
    std::function<void(const run_counters&, std::size_t, int)> progress;
    // When nonzero, alive() is called at least this often while the loop
    // waits (idle polling, database backoff), so that a short WatchdogSec
    // is kept whatever the polling interval.
    std::chrono::milliseconds alive_every{0};
    // The wall clock skipHours/skipDays are read against (finisher); empty:
    // the system clock. Tests set it to cross midnight without waiting.
    finisher::clock_fn now;
  };

  store_worker(storage::database& db, bounded_queue<message>& queue, scheduler& fetch_side, logger& log,
               const config::config& settings, bool once, hooks h);

  // Returns 0 after a clean drain, 1 when the database became unusable and
  // could not be recovered while stopping.
  int run();

 private:
  void spread_overdue();
  bool listen();
  bool notified(std::chrono::milliseconds wait);
  void wait_for_work();
  void take(message m);
  void take_results(fetched first);
  void apply_control(const message& control);
  void claim_more();
  std::vector<storage::claim> fetchable(std::vector<storage::claim> claims);
  void disable_unfetchable(const storage::claim& c);
  void returned(const storage::claim& c);
  void let_go(const storage::claim& c);
  void pause_if_asked(const fetched& f);
  void give_back(const held& h);
  std::chrono::milliseconds until_next_due();
  std::map<std::string, int> held_by_fetch_side() const;
  int per_host_cap() const;
  void extend_leases();
  std::chrono::milliseconds extend_every() const;
  std::chrono::milliseconds next_wait() const;
  void log_summary(std::string_view event);
  std::chrono::seconds lease() const;
  schedule_limits limits() const;

  bounded_queue<message>& queue_;
  scheduler& fetch_side_;
  logger& log_;
  config::config settings_;
  bool once_;
  hooks hooks_;

  drain_control drain_;
  run_counters counters_;
  database_retry database_;
  finisher finisher_;
  feed_state_gauge feed_states_;

  std::string owner_;
  int outstanding_ = 0;  // claims handed to the scheduler and not yet back
  // The same by claim.host, the key the scheduler counts by: what
  // storage::claim_due subtracts from each host's cap.
  std::map<std::string, int> outstanding_per_host_;
  // The same by feed id, with the lease tokens extend_leases needs; a claim
  // found taken over is dropped from here (no longer renewed) though still
  // outstanding until its result comes back.
  std::map<std::int64_t, storage::claim> held_;
  std::chrono::steady_clock::time_point next_extend_{};
  bool listening_ = false;  // LISTEN feeds_changed_channel succeeded
  std::chrono::steady_clock::time_point next_claim_{};
  std::chrono::steady_clock::time_point next_summary_{};
};

}  // namespace feedd::daemon
