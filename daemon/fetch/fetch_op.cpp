// One fetch, as one coroutine that reads in protocol order: take a kept
// connection or resolve, check the address policy and open one, send the
// request, follow the redirect, again. The wire itself is connection.cpp's.
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
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "address_policy.hpp"
#include "connection.hpp"
#include "connection_counters.hpp"
#include "deadline.hpp"
#include "feedd/parsers/url.hpp"
#include "fetch_context.hpp"
#include "final_response.hpp"
#include "http_headers.hpp"
#include "redirect_chain.hpp"

namespace feedd::daemon {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;
using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;
template <class T>
using result = expected<T, std::string>;

constexpr auto with_ec = net::as_tuple(net::use_awaitable);

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

// Points cancel() at the timer of a lookup for as long as it waits.
class interruptible {
 public:
  interruptible(net::steady_timer*& slot, net::steady_timer& timer) : slot_(slot) { slot_ = &timer; }
  interruptible(const interruptible&) = delete;
  interruptible& operator=(const interruptible&) = delete;
  ~interruptible() { slot_ = nullptr; }

 private:
  net::steady_timer*& slot_;
};

// "http://[::1]:8080/feed": a request target for a proxy (RFC 9112 3.2.2).
std::string absolute_form(const parsers::http_url& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + url.host + "]" : url.host) + ":" + url.port + url.target;
}

// What one request came back with, and the connection that carried it.
struct hop_result {
  exchange_answer answer;
  std::shared_ptr<connection> link;
  bool reused = false;  // the connection was kept from an earlier request
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
      self->deadline_.cancel();
      if (self->timer_ != nullptr) self->timer_->cancel();
      if (self->connection_ != nullptr) {
        net::post(self->connection_->executor(), [link = self->connection_] { link->close(); });
      }
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
      const auto origin = pool_key(chain->target());
      auto hop = co_await fetch_hop(chain->target(), chain->credentials());
      if (!hop) {
        out.error = std::move(hop.error());
        out.no_such_host = no_such_host_;
        co_return out;
      }
      const int status = hop->answer.response.status;
      out.status = status;
      out.reused_connection = hop->reused;
      if (!is_redirect_status(status)) {
        keep(origin, *hop);
        co_return conclude(std::move(hop->answer.response), std::move(out), options_.max_body,
                           std::chrono::system_clock::now());
      }
      auto followed = chain->follow(status, hop->answer.location);
      // Kept only while the chain stays on its origin: a connection to a
      // server that sends us elsewhere is not worth an idle slot.
      if (followed && pool_key(chain->target()) == origin) keep(origin, *hop);
      if (!followed) {
        out.error = fetch_error("redirect", followed.error());
        co_return out;
      }
      out.final_url = chain->url();
      out.moved_permanently = chain->moved_permanently();
    }
  }

  // Kept connections are found by origin and by the way there: one through a
  // proxy never carries a direct request, nor the other way round.
  std::string pool_key(const parsers::http_url& url) const {
    const auto* via = context_->proxies.route(url);
    return via ? via->label() + " " + origin_of(url) : origin_of(url);
  }

  // One request: over a connection kept open from an earlier request to the
  // same origin when there is one (the address policy judged its address
  // when it was opened), else over a new one: resolve, check the policy,
  // connect (to the proxy, if any), TLS.
  net::awaitable<result<hop_result>> fetch_hop(const parsers::http_url& url, const std::string& userinfo) {
    const proxy_endpoint* via = context_->proxies.route(url);
    auto fields = request_fields(url, request_, userinfo, options_.user_agent, context_->idle.enabled());
    // Plain http through a proxy: the whole URL as the target (RFC 9112
    // 3.2.2), and the proxy's credentials; https says both in its CONNECT.
    const bool forward = via != nullptr && !url.tls;
    if (forward && !via->authorization.empty()) fields.push_back({"Proxy-Authorization", via->authorization});
    const std::string target = forward ? absolute_form(url) : url.target;
    while (auto kept = context_->idle.take(pool_key(url))) {
      auto answer = co_await on(kept, reuse(*kept, target, fields));
      if (answer) {
        count_connection_reused();
        co_return hop_result{std::move(*answer), std::move(kept), true};
      }
      // Closed by the server while it was idle: the request goes again, on
      // the next kept connection or a new one.
      if (!answer.error().unanswered) co_return unexpected{std::move(answer.error().error)};
    }
    result<std::vector<tcp::endpoint>> endpoints = unexpected{std::string()};
    if (via) endpoints = co_await resolve_via(url, *via);
    else endpoints = co_await resolve(url, true);
    if (!endpoints) co_return unexpected{endpoints.error()};
    auto link = std::make_shared<connection>(context_->io, url.tls ? &context_->tls : nullptr);
    auto opened = co_await on(link, link->open(*endpoints, url, options_, deadline_, via));
    if (!opened) co_return unexpected{opened.error()};
    auto answer = co_await on(link, link->exchange(target, fields, options_, deadline_));
    if (!answer) co_return unexpected{std::move(answer.error().error)};
    co_return hop_result{std::move(*answer), std::move(link), false};
  }

  // On the connection's strand, like every step of it.
  net::awaitable<expected<exchange_answer, exchange_failure>> reuse(connection& link, const std::string& target,
                                                                    const std::vector<request_field>& fields) {
    if (!link.still_open()) co_return unexpected{exchange_failure{fetch_error("write", "closed while idle"), true}};
    co_return co_await link.exchange(target, fields, options_, deadline_);
  }

  // Runs a step of `link` on the connection's own strand, which is what lets
  // a connection serve fetches on other strands one after another; cancel()
  // closes it meanwhile.
  template <class T>
  net::awaitable<T> on(std::shared_ptr<connection> link, net::awaitable<T> step) {
    connection_ = link;
    auto result = co_await net::co_spawn(link->executor(), std::move(step), net::use_awaitable);
    connection_ = nullptr;
    co_return result;
  }

  // Back to the pool when nothing casts doubt on it; else it closes as the
  // last reference goes.
  void keep(const std::string& origin, hop_result& done) {
    if (done.answer.reusable && !deadline_.cancelled()) context_->idle.put(origin, std::move(done.link));
  }

  // The proxy resolves the feed's host and connects to it, so what we connect
  // to is the proxy, allowed wherever it is: the operator named it. The
  // policy still judges the feed's host first, by its literal or by our own
  // lookup of its name (the proxy's lookup may differ: a name that rebinds
  // between the two is the proxy's to judge). With the policy off the name
  // is not looked up here at all, for networks where only the proxy resolves.
  net::awaitable<result<std::vector<tcp::endpoint>>> resolve_via(const parsers::http_url& url,
                                                                 const proxy_endpoint& via) {
    if (options_.block_private_addresses) {
      auto judged = co_await resolve(url, true);
      if (!judged) co_return unexpected{judged.error()};
    }
    // A named value: GCC 12 destroys a temporary aggregate in a co_await's
    // arguments twice.
    const parsers::http_url proxy_url{false, via.host, via.port, "/", {}};
    auto proxy = co_await resolve(proxy_url, false);
    if (proxy) co_return proxy;
    // A proxy name that does not resolve says nothing about the feed's host.
    no_such_host_ = false;
    co_return unexpected{proxy.error() + " (" + via.label() + ")"};
  }

  net::awaitable<result<std::vector<tcp::endpoint>>> resolve(const parsers::http_url& url, bool judge) {
    const bool block = judge && options_.block_private_addresses;
    auto budget = deadline_.step("resolve", options_.connect_timeout);
    if (!budget) co_return unexpected{budget.error()};
    error_code literal_ec;
    if (const auto literal = net::ip::make_address(url.host, literal_ec); !literal_ec) {
      co_return endpoints_of(lookup_answer{{literal.to_string()}, {}, false}, url, block);
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
    {
      const interruptible guard(timer_, pending->timer);
      co_await pending->timer.async_wait(with_ec);
    }
    // The late answer, if it ever comes, is dropped.
    *pending->abandoned = true;
    if (!pending->complete) co_return unexpected{deadline_.failure("resolve", true, {}, budget->limit)};
    if (!pending->answer.error.empty()) {
      no_such_host_ = pending->answer.no_such_host;
      co_return unexpected{fetch_error("resolve", pending->answer.error)};
    }
    co_return endpoints_of(pending->answer, url, block);
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
    if (deadline_.cancelled()) {
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
  bool finished_ = false;
  bool no_such_host_ = false;
  net::steady_timer* timer_ = nullptr;
  std::shared_ptr<connection> connection_;
};

}  // namespace

std::shared_ptr<fetch_handle> start_fetch(std::shared_ptr<fetch_context> context, fetch_request request,
                                          std::function<void(fetch_response)> done) {
  auto op = std::make_shared<fetch_op>(std::move(context), std::move(request), std::move(done));
  op->launch();
  return op;
}

}  // namespace feedd::daemon
