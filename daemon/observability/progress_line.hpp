#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

// The one-line progress summary people see: redrawn on a terminal by `run
// --once` and `feeds import`, and sent as the daemon's sd_notify STATUS=.
namespace feedd::daemon {

struct progress_snapshot {
  std::string_view verb = "checked";  // "checked 12/40 feeds"
  std::string_view failed_word = "failed";
  std::int64_t done = 0;  // feeds finished, whatever the outcome
  std::int64_t failed = 0;
  std::optional<std::int64_t> total;        // known for run --once and import: gives % and ETA
  std::optional<std::size_t> queue_depth;   // fetched documents waiting for the store thread
  std::optional<std::int64_t> entries_new;  // the daemon's STATUS= only
  double per_second = 0;                    // recent rate; 0: none yet (no ETA)
};

// "checked 12/40 feeds (30%), 1 failed, queue 3, 4.2/s, ETA 7s", or without
// a total "checked 120 feeds, 3 failed, queue 0, 0.3/s, 57 new entries".
std::string format_progress(const progress_snapshot& s);
// "7s", "3m05s", "2h10m": whole seconds, two units at most.
std::string format_eta(std::chrono::seconds left);
// At most `columns` - 1 bytes (a line that wraps cannot be redrawn with \r),
// cut at a UTF-8 character boundary.
std::string fit_to_width(std::string line, std::size_t columns);

// Feeds per second over the last `window`, from samples of a running count.
// Bounded: at most max_samples kept, older ones dropped first.
class rate_meter {
 public:
  using clock = std::chrono::steady_clock;
  explicit rate_meter(clock::duration window = std::chrono::seconds(30)) : window_(window) {}
  void add(clock::time_point now, std::int64_t done);
  double per_second() const;

 private:
  static constexpr std::size_t max_samples = 256;
  clock::duration window_;
  std::deque<std::pair<clock::time_point, std::int64_t>> samples_;
};

}  // namespace feedd::daemon
