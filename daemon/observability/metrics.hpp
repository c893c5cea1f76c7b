#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "feedd/config/config.hpp"
#include "metrics_format.hpp"

// Forward declaration only: Asio and Beast stay inside metrics.cpp (and the
// other few translation units that pay for them).
namespace boost::asio {
class io_context;
}

namespace feedd::daemon {

// Defaults are the product's; tests shorten the deadline.
struct metrics_limits {
  std::chrono::milliseconds deadline{5'000};  // whole exchange: request read and response written
  std::size_t max_connections = 16;           // further ones are closed as soon as accepted
  std::size_t header_limit = 8 * 1024;        // request line and fields
};

// metrics.listen: a small HTTP/1.1 server for GET /metrics (Prometheus text
// format 0.0.4). One strand holds the latest snapshot and every connection;
// it never blocks the I/O threads and never touches the database.
// Destroying the handle stops the server; the io_context must outlive it.
class metrics_server {
 public:
  // Binds `listen` (port 0 picks one; a host name is resolved here,
  // synchronously). Returns null and sets `error` on failure
  // ("metrics: listen 127.0.0.1:9118: Address already in use").
  static std::unique_ptr<metrics_server> start(boost::asio::io_context& io, const config::listen_address& listen,
                                               std::string& error, const metrics_limits& limits = {});
  // The same, also telling a failure that may clear by itself (the port in
  // use by another process, the address not assigned yet: EADDRINUSE,
  // EADDRNOTAVAIL) from one that will not (a name that does not resolve).
  struct failure {
    std::string message;
    bool may_clear = false;
  };
  static std::unique_ptr<metrics_server> start(boost::asio::io_context& io, const config::listen_address& listen,
                                               failure& why, const metrics_limits& limits = {});
  virtual ~metrics_server() = default;
  virtual void publish(const metrics_snapshot& s) = 0;  // thread-safe: posts the copy to the server's strand
  virtual void stop() = 0;                               // thread-safe: closes the acceptor and open connections
  virtual unsigned short port() const = 0;               // the bound port (for tests using port 0)
};

}  // namespace feedd::daemon
