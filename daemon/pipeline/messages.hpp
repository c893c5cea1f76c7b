#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "feedd/config/config.hpp"
#include "feedd/storage/claims.hpp"
#include "fetcher.hpp"

namespace feedd::daemon {

// A claimed feed's fetch, finished one way or another (cancelled fetches and
// claims dropped before they started arrive as outcome::cancelled, so the
// store thread releases them). Every claim handed to the scheduler comes
// back exactly once, as one of these or in a `held`.
struct fetched {
  storage::claim claim;
  fetch_response response;
};

// Claims the scheduler had waiting for a host that just answered 429 or 503
// with Retry-After: they are not started, and the store thread gives them
// back to the database (the host is paused there, so no instance claims
// them before the pause ends).
struct held {
  std::string host;
  std::vector<storage::claim> claims;
};

// First SIGTERM/SIGINT: stop claiming and drain.
struct drain_requested {
  // The drain's deadline counts from the signal, not from when the store
  // thread, maybe busy with the database, gets to read this.
  std::chrono::steady_clock::time_point at = std::chrono::steady_clock::now();
};
// Second signal: in-flight fetches are being cancelled; exit as soon as the
// queue is stored.
struct cancel_requested {};
// SIGHUP: a new, already validated configuration.
struct reload_requested {
  std::shared_ptr<const config::config> next;
};

using message = std::variant<fetched, held, drain_requested, cancel_requested, reload_requested>;

}  // namespace feedd::daemon
