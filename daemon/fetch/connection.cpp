// The fetch module's one translation unit that compiles Beast's message and
// stream code: connect, TLS, write, read.
#include "connection.hpp"

#include <algorithm>
#include <cerrno>
#include <optional>
#include <utility>

#include <sys/socket.h>
#include <unistd.h>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace feedd::daemon {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using boost::system::error_code;
using std::chrono::milliseconds;
using response = http::response<http::string_body>;
template <class T>
using result = expected<T, std::string>;

constexpr auto with_ec = net::as_tuple(net::use_awaitable);
constexpr std::size_t read_buffer_limit = 64 * 1024;  // bounds a chunk-size line without an end

std::string step_failure(const fetch_deadline& deadline, std::string_view step, error_code ec, milliseconds limit) {
  return deadline.failure(step, ec == beast::error::timeout, ec.message(), limit);
}

// A reason phrase is server text; the standard one keeps our messages clean.
template <class Body>
std::string reason_text(const http::response<Body>& res) {
  const auto standard = http::obsolete_reason(http::int_to_status(res.result_int()));
  if (standard != "<unknown-status>") return std::string(standard);
  const std::string_view given = res.reason();
  return is_ascii_field_value(given) ? std::string(given) : std::string();
}

std::string ascii_or_empty(std::string_view value) { return is_ascii_field_value(value) ? std::string(value) : std::string(); }

exchange_answer answer_of(response res) {
  exchange_answer out;
  final_response& f = out.response;
  f.status = static_cast<int>(res.result_int());
  f.reason = reason_text(res);
  f.etag = ascii_or_empty(res[http::field::etag]);
  f.last_modified = ascii_or_empty(res[http::field::last_modified]);
  for (auto [it, end] = res.equal_range(http::field::cache_control); it != end; ++it) {
    f.cache_control += (f.cache_control.empty() ? "" : ", ") + std::string(it->value());
  }
  f.content_type = std::string(res[http::field::content_type]);
  f.content_encoding = std::string(res[http::field::content_encoding]);
  f.retry_after = std::string(res[http::field::retry_after]);
  f.date = std::string(res[http::field::date]);
  f.body = std::move(res.body());
  out.location = std::string(res[http::field::location]);
  return out;
}

// Asio's range connect reports a socket it could not open (EMFILE when the
// descriptors run out, RELIABILITY P9) as operation_aborted, the code of a
// cancel, because it finds the socket closed afterwards. Opening one here
// tells the real cause; after a real cancel `ec` stays as it was.
error_code why_no_socket(const tcp::endpoint& endpoint, error_code ec) {
  const int fd = ::socket(endpoint.protocol().family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {errno, boost::system::system_category()};
  ::close(fd);
  return ec;
}

}  // namespace

struct connection::impl {
  impl(net::io_context& io, ssl::context* context) : strand(net::make_strand(io)) {
    if (context != nullptr) tls.emplace(strand, *context);
    else plain.emplace(strand);
  }

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  net::awaitable<result<void>> handshake(const parsers::http_url& url, const fetch_options& options,
                                         const fetch_deadline& deadline) {
    // SNI carries names only, never address literals (RFC 6066 3).
    error_code not_literal;
    net::ip::make_address(url.host, not_literal);
    SSL* handle = tls->native_handle();
    if (not_literal && !SSL_set_tlsext_host_name(handle, url.host.c_str())) {
      co_return unexpected{fetch_error("tls", "cannot set server name")};
    }
    // OpenSSL's own name check rather than a verify callback: a mismatch then
    // is a verify result of its own ("hostname mismatch") that we can report.
    if (options.tls_verify && !expect_peer_name(handle, url.host, !not_literal)) {
      co_return unexpected{fetch_error("tls", "cannot set the expected host name")};
    }
    auto budget = deadline.step("tls", std::nullopt);
    if (!budget) co_return unexpected{budget.error()};
    lowest().expires_after(budget->wait);
    auto [ec] = co_await tls->async_handshake(ssl::stream_base::client, with_ec);
    if (ec) co_return unexpected{deadline.failure("tls", ec == beast::error::timeout, tls_failure(handle, ec), budget->limit)};
    co_return result<void>{};
  }

  static bool expect_peer_name(SSL* handle, const std::string& host, bool literal) {
    if (literal) return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handle), host.c_str()) == 1;
    SSL_set_hostflags(handle, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    return SSL_set1_host(handle, host.c_str()) == 1;
  }

  // "certificate verify failed: certificate has expired" rather than
  // OpenSSL's bare "certificate verify failed": the operator learns which
  // of expired, wrong name, unknown issuer (RELIABILITY T1).
  static std::string tls_failure(SSL* handle, error_code ec) {
    const long verdict = SSL_get_verify_result(handle);
    if (verdict == X509_V_OK) return ec.message();
    return "certificate verify failed: " + std::string(X509_verify_cert_error_string(verdict));
  }

  // Asks the proxy for a tunnel to url's host and port (RFC 9110 9.3.6).
  net::awaitable<result<void>> tunnel(const parsers::http_url& url, const proxy_endpoint& via,
                                      const fetch_options& options, const fetch_deadline& deadline) {
    const bool v6 = url.host.find(':') != std::string::npos;
    const std::string authority = (v6 ? "[" + url.host + "]" : url.host) + ":" + url.port;
    http::request<http::empty_body> req{http::verb::connect, authority, 11};
    req.set(http::field::host, authority);
    req.set(http::field::user_agent, options.user_agent);
    if (!via.authorization.empty()) req.set(http::field::proxy_authorization, via.authorization);
    auto budget = deadline.step("proxy", std::nullopt);
    if (!budget) co_return unexpected{budget.error()};
    lowest().expires_after(budget->wait);
    auto [write_ec, written] = co_await http::async_write(lowest(), req, with_ec);
    if (write_ec) co_return unexpected{step_failure(deadline, "proxy", write_ec, budget->limit)};
    // A 2xx to CONNECT has no body: what follows is the tunnel.
    http::response_parser<http::empty_body> parser;
    parser.skip(true);
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(options.max_header, UINT32_MAX)));
    beast::flat_buffer buffer(read_buffer_limit);
    auto [read_ec, read] = co_await http::async_read_header(lowest(), buffer, parser, with_ec);
    if (read_ec) co_return unexpected{step_failure(deadline, "proxy", read_ec, budget->limit)};
    const auto& answer = parser.get();
    if (answer.result_int() / 100 != 2) {
      co_return unexpected{fetch_error("proxy", "CONNECT " + authority + " answered " +
                                                    std::to_string(answer.result_int()) + " " + reason_text(answer) +
                                                    " (" + via.label() + ")")};
    }
    if (buffer.size() != 0) co_return unexpected{fetch_error("proxy", "sent data before the TLS handshake")};
    co_return result<void>{};
  }

  template <class Stream>
  net::awaitable<expected<exchange_answer, exchange_failure>> exchange(Stream& stream,
                                                                       const http::request<http::empty_body>& req,
                                                                       const fetch_options& options,
                                                                       const fetch_deadline& deadline) {
    using failure = exchange_failure;
    auto budget = deadline.step("write", std::nullopt);
    if (!budget) co_return unexpected{failure{budget.error()}};
    lowest().expires_after(budget->wait);
    auto [write_ec, written] = co_await http::async_write(stream, req, with_ec);
    if (write_ec) co_return unexpected{unanswered(deadline, "write", write_ec, budget->limit)};

    http::response_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(options.max_header, UINT32_MAX)));
    parser.body_limit(options.max_body);
    beast::flat_buffer buffer(read_buffer_limit);
    budget = deadline.step("read", std::nullopt);
    if (!budget) co_return unexpected{failure{budget.error()}};
    lowest().expires_after(budget->wait);
    auto [header_ec, header_bytes] = co_await http::async_read_header(stream, buffer, parser, with_ec);
    // Beast compares Content-Length with body_limit as the header ends. The
    // fields are complete by then, and only a success has a body we want: a
    // redirect or an error status stays usable with its body unread.
    const bool oversized = header_ec == http::error::body_limit;
    if (header_ec && !oversized && buffer.size() == 0 && header_bytes == 0) {
      co_return unexpected{unanswered(deadline, "read", header_ec, budget->limit)};
    }
    if (header_ec && !oversized) co_return unexpected{failure{step_failure(deadline, "read", header_ec, budget->limit)}};
    if (parser.get().result_int() / 100 != 2) co_return finish(parser, buffer);
    if (oversized) {
      const auto length = parser.content_length();
      const std::string announced = length ? "Content-Length " + std::to_string(*length) : "body";
      co_return unexpected{
          failure{fetch_error("body", announced + " exceeds " + std::to_string(options.max_body) + " bytes")}};
    }
    auto [body_ec, body_bytes] = co_await http::async_read(stream, buffer, parser, with_ec);
    // A TLS peer that closes without close_notify ends a close-delimited body
    // just as EOF would (Beast's advice on ssl::error::stream_truncated).
    if (body_ec == ssl::error::stream_truncated && parser.need_eof()) parser.put_eof(body_ec);
    if (body_ec == http::error::body_limit) {
      co_return unexpected{failure{fetch_error("body", "body exceeds " + std::to_string(options.max_body) + " bytes")}};
    }
    if (body_ec) co_return unexpected{failure{step_failure(deadline, "read", body_ec, budget->limit)}};
    co_return finish(parser, buffer);
  }

  // Keep-alive only without doubt (RFC 9112 9.3): the message read to its
  // end (an unread error body, or one ended by closing, leaves it in the
  // middle), both sides willing (no Connection: close, no HTTP/1.0 without
  // keep-alive), and no bytes beyond it.
  exchange_answer finish(http::response_parser<http::string_body>& parser, const beast::flat_buffer& buffer) {
    const bool reusable = parser.is_done() && parser.keep_alive() && buffer.size() == 0;
    // An idle connection must have no timer running: nothing is under way.
    if (reusable) lowest().expires_never();
    auto answer = answer_of(parser.release());
    answer.reusable = reusable;
    return answer;
  }

  // A step that failed before a byte of the answer came; said so unless it
  // ran out of time or was cancelled, which another connection would not mend.
  static exchange_failure unanswered(const fetch_deadline& deadline, std::string_view step, error_code ec,
                                     milliseconds limit) {
    return {step_failure(deadline, step, ec, limit), ec != beast::error::timeout && !deadline.cancelled()};
  }

  net::strand<net::io_context::executor_type> strand;

  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
};

connection::connection(net::io_context& io, ssl::context* tls) : impl_(std::make_unique<impl>(io, tls)) {}

connection::~connection() = default;

const connection::executor_type& connection::executor() const { return impl_->strand; }

net::awaitable<result<void>> connection::open(const std::vector<tcp::endpoint>& endpoints,
                                              const parsers::http_url& url, const fetch_options& options,
                                              const fetch_deadline& deadline, const proxy_endpoint* via) {
  const std::string step = via ? "connect to " + via->label() : std::string("connect");
  auto budget = deadline.step(step, options.connect_timeout);
  if (!budget) co_return unexpected{budget.error()};
  impl_->lowest().expires_after(budget->wait);
  auto [ec, endpoint] = co_await impl_->lowest().async_connect(endpoints, with_ec);
  if (ec == net::error::operation_aborted && !endpoints.empty()) ec = why_no_socket(endpoints.front(), ec);
  if (ec) co_return unexpected{step_failure(deadline, step, ec, budget->limit)};
  if (impl_->tls && via) {
    auto tunnelled = co_await impl_->tunnel(url, *via, options, deadline);
    if (!tunnelled) co_return tunnelled;
  }
  if (impl_->tls) co_return co_await impl_->handshake(url, options, deadline);
  co_return result<void>{};
}

net::awaitable<expected<exchange_answer, exchange_failure>> connection::exchange(
    const std::string& target, const std::vector<request_field>& fields, const fetch_options& options,
    const fetch_deadline& deadline) {
  http::request<http::empty_body> req{http::verb::get, target, 11};
  for (const auto& field : fields) req.set(field.name, field.value);
  if (impl_->tls) co_return co_await impl_->exchange(*impl_->tls, req, options, deadline);
  co_return co_await impl_->exchange(*impl_->plain, req, options, deadline);
}

bool connection::still_open() {
  auto& socket = impl_->lowest().socket();
  if (!socket.is_open()) return false;
  // Bytes OpenSSL has read and not handed on are something unasked too.
  if (impl_->tls && SSL_pending(impl_->tls->native_handle()) > 0) return false;
  // A peek that would block: nothing came, not even the end of the stream.
  char byte = 0;
  const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void connection::close() { impl_->lowest().close(); }

}  // namespace feedd::daemon
