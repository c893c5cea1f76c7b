#include "schedule_policy.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace feedd::daemon {

using std::chrono::hours;
using std::chrono::seconds;
using std::chrono::sys_seconds;

namespace {

seconds base_interval(const schedule_limits& limits, std::optional<seconds> feed_interval) {
  return feed_interval && feed_interval->count() > 0 ? *feed_interval : limits.interval;
}

seconds clamp_to_limits(seconds s, const schedule_limits& limits) {
  return std::clamp(s, limits.min_interval, std::max(limits.min_interval, limits.max_interval));
}

bool skipped(const skip_hints& skip, sys_seconds t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const auto hour = std::chrono::duration_cast<hours>(t - day).count();
  const auto weekday = std::chrono::weekday(day).c_encoding();
  return (skip.hours >> hour & 1u) != 0 || (skip.days >> weekday & 1u) != 0;
}

seconds median(std::vector<seconds> values) {
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

}  // namespace

seconds next_after_success(const schedule_limits& limits, std::optional<seconds> feed_interval,
                           std::optional<seconds> ttl, std::optional<seconds> max_age, std::optional<seconds> adaptive) {
  seconds next = base_interval(limits, feed_interval);
  if (adaptive && !(feed_interval && feed_interval->count() > 0)) next = *adaptive;
  for (auto hint : {ttl, max_age}) {
    if (!hint) continue;
    next = std::max(next, clamp_to_limits(*hint, limits));
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

seconds skip_to_allowed(seconds next_in, const skip_hints& skip, sys_seconds now, seconds max_interval) {
  if (skip.empty()) return next_in;
  sys_seconds at = now + next_in;
  // Bounded: a week of hours visits every hour of every weekday, and the
  // parser leaves at least one hour and one day open.
  for (int step = 0; step <= 24 * 7 && skipped(skip, at); ++step) {
    at = std::chrono::floor<hours>(at) + hours(1);
  }
  const seconds moved = at - now;
  if (moved <= next_in) return next_in;
  return std::max(next_in, std::min(moved, max_interval));
}

seconds adaptive_interval(const schedule_limits& limits, seconds base, std::span<const timestamp> arrivals,
                          sys_seconds now) {
  std::vector<timestamp> times(arrivals.begin(), arrivals.end());
  std::sort(times.begin(), times.end(), std::greater<>());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  if (times.empty()) return base;
  const seconds quiet = std::max(seconds(0), now - times.front());
  if (times.size() < 2) return std::min(std::max(base, quiet / 2), std::max(base, limits.max_interval));
  std::vector<seconds> gaps;
  for (std::size_t i = 1; i < times.size(); ++i) gaps.push_back(times[i - 1] - times[i]);
  return clamp_to_limits(std::max(median(std::move(gaps)), quiet) / 2, limits);
}

}  // namespace feedd::daemon
