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
// A result in hand no longer waits on its host or fills the queue, so it
// is let go before the store. When that makes room on a host that was at
// its cap, the host's next feeds are claimed before the batch is stored
// (issue 11: a fast host's connections otherwise idle while the store
// thread works). The batch does not end at such a result: ending it there
// made every 304 from a busy host a batch of its own, two durable commits
// per feed (bench/README.md, the warm cycle).
void store_worker::take_results(fetched first) {
  std::vector<fetched> batch;
  std::size_t bytes = first.response.body.size();
  batch.push_back(std::move(first));
  while (batch.size() < batch_results && bytes < batch_bytes) {
    auto next = queue_.pop_for(std::chrono::milliseconds(0));
    if (!next) break;
    if (auto* result = std::get_if<fetched>(&*next)) {
      bytes += result->response.body.size();
      batch.push_back(std::move(*result));
    } else {
      take(std::move(*next));
    }
  }
  for (const auto& result : batch) {
    pause_if_asked(result);  // before any claim, so that a paused host gets none
    let_go(result.claim);
    drain_.fetch_finished();
  }
  claim_more();
  finisher_.finish_batch(batch, limits());
  if (hooks_.progress) hooks_.progress(counters_, queue_.size(), outstanding_);
}

}  // namespace feedd::daemon
