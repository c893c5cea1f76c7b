#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "histogram.hpp"

namespace feedd::daemon {

// Finished fetches by the first digit of their final HTTP status; "none"
// when no response came (DNS, connect, TLS, timeout, limits).
inline constexpr std::array<std::string_view, 6> status_classes = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};

// Feeds by state, counted by the store thread's own query (feed_state_totals.hpp).
struct feed_state_counts {
  std::int64_t ok = 0, failing = 0, disabled = 0, due = 0;
};

// What /metrics, /healthz and /readyz read at each request. Unlike the
// store thread's run_counters, published after each claim comes back, these
// change where the event happens, so that a scrape during a database outage
// shows the outage (issue 14: metrics went stale exactly then).
struct live_state {
  bool database_up = false;        // false until the first connection, and after a connection or transient error
  double database_down_since = 0;  // unix seconds of the first failure of this outage; 0 when up
  std::int64_t database_errors = 0, database_reconnects = 0;
  double last_step_at = 0;   // unix seconds of the store thread's last successful database step (0: none)
  double last_store_at = 0;  // ... of its last successful write of a feed's result
  std::optional<double> last_step_age_s;  // monotonic age of last_step_at
  std::array<std::int64_t, status_classes.size()> fetches_by_class{};
  std::int64_t wire_bytes = 0;
  histogram fetch_duration, store_step_duration;
  std::optional<feed_state_counts> feeds;  // none until the first count
  std::int64_t resident_bytes = -1, open_descriptors = -1;  // -1: /proc/self unreadable
};

// Process-wide and thread-safe, like connection_counters.hpp: any thread
// records, the metrics server reads.
void record_database_up(bool up);
void record_database_error();
void record_database_reconnect();
// A database step of the store thread that succeeded, its time with retries;
// `write` when it stored a feed's result (its time goes to the histogram).
void record_store_step(std::chrono::steady_clock::duration took, bool write);
// A fetch that finished (not cancelled): status 0 when no response came.
void record_fetch(int status, std::size_t wire_bytes, std::chrono::milliseconds elapsed);
void record_feed_states(const feed_state_counts& counts);
live_state read_live_state();

// /readyz's window: the store thread finishes a database step at least every
// idle poll (5 s: the wait for a notification is one), so a step older than
// this means it is stuck or the database is not answering.
inline constexpr std::chrono::seconds ready_step_window{30};

}  // namespace feedd::daemon
