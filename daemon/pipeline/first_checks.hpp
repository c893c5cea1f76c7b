#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>

#include "feedd/config/config.hpp"

namespace feedd::daemon {

// Spreading first checks (feeds import) and checks found overdue at
// start-up, so that neither fires every feed at once and their later
// checks, each an interval after the last, do not stay bunched together.
//
// n feeds are spread over min(first_check_spread, interval, n × step): a
// handful is due within a second or two, as an operator adding a few feeds
// expects, a large batch at no more than 1/step feeds a second on average
// until the bound, and no feed waits longer than one interval would have.
inline constexpr std::chrono::milliseconds first_check_step{100};

// The bound alone: what no spread exceeds, whatever the count.
inline std::chrono::milliseconds first_check_bound(const config::schedule_settings& s) {
  return std::max(std::chrono::milliseconds(0), std::min(s.first_check_spread, s.interval));
}

inline std::chrono::milliseconds first_check_window(const config::schedule_settings& s, std::size_t count) {
  return std::min(first_check_bound(s), first_check_step * static_cast<std::int64_t>(count));
}

// The i-th of n feeds (0-based) goes to a random point of the i-th of n
// equal slots of the window (`unit` in [0, 1)): spread evenly, so no two
// are much closer than a slot apart on average, yet with jitter, and in
// the order given (oldest or first listed first).
inline std::chrono::milliseconds first_check_offset(std::chrono::milliseconds window, std::size_t i, std::size_t n,
                                                   double unit) {
  if (n == 0 || window.count() <= 0) return std::chrono::milliseconds(0);
  const double at = (static_cast<double>(i) + std::clamp(unit, 0.0, 1.0)) / static_cast<double>(n);
  return std::min(window, std::chrono::milliseconds(static_cast<std::int64_t>(at * static_cast<double>(window.count()))));
}

}  // namespace feedd::daemon
