#include "metrics.hpp"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "connection_counters.hpp"
#include "health.hpp"
#include "live_metrics.hpp"
#include "purge_counters.hpp"
#include "version.hpp"
#include "feedd/expected.hpp"

namespace feedd::daemon {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;
using request = http::request<http::empty_body>;
using response = http::response<http::string_body>;

constexpr auto with_ec = net::as_tuple(net::use_awaitable);
constexpr auto exposition_type = "text/plain; version=0.0.4; charset=utf-8";
constexpr int listen_backlog = 64;
constexpr auto accept_retry = std::chrono::milliseconds(100);

// Exceptions are bugs or bad_alloc: they leave io_context::run(), the
// thread's top level, which logs and shuts down (STYLE 3).
constexpr auto rethrow = [](std::exception_ptr e) {
  if (e) std::rethrow_exception(e);
};

// Addresses are used as written; a name is looked up once, here, before the
// I/O threads serve anything.
expected<std::vector<tcp::endpoint>, std::string> endpoints_of(net::io_context& io, const config::listen_address& where) {
  error_code ec;
  const auto address = net::ip::make_address(where.host, ec);
  if (!ec) return std::vector<tcp::endpoint>{tcp::endpoint(address, where.port)};
  tcp::resolver resolver(io);
  const auto results = resolver.resolve(where.host, std::to_string(where.port), tcp::resolver::numeric_service, ec);
  if (ec) return unexpected{"resolve " + where.host + ": " + ec.message()};
  std::vector<tcp::endpoint> out;
  for (const auto& entry : results) out.push_back(entry.endpoint());
  if (out.empty()) return unexpected{"resolve " + where.host + ": no addresses"};
  return out;
}

std::string_view path_of(beast::string_view target) {
  const std::string_view whole(target.data(), target.size());
  return whole.substr(0, whole.find('?'));
}

response plain(http::status status, std::string body) {
  response res{status, 11};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body() = std::move(body);
  return res;
}

// A request that could not be read whole still gets its answer when the
// client is there to read it; a timeout or a client that left gets none.
std::optional<http::status> refusal(error_code ec) {
  if (ec == http::error::header_limit) return http::status::request_header_fields_too_large;  // RFC 6585 5
  if (ec == http::error::body_limit || ec == http::error::unexpected_body) return http::status::payload_too_large;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return std::nullopt;
  if (ec.category() == http::make_error_code(http::error::bad_method).category()) return http::status::bad_request;
  return std::nullopt;
}

// Everything here lives on strand_: the snapshot, the acceptor and every
// connection, so that nothing needs a mutex (Beast crawl example).
class server_state : public std::enable_shared_from_this<server_state> {
 public:
  server_state(net::io_context& io, const metrics_limits& limits)
      : strand_(net::make_strand(io)), acceptor_(strand_), retry_(strand_), limits_(limits) {}

  // Before launch(), from the starting thread: nothing else sees the acceptor yet.
  error_code open(const std::vector<tcp::endpoint>& candidates) {
    error_code ec;
    for (const auto& endpoint : candidates) {
      ec = try_open(endpoint);
      if (!ec) return ec;
    }
    return ec;
  }

  unsigned short bound_port() const {
    error_code ec;
    return acceptor_.local_endpoint(ec).port();
  }

  void launch() { net::co_spawn(strand_, accept_loop(shared_from_this()), rethrow); }

  void publish(const metrics_snapshot& s) {
    net::post(strand_, [self = shared_from_this(), s] { self->snapshot_ = s; });
  }

  void stop() {
    net::post(strand_, [self = shared_from_this()] {
      self->stopped_ = true;
      error_code ignored;
      self->acceptor_.close(ignored);
      self->retry_.cancel();
      // The serving coroutines resume later, each removing itself.
      for (const auto& stream : self->connections_) stream->close();
    });
  }

 private:
  error_code try_open(const tcp::endpoint& endpoint) {
    error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    // A restart must not wait for the old socket's TIME_WAIT to end.
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(listen_backlog, ec);
    if (ec) {
      error_code ignored;
      acceptor_.close(ignored);
    }
    return ec;
  }

  static net::awaitable<void> accept_loop(std::shared_ptr<server_state> self) {
    while (!self->stopped_) {
      auto [ec, socket] = co_await self->acceptor_.async_accept(with_ec);
      if (self->stopped_) break;  // operation_aborted from stop()
      if (ec) {
        // EMFILE and its kin last until a descriptor is freed; waiting keeps
        // the loop from spinning on them.
        self->retry_.expires_after(accept_retry);
        co_await self->retry_.async_wait(with_ec);
        continue;
      }
      if (self->connections_.size() >= self->limits_.max_connections) {
        error_code ignored;
        socket.close(ignored);
        continue;
      }
      // Counted here, not when serve() first runs, so that a burst of
      // connections cannot slip past the limit.
      auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
      self->connections_.push_back(stream);
      net::co_spawn(self->strand_, serve(self, std::move(stream)), rethrow);
    }
  }

  // One request, one response, then the connection closes: a scraper asks
  // once every few seconds, keep-alive would only hold slots.
  static net::awaitable<void> serve(std::shared_ptr<server_state> self, std::shared_ptr<beast::tcp_stream> stream) {
    // One deadline for the whole exchange, never per read: a client sending a
    // byte a second is cut all the same (RELIABILITY N6, from the other side).
    stream->expires_after(self->limits_.deadline);
    beast::flat_buffer buffer(self->limits_.header_limit + 4096);
    http::request_parser<http::empty_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(self->limits_.header_limit, UINT32_MAX)));
    parser.body_limit(0);  // GET only
    auto [read_ec, read_bytes] = co_await http::async_read(*stream, buffer, parser, with_ec);

    std::optional<response> res;
    if (!read_ec) {
      res = self->answer(parser.get());
    } else if (const auto status = refusal(read_ec)) {
      res = plain(*status, std::string(http::obsolete_reason(*status)) + "\n");
      res->keep_alive(false);
      res->prepare_payload();
    }
    if (res) {
      auto [write_ec, written] = co_await http::async_write(*stream, *res, with_ec);
      error_code ignored;
      // FIN after the response, so the client reads it before the close (RFC 9112 9.6).
      if (!write_ec) stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
    stream->close();
    std::erase(self->connections_, stream);
  }

  response answer(const request& req) const {
    const bool head = req.method() == http::verb::head;
    response res;
    if (req.method() != http::verb::get && !head) {
      res = plain(http::status::method_not_allowed, "method not allowed\n");
      res.set(http::field::allow, "GET, HEAD");  // RFC 9110 15.5.6
    } else if (const auto path = path_of(req.target()); path == "/healthz" || path == "/readyz") {
      const auto health = path == "/healthz" ? liveness() : readiness(read_live_state());
      res = plain(health.ok ? http::status::ok : http::status::service_unavailable, health.body);
      res.set(http::field::content_type, "application/json");
    } else if (path != "/metrics") {
      res = plain(http::status::not_found, "not found\n");
    } else {
      auto current = snapshot_;
      current.connections_reused = connections_reused();
      current.entries_purged = entries_purged();
      current.live = read_live_state();
      // Counted where the error happens, not when the store thread next
      // publishes: that is after the outage.
      current.counters.database_errors = current.live.database_errors;
      res = plain(http::status::ok, render_prometheus(current, version()));
      res.set(http::field::content_type, exposition_type);
    }
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(false);
    res.prepare_payload();
    if (head) res.body().clear();  // RFC 9110 9.3.2: GET's header fields, no content
    return res;
  }

  net::strand<net::io_context::executor_type> strand_;
  tcp::acceptor acceptor_;
  net::steady_timer retry_;
  metrics_limits limits_;
  metrics_snapshot snapshot_;
  bool stopped_ = false;
  std::vector<std::shared_ptr<beast::tcp_stream>> connections_;
};

class metrics_server_impl final : public metrics_server {
 public:
  metrics_server_impl(std::shared_ptr<server_state> state, unsigned short port)
      : state_(std::move(state)), port_(port) {}
  metrics_server_impl(const metrics_server_impl&) = delete;
  metrics_server_impl& operator=(const metrics_server_impl&) = delete;
  // The state outlives this handle until its last operation has ended.
  ~metrics_server_impl() override { state_->stop(); }

  void publish(const metrics_snapshot& s) override { state_->publish(s); }
  void stop() override { state_->stop(); }
  unsigned short port() const override { return port_; }

 private:
  std::shared_ptr<server_state> state_;
  unsigned short port_;
};

}  // namespace

std::unique_ptr<metrics_server> metrics_server::start(boost::asio::io_context& io,
                                                      const config::listen_address& listen, std::string& error,
                                                      const metrics_limits& limits) {
  failure why;
  auto server = start(io, listen, why, limits);
  error = why.message;
  return server;
}

std::unique_ptr<metrics_server> metrics_server::start(boost::asio::io_context& io,
                                                      const config::listen_address& listen, failure& why,
                                                      const metrics_limits& limits) {
  const auto fail = [&](const std::string& detail) {
    why.message = "metrics: listen " + config::to_string(listen) + ": " + detail;
    return nullptr;
  };
  if (listen.host.empty()) return fail("no host given");
  const auto endpoints = endpoints_of(io, listen);
  if (!endpoints) return fail(endpoints.error());
  auto state = std::make_shared<server_state>(io, limits);
  if (const auto ec = state->open(*endpoints)) {
    why.may_clear = ec == net::error::address_in_use || ec == boost::system::errc::address_not_available;
    return fail(ec.message());
  }
  const auto port = state->bound_port();
  state->launch();
  return std::make_unique<metrics_server_impl>(std::move(state), port);
}

}  // namespace feedd::daemon
