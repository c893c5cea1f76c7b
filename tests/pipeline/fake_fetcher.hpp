#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "fetcher.hpp"

namespace feedd::daemon {

// A fetcher whose fetches finish only when the test says so (complete), or
// when the scheduler cancels them. Thread-safe: the scheduler starts and
// cancels on an I/O thread while the test completes from its own.
class fake_fetcher : public fetcher {
 public:
  std::shared_ptr<fetch_handle> start(fetch_request request, std::function<void(fetch_response)> done) override {
    auto f = std::make_shared<fetch>(std::move(request), std::move(done));
    {
      std::lock_guard lock(mutex_);
      fetches_.push_back(f);
      started_at_.push_back(std::chrono::steady_clock::now());
    }
    changed_.notify_all();
    return f;
  }

  // Every fetch started so far, in start order.
  std::vector<fetch_request> started() const {
    std::lock_guard lock(mutex_);
    std::vector<fetch_request> out;
    for (const auto& f : fetches_) out.push_back(f->request);
    return out;
  }

  // When each fetch started, in start order.
  std::vector<std::chrono::steady_clock::time_point> started_at() const {
    std::lock_guard lock(mutex_);
    return started_at_;
  }

  // Fetches started and not finished, in start order.
  std::vector<fetch_request> in_flight() const {
    std::lock_guard lock(mutex_);
    std::vector<fetch_request> out;
    for (const auto& f : fetches_) {
      if (!f->finished) out.push_back(f->request);
    }
    return out;
  }

  bool was_cancelled(std::int64_t feed_id) const {
    std::lock_guard lock(mutex_);
    for (const auto& f : fetches_) {
      if (f->request.feed_id == feed_id && f->cancelled) return true;
    }
    return false;
  }

  // Waits until `count` fetches have started, at most `limit`.
  bool wait_started(std::size_t count, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return fetches_.size() >= count; });
  }

  // Finishes feed_id's fetch with `response`; false if it is not in flight.
  bool complete(std::int64_t feed_id, fetch_response response) {
    std::shared_ptr<fetch> found;
    {
      std::lock_guard lock(mutex_);
      for (const auto& f : fetches_) {
        if (f->request.feed_id == feed_id && !f->finished) found = f;
      }
    }
    return found && found->finish(std::move(response));
  }

 private:
  struct fetch : fetch_handle {
    fetch(fetch_request r, std::function<void(fetch_response)> d) : request(std::move(r)), done(std::move(d)) {}

    // Like the real fetcher: done is called exactly once, and a cancel
    // reports outcome::cancelled unless the fetch finished first.
    void cancel() override {
      cancelled = true;
      fetch_response r;
      r.what = fetch_response::outcome::cancelled;
      r.error = fetch_cancelled;
      finish(std::move(r));
    }
    bool finish(fetch_response r) {
      if (finished.exchange(true)) return false;
      done(std::move(r));
      return true;
    }

    const fetch_request request;
    std::function<void(fetch_response)> done;
    std::atomic<bool> finished{false};
    std::atomic<bool> cancelled{false};
  };

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::shared_ptr<fetch>> fetches_;
  std::vector<std::chrono::steady_clock::time_point> started_at_;
};

}  // namespace feedd::daemon
