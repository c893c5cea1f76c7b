#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feedd/expected.hpp"
#include "feedd/parsers/url.hpp"

// Which proxy, if any, carries a request: fetch.proxy or the HTTP_PROXY /
// HTTPS_PROXY / NO_PROXY environment (resolved by the caller into
// fetch_options::proxy), with curl's semantics. No Asio here.
namespace feedd::daemon {

struct proxy_endpoint {
  std::string host;           // without brackets for IPv6 literals
  std::string port;
  std::string authorization;  // "Basic ..." for Proxy-Authorization, or empty
  // "proxy 127.0.0.1:3128": how errors and logs name it, never with credentials.
  std::string label() const;
};

// One NO_PROXY entry: a host suffix or an IP literal, maybe with a port.
struct no_proxy_entry {
  std::string host;  // lower case, no leading dot, no brackets
  std::string port;  // empty: any port
};

class proxy_routes {
 public:
  // `http` and `https` are proxy URLs (http://[user:pass@]host[:port], the
  // scheme may be left out; port 80 when none); empty means direct. The
  // error never repeats a URL (it may hold a password).
  static expected<proxy_routes, std::string> create(std::string_view http, std::string_view https,
                                                    std::string_view no_proxy);

  // The proxy for a request to `url`, or nullptr to connect directly.
  const proxy_endpoint* route(const parsers::http_url& url) const;

 private:
  std::optional<proxy_endpoint> http_;
  std::optional<proxy_endpoint> https_;
  bool bypass_all_ = false;
  std::vector<no_proxy_entry> no_proxy_;
};

// The NO_PROXY list: entries separated by commas (and spaces); "*" alone
// bypasses every host. Exposed for tests.
std::vector<no_proxy_entry> parse_no_proxy(std::string_view list, bool& all);
// curl's matching: the host equals the entry or ends with "." + entry (case
// insensitive); an IP literal matches only itself; an entry with a port
// only that port.
bool bypasses(const std::vector<no_proxy_entry>& entries, std::string_view host, std::string_view port);

}  // namespace feedd::daemon
