#pragma once

#include <cstdint>

namespace feedd::daemon {

// What the store thread has done since the process started: logged at exit
// and published on /metrics.
struct run_counters {
  std::int64_t fetched = 0;
  std::int64_t not_modified = 0;
  std::int64_t failed = 0;
  std::int64_t released = 0;
  std::int64_t entries_new = 0;
  std::int64_t entries_updated = 0;
  std::int64_t database_errors = 0;
};

}  // namespace feedd::daemon
