#include "proxy.hpp"

#include <algorithm>
#include <cctype>

#include "http_headers.hpp"

namespace feedd::daemon {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

expected<std::optional<proxy_endpoint>, std::string> parse_proxy(std::string_view text, std::string_view which) {
  if (text.empty()) return std::optional<proxy_endpoint>{};
  std::string url(text);
  // curl reads "proxy.example:3128" as an http proxy; so do we.
  if (url.find("://") == std::string::npos) url = "http://" + url;
  const std::string problem = std::string(which) + " proxy: ";
  if (lower(url.substr(0, 7)) != "http://") {
    return unexpected{problem + "only http:// proxies are supported (TLS to the proxy is not)"};
  }
  const auto parsed = parsers::parse_http_url(url);
  if (!parsed || parsed->host.empty()) return unexpected{problem + "not a URL of the form http://[user:pass@]host:port"};
  if (parsed->target != "/") return unexpected{problem + "a proxy URL has no path or query"};
  proxy_endpoint out;
  out.host = parsed->host;
  out.port = parsed->port;
  if (!parsed->userinfo.empty()) out.authorization = basic_authorization(parsed->userinfo);
  if (!is_safe_field_value(out.authorization)) return unexpected{problem + "credentials hold control characters"};
  return std::optional<proxy_endpoint>{std::move(out)};
}

// "host", "host:port", "[v6]", "[v6]:port", or a bare IPv6 literal.
no_proxy_entry entry_of(std::string_view item) {
  no_proxy_entry out;
  if (item.front() == '[') {
    const auto close = item.find(']');
    out.host = std::string(item.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
    if (close != std::string_view::npos && close + 1 < item.size() && item[close + 1] == ':') {
      out.port = std::string(item.substr(close + 2));
    }
  } else if (std::count(item.begin(), item.end(), ':') == 1) {
    const auto colon = item.find(':');
    out.host = std::string(item.substr(0, colon));
    out.port = std::string(item.substr(colon + 1));
  } else {
    out.host = std::string(item);
  }
  while (!out.host.empty() && out.host.front() == '.') out.host.erase(0, 1);
  while (!out.host.empty() && out.host.back() == '.') out.host.pop_back();
  out.host = lower(out.host);
  return out;
}

}  // namespace

std::string proxy_endpoint::label() const {
  const bool v6 = host.find(':') != std::string::npos;
  return "proxy " + (v6 ? "[" + host + "]" : host) + ":" + port;
}

std::vector<no_proxy_entry> parse_no_proxy(std::string_view list, bool& all) {
  std::vector<no_proxy_entry> out;
  all = false;
  std::size_t pos = 0;
  while (pos < list.size()) {
    auto end = list.find_first_of(", \t", pos);
    if (end == std::string_view::npos) end = list.size();
    const auto item = list.substr(pos, end - pos);
    pos = end + 1;
    if (item.empty()) continue;
    if (item == "*") {
      all = true;
      continue;
    }
    auto entry = entry_of(item);
    if (!entry.host.empty()) out.push_back(std::move(entry));
  }
  return out;
}

bool bypasses(const std::vector<no_proxy_entry>& entries, std::string_view host, std::string_view port) {
  std::string name = lower(host);
  while (!name.empty() && name.back() == '.') name.pop_back();
  for (const auto& e : entries) {
    if (!e.port.empty() && e.port != port) continue;
    if (name == e.host) return true;
    // A suffix matches at a label boundary only: "example.org" covers
    // "feeds.example.org", never "badexample.org". IP literals have no
    // labels to speak of: a v4 address never ends in ".x.y" of an entry
    // because entries that are addresses are compared whole above.
    const bool literal = e.host.find_first_not_of("0123456789.") == std::string::npos || e.host.find(':') != std::string::npos;
    if (!literal && name.size() > e.host.size() && name.ends_with(e.host) &&
        name[name.size() - e.host.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

expected<proxy_routes, std::string> proxy_routes::create(std::string_view http, std::string_view https,
                                                         std::string_view no_proxy) {
  proxy_routes out;
  auto plain = parse_proxy(http, "http");
  if (!plain) return unexpected{plain.error()};
  auto secure = parse_proxy(https, "https");
  if (!secure) return unexpected{secure.error()};
  out.http_ = std::move(*plain);
  out.https_ = std::move(*secure);
  out.no_proxy_ = parse_no_proxy(no_proxy, out.bypass_all_);
  return out;
}

const proxy_endpoint* proxy_routes::route(const parsers::http_url& url) const {
  const auto& chosen = url.tls ? https_ : http_;
  if (!chosen || bypass_all_ || bypasses(no_proxy_, url.host, url.port)) return nullptr;
  return &*chosen;
}

}  // namespace feedd::daemon
