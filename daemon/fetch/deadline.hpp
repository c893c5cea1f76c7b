#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "feedd/expected.hpp"

namespace feedd::daemon {

// How long one network step (resolve, connect, tls, write, read) may wait,
// and the limit a timeout of it is reported with.
struct step_budget {
  std::chrono::steady_clock::duration wait;
  std::chrono::milliseconds limit;
};

// When the steps of one fetch must stop: at the end of fetch.timeout, which
// bounds the whole fetch, redirects included, or at cancel(). Each step
// waits for what is left, or for its own limit when that is shorter
// (connect_timeout), never for a fresh timeout per read: a server dripping a
// byte a second is still cut at the total (RELIABILITY N6).
class fetch_deadline {
 public:
  fetch_deadline(std::chrono::steady_clock::time_point start, std::chrono::milliseconds total)
      : end_(start + total), total_(total) {}

  // Any thread; the steps see it before their next wait.
  void cancel() { cancelled_ = true; }
  bool cancelled() const { return cancelled_; }

  // The error is fetch_cancelled, or the timeout of `name` when nothing is left.
  expected<step_budget, std::string> step(std::string_view name,
                                          std::optional<std::chrono::milliseconds> step_limit) const;

  // A step that failed, `ran_out` when its wait ended it: fetch_cancelled
  // once cancel() was called (closing the connection is what made it fail),
  // else its timeout or `detail`.
  std::string failure(std::string_view name, bool ran_out, std::string_view detail,
                      std::chrono::milliseconds limit) const;

 private:
  std::chrono::steady_clock::time_point end_;
  std::chrono::milliseconds total_;
  std::atomic<bool> cancelled_ = false;
};

}  // namespace feedd::daemon
