#include "http_headers.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <vector>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/url/pct_string_view.hpp>
#include <openssl/evp.h>

#include "feedd/parsers/dates.hpp"

namespace feedd::daemon {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

constexpr auto accept_value =
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8";

// Large enough for any sensible delay, small enough that adding it to a
// time_point cannot overflow; the scheduler clamps to its own maximum anyway.
constexpr std::int64_t max_seconds = std::int64_t{1} << 31;

// OWS (RFC 9110 5.6.3): spaces and tabs.
std::string_view trim(std::string_view s) {
  const auto is_ows = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view view(beast::string_view s) { return {s.data(), s.size()}; }

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

// The members of a comma-separated list, split outside quoted strings
// (RFC 9110 5.6.1, 5.6.4) and trimmed. Beast's lists take tokens with
// ";" parameters, not Cache-Control's "name=value" members.
std::vector<std::string_view> split_list(std::string_view s) {
  std::vector<std::string_view> parts;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '"') quoted = !quoted;
    if (s[i] == '\\' && quoted) ++i;
    if (i < s.size() && s[i] == ',' && !quoted) {
      parts.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  parts.push_back(trim(s.substr(std::min(start, s.size()))));
  return parts;
}

std::optional<std::int64_t> parse_seconds(std::string_view digits) {
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc::result_out_of_range) return max_seconds;
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return std::min(value, max_seconds);
}

std::string percent_decode(std::string_view s) {
  auto checked = boost::urls::make_pct_string_view(s);
  return checked ? checked->decode() : std::string(s);
}

// RFC 9110 7.2: the port is omitted when it is the scheme's default; IPv6 literals get brackets.
std::string host_field(const parsers::http_url& url) {
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  const bool default_port = url.port == (url.tls ? "443" : "80");
  return default_port ? host : host + ":" + url.port;
}

// Boost 1.81's beast::iequals reads one byte past both strings whenever they
// differ in case (its slow loop loads the next characters before testing the
// count; found by http_response_fuzzer): a parameter name at the very end of
// a field value would be read beyond its buffer.
bool is_name(std::string_view name, std::string_view lower_case) {
  return name.size() == lower_case.size() &&
         std::equal(name.begin(), name.end(), lower_case.begin(),
                    [](char a, char b) { return (a >= 'A' && a <= 'Z' ? a - 'A' + 'a' : a) == b; });
}

}  // namespace

std::vector<request_field> request_fields(const parsers::http_url& url, const fetch_request& request,
                                          const std::string& userinfo, std::string_view user_agent,
                                          bool keep_alive) {
  std::vector<request_field> fields{
      {"Host", host_field(url)},
      {"User-Agent", std::string(user_agent)},
      {"Accept", accept_value},
      {"Accept-Encoding", "gzip"},  // only what we decode (curl CVE-2022-32206)
  };
  // Stored validators are echoed only when they cannot inject header lines (RELIABILITY X8).
  if (!request.etag.empty() && is_safe_field_value(request.etag)) fields.push_back({"If-None-Match", request.etag});
  if (!request.last_modified.empty() && is_safe_field_value(request.last_modified)) {
    fields.push_back({"If-Modified-Since", request.last_modified});
  }
  if (!userinfo.empty()) fields.push_back({"Authorization", basic_authorization(userinfo)});
  // HTTP/1.1 keeps the connection open unless told otherwise (RFC 9112 9.3).
  if (!keep_alive) fields.push_back({"Connection", "close"});
  return fields;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, std::string_view date,
                                                      std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (auto delay = parse_seconds(value)) return std::chrono::seconds(*delay);
  const auto when = parsers::parse_date(value);
  if (!when) return std::nullopt;
  // The origin's clock may be off; its Date field says what "now" meant to it.
  auto reference = std::chrono::time_point_cast<std::chrono::seconds>(now);
  if (const auto server_now = parsers::parse_date(trim(date))) reference = *server_now;
  const auto delay = *when - reference;
  if (delay <= std::chrono::seconds(0)) return std::chrono::seconds(0);
  return std::min(std::chrono::duration_cast<std::chrono::seconds>(delay), std::chrono::seconds(max_seconds));
}

std::optional<std::chrono::seconds> parse_max_age(std::string_view cache_control) {
  for (const auto directive : split_list(cache_control)) {
    // A directive is token [ "=" ( token / quoted-string ) ] (RFC 9111 5.2):
    // the grammar of a parameter, which param_list reads and unquotes.
    const std::string as_parameter = ";" + std::string(directive);
    for (const auto& [name, value] : http::param_list(as_parameter)) {
      if (!is_name(name, "max-age")) continue;
      if (const auto seconds = parse_seconds(view(value))) return std::chrono::seconds(*seconds);
      return std::nullopt;
    }
  }
  return std::nullopt;
}

media_type parse_content_type(std::string_view value) {
  media_type result;
  const auto parameters = value.find(';');
  result.type = lower(trim(value.substr(0, parameters)));
  if (parameters == std::string_view::npos) return result;
  for (const auto& [name, parameter] : http::param_list(value.substr(parameters))) {
    if (is_name(name, "charset")) result.charset = lower(view(parameter));
  }
  return result;
}

expected<std::optional<compression>, std::string> parse_content_encoding(std::string_view value) {
  const http::opt_token_list list(value);
  if (!http::validate_list(list)) return unexpected{"unsupported content-encoding " + lower(trim(value))};
  std::vector<std::string> codings;
  for (const auto token : list) {
    const std::string coding = lower(view(token));
    // "identity" is not a content-coding (RFC 9110 12.5.3) but is harmless; "none" is a common mistake.
    if (!coding.empty() && coding != "identity" && coding != "none") codings.push_back(coding);
  }
  if (codings.empty()) return std::optional<compression>{};
  if (codings.size() == 1 && (codings[0] == "gzip" || codings[0] == "x-gzip")) {
    return std::optional<compression>{compression::gzip};
  }
  if (codings.size() == 1 && codings[0] == "deflate") return std::optional<compression>{compression::deflate};
  std::string listed;
  for (const auto& coding : codings) listed += (listed.empty() ? "" : ", ") + coding;
  return unexpected{"unsupported content-encoding " + listed};
}

bool is_safe_field_value(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; });
}

bool is_ascii_field_value(std::string_view value) {
  return std::all_of(value.begin(), value.end(), [](unsigned char c) { return (c >= 0x20 && c < 0x7f) || c == '\t'; });
}

std::string basic_authorization(std::string_view userinfo) {
  const auto colon = userinfo.find(':');
  std::string credentials = percent_decode(userinfo.substr(0, colon));
  credentials += ':';
  if (colon != std::string_view::npos) credentials += percent_decode(userinfo.substr(colon + 1));
  std::string encoded(4 * ((credentials.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                     reinterpret_cast<const unsigned char*>(credentials.data()),
                                     static_cast<int>(credentials.size()));
  encoded.resize(static_cast<std::size_t>(std::max(length, 0)));
  return "Basic " + encoded;
}

}  // namespace feedd::daemon
