#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace feedd::daemon {

// What /metrics reports: counters since process start and gauges as of the
// moment the store thread published them.
struct metrics_snapshot {
  std::int64_t fetched = 0, not_modified = 0, failed = 0, released = 0, entries_new = 0, entries_updated = 0;
  std::int64_t queue_depth = 0, queue_capacity = 0, outstanding = 0;  // gauges
  std::int64_t database_errors = 0;
  double started_at_unix = 0;  // process start, seconds since epoch
};

// Prometheus text exposition format 0.0.4, HELP and TYPE for every family.
std::string render_prometheus(const metrics_snapshot& s, std::string_view version);

}  // namespace feedd::daemon
