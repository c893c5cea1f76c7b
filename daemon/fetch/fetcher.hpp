#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "name_lookup.hpp"

// Forward declaration only: whoever includes this pays for no Asio; of the
// fetch module only connection.cpp compiles Beast (its bodies are in
// asio_impl.cpp).
namespace boost::asio {
class io_context;
}

namespace feedd::daemon {

struct fetch_options {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds timeout{30'000};  // whole request, redirects included
  std::size_t max_body = 16 * 1024 * 1024;    // after decompression; also the wire cap
  std::size_t max_header = 16 * 1024;
  int max_redirects = 5;
  std::string user_agent = "feedd";
  bool tls_verify = true;
  std::string ca_file;
  bool block_private_addresses = true;
  // Proxy URLs (http://[user:pass@]host:port) for http and https feeds, empty
  // for none, and the NO_PROXY list; the caller has settled fetch.proxy
  // against the environment. The private-address policy still judges each
  // feed's own host; the proxy's address is allowed whatever it is.
  std::string http_proxy;
  std::string https_proxy;
  std::string no_proxy;
  // Host name lookups in flight at once, each on a thread of its own (see
  // name_lookup.hpp); IP literals need none.
  std::size_t lookup_threads = 16;
  // Resolves one name, blocking; empty: getaddrinfo. Tests put theirs here.
  std::function<lookup_answer(const std::string& host)> lookup;
  // Idle connections kept open for the next request to the same origin
  // (HTTP/1.1 keep-alive), per origin and in all, and how long each may
  // wait. A zero count turns reuse off: every request then says
  // Connection: close.
  std::size_t max_idle_per_origin = 2;
  std::size_t max_idle_connections = 64;
  std::chrono::milliseconds idle_timeout{30'000};
};

struct fetch_request {
  std::int64_t feed_id = 0;
  std::string url;
  std::string etag;           // sent as If-None-Match when not empty
  std::string last_modified;  // sent as If-Modified-Since when not empty
};

struct fetch_response {
  enum class outcome {
    ok,            // 2xx with a body, decoded
    not_modified,  // 304
    http_error,    // a final non-2xx, non-304 status
    failed,        // no usable response: DNS, connect, TLS, timeout, protocol, limits, policy
    cancelled,     // cancel() was called before it finished
  };
  outcome what = outcome::failed;
  int status = 0;              // HTTP status when a response arrived, else 0
  std::string body;            // ok only: decoded body (gzip removed), at most max_body bytes
  std::string content_type;    // media type, lower case, no parameters
  std::string charset;         // charset parameter of Content-Type, or empty
  std::string etag;            // from the final response
  std::string last_modified;   // from the final response
  std::string final_url;       // after redirects
  bool moved_permanently = false;  // final_url was reached by 301 and 308 redirects only
  bool no_such_host = false;       // failed: the DNS says the (last) host does not exist
  std::optional<std::chrono::seconds> retry_after;  // 429/503 Retry-After (seconds or HTTP-date)
  std::optional<std::chrono::seconds> max_age;      // Cache-Control max-age of a 2xx/304
  std::string error;           // "fetch: connect: Connection refused"; empty when ok/not_modified
  std::size_t wire_bytes = 0;  // body bytes read off the network
  bool reused_connection = false;  // the last request went over a connection kept from an earlier one
  std::chrono::milliseconds elapsed{0};
};

// fetch_response::error of a fetch that cancel() ended.
inline constexpr std::string_view fetch_cancelled = "fetch: cancelled";

// fetch_response::error of a failed step: "fetch: connect: Connection refused"
// (module: step: detail, as every error message of feedd).
std::string fetch_error(std::string_view step, std::string_view detail);

// A fetch in progress. cancel() may be called from any thread, any number of
// times; the completion then reports outcome::cancelled (unless it already
// finished).
class fetch_handle {
 public:
  virtual ~fetch_handle() = default;
  virtual void cancel() = 0;
};

// HTTP/1.1 client for http and https (OpenSSL, peer verification, SNI),
// through an HTTP proxy when configured (absolute-form requests for http,
// CONNECT tunnels for https),
// conditional requests, redirects, gzip, total deadline, size limits, the
// private-address policy on every resolved endpoint of every hop, and
// keep-alive: a request to an origin goes over an idle connection to it
// when there is one (its address was judged when it was opened). Each fetch
// runs on its own strand; `done` is called exactly once, on an I/O thread.
// Never touches the database.
class fetcher {
 public:
  // Fails (returns an error string) when the TLS context cannot be set up,
  // e.g. a ca_file that cannot be read.
  static std::unique_ptr<fetcher> create(boost::asio::io_context& io, const fetch_options& options,
                                         std::string& error);
  virtual ~fetcher() = default;

  virtual std::shared_ptr<fetch_handle> start(fetch_request request,
                                              std::function<void(fetch_response)> done) = 0;
};

}  // namespace feedd::daemon
