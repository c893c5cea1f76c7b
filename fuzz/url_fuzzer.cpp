// libFuzzer target: feedd/parsers/url.hpp, a feed's links resolved against
// its URL, the URL the fetcher writes into its request line, and the
// redacted form that logs show.
//
// Input: "base\0reference"; without a NUL byte the whole input is the
// reference, resolved against a base chosen from its size.
//
// Oracles:
// - resolve_url hands back the reference (trimmed) when it cannot resolve,
//   else a URL of printable ASCII without spaces; resolving that again
//   (against the same base, and against nothing) changes nothing, where it
//   has an authority.
// - Where Boost.URL parses both sides as they are, the result is Boost.URL's
//   resolution: the fast path for plain links agrees with the general one.
// - parse_http_url accepts only what it promises (http/https, a host, a port
//   in 1-65535, a target starting with '/', no control characters or spaces
//   anywhere), and what it accepted, written out again, parses the same.
// - redact_url never shows userinfo, query or fragment, and is idempotent.
// - normalize_feed_url accepts what parse_http_url accepts; its result is
//   an http(s) URL of the same scheme, host and port, without fragment, and
//   normalizing it again changes nothing.
// - find_feed_links, with the input as an HTML page, yields only http(s)
//   URLs.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "feedd/parsers/discovery.hpp"
#include "feedd/parsers/url.hpp"
#include "oracle.hpp"

namespace {

using feedd::fuzz::has_control;
using feedd::fuzz::require;
namespace parsers = feedd::parsers;
namespace urls = boost::urls;

constexpr std::string_view bases[] = {
    "https://fuzz.example/feeds/feed.xml",
    "http://a/b/c/d;p?q",
    "https://user:pass@fuzz.example:8443/a/b/?q=1#frag",
    "http://[2001:db8::1]/x/",
    "http://fuzz.example",
    "not a url",
    "",
};

bool is_html_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && is_html_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_html_space(text.back())) text.remove_suffix(1);
  return text;
}

bool is_plain_url_text(std::string_view text) { return feedd::fuzz::is_ascii(text) && !has_control(text, true); }

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Text that resolve_url's cleaning (trimming, dropping tabs and newlines,
// percent-encoding what browsers tolerate) leaves as it is.
bool needs_no_cleaning(std::string_view text) {
  if (!is_plain_url_text(text) || text.find_first_of("\"<>\\^`{|}") != std::string_view::npos) return false;
  const auto hash = text.find('#');
  if (hash != std::string_view::npos && text.find('#', hash + 1) != std::string_view::npos) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && !(i + 2 < text.size() && is_hex(text[i + 1]) && is_hex(text[i + 2]))) return false;
  }
  return true;
}

// Boost.URL 1.81 ends a port or an IPv4 host at the first character that
// does not fit and takes the rest for the path: "http://h:80x/" has port 80
// and path "x/" (boostorg/url#680), "http://10.0.0.1.nip.io/" host 10.0.0.1
// and path ".nip.io/" (#755). A path behind an authority starts with '/'.
bool misread_by_boost(const urls::url_view_base& url) {
  return url.has_authority() && !url.encoded_path().empty() && !url.encoded_path().starts_with('/');
}

// RFC 3986 §5.2 by Boost.URL itself, for inputs that need no cleaning;
// nullopt where resolve_url's own rule for ".." above the root applies or
// Boost.URL gives up.
std::optional<std::string> boost_resolution(std::string_view base, std::string_view reference) {
  if (!needs_no_cleaning(base) || !needs_no_cleaning(reference)) return std::nullopt;
  const auto ref = urls::parse_uri_reference(reference);
  if (!ref || misread_by_boost(*ref)) return std::nullopt;
  urls::url target;
  try {
    if (const auto absolute = urls::parse_uri(base)) {
      if (misread_by_boost(*absolute) || !urls::resolve(*absolute, *ref, target)) return std::nullopt;
    } else if (ref->has_scheme()) {
      if (!urls::resolve(*ref, *ref, target)) return std::nullopt;
    } else {
      return std::string(reference);
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const std::string_view path = target.encoded_path();
  if (path == "/.." || path.starts_with("/../")) return std::nullopt;
  return std::string(target.buffer());
}

void check_resolution(std::string_view base, std::string_view reference) {
  const std::string resolved = parsers::resolve_url(base, reference);
  const bool kept = resolved == trimmed(reference);
  require(kept || is_plain_url_text(resolved),
          "resolve_url returns the reference or printable ASCII without spaces", resolved);
  if (const auto expected = boost_resolution(base, reference)) {
    require(resolved == *expected, "resolve_url agrees with Boost.URL on what it parses as is",
            resolved + " != " + *expected);
  }
  // Only for URLs with an authority, what a feed links to (Boost.URL 1.81
  // leaves "./" in some rootless paths: "hp:./", which resolves to "hp:"),
  // that Boost.URL reads right (parse_http_url refuses the others).
  const auto parsed = urls::parse_uri(resolved);
  if (!parsed || !parsed->has_authority() || misread_by_boost(*parsed)) return;
  require(parsers::resolve_url(base, resolved) == resolved, "resolve_url is idempotent against its base", resolved);
  if (!kept) require(parsers::resolve_url("", resolved) == resolved, "a resolved URL resolves to itself", resolved);
}

std::string written(const parsers::http_url& url) {
  std::string out = url.tls ? "https://" : "http://";
  if (!url.userinfo.empty()) out += url.userinfo + "@";
  out += url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  out += ":" + url.port + url.target;
  return out;
}

bool is_port(std::string_view port) {
  if (port.empty() || port.size() > 5 || port[0] == '0') return false;
  unsigned value = 0;
  for (const char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value >= 1 && value <= 65535;
}

void check_http_url(std::string_view text) {
  const auto url = parsers::parse_http_url(text);
  if (!url) return;
  require(!has_control(text, true) && feedd::fuzz::is_ascii(text),
          "parse_http_url accepts only printable ASCII without spaces", text);
  const std::string_view scheme = text.substr(0, text.find(':'));
  require(feedd::fuzz::is_ascii(scheme) && (url->tls ? scheme.size() == 5 : scheme.size() == 4),
          "parse_http_url accepts only http and https", text);
  require(!url->host.empty() && !has_control(url->host, true), "an accepted URL has a host", text);
  require(!feedd::fuzz::has_upper_case(url->host) || url->host.find(':') != std::string::npos,
          "host names are lower case", url->host);
  require(is_port(url->port), "the port is a number in 1-65535", url->port);
  require(url->target.starts_with('/') && !has_control(url->target, true) &&
              url->target.find('#') == std::string::npos,
          "the request target starts with '/' and holds no fragment, control or space", url->target);
  require(!has_control(url->userinfo, true), "userinfo holds no control or space", url->userinfo);
  const std::string again_text = written(*url);
  const auto again = parsers::parse_http_url(again_text);
  require(again && again->tls == url->tls && again->host == url->host && again->port == url->port &&
              again->target == url->target && again->userinfo == url->userinfo,
          "an accepted URL, written out, parses the same", again_text);
}

void check_redaction(std::string_view text) {
  const std::string redacted = parsers::redact_url(text);
  if (redacted == "<unparseable url>") return;
  require(!has_control(redacted, true), "redact_url shows no control or space", redacted);
  require(parsers::redact_url(redacted) == redacted, "redact_url is idempotent", redacted);
  const auto url = parsers::parse_http_url(text);
  if (!url) return;
  // Past the authority only "?***" and "#***" may follow the path, which
  // holds no '?' or '#'.
  const std::string_view scheme = text.substr(0, text.find(':'));
  if (text.find('@') != std::string_view::npos && text.find('@') < text.find_first_of("/?#", scheme.size() + 3)) {
    require(redacted.substr(scheme.size()).starts_with("://***@"), "redact_url hides the userinfo", redacted);
  }
  const std::string_view rest = std::string_view(redacted).substr(std::min(redacted.size(), scheme.size() + 3));
  const auto query = rest.find('?');
  const auto fragment = rest.find('#');
  const bool has_query = url->target.find('?') != std::string::npos;
  const bool has_fragment = text.find('#') != std::string_view::npos;
  require(has_query ? query != std::string_view::npos && (rest.substr(query) == "?***" || rest.substr(query) == "?***#***")
                    : query == std::string_view::npos,
          "redact_url hides the query", redacted);
  require(has_fragment ? fragment != std::string_view::npos && rest.substr(fragment) == "#***"
                       : fragment == std::string_view::npos,
          "redact_url hides the fragment", redacted);
}

void check_normalization(std::string_view text) {
  const auto url = parsers::parse_http_url(text);
  const auto normalized = parsers::normalize_feed_url(text);
  require(url.has_value() == normalized.has_value(), "normalize_feed_url accepts what parse_http_url accepts", text);
  if (!normalized) return;
  const auto again = parsers::parse_http_url(*normalized);
  require(again.has_value(), "a normalized URL is an http(s) URL", *normalized);
  // parse_http_url lower-cases names; an IPv6 literal's hex is lowered here.
  const auto lowered = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
    return s;
  };
  require(again->tls == url->tls && again->host == lowered(url->host) && again->port == url->port,
          "normalizing keeps scheme, host and port", *normalized);
  require(normalized->find('#') == std::string::npos, "normalizing drops the fragment", *normalized);
  require(parsers::normalize_feed_url(*normalized) == normalized, "normalizing is idempotent", *normalized);
}

void check_feed_links(std::string_view html, std::string_view page) {
  for (const auto& link : parsers::find_feed_links(html, page)) {
    require(parsers::parse_http_url(link.url).has_value(), "a feed link is an http(s) URL", link.url);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input{reinterpret_cast<const char*>(data), size};
  const auto separator = input.find('\0');
  const std::string_view base =
      separator == std::string_view::npos ? bases[size % std::size(bases)] : input.substr(0, separator);
  const std::string_view reference = separator == std::string_view::npos ? input : input.substr(separator + 1);

  check_resolution(base, reference);
  const std::string resolved = parsers::resolve_url(base, reference);
  for (const std::string_view text : {reference, base, std::string_view(resolved)}) {
    check_http_url(text);
    check_redaction(text);
    check_normalization(text);
  }
  check_feed_links(reference, base);
  return 0;
}
