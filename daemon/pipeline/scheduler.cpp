#include "scheduler.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "live_metrics.hpp"

namespace feedd::daemon {

namespace net = boost::asio;
using std::chrono::steady_clock;

namespace {

// A 429 or 503 with Retry-After: the host asks to be left alone a while.
bool asks_to_wait(const fetch_response& r) { return (r.status == 429 || r.status == 503) && r.retry_after.has_value(); }

struct host_load {
  int waiting = 0;
  int in_flight = 0;
};

}  // namespace

struct scheduler::state : std::enable_shared_from_this<scheduler::state> {
  state(net::io_context& io, fetcher& c, bounded_queue<message>& q, scheduler_limits l)
      : strand(net::make_strand(io)), timer(strand), client(c), queue(q), limits(l) {}

  net::strand<net::io_context::executor_type> strand;
  net::steady_timer timer;                // wakes pump() when a spaced host may start again
  std::optional<steady_clock::time_point> wake;  // when the timer is set for, if it is
  fetcher& client;
  bounded_queue<message>& queue;
  scheduler_limits limits;

  // Claimed, not started; each counts against claim.host, the key the store
  // thread caps its claims by too ("" for none: such a feed fails at once,
  // without a connection).
  std::deque<storage::claim> waiting;
  // Hosts whose fetch just finished while they had claims waiting: their
  // next start comes before the claim-order pass, so a host with a long
  // backlog keeps its connections busy instead of queueing behind every
  // host claimed before it (bench/README.md, the lopsided cycle).
  std::deque<std::string> freed;
  std::deque<message> overflow;  // finished, queue was full (already messages: a
                                 // conversion at try_push would move from them)
  std::map<std::int64_t, std::shared_ptr<fetch_handle>> in_flight;
  std::map<std::string, host_load> hosts;  // only hosts with a claim waiting or in flight
  // The last start per host, kept while it is less than host_delay ago
  // (hosts outlive their claims here: a host's next claim may come later).
  std::map<std::string, steady_clock::time_point> last_start;
  bool starting = true;

  // Overflowed results go first, in order; only then may new fetches start.
  void flush_overflow() {
    while (!overflow.empty()) {
      if (!queue.try_push(std::move(overflow.front()))) return;
      overflow.pop_front();
    }
  }

  void deliver(message m) {
    overflow.push_back(std::move(m));
    flush_overflow();
  }

  void cancelled(storage::claim c) {
    fetch_response response;
    response.what = fetch_response::outcome::cancelled;
    response.error = std::string(cancelled_before_start);
    deliver(fetched{std::move(c), std::move(response)});
  }

  // Applies `change` to the host's counts and forgets a host with none left.
  template <class Change>
  void count(const std::string& host, Change change) {
    if (host.empty()) return;
    auto& load = hosts[host];
    change(load);
    if (load.waiting <= 0 && load.in_flight <= 0) hosts.erase(host);
  }

  void admit(std::vector<storage::claim> claims) {
    for (auto& c : claims) {
      count(c.host, [](host_load& l) { ++l.waiting; });
      waiting.push_back(std::move(c));
    }
  }

  bool host_full(const std::string& host) const {
    const auto it = hosts.find(host);
    return it != hosts.end() && it->second.in_flight >= limits.max_per_host;
  }

  // When the host may start its next fetch, if host_delay says not yet.
  std::optional<steady_clock::time_point> spaced_until(const std::string& host, steady_clock::time_point now) const {
    const auto it = last_start.find(host);
    if (it == last_start.end() || it->second + limits.host_delay <= now) return std::nullopt;
    return it->second + limits.host_delay;
  }

  void forget_old_starts(steady_clock::time_point now) {
    std::erase_if(last_start, [&](const auto& s) { return s.second + limits.host_delay <= now; });
  }

  // One timer for every spaced host: set for the earliest, and pump()
  // sets it again for the next. A wait it replaces ends as aborted.
  void wake_at(steady_clock::time_point at) {
    if (wake && *wake <= at) return;
    wake = at;
    timer.expires_at(at);
    timer.async_wait(net::bind_executor(strand, [self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      self->wake.reset();
      self->pump();
    }));
  }

  bool may_start_any() {
    return static_cast<int>(in_flight.size()) < limits.max_concurrent && overflow.empty() && !queue.full();
  }

  // Starts the oldest waiting claim of each freed host that may start now;
  // false when nothing at all may start (the rest stay freed for later).
  bool start_freed(steady_clock::time_point now) {
    while (!freed.empty()) {
      if (!may_start_any()) return false;
      const std::string host = std::move(freed.front());
      freed.pop_front();
      if (host_full(host) || spaced_until(host, now)) continue;
      const auto it = std::find_if(waiting.begin(), waiting.end(), [&](const storage::claim& c) { return c.host == host; });
      if (it == waiting.end()) continue;
      storage::claim next = std::move(*it);
      waiting.erase(it);
      start(std::move(next));
    }
    return true;
  }

  void pump() {
    flush_overflow();
    if (!starting) return;
    const auto now = steady_clock::now();
    std::optional<steady_clock::time_point> next_ready;
    if (limits.host_delay.count() > 0) forget_old_starts(now);
    if (!start_freed(now)) return;
    // Backpressure: no fetch starts while the queue is full, so memory stays
    // bounded by max_concurrent + capacity documents whatever the feed count.
    // (Whatever stops the loop early, a finish or a freed slot pumps again.)
    for (auto it = waiting.begin(); it != waiting.end();) {
      if (!may_start_any()) return;
      if (!it->host.empty() && host_full(it->host)) {
        ++it;
        continue;
      }
      if (const auto ready = it->host.empty() ? std::nullopt : spaced_until(it->host, now)) {
        next_ready = next_ready ? std::min(*next_ready, *ready) : *ready;
        ++it;
        continue;
      }
      storage::claim next = std::move(*it);
      it = waiting.erase(it);
      start(std::move(next));
    }
    if (next_ready) wake_at(*next_ready);
  }

  void start(storage::claim c) {
    const bool spaced = limits.host_delay.count() > 0 && !c.host.empty();
    std::string host = spaced ? c.host : std::string{};
    count(c.host, [](host_load& l) {
      --l.waiting;
      ++l.in_flight;
    });
    fetch_request request{c.feed_id, c.url, c.etag, c.last_modified};
    const std::int64_t id = c.feed_id;
    auto self = shared_from_this();
    auto handle = client.start(std::move(request), [self, c = std::move(c)](fetch_response response) mutable {
      if (response.what != fetch_response::outcome::cancelled)
        record_fetch(response.status, response.wire_bytes, response.elapsed);
      net::post(self->strand, [self, c = std::move(c), response = std::move(response)]() mutable {
        self->finished(std::move(c), std::move(response));
      });
    });
    // The completion is posted to our strand, so it cannot run before this.
    in_flight.emplace(id, std::move(handle));
    // Spaced from the moment the fetch really started, not from the pass
    // that chose it: a pass that starts many fetches can take milliseconds
    // (more under a sanitizer), and host_delay promises spaced starts.
    if (spaced) last_start[std::move(host)] = steady_clock::now();
  }

  void finished(storage::claim c, fetch_response response) {
    in_flight.erase(c.feed_id);
    count(c.host, [](host_load& l) { --l.in_flight; });
    const bool asked_to_wait = asks_to_wait(response) && !c.host.empty();
    std::string host = c.host;
    if (!host.empty() && !asked_to_wait) {
      if (const auto it = hosts.find(host); it != hosts.end() && it->second.waiting > 0) freed.push_back(host);
    }
    deliver(fetched{std::move(c), std::move(response)});
    if (asked_to_wait) hold(host);
    pump();
  }

  // The host's claims not started go back, after the answer that paused it
  // and before pump() could start the next one.
  void hold(const std::string& host) {
    std::vector<storage::claim> claims;
    for (auto it = waiting.begin(); it != waiting.end();) {
      if (it->host != host) {
        ++it;
        continue;
      }
      count(host, [](host_load& l) { --l.waiting; });
      claims.push_back(std::move(*it));
      it = waiting.erase(it);
    }
    if (!claims.empty()) deliver(held{host, std::move(claims)});
  }

  void drop_waiting() {
    freed.clear();
    timer.cancel();
    wake.reset();
    while (!waiting.empty()) {
      storage::claim c = std::move(waiting.front());
      waiting.pop_front();
      count(c.host, [](host_load& l) { --l.waiting; });
      cancelled(std::move(c));
    }
  }
};

scheduler::scheduler(net::io_context& io, fetcher& client, bounded_queue<message>& queue, scheduler_limits limits)
    : state_(std::make_shared<state>(io, client, queue, limits)) {}

scheduler::~scheduler() = default;

void scheduler::submit(std::vector<storage::claim> claims) {
  net::post(state_->strand, [s = state_, claims = std::move(claims)]() mutable {
    if (!s->starting) {
      for (auto& c : claims) s->cancelled(std::move(c));
      return;
    }
    s->admit(std::move(claims));
    s->pump();
  });
}

void scheduler::slot_freed() {
  net::post(state_->strand, [s = state_] { s->pump(); });
}

void scheduler::stop_starting() {
  net::post(state_->strand, [s = state_] {
    s->starting = false;
    s->drop_waiting();
  });
}

void scheduler::cancel_in_flight() {
  net::post(state_->strand, [s = state_] {
    s->starting = false;
    s->drop_waiting();
    for (auto& [id, handle] : s->in_flight) {
      if (handle) handle->cancel();
    }
  });
}

}  // namespace feedd::daemon
