#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bounded_queue.hpp"
#include "messages.hpp"

namespace boost::asio {
class io_context;
}

namespace feedd::daemon {

// The error of a claim dropped before its fetch started (shutdown).
inline constexpr std::string_view cancelled_before_start = "fetch: cancelled before it started (shutdown)";

struct scheduler_limits {
  int max_concurrent = 64;
  int max_per_host = 2;
  std::chrono::milliseconds timeout{30'000};  // fetch.timeout: how long one fetch may take
  std::chrono::milliseconds host_delay{0};    // fetch.host_delay: least time between two starts to one host
};

// The fetch side of the pipeline, and the one place that counts per host.
// All of its state (waiting claims, fetches in flight, per-host counts,
// finished results that did not fit in the queue) lives on one strand, so
// it needs no mutex (Beast crawl example). The store thread talks to it
// only by posting; it talks to the store thread only through the bounded
// queue.
class scheduler {
 public:
  scheduler(boost::asio::io_context& io, fetcher& client, bounded_queue<message>& queue, scheduler_limits limits);
  ~scheduler();
  scheduler(const scheduler&) = delete;
  scheduler& operator=(const scheduler&) = delete;

  // Thread-safe; each posts to the strand.
  //
  // Takes claims; each waits until its host (claim.host) has fewer than
  // max_per_host fetches in flight and its last start there is host_delay
  // past (a timer on the strand wakes it; other hosts go on meanwhile).
  // How many a host has waiting is the store
  // thread's to bound: it claims per host no more than its cap less what it
  // holds (storage::claim_due), keyed by the same claim.host.
  void submit(std::vector<storage::claim> claims);
  void slot_freed();  // the store thread popped a document
  // Drops claims not yet started (they come back as cancelled) and starts
  // no new fetch; in-flight fetches run on.
  void stop_starting();
  void cancel_in_flight();

 private:
  struct state;
  std::shared_ptr<state> state_;
};

}  // namespace feedd::daemon
