#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>

#include "deadline.hpp"
#include "feedd/expected.hpp"
#include "feedd/parsers/url.hpp"
#include "fetcher.hpp"
#include "final_response.hpp"
#include "http_headers.hpp"
#include "proxy.hpp"

// Inside the fetch module only. Beast stays behind this header, in
// connection.cpp; its callers see plain values.
namespace feedd::daemon {

// One response as plain values.
struct exchange_answer {
  final_response response;  // the body is read for 2xx only
  std::string location;     // a redirect's Location, as sent
  // The whole message was read, both sides keep the connection open and
  // nothing else came: it may carry another request.
  bool reusable = false;
};

struct exchange_failure {
  std::string error;
  // Not a byte of an answer came: on a connection kept from an earlier
  // request this is a server that closed it while it was idle, and the
  // request may go again on another.
  bool unanswered = false;
};

// One HTTP/1.1 connection, plain or TLS, with a strand of its own. Its steps
// are coroutines to be run on executor(), so that one fetch after another
// can use the connection whatever strand each fetch runs on. Each step takes
// its wait from the fetch's deadline and names itself in its error
// ("fetch: connect: Connection refused").
class connection {
 public:
  using executor_type = boost::asio::strand<boost::asio::io_context::executor_type>;

  // TLS when `tls` is not null; the context must outlive the connection.
  connection(boost::asio::io_context& io, boost::asio::ssl::context* tls);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  const executor_type& executor() const;

  // Connects to the first endpoint that answers; for https, then the TLS
  // handshake with SNI and, with tls_verify, the host name check. With `via`
  // the endpoints are the proxy's: an https connection first asks it for a
  // tunnel to url's host and port (CONNECT), then speaks TLS to the origin
  // through it, verified against url.host as a direct one is.
  boost::asio::awaitable<expected<void, std::string>> open(
      const std::vector<boost::asio::ip::tcp::endpoint>& endpoints, const parsers::http_url& url,
      const fetch_options& options, const fetch_deadline& deadline, const proxy_endpoint* via);

  // GET `target` (origin form, or absolute form to a proxy) with `fields`; reads the header within max_header and,
  // for a 2xx, the body within max_body. A reusable connection is left with
  // no step under way, ready for connection_pool::put.
  boost::asio::awaitable<expected<exchange_answer, exchange_failure>> exchange(
      const std::string& target, const std::vector<request_field>& fields, const fetch_options& options,
      const fetch_deadline& deadline);

  // Whether a connection that waited idle can carry a request: the server
  // has neither closed it nor sent anything unasked since.
  bool still_open();

  // Ends the step under way with an error (cancel); on `executor` only.
  void close();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace feedd::daemon
