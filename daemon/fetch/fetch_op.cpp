// One fetch, as one coroutine that reads in protocol order: resolve, check
// the address policy, connect, TLS, write, read, follow the redirect, again.
// The one translation unit of the fetch module that compiles Beast.
#include <algorithm>
#include <atomic>
#include <exception>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "address_policy.hpp"
#include "deadline.hpp"
#include "feedd/parsers/url.hpp"
#include "fetch_context.hpp"
#include "final_response.hpp"
#include "http_headers.hpp"
#include "redirect_chain.hpp"

namespace feedd::daemon {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using boost::system::error_code;
using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;
using response = http::response<http::string_body>;
template <class T>
using result = expected<T, std::string>;

constexpr auto with_ec = net::as_tuple(net::use_awaitable);
constexpr std::size_t read_buffer_limit = 64 * 1024;  // bounds a chunk-size line without an end

bool is_allowed(const net::ip::address& address) {
  if (address.is_v4()) return is_public_v4(address.to_v4().to_uint());
  return is_public_v6(address.to_v6().to_bytes());
}

// The addresses of a lookup a fetch may connect to. The address judged is the
// address connected to: no second lookup to rebind (RELIABILITY X4).
result<std::vector<tcp::endpoint>> endpoints_of(const lookup_answer& answer, const parsers::http_url& url,
                                                bool block_private_addresses) {
  const auto port = static_cast<std::uint16_t>(std::stoi(url.port));
  std::vector<tcp::endpoint> allowed;
  std::string blocked;
  for (const auto& text : answer.addresses) {
    error_code ec;
    const auto address = net::ip::make_address(text, ec);
    if (ec) continue;
    if (!block_private_addresses || is_allowed(address)) {
      allowed.emplace_back(address, port);
    } else if (blocked.empty()) {
      blocked = address.to_string();
    }
  }
  if (allowed.empty() && !blocked.empty()) {
    return unexpected{fetch_error("policy", "address " + blocked + " is not allowed (fetch.block_private_addresses)")};
  }
  if (allowed.empty()) return unexpected{fetch_error("resolve", "no addresses for " + url.host)};
  return allowed;
}

// A reason phrase is server text; the standard one keeps our messages clean.
std::string reason_text(const response& res) {
  const auto standard = http::obsolete_reason(http::int_to_status(res.result_int()));
  if (standard != "<unknown-status>") return std::string(standard);
  const std::string_view given = res.reason();
  return is_ascii_field_value(given) ? std::string(given) : std::string();
}

std::string ascii_or_empty(std::string_view value) { return is_ascii_field_value(value) ? std::string(value) : std::string(); }

final_response final_response_of(response res) {
  final_response out;
  out.status = static_cast<int>(res.result_int());
  out.reason = reason_text(res);
  out.etag = ascii_or_empty(res[http::field::etag]);
  out.last_modified = ascii_or_empty(res[http::field::last_modified]);
  for (auto [it, end] = res.equal_range(http::field::cache_control); it != end; ++it) {
    out.cache_control += (out.cache_control.empty() ? "" : ", ") + std::string(it->value());
  }
  out.content_type = std::string(res[http::field::content_type]);
  out.content_encoding = std::string(res[http::field::content_encoding]);
  out.retry_after = std::string(res[http::field::retry_after]);
  out.date = std::string(res[http::field::date]);
  out.body = std::move(res.body());
  return out;
}

// Points cancel() at the connection of the current hop for as long as it exists.
class interruptible {
 public:
  interruptible(beast::tcp_stream*& slot, beast::tcp_stream& stream) : slot_(slot) { slot_ = &stream; }
  interruptible(const interruptible&) = delete;
  interruptible& operator=(const interruptible&) = delete;
  ~interruptible() { slot_ = nullptr; }

 private:
  beast::tcp_stream*& slot_;
};

// A lookup runs getaddrinfo on a thread that cannot be interrupted
// (name_lookup.hpp): it reports here, on the fetch's strand, and we stop
// waiting for it at our deadline.
struct pending_resolve {
  explicit pending_resolve(const net::any_io_executor& ex) : timer(ex) {}
  net::steady_timer timer;
  bool complete = false;
  lookup_answer answer;
  std::shared_ptr<std::atomic<bool>> abandoned = std::make_shared<std::atomic<bool>>(false);
};

class fetch_op final : public fetch_handle, public std::enable_shared_from_this<fetch_op> {
 public:
  fetch_op(std::shared_ptr<fetch_context> context, fetch_request request, std::function<void(fetch_response)> done)
      : context_(std::move(context)),
        options_(context_->options),
        strand_(net::make_strand(context_->io)),
        request_(std::move(request)),
        done_(std::move(done)),
        start_(steady::now()),
        deadline_(start_, options_.timeout) {}

  void launch() {
    net::co_spawn(strand_, run(),
                  net::bind_executor(strand_, [self = shared_from_this()](std::exception_ptr e, fetch_response r) {
                    self->complete(e, std::move(r));
                  }));
  }

  void cancel() override {
    net::post(strand_, [self = shared_from_this()] {
      if (self->finished_) return;
      self->cancelled_ = true;
      if (self->timer_ != nullptr) self->timer_->cancel();
      if (self->stream_ != nullptr) self->stream_->close();
    });
  }

 private:
  net::awaitable<fetch_response> run() {
    fetch_response out;
    out.final_url = request_.url;
    auto chain = redirect_chain::start(request_.url, options_.max_redirects);
    if (!chain) {
      out.error = fetch_error("policy", chain.error());
      co_return out;
    }
    for (;;) {
      auto hop = co_await fetch_hop(chain->target(), chain->credentials());
      if (!hop) {
        out.error = std::move(hop.error());
        out.no_such_host = no_such_host_;
        co_return out;
      }
      const int status = static_cast<int>(hop->result_int());
      out.status = status;
      if (!is_redirect_status(status)) {
        co_return conclude(final_response_of(std::move(*hop)), std::move(out), options_.max_body,
                           std::chrono::system_clock::now());
      }
      if (auto followed = chain->follow(status, (*hop)[http::field::location]); !followed) {
        out.error = fetch_error("redirect", followed.error());
        co_return out;
      }
      out.final_url = chain->url();
      out.moved_permanently = chain->moved_permanently();
    }
  }

  // One request on a new connection: resolve, check policy, connect, TLS, write, read.
  net::awaitable<result<response>> fetch_hop(const parsers::http_url& url, const std::string& userinfo) {
    auto endpoints = co_await resolve(url);
    if (!endpoints) co_return unexpected{endpoints.error()};
    if (!url.tls) {
      beast::tcp_stream stream(strand_);
      const interruptible guard(stream_, stream);
      auto connected = co_await connect(stream, *endpoints);
      if (!connected) co_return unexpected{connected.error()};
      co_return co_await exchange(stream, stream, url, userinfo);
    }
    beast::ssl_stream<beast::tcp_stream> stream(strand_, context_->tls);
    auto& lowest = beast::get_lowest_layer(stream);
    const interruptible guard(stream_, lowest);
    auto connected = co_await connect(lowest, *endpoints);
    if (!connected) co_return unexpected{connected.error()};
    auto secured = co_await handshake(stream, url);
    if (!secured) co_return unexpected{secured.error()};
    co_return co_await exchange(stream, lowest, url, userinfo);
  }

  net::awaitable<result<std::vector<tcp::endpoint>>> resolve(const parsers::http_url& url) {
    auto budget = step("resolve", options_.connect_timeout);
    if (!budget) co_return unexpected{budget.error()};
    error_code literal_ec;
    if (const auto literal = net::ip::make_address(url.host, literal_ec); !literal_ec) {
      co_return endpoints_of(lookup_answer{{literal.to_string()}, {}, false}, url, options_.block_private_addresses);
    }
    auto pending = std::make_shared<pending_resolve>(strand_);
    pending->timer.expires_after(budget->wait);
    context_->names.lookup(
        url.host,
        [pending, strand = strand_](lookup_answer answer) {
          net::post(strand, [pending, answer = std::move(answer)]() mutable {
            if (*pending->abandoned) return;
            pending->complete = true;
            pending->answer = std::move(answer);
            pending->timer.cancel();
          });
        },
        pending->abandoned);
    timer_ = &pending->timer;
    co_await pending->timer.async_wait(with_ec);
    timer_ = nullptr;
    // The late answer, if it ever comes, is dropped.
    *pending->abandoned = true;
    if (!pending->complete) co_return unexpected{step_failure("resolve", beast::error::timeout, budget->limit)};
    if (!pending->answer.error.empty()) {
      no_such_host_ = pending->answer.no_such_host;
      co_return unexpected{fetch_error("resolve", pending->answer.error)};
    }
    co_return endpoints_of(pending->answer, url, options_.block_private_addresses);
  }

  net::awaitable<result<void>> connect(beast::tcp_stream& stream, const std::vector<tcp::endpoint>& endpoints) {
    auto budget = step("connect", options_.connect_timeout);
    if (!budget) co_return unexpected{budget.error()};
    stream.expires_after(budget->wait);
    auto [ec, endpoint] = co_await stream.async_connect(endpoints, with_ec);
    if (ec) co_return unexpected{step_failure("connect", ec, budget->limit)};
    co_return result<void>{};
  }

  net::awaitable<result<void>> handshake(beast::ssl_stream<beast::tcp_stream>& stream, const parsers::http_url& url) {
    // SNI carries names only, never address literals (RFC 6066 3).
    error_code literal;
    net::ip::make_address(url.host, literal);
    if (literal && !SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
      co_return unexpected{fetch_error("tls", "cannot set server name")};
    }
    if (options_.tls_verify) stream.set_verify_callback(ssl::host_name_verification(url.host));
    auto budget = step("tls", std::nullopt);
    if (!budget) co_return unexpected{budget.error()};
    beast::get_lowest_layer(stream).expires_after(budget->wait);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::client, with_ec);
    if (ec) co_return unexpected{step_failure("tls", ec, budget->limit)};
    co_return result<void>{};
  }

  template <class Stream>
  net::awaitable<result<response>> exchange(Stream& stream, beast::tcp_stream& lowest, const parsers::http_url& url,
                                            const std::string& userinfo) {
    http::request<http::empty_body> req{http::verb::get, url.target, 11};
    for (auto& field : request_fields(url, request_, userinfo, options_.user_agent)) req.set(field.name, field.value);
    auto budget = step("write", std::nullopt);
    if (!budget) co_return unexpected{budget.error()};
    lowest.expires_after(budget->wait);
    auto [write_ec, written] = co_await http::async_write(stream, req, with_ec);
    if (write_ec) co_return unexpected{step_failure("write", write_ec, budget->limit)};

    http::response_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(options_.max_header, UINT32_MAX)));
    parser.body_limit(options_.max_body);
    beast::flat_buffer buffer(read_buffer_limit);
    budget = step("read", std::nullopt);
    if (!budget) co_return unexpected{budget.error()};
    lowest.expires_after(budget->wait);
    auto [header_ec, header_bytes] = co_await http::async_read_header(stream, buffer, parser, with_ec);
    // Beast compares Content-Length with body_limit as the header ends. The
    // fields are complete by then, and only a success has a body we want: a
    // redirect or an error status stays usable with its body unread.
    const bool oversized = header_ec == http::error::body_limit;
    if (header_ec && !oversized) co_return unexpected{step_failure("read", header_ec, budget->limit)};
    if (parser.get().result_int() / 100 != 2) co_return parser.release();
    if (oversized) {
      const auto length = parser.content_length();
      const std::string announced = length ? "Content-Length " + std::to_string(*length) : "body";
      co_return unexpected{fetch_error("body", announced + " exceeds " + std::to_string(options_.max_body) + " bytes")};
    }
    auto [body_ec, body_bytes] = co_await http::async_read(stream, buffer, parser, with_ec);
    // A TLS peer that closes without close_notify ends a close-delimited body
    // just as EOF would (Beast's advice on ssl::error::stream_truncated).
    if (body_ec == ssl::error::stream_truncated && parser.need_eof()) parser.put_eof(body_ec);
    if (body_ec == http::error::body_limit) {
      co_return unexpected{fetch_error("body", "body exceeds " + std::to_string(options_.max_body) + " bytes")};
    }
    if (body_ec) co_return unexpected{step_failure("read", body_ec, budget->limit)};
    co_return parser.release();
  }

  // Before each step: stop if cancelled or out of time, else the time it may take.
  result<step_budget> step(std::string_view name, std::optional<milliseconds> step_limit) const {
    if (cancelled_) return unexpected{std::string(fetch_cancelled)};
    return deadline_.step(name, step_limit);
  }

  std::string step_failure(std::string_view name, error_code ec, milliseconds limit) const {
    if (cancelled_) return std::string(fetch_cancelled);
    if (ec == beast::error::timeout) return timed_out(name, limit);
    return fetch_error(name, ec.message());
  }

  void complete(std::exception_ptr error, fetch_response out) {
    finished_ = true;
    if (error) {
      out = fetch_response{};
      out.final_url = request_.url;
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        out.error = fetch_error("internal", e.what());
      } catch (...) {
        out.error = fetch_error("internal", "unknown exception");
      }
    }
    if (cancelled_) {
      out.what = fetch_response::outcome::cancelled;
      out.error = fetch_cancelled;
      out.body.clear();
    }
    out.elapsed = std::chrono::duration_cast<milliseconds>(steady::now() - start_);
    auto done = std::move(done_);
    done(std::move(out));
  }

  std::shared_ptr<fetch_context> context_;
  const fetch_options& options_;
  net::strand<net::io_context::executor_type> strand_;
  fetch_request request_;
  std::function<void(fetch_response)> done_;
  steady::time_point start_;
  fetch_deadline deadline_;
  // Touched only on strand_: what cancel() has to interrupt right now.
  bool cancelled_ = false;
  bool finished_ = false;
  bool no_such_host_ = false;
  net::steady_timer* timer_ = nullptr;
  beast::tcp_stream* stream_ = nullptr;
};

}  // namespace

std::shared_ptr<fetch_handle> start_fetch(std::shared_ptr<fetch_context> context, fetch_request request,
                                          std::function<void(fetch_response)> done) {
  auto op = std::make_shared<fetch_op>(std::move(context), std::move(request), std::move(done));
  op->launch();
  return op;
}

}  // namespace feedd::daemon
