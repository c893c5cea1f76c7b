#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <vector>

#include "ascii.hpp"
#include "feedd/parsers/discovery.hpp"
#include "feedd/parsers/url.hpp"

namespace feedd::parsers {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  const char l = detail::ascii::lower(c);
  return l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
}

bool is_unreserved(char c) { return detail::ascii::is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }

// RFC 3986 §6.2.2.1-2: escapes of unreserved characters decoded, the hex
// of the others in upper case. Done here, not by Boost.URL's normalize(),
// which in 1.81 also decodes %2F in paths and so changes the resource.
std::string normalize_escapes(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const int high = text[i] == '%' && i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
    const int low = high >= 0 ? hex_value(text[i + 2]) : -1;
    if (low < 0) {
      out += text[i];
      continue;
    }
    const char decoded = static_cast<char>(high * 16 + low);
    if (is_unreserved(decoded)) {
      out += decoded;
    } else {
      out += '%';
      out += hex[high];
      out += hex[low];
    }
    i += 2;
  }
  return out;
}

// RFC 3986 §5.2.4 on an absolute path; Boost.URL's resolution would also
// decode %2F (see above).
std::string remove_dot_segments(std::string_view path) {
  std::vector<std::string_view> kept;
  std::size_t at = 1;  // past the leading '/'
  bool trailing_slash = false;
  while (at <= path.size()) {
    auto end = path.find('/', at);
    if (end == std::string_view::npos) end = path.size();
    const auto segment = path.substr(at, end - at);
    trailing_slash = segment == "." || segment == "..";
    if (segment == "..") {
      if (!kept.empty()) kept.pop_back();
    } else if (segment != ".") {
      kept.push_back(segment);
    }
    at = end + 1;
  }
  std::string out;
  for (const auto segment : kept) {
    out += '/';
    out += segment;
  }
  if (trailing_slash || out.empty()) out += '/';
  return out;
}

}  // namespace

std::optional<std::string> normalize_feed_url(std::string_view url) {
  const auto http = parse_http_url(url);
  if (!http) return std::nullopt;
  const auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return std::nullopt;
  std::string origin = http->tls ? "https://" : "http://";
  if (parsed->has_userinfo()) origin += normalize_escapes(parsed->encoded_userinfo()) + "@";
  origin += parsed->host_type() == boost::urls::host_type::ipv6 ? "[" + detail::ascii::lowered(http->host) + "]"
                                                                : http->host;
  if (http->port != (http->tls ? "443" : "80")) origin += ":" + http->port;
  const auto query = http->target.find('?');
  std::string out = origin + remove_dot_segments(normalize_escapes(std::string_view(http->target).substr(0, query)));
  if (query != std::string::npos) out += normalize_escapes(std::string_view(http->target).substr(query));
  return out;
}

}  // namespace feedd::parsers
