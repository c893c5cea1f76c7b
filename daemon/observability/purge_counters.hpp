#pragma once

#include <cstdint>

namespace feedd::daemon {

// Entries the retention thread deleted since the process started
// (feedd_entries_purged_total); /metrics reads it at each scrape, so the
// purge needs no path through the store thread's snapshot. Any thread.
void count_entries_purged(std::int64_t n);
std::int64_t entries_purged();

}  // namespace feedd::daemon
