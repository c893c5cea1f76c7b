#include "live_metrics.hpp"

#include <mutex>

#include "process_stats.hpp"

namespace feedd::daemon {
namespace {

using std::chrono::steady_clock;

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Fixed buckets, in seconds: fetches range from a local 304 to a slow host
// at fetch.timeout; a feed's write transaction from a millisecond to a
// large feed's many entries.
histogram fetch_buckets() { return histogram({0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}); }
histogram store_buckets() { return histogram({0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10}); }

// One mutex for all: a few updates per fetch and per store step, and a
// scrape every few seconds, never contend enough to matter.
live_state initial_state() {
  live_state s;
  s.fetch_duration = fetch_buckets();
  s.store_step_duration = store_buckets();
  return s;
}

struct shared_state {
  std::mutex mutex;
  live_state state = initial_state();
  std::optional<steady_clock::time_point> last_step;
};

shared_state& shared() {
  static shared_state s;
  return s;
}

}  // namespace

void record_database_up(bool up) {
  auto& s = shared();
  std::lock_guard lock(s.mutex);
  if (!up && (s.state.database_up || s.state.database_down_since == 0)) s.state.database_down_since = unix_now();
  if (up) s.state.database_down_since = 0;
  s.state.database_up = up;
}

void record_database_error() {
  auto& s = shared();
  std::lock_guard lock(s.mutex);
  ++s.state.database_errors;
}

void record_database_reconnect() {
  auto& s = shared();
  std::lock_guard lock(s.mutex);
  ++s.state.database_reconnects;
}

void record_store_step(steady_clock::duration took, bool write) {
  const double now = unix_now();
  auto& s = shared();
  std::lock_guard lock(s.mutex);
  s.last_step = steady_clock::now();
  s.state.last_step_at = now;
  s.state.database_up = true;
  s.state.database_down_since = 0;
  if (!write) return;
  s.state.last_store_at = now;
  s.state.store_step_duration.observe(std::chrono::duration<double>(took).count());
}

void record_fetch(int status, std::size_t wire_bytes, std::chrono::milliseconds elapsed) {
  const std::size_t cls = status >= 100 && status <= 599 ? static_cast<std::size_t>(status / 100) : 0;
  auto& s = shared();
  std::lock_guard lock(s.mutex);
  ++s.state.fetches_by_class[cls];
  s.state.wire_bytes += static_cast<std::int64_t>(wire_bytes);
  s.state.fetch_duration.observe(std::chrono::duration<double>(elapsed).count());
}

void record_feed_states(const feed_state_counts& counts) {
  auto& s = shared();
  std::lock_guard lock(s.mutex);
  s.state.feeds = counts;
}

live_state read_live_state() {
  const auto process = read_process_stats();  // outside the lock: it reads /proc
  auto& s = shared();
  live_state out;
  {
    std::lock_guard lock(s.mutex);
    out = s.state;
    if (s.last_step) out.last_step_age_s = std::chrono::duration<double>(steady_clock::now() - *s.last_step).count();
  }
  out.resident_bytes = process.resident_bytes;
  out.open_descriptors = process.open_descriptors;
  return out;
}

}  // namespace feedd::daemon
