#include "connection_pool.hpp"

#include <algorithm>
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "connection.hpp"

namespace feedd::daemon {
namespace {

namespace net = boost::asio;
using steady = std::chrono::steady_clock;

}  // namespace

// The idle list is shared with the fetches under `mutex`; the sweep timer
// is touched only on `strand`.
struct connection_pool::state : std::enable_shared_from_this<state> {
  struct idle {
    std::string origin;
    std::shared_ptr<connection> link;
    steady::time_point since;
  };

  state(net::io_context& io, limits l) : strand(net::make_strand(io)), sweep(strand), bounds(l) {}

  // Drops every connection idle for idle_timeout and waits for the next to be.
  void schedule_sweep() {
    std::vector<std::shared_ptr<connection>> expired;
    std::unique_lock lock(mutex);
    const auto now = steady::now();
    while (!list.empty() && list.front().since + bounds.idle_timeout <= now) {
      expired.push_back(std::move(list.front().link));
      list.pop_front();
    }
    if (list.empty()) {
      sweeping = false;
      return;
    }
    sweep.expires_at(list.front().since + bounds.idle_timeout);
    lock.unlock();
    sweep.async_wait(net::bind_executor(strand, [weak = weak_from_this()](boost::system::error_code) {
      if (const auto self = weak.lock()) self->schedule_sweep();
    }));
  }

  std::mutex mutex;
  std::deque<idle> list;  // longest idle first
  bool sweeping = false;  // schedule_sweep is posted or its timer waits
  net::strand<net::io_context::executor_type> strand;
  net::steady_timer sweep;
  const limits bounds;
};

connection_pool::connection_pool(net::io_context& io, limits bounds)
    : state_(std::make_shared<state>(io, bounds)) {}

// Closes what is idle now, though a sweep still posted holds on to the
// state (and finds it empty) until it runs.
connection_pool::~connection_pool() {
  std::deque<state::idle> idle;
  const std::lock_guard lock(state_->mutex);
  idle.swap(state_->list);
}

bool connection_pool::enabled() const { return state_->bounds.per_origin > 0 && state_->bounds.total > 0; }

std::shared_ptr<connection> connection_pool::take(const std::string& origin) {
  const std::lock_guard lock(state_->mutex);
  auto& list = state_->list;
  const auto deadline = steady::now() - state_->bounds.idle_timeout;
  const auto found = std::find_if(list.rbegin(), list.rend(),
                                  [&](const state::idle& i) { return i.origin == origin && i.since > deadline; });
  if (found == list.rend()) return nullptr;
  auto link = std::move(found->link);
  list.erase(std::next(found).base());
  return link;
}

void connection_pool::put(const std::string& origin, std::shared_ptr<connection> link) {
  if (!enabled()) return;
  std::vector<std::shared_ptr<connection>> dropped;  // closed once the lock is released
  bool start_sweep = false;
  {
    const std::lock_guard lock(state_->mutex);
    auto& list = state_->list;
    const auto same = [&](const state::idle& i) { return i.origin == origin; };
    if (static_cast<std::size_t>(std::count_if(list.begin(), list.end(), same)) >= state_->bounds.per_origin) {
      const auto oldest = std::find_if(list.begin(), list.end(), same);
      dropped.push_back(std::move(oldest->link));
      list.erase(oldest);
    }
    if (list.size() >= state_->bounds.total) {
      dropped.push_back(std::move(list.front().link));
      list.pop_front();
    }
    list.push_back({origin, std::move(link), steady::now()});
    start_sweep = !std::exchange(state_->sweeping, true);
  }
  if (start_sweep) net::post(state_->strand, [self = state_] { self->schedule_sweep(); });
}

}  // namespace feedd::daemon
