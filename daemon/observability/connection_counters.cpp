#include "connection_counters.hpp"

#include <atomic>

namespace feedd::daemon {
namespace {

// A count only: nothing is ordered by it.
std::atomic<std::int64_t> reused{0};

}  // namespace

void count_connection_reused() { reused.fetch_add(1, std::memory_order_relaxed); }

std::int64_t connections_reused() { return reused.load(std::memory_order_relaxed); }

}  // namespace feedd::daemon
