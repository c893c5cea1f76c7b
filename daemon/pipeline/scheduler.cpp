#include "scheduler.hpp"

#include <deque>
#include <map>
#include <string>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "feedd/parsers/url.hpp"

namespace feedd::daemon {

namespace net = boost::asio;

std::string host_key(const std::string& url) {
  auto parsed = parsers::parse_http_url(url);
  return parsed ? parsed->host + ":" + parsed->port : std::string();
}

struct scheduler::state : std::enable_shared_from_this<scheduler::state> {
  state(net::io_context& io, fetcher& c, bounded_queue<message>& q, scheduler_limits l)
      : strand(net::make_strand(io)), client(c), queue(q), limits(l) {}

  net::strand<net::io_context::executor_type> strand;
  fetcher& client;
  bounded_queue<message>& queue;
  scheduler_limits limits;

  std::deque<storage::claim> waiting;  // claimed, not started
  std::deque<message> overflow;        // finished, queue was full (already messages: a
                                       // conversion at try_push would move from them)
  std::map<std::int64_t, std::shared_ptr<fetch_handle>> in_flight;
  std::map<std::string, int> per_host;
  bool starting = true;

  // Overflowed results go first, in order; only then may new fetches start.
  void flush_overflow() {
    while (!overflow.empty()) {
      if (!queue.try_push(std::move(overflow.front()))) return;
      overflow.pop_front();
    }
  }

  void deliver(fetched result) {
    overflow.emplace_back(std::move(result));
    flush_overflow();
  }

  void pump() {
    flush_overflow();
    if (!starting) return;
    // Backpressure: no fetch starts while the queue is full, so memory stays
    // bounded by max_concurrent + capacity documents whatever the feed count.
    for (auto it = waiting.begin(); it != waiting.end();) {
      if (static_cast<int>(in_flight.size()) >= limits.max_concurrent) return;
      if (!overflow.empty() || queue.full()) return;
      std::string host = host_key(it->url);
      if (!host.empty() && per_host[host] >= limits.max_per_host) {
        ++it;
        continue;
      }
      storage::claim c = std::move(*it);
      it = waiting.erase(it);
      start(std::move(c), std::move(host));
    }
  }

  void start(storage::claim c, std::string host) {
    if (!host.empty()) ++per_host[host];
    fetch_request request{c.feed_id, c.url, c.etag, c.last_modified};
    const std::int64_t id = c.feed_id;
    auto self = shared_from_this();
    auto handle = client.start(std::move(request), [self, c = std::move(c), host](fetch_response response) mutable {
      net::post(self->strand, [self, c = std::move(c), host = std::move(host), response = std::move(response)]() mutable {
        self->finished(std::move(c), std::move(host), std::move(response));
      });
    });
    // The completion is posted to our strand, so it cannot run before this.
    in_flight.emplace(id, std::move(handle));
  }

  void finished(storage::claim c, std::string host, fetch_response response) {
    in_flight.erase(c.feed_id);
    if (!host.empty()) {
      auto it = per_host.find(host);
      if (it != per_host.end() && --it->second <= 0) per_host.erase(it);
    }
    deliver({std::move(c), std::move(response)});
    pump();
  }

  void drop_waiting() {
    while (!waiting.empty()) {
      fetch_response cancelled;
      cancelled.what = fetch_response::outcome::cancelled;
      cancelled.error = "fetch: cancelled before it started (shutdown)";
      deliver({std::move(waiting.front()), std::move(cancelled)});
      waiting.pop_front();
    }
  }
};

scheduler::scheduler(net::io_context& io, fetcher& client, bounded_queue<message>& queue, scheduler_limits limits)
    : state_(std::make_shared<state>(io, client, queue, limits)) {}

scheduler::~scheduler() = default;

void scheduler::submit(std::vector<storage::claim> claims) {
  net::post(state_->strand, [s = state_, claims = std::move(claims)]() mutable {
    for (auto& c : claims) s->waiting.push_back(std::move(c));
    if (!s->starting) s->drop_waiting();
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
