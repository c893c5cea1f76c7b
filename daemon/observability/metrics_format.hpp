#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "live_metrics.hpp"
#include "run_counters.hpp"

namespace feedd::daemon {

// What /metrics reports: counters since process start and gauges as of the
// moment the store thread published them.
struct metrics_snapshot {
  run_counters counters;
  std::int64_t queue_depth = 0, queue_capacity = 0, outstanding = 0;  // gauges
  std::int64_t connections_reused = 0;  // connection_counters.hpp, read by the server at each scrape
  std::int64_t entries_purged = 0;  // purge_counters.hpp, read by the server at each scrape
  double started_at_unix = 0;  // process start, seconds since epoch
  live_state live;             // live_metrics.hpp, read by the server at each scrape
};

// Prometheus text exposition format 0.0.4, HELP and TYPE for every family.
std::string render_prometheus(const metrics_snapshot& s, std::string_view version);

}  // namespace feedd::daemon
