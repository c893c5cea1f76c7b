#pragma once

#include <set>
#include <string>
#include <string_view>

#include "feedd/expected.hpp"
#include "feedd/parsers/url.hpp"

namespace feedd::daemon {

// The URLs one fetch walks through (RFC 9110 15.4). Each Location is resolved
// against the current URL; only http and https are followed, also after a
// redirect (Stringer GHSA-496x: no file://); the number of hops is capped and
// a URL seen before is a loop. Credentials from the first URL's userinfo go
// to its origin only, and never again once the chain has left it (curl
// CVE-2018-1000007; https -> http is a change of origin too).
class redirect_chain {
 public:
  // Error detail for "fetch: policy: ..." when `url` is not an absolute
  // http(s) URL free of whitespace and control characters.
  static expected<redirect_chain, std::string> start(std::string url, int max_redirects);

  const std::string& url() const { return url_; }
  const parsers::http_url& target() const { return target_; }
  // userinfo ("user:pass", percent-encoded) to send on the current hop, or empty.
  const std::string& credentials() const { return send_credentials_ ? first_.userinfo : no_credentials_; }

  // Moves to the Location of a redirect with `status`; error detail for
  // "fetch: redirect: ...".
  expected<void, std::string> follow(int status, std::string_view location);

  // Whether the chain has moved, by 301 and 308 redirects only: the
  // publisher says the feed lives at url() now (RFC 9110 15.4.2, 15.4.9).
  bool moved_permanently() const { return redirects_ > 0 && all_permanent_; }

 private:
  redirect_chain(std::string url, parsers::http_url target, int max_redirects);

  std::string url_;
  parsers::http_url target_;
  parsers::http_url first_;
  int max_redirects_;
  int redirects_ = 0;
  bool all_permanent_ = true;
  bool send_credentials_;
  std::set<std::string> visited_;
  std::string no_credentials_;
};

bool is_redirect_status(int status);

// RFC 6454 origin: scheme, host and port, as "https://example.org:443".
std::string origin_of(const parsers::http_url& url);

// Why a URL cannot be fetched at all (parsers::parse_http_url refused it).
// The URL itself is not repeated: it may hold the very line break refused.
inline constexpr std::string_view unfetchable_url =
    "not an absolute http or https URL without whitespace or control characters";

}  // namespace feedd::daemon
