#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace feedd::daemon {

// A Prometheus histogram with fixed buckets: counts per bucket (not yet
// cumulative; the exposition adds them up), the sum and the count of every
// observation. A plain value: whoever shares one guards it (live_metrics).
struct histogram {
  histogram() : counts(1, 0) {}
  explicit histogram(std::vector<double> upper_bounds)
      : bounds(std::move(upper_bounds)), counts(bounds.size() + 1, 0) {}

  // The first bucket whose bound is at least `value`, else the last (+Inf).
  void observe(double value) {
    std::size_t i = 0;
    while (i < bounds.size() && value > bounds[i]) ++i;
    ++counts[i];
    sum += value;
    ++count;
  }

  std::vector<double> bounds;          // ascending, +Inf not included
  std::vector<std::int64_t> counts;    // bounds.size() + 1: the last is above every bound
  double sum = 0;
  std::int64_t count = 0;
};

}  // namespace feedd::daemon
