#pragma once

#include <functional>
#include <memory>

#include <boost/asio/ssl/context.hpp>

#include "connection_pool.hpp"
#include "fetcher.hpp"
#include "name_lookup.hpp"
#include "proxy.hpp"

// Inside the fetch module only: it brings in Asio's SSL headers, which the
// public fetcher.hpp keeps out of everyone else's compile.
namespace feedd::daemon {

// What the fetches of one fetcher share; they hold it by shared_ptr, so it
// outlives the fetcher while any of them runs.
struct fetch_context {
  fetch_context(boost::asio::io_context& context, const fetch_options& opts);

  boost::asio::io_context& io;
  fetch_options options;
  boost::asio::ssl::context tls;
  name_lookup names;
  connection_pool idle;
  proxy_routes proxies;
};

// Starts one fetch on a strand of its own (fetch_op.cpp).
std::shared_ptr<fetch_handle> start_fetch(std::shared_ptr<fetch_context> context, fetch_request request,
                                          std::function<void(fetch_response)> done);

}  // namespace feedd::daemon
