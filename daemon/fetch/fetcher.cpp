#include "fetcher.hpp"

#include <utility>

#include <openssl/ssl.h>

#include "fetch_context.hpp"
#include "http_headers.hpp"

namespace feedd::daemon {
namespace {

namespace ssl = boost::asio::ssl;

// The client side of every TLS connection; an error message when the system
// CA store or fetch.ca_file cannot be loaded.
std::string configure_tls(ssl::context& tls, const fetch_options& options) {
  if (SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION) != 1) {
    return fetch_error("tls", "cannot require TLS 1.2");
  }
  boost::system::error_code ec;
  tls.set_default_verify_paths(ec);
  if (ec) return fetch_error("tls", "cannot load the system CA store: " + ec.message());
  if (!options.ca_file.empty()) {
    tls.load_verify_file(options.ca_file, ec);
    if (ec) return fetch_error("tls", "cannot load ca_file " + options.ca_file + ": " + ec.message());
  }
  // Asio's default is no verification at all; peer verification is ours to ask for.
  tls.set_verify_mode(options.tls_verify ? ssl::verify_peer : ssl::verify_none);
  return {};
}

class fetcher_impl final : public fetcher {
 public:
  explicit fetcher_impl(std::shared_ptr<fetch_context> context) : context_(std::move(context)) {}

  std::shared_ptr<fetch_handle> start(fetch_request request, std::function<void(fetch_response)> done) override {
    return start_fetch(context_, std::move(request), std::move(done));
  }

 private:
  std::shared_ptr<fetch_context> context_;
};

}  // namespace

std::string fetch_error(std::string_view step, std::string_view detail) {
  return "fetch: " + std::string(step) + ": " + std::string(detail);
}

fetch_context::fetch_context(boost::asio::io_context& context, const fetch_options& opts)
    : io(context),
      options(opts),
      tls(ssl::context::tls_client),
      names(opts.lookup_threads, opts.lookup ? opts.lookup : name_lookup::resolve_function(system_lookup)),
      idle(context, {opts.max_idle_per_origin, opts.max_idle_connections, opts.idle_timeout}) {}

std::unique_ptr<fetcher> fetcher::create(boost::asio::io_context& io, const fetch_options& options,
                                         std::string& error) {
  if (!is_safe_field_value(options.user_agent)) {
    error = "fetch: user_agent contains control characters";
    return nullptr;
  }
  auto routes = proxy_routes::create(options.http_proxy, options.https_proxy, options.no_proxy);
  if (!routes) {
    error = fetch_error("config", routes.error());
    return nullptr;
  }
  auto context = std::make_shared<fetch_context>(io, options);
  context->proxies = std::move(*routes);
  error = configure_tls(context->tls, options);
  if (!error.empty()) return nullptr;
  return std::make_unique<fetcher_impl>(std::move(context));
}

}  // namespace feedd::daemon
