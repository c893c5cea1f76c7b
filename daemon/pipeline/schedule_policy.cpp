#include "schedule_policy.hpp"

#include <algorithm>
#include <cmath>

namespace feedd::daemon {

using std::chrono::seconds;

namespace {

seconds base_interval(const schedule_limits& limits, std::optional<seconds> feed_interval) {
  return feed_interval && feed_interval->count() > 0 ? *feed_interval : limits.interval;
}

}  // namespace

seconds next_after_success(const schedule_limits& limits, std::optional<seconds> feed_interval,
                           std::optional<seconds> ttl, std::optional<seconds> max_age) {
  seconds next = base_interval(limits, feed_interval);
  for (auto hint : {ttl, max_age}) {
    if (!hint) continue;
    seconds clamped = std::clamp(*hint, limits.min_interval, std::max(limits.min_interval, limits.max_interval));
    next = std::max(next, clamped);
  }
  return std::max(next, seconds(1));
}

seconds next_after_failure(const schedule_limits& limits, std::optional<seconds> feed_interval,
                           int consecutive_failures, std::optional<seconds> retry_after, double jitter) {
  const double base = static_cast<double>(base_interval(limits, feed_interval).count());
  const double cap = static_cast<double>(std::max(limits.error_backoff_max, seconds(1)).count());
  const int exponent = std::clamp(consecutive_failures - 1, 0, 40);
  double backoff = base * std::ldexp(1.0, exponent) * (1.0 + 0.1 * std::clamp(jitter, -1.0, 1.0));
  backoff = std::min(backoff, cap);
  seconds next(static_cast<seconds::rep>(std::llround(std::max(backoff, 1.0))));
  if (retry_after) next = std::max(next, std::min(*retry_after, limits.max_interval));
  return next;
}

}  // namespace feedd::daemon
