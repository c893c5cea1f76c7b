#pragma once

#include <chrono>
#include <optional>

namespace feedd::daemon {

struct schedule_limits {
  std::chrono::seconds interval{1800};
  std::chrono::seconds min_interval{300};
  std::chrono::seconds max_interval{86400};
  std::chrono::seconds error_backoff_max{86400};
};

// When to look at a feed again after a good fetch (200 or 304). The feed's
// own interval (feeds.interval) wins over the configured default; hints from
// the publisher (<ttl>, Cache-Control max-age) can only lengthen it and are
// clamped to [min_interval, max_interval] so that a hostile hint can neither
// hammer the server nor silence the feed for a year.
std::chrono::seconds next_after_success(const schedule_limits& limits, std::optional<std::chrono::seconds> feed_interval,
                                        std::optional<std::chrono::seconds> ttl,
                                        std::optional<std::chrono::seconds> max_age);

// After a failure: interval × 2^(failures-1), capped at error_backoff_max,
// with ±10 % jitter (jitter in [-1, 1], passed in so the function stays pure)
// so that feeds failing together do not retry together. Retry-After is
// honoured when longer, clamped to max_interval.
std::chrono::seconds next_after_failure(const schedule_limits& limits, std::optional<std::chrono::seconds> feed_interval,
                                        int consecutive_failures, std::optional<std::chrono::seconds> retry_after,
                                        double jitter);

}  // namespace feedd::daemon
