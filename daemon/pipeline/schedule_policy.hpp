#pragma once

#include <chrono>
#include <optional>
#include <span>

#include "feedd/model.hpp"

namespace feedd::daemon {

struct schedule_limits {
  std::chrono::seconds interval{1800};
  std::chrono::seconds min_interval{300};
  std::chrono::seconds max_interval{86400};
  std::chrono::seconds error_backoff_max{86400};
  bool adaptive = false;  // schedule.adaptive
};

// When to look at a feed again after a good fetch (200 or 304). The feed's
// own interval (feeds.interval) wins over the adaptive one (schedule.adaptive,
// adaptive_interval below), which wins over the configured default; hints
// from the publisher (<ttl>, Cache-Control max-age) can only lengthen it and
// are clamped to [min_interval, max_interval] so that a hostile hint can
// neither hammer the server nor silence the feed for a year.
std::chrono::seconds next_after_success(const schedule_limits& limits, std::optional<std::chrono::seconds> feed_interval,
                                        std::optional<std::chrono::seconds> ttl,
                                        std::optional<std::chrono::seconds> max_age,
                                        std::optional<std::chrono::seconds> adaptive = std::nullopt);

// After a failure: interval × 2^(failures-1), capped at error_backoff_max,
// with ±10 % jitter (jitter in [-1, 1], passed in so the function stays pure)
// so that feeds failing together do not retry together. Retry-After is
// honoured when longer, clamped to max_interval.
std::chrono::seconds next_after_failure(const schedule_limits& limits, std::optional<std::chrono::seconds> feed_interval,
                                        int consecutive_failures, std::optional<std::chrono::seconds> retry_after,
                                        double jitter);

// RSS 2.0 skipHours/skipDays (hours are GMT, so UTC here, no DST): a check
// due `next_in` after `now` that falls in a skipped hour or on a skipped
// day moves to the first instant after it that is neither. Never beyond
// max_interval from now, though (a publisher may ask for quiet hours, not
// for silence), and never earlier than next_in.
std::chrono::seconds skip_to_allowed(std::chrono::seconds next_in, const skip_hints& skip,
                                     std::chrono::sys_seconds now, std::chrono::seconds max_interval);

// schedule.adaptive: the interval a feed's publishing rate calls for.
// `arrivals` are the times fetches brought the feed new entries (the
// entries' first_seen_at: our own clock, which a publisher cannot bend as
// it can its dates), in any order; the entries of one fetch share one time,
// so a burst counts once. The typical gap is the median of the gaps between
// distinct arrivals, or the time since the last one when that is longer (a
// feed gone quiet backs off toward max_interval); the interval is half of
// it, so a feed publishing every 2 h is checked hourly, clamped to
// [min_interval, max_interval]. With fewer than two arrivals there is no
// rate: `base`, or half the time since the only arrival when that is longer.
std::chrono::seconds adaptive_interval(const schedule_limits& limits, std::chrono::seconds base,
                                       std::span<const timestamp> arrivals, std::chrono::sys_seconds now);

}  // namespace feedd::daemon
