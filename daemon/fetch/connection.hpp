#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "deadline.hpp"
#include "feedd/expected.hpp"
#include "feedd/parsers/url.hpp"
#include "fetcher.hpp"
#include "final_response.hpp"
#include "http_headers.hpp"

// Inside the fetch module only. Beast stays behind this header, in
// connection.cpp; its callers see plain values.
namespace feedd::daemon {

// One response as plain values.
struct exchange_answer {
  final_response response;  // the body is read for 2xx only
  std::string location;     // a redirect's Location, as sent
};

// One HTTP/1.1 connection, plain or TLS. Its steps are coroutines to be
// awaited on `executor`; each takes its wait from the fetch's deadline and
// names itself in its error ("fetch: connect: Connection refused").
class connection {
 public:
  // TLS when `tls` is not null; the context must outlive the connection.
  connection(const boost::asio::any_io_executor& executor, boost::asio::ssl::context* tls);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  // Connects to the first endpoint that answers; for https, then the TLS
  // handshake with SNI and, with tls_verify, the host name check.
  boost::asio::awaitable<expected<void, std::string>> open(
      const std::vector<boost::asio::ip::tcp::endpoint>& endpoints, const parsers::http_url& url,
      const fetch_options& options, const fetch_deadline& deadline);

  // GET url.target with `fields`; reads the header within max_header and,
  // for a 2xx, the body within max_body.
  boost::asio::awaitable<expected<exchange_answer, std::string>> exchange(
      const parsers::http_url& url, const std::vector<request_field>& fields, const fetch_options& options,
      const fetch_deadline& deadline);

  // Ends the step under way with an error (cancel); on `executor` only.
  void close();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace feedd::daemon
