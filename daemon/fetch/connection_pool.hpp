#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

namespace feedd::daemon {

class connection;

// Idle connections kept open for the next request to the same origin
// (scheme, host, port; one pool per fetcher, so the TLS settings match too).
// Bounded per origin and in all, the longest idle dropped first; closed once
// idle for idle_timeout. Thread-safe. A connection is put here only between
// requests, with no step under way.
class connection_pool {
 public:
  struct limits {
    std::size_t per_origin = 0;
    std::size_t total = 0;
    std::chrono::milliseconds idle_timeout{0};
  };

  connection_pool(boost::asio::io_context& io, limits bounds);
  ~connection_pool();
  connection_pool(const connection_pool&) = delete;
  connection_pool& operator=(const connection_pool&) = delete;

  // Whether put() keeps anything at all.
  bool enabled() const;
  // The connection to `origin` idle the shortest time, or null.
  std::shared_ptr<connection> take(const std::string& origin);
  // Keeps `link` for a next request to `origin`, or drops (closes) it.
  void put(const std::string& origin, std::shared_ptr<connection> link);

 private:
  struct state;
  std::shared_ptr<state> state_;
};

}  // namespace feedd::daemon
