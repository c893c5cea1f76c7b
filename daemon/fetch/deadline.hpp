#pragma once

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

// fetch.timeout bounds the whole fetch, redirects included. Each step waits
// for what is left of it, or for its own limit when that is shorter
// (connect_timeout), never for a fresh timeout per read: a server dripping a
// byte a second is still cut at the total (RELIABILITY N6).
class fetch_deadline {
 public:
  fetch_deadline(std::chrono::steady_clock::time_point start, std::chrono::milliseconds total)
      : end_(start + total), total_(total) {}

  // The error is the timeout of `name` when nothing is left.
  expected<step_budget, std::string> step(std::string_view name,
                                          std::optional<std::chrono::milliseconds> step_limit) const;

 private:
  std::chrono::steady_clock::time_point end_;
  std::chrono::milliseconds total_;
};

// "fetch: read: timed out after 30s", the limit spelled as in the config file.
std::string timed_out(std::string_view step, std::chrono::milliseconds limit);

}  // namespace feedd::daemon
