#pragma once

#include <cstdint>

namespace feedd::daemon {

struct process_stats {
  std::int64_t resident_bytes = -1;    // -1: not readable
  std::int64_t open_descriptors = -1;
};

// From /proc/self (statm, fd/): readable under ProcSubset=pid, and cheap
// enough for every scrape.
process_stats read_process_stats();

}  // namespace feedd::daemon
