#include "purge_counters.hpp"

#include <atomic>

namespace feedd::daemon {
namespace {

// A count only: nothing is ordered by it.
std::atomic<std::int64_t> purged{0};

}  // namespace

void count_entries_purged(std::int64_t n) { purged.fetch_add(n, std::memory_order_relaxed); }

std::int64_t entries_purged() { return purged.load(std::memory_order_relaxed); }

}  // namespace feedd::daemon
