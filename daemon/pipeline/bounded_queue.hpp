#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>

namespace feedd::daemon {

// The one structure shared between the network threads and the store
// thread. Fetched documents count against the capacity; control messages
// (stop, reload) bypass it, since refusing a signal would be worse than
// one message over. Producers never block: a full queue is the scheduler's
// cue to start no new fetch (Beast advanced server's queue_limit).
template <class T>
class bounded_queue {
 public:
  explicit bounded_queue(std::size_t capacity) : capacity_(capacity) {}

  // Takes the item only when there is room: a refused item is left intact
  // with the caller, who keeps it until a slot frees.
  bool try_push(T&& item) {
    {
      std::lock_guard lock(mutex_);
      if (counted_ >= capacity_) return false;
      items_.push_back({std::move(item), true});
      ++counted_;
    }
    ready_.notify_one();
    return true;
  }

  void push_control(T item) {
    {
      std::lock_guard lock(mutex_);
      items_.push_back({std::move(item), false});
    }
    ready_.notify_one();
  }

  std::optional<T> pop_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!ready_.wait_for(lock, timeout, [this] { return !items_.empty(); })) return std::nullopt;
    slot s = std::move(items_.front());
    items_.pop_front();
    if (s.counted) --counted_;
    return std::move(s.item);
  }

  // The oldest control message, if any, leaving documents in place: lets the
  // store thread hear a signal while it waits out a database outage.
  std::optional<T> take_control() {
    std::lock_guard lock(mutex_);
    return take_control_locked();
  }

  // take_control, waiting up to `timeout` for one to arrive.
  std::optional<T> take_control_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    std::optional<T> found;
    ready_.wait_for(lock, timeout, [&] {
      found = take_control_locked();
      return found.has_value();
    });
    return found;
  }

  // Calls `look` on each item under the lock, oldest first (the store
  // thread asks which hosts' results wait here rather than at their host).
  template <class Look>
  void look_at_each(Look look) const {
    std::lock_guard lock(mutex_);
    for (const auto& s : items_) look(s.item);
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return counted_;
  }
  bool full() const { return size() >= capacity_; }
  bool empty() const {
    std::lock_guard lock(mutex_);
    return items_.empty();
  }

 private:
  struct slot {
    T item;
    bool counted;
  };

  std::optional<T> take_control_locked() {
    for (auto it = items_.begin(); it != items_.end(); ++it) {
      if (!it->counted) {
        T item = std::move(it->item);
        items_.erase(it);
        return item;
      }
    }
    return std::nullopt;
  }

  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<slot> items_;
  std::size_t counted_ = 0;
  const std::size_t capacity_;
};

}  // namespace feedd::daemon
