// store_worker::take_results: the store thread's batching (issue 12).
#include "store_worker.hpp"

namespace feedd::daemon {

namespace {

// A batch ends at this many results or once their bodies reach this many
// bytes (parsed feeds are held until the batch is stored), whichever first.
constexpr std::size_t batch_results = 64;
constexpr std::size_t batch_bytes = 16u << 20;

}  // namespace

// Takes, with the result just popped, every result already waiting in the
// queue, and finishes them together. It never waits for more: at low load
// a batch is the one result that came, stored at once; under load the
// results that queued while the last batch was stored make the next one.
// Control messages met on the way are applied at once, held claims given
// back; a drain finds every result stored when the loop looks again.
//
// A result from a host at its cap ends the batch: its store is followed at
// once by the claim of the host's next feed (returned(), issue 11: a fast
// host's connections otherwise idle), not by the store of results behind it.
void store_worker::take_results(fetched first) {
  std::vector<fetched> batch;
  std::size_t bytes = first.response.body.size();
  bool last = host_at_cap(first.claim);
  batch.push_back(std::move(first));
  while (!last && batch.size() < batch_results && bytes < batch_bytes) {
    auto next = queue_.pop_for(std::chrono::milliseconds(0));
    if (!next) break;
    if (auto* result = std::get_if<fetched>(&*next)) {
      bytes += result->response.body.size();
      last = host_at_cap(result->claim);
      batch.push_back(std::move(*result));
    } else {
      take(std::move(*next));
    }
  }
  finisher_.finish_batch(batch, limits());
  for (const auto& result : batch) {
    pause_if_asked(result);
    drain_.fetch_finished();
    returned(result.claim);
  }
}

bool store_worker::host_at_cap(const storage::claim& c) const {
  if (c.host.empty()) return false;
  const auto it = outstanding_per_host_.find(c.host);
  return it != outstanding_per_host_.end() && it->second >= per_host_cap();
}

}  // namespace feedd::daemon
