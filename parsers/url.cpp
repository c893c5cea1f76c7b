#include "feedd/parsers/url.hpp"

#include <array>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <charconv>
#include <exception>
#include <new>
#include <optional>
#include <utility>

#include "ascii.hpp"

namespace feedd::parsers {
namespace {

namespace urls = boost::urls;

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// What browsers do to an href before parsing it (WHATWG URL §4.4): drop tabs
// and newlines (feeds wrap long links), percent-encode what RFC 3986 does
// not allow (spaces, non-ASCII, "<>\"{}|\\^`", a second '#', a '%' that
// starts no escape). A valid URI comes out unchanged.
std::string encode_unsafe(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  bool in_fragment = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\t' || c == '\n' || c == '\r') continue;
    const bool stray_percent = c == '%' && !(i + 2 < text.size() && is_hex(text[i + 1]) && is_hex(text[i + 2]));
    const bool second_hash = c == '#' && in_fragment;
    if (c == '#') in_fragment = true;
    const bool unsafe = c <= 0x20 || c >= 0x7F || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' ||
                        c == '`' || c == '{' || c == '|' || c == '}';
    if (unsafe || stray_percent || second_hash) {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0x0F];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

bool has_control_or_space(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7F) return true;
  }
  return false;
}

// A DNS name as a resolver takes it: LDH labels (RFC 1123 §2.1) plus '_',
// which real hosts use. Internationalized names would need IDNA first.
bool is_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (const char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// RFC 3986 §5.2.4 drops ".." segments that would climb above the root;
// Boost.URL 1.81 keeps them ("http://a/../g", boostorg/url issue 808).
std::string without_dot_segments_above_root(const urls::url& target) {
  const std::string_view buffer = target.buffer();
  const std::string_view path = target.encoded_path();
  std::size_t drop = 0;
  while (path.substr(drop).starts_with("/../")) drop += 3;
  std::string_view kept = path.substr(drop);
  if (kept == "/..") {
    kept = "/";
  } else if (drop == 0) {
    return std::string(buffer);
  }
  // Spliced in rather than set with set_encoded_path, which in 1.81 writes
  // "/./" for "/" after "http:/../" and "/.//g" for "//g" even behind an
  // authority, so that the result would not resolve to itself. Without an
  // authority a path starting "//" needs the "/." that keeps it from reading
  // as one ("http:/..//g" is "http:/.//g").
  const std::string_view guard = !target.has_authority() && kept.starts_with("//") ? "/." : "";
  const auto at = static_cast<std::size_t>(path.data() - buffer.data());
  std::string out;
  out.reserve(buffer.size());
  out.append(buffer.substr(0, at)).append(guard).append(kept).append(buffer.substr(at + path.size()));
  return out;
}

// What a feed's links mostly are: RFC 3986 URIs of plain characters without
// dot segments, for which resolution (§5.2) is string concatenation and
// Boost.URL's parse, resolve and serialize would give back the same text.
// Anything less plain (other schemes, percent escapes, brackets, userinfo,
// characters encode_unsafe would touch) takes the general path.

// unreserved, gen-delims without '[' ']' and sub-delims (RFC 3986 §2.2, §2.3)
// are plain; what may appear in a path segment is all of them but '/' and
// '?'; what may appear in a host name here, letters, digits, '-' and '.'.
enum url_char : unsigned char { not_plain = 0, plain = 1, in_segment = 2, in_host = 4 };

constexpr std::array<unsigned char, 256> url_chars = [] {
  std::array<unsigned char, 256> table{};
  const auto mark = [&table](std::string_view chars, unsigned char kinds) {
    for (const char c : chars) table[static_cast<unsigned char>(c)] = kinds;
  };
  mark("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.", plain | in_segment | in_host);
  mark("_~:@!$&'()*+,;=", plain | in_segment);
  mark("/?", plain);
  return table;
}();

bool is_url_char(char c, url_char kind) { return (url_chars[static_cast<unsigned char>(c)] & kind) != 0; }

// In one pass over text[from, end): plain characters and at most one '#'
// (no '%': Boost.URL decodes escaped unreserved characters, "%41" becomes
// "A"), and no "." or ".." segment in the path, which runs from `from` to
// the first '?' or '#'. Returns where the path ends, or npos when the text
// is not that plain.
std::size_t plain_path_end(std::string_view text, std::size_t from) {
  std::size_t pos = from;
  for (std::size_t segment_start = from;; segment_start = ++pos) {
    while (pos < text.size() && is_url_char(text[pos], in_segment)) ++pos;
    const std::string_view segment = text.substr(segment_start, pos - segment_start);
    if (segment == "." || segment == "..") return std::string_view::npos;
    if (pos == text.size() || text[pos] != '/') break;
  }
  const std::size_t path_end = pos;
  bool fragment = false;
  for (; pos < text.size(); ++pos) {
    if (text[pos] == '#') {
      if (fragment) return std::string_view::npos;
      fragment = true;
    } else if (!is_url_char(text[pos], plain)) {
      return std::string_view::npos;
    }
  }
  return path_end;
}

// A plain absolute http(s) URL: "scheme://host[:port]", then from
// path_start a plain path (see plain_path_end) up to path_end.
struct plain_http_url {
  std::size_t path_start = 0;
  std::size_t path_end = 0;
};

std::optional<plain_http_url> plain_http(std::string_view url) {
  std::size_t pos = 0;
  if (url.starts_with("http://")) {
    pos = 7;
  } else if (url.starts_with("https://")) {
    pos = 8;
  } else {
    return std::nullopt;
  }
  const std::size_t host_start = pos;
  while (pos < url.size() && is_url_char(url[pos], in_host)) ++pos;
  if (pos == host_start) return std::nullopt;
  if (pos < url.size() && url[pos] == ':') {
    const std::size_t port_start = ++pos;
    while (pos < url.size() && url[pos] >= '0' && url[pos] <= '9') ++pos;
    if (pos == port_start) return std::nullopt;
  }
  if (pos < url.size() && url[pos] != '/' && url[pos] != '?' && url[pos] != '#') return std::nullopt;
  const std::size_t path_end = plain_path_end(url, pos);
  if (path_end == std::string_view::npos) return std::nullopt;
  return plain_http_url{pos, path_end};
}

// A relative-path reference (RFC 3986 §4.2) of plain characters whose first
// segment cannot be mistaken for a scheme and that has no dot segments.
bool is_plain_relative_path(std::string_view reference) {
  if (reference.empty()) return false;
  const char first = reference[0];
  if (!detail::ascii::is_alnum(first) && first != '_' && first != '-' && first != '~') return false;
  for (const char c : reference) {
    if (c == '/' || c == '?' || c == '#') break;
    if (c == ':') return false;
  }
  return plain_path_end(reference, 0) != std::string_view::npos;
}

// An absolute-path reference (RFC 3986 §4.2, "/a/b?q") of plain characters
// without dot segments; "//" starts a network-path reference instead.
bool is_plain_absolute_path(std::string_view reference) {
  return reference.starts_with('/') && !reference.starts_with("//") &&
         plain_path_end(reference, 0) != std::string_view::npos;
}

std::optional<std::string> resolve_plain(std::string_view base, std::string_view reference) {
  // §5.2.2: an absolute reference is the target, less its dot segments.
  if (plain_http(reference)) return std::string(reference);
  const bool absolute_path = is_plain_absolute_path(reference);
  if (!absolute_path && !is_plain_relative_path(reference)) return std::nullopt;
  const auto base_url = plain_http(base);
  if (!base_url) return std::nullopt;
  // §5.2.2: an absolute path replaces the base's path, query and fragment.
  if (absolute_path) return std::string(base.substr(0, base_url->path_start)).append(reference);
  // §5.2.3: merge with the base path up to its last '/'; "/" when empty.
  const std::string_view path = base.substr(base_url->path_start, base_url->path_end - base_url->path_start);
  std::string out;
  out.reserve(base.size() + reference.size() + 1);
  out.append(base.substr(0, base_url->path_start));
  if (path.empty()) {
    out += '/';
  } else {
    out.append(path.substr(0, path.rfind('/') + 1));
  }
  out.append(reference);
  return out;
}

std::string resolve_or_keep(std::string_view base, std::string_view reference) {
  const std::string cleaned_reference = encode_unsafe(reference);
  const auto ref = urls::parse_uri_reference(cleaned_reference);
  if (!ref) return std::string(reference);

  const std::string cleaned_base = encode_unsafe(base);
  const auto absolute_base = urls::parse_uri(cleaned_base);
  if (!absolute_base) {
    if (!ref->has_scheme()) return std::string(reference);
    // RFC 3986 §5.2.2: an absolute reference needs no base; resolving it
    // against itself only removes its dot segments.
    urls::url target;
    if (!urls::resolve(*ref, *ref, target)) return std::string(reference);
    return without_dot_segments_above_root(target);
  }
  urls::url target;
  if (!urls::resolve(*absolute_base, *ref, target)) return std::string(reference);
  return without_dot_segments_above_root(target);
}

}  // namespace

std::string resolve_url(std::string_view base, std::string_view reference) {
  // HTML's white space, as the WHATWG URL parser strips it from an href.
  base = detail::ascii::trim(base, detail::ascii::is_html_space);
  reference = detail::ascii::trim(reference, detail::ascii::is_html_space);
  if (auto plain = resolve_plain(base, reference)) return std::move(*plain);
  try {
    return resolve_or_keep(base, reference);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception&) {
    return std::string(reference);  // Boost.URL throws only on limits (max_size); keep the data
  }
}

std::optional<http_url> parse_http_url(std::string_view url) {
  // Beast writes the target verbatim into the request line (RELIABILITY.md X8).
  if (url.empty() || has_control_or_space(url)) return std::nullopt;
  const auto parsed = urls::parse_uri(url);
  if (!parsed || !parsed->has_authority()) return std::nullopt;

  http_url result;
  const std::string scheme = detail::ascii::lowered(parsed->scheme());
  if (scheme == "https") {
    result.tls = true;
  } else if (scheme != "http") {
    return std::nullopt;
  }

  switch (parsed->host_type()) {
    case urls::host_type::ipv4:
    case urls::host_type::ipv6:
      result.host = std::string(parsed->encoded_host_address());  // no brackets
      break;
    case urls::host_type::name:
      result.host = detail::ascii::lowered(parsed->encoded_host_address());
      if (!is_host_name(result.host)) return std::nullopt;  // also rejects %-escapes
      break;
    default:
      return std::nullopt;  // empty host or IPvFuture
  }

  const std::string_view port = parsed->port();
  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535) {
      return std::nullopt;
    }
    result.port = std::to_string(value);
  } else {
    result.port = result.tls ? "443" : "80";  // RFC 9110 §4.2.1, §4.2.2; "host:" too (RFC 3986 §3.2.3)
  }

  result.target = std::string(parsed->encoded_path());
  // With an authority the path is empty or starts with '/' (RFC 3986 §3.3).
  // Boost.URL 1.81 ends a port or an IPv4 host at the first character that
  // does not fit and reads the rest as the path: "host:80x/" as port 80 and
  // path "x/" (boostorg/url#680), "10.0.0.1.nip.io/feed" as host 10.0.0.1
  // and path ".nip.io/feed" (#755). Refused rather than fetched from the
  // wrong host or with a target that is no path.
  if (!result.target.empty() && result.target.front() != '/') return std::nullopt;
  if (result.target.empty()) result.target.push_back('/');  // not = "/": a GCC 12 -Wrestrict false positive (PR 105329)
  if (parsed->has_query()) {
    result.target += '?';
    result.target += std::string_view(parsed->encoded_query());
  }
  result.userinfo = std::string(parsed->encoded_userinfo());
  return result;
}

// Userinfo, query and fragment can all carry credentials (tokens in
// "?key=" are common in private feed URLs, OAuth puts them in fragments);
// the scheme, host, port and path are what an operator needs to recognize
// a feed.
std::string redact_url(std::string_view url) {
  constexpr std::string_view unparseable = "<unparseable url>";
  if (has_control_or_space(url)) return std::string(unparseable);
  const auto parsed = urls::parse_uri_reference(url);
  if (!parsed) return std::string(unparseable);

  std::string out;
  if (parsed->has_scheme()) {
    out += std::string_view(parsed->scheme());
    out += ':';
  }
  if (parsed->has_authority()) {
    out += "//";
    if (parsed->has_userinfo()) out += "***@";
    out += std::string_view(parsed->encoded_host_and_port());
  }
  out += std::string_view(parsed->encoded_path());
  if (parsed->has_query()) out += "?***";
  if (parsed->has_fragment()) out += "#***";
  return out;
}

}  // namespace feedd::parsers
