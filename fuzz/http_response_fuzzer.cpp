// libFuzzer target: what the fetcher makes of a response, minus the sockets.
// The input is parsed three ways:
//
// 1. As a whole HTTP/1.1 response by Beast's parser, with the fetcher's
//    limits (daemon/fetch/connection.cpp, exchange()), its fields taken as
//    connection.cpp's answer_of takes them, then conclude()
//    (final_response.hpp): status line, headers, chunked or sized body,
//    Content-Encoding through inflate, Retry-After and Cache-Control.
// 2. Line by line as field values for each function of http_headers.hpp.
// 3. As a gzip and a deflate body for inflate() (inflate.hpp), and, packed
//    by zlib itself, as the body that must come back out.
//
// connection.cpp is the fetch module's Beast translation unit and stays out
// of the fuzz build (clang 14 cannot assemble Asio's sanitized bodies); the
// few lines of it mirrored here say where they come from.
//
// Oracles:
// - Field values that Beast hands over hold no CR or LF (RELIABILITY X8).
// - conclude: an ok response has a body of 1 to max_body bytes and a lower
//   case media type and charset; errors start "fetch: http: <status>" or
//   "fetch: body: " and are one line; Retry-After and max-age are 0 to 2^31
//   seconds.
// - parse_retry_after and parse_max_age: nothing negative or above 2^31 s;
//   delta-seconds always read. parse_content_type: lower case out.
//   parse_content_encoding: gzip, deflate, identity or an error naming the
//   coding. is_safe_field_value: false for any control character (CR, LF
//   above all), true otherwise. basic_authorization: "Basic " and base64
//   only, decoding to "user:password".
// - inflate never returns more than its cap; zlib's own gzip, zlib and raw
//   deflate streams come back byte for byte within the cap, and one byte
//   over the cap is an error.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <zlib.h>

#include "final_response.hpp"
#include "http_headers.hpp"
#include "inflate.hpp"
#include "oracle.hpp"

namespace {

using feedd::fuzz::require;
namespace fetch = feedd::daemon;
namespace http = boost::beast::http;
using std::chrono::seconds;

// http_headers.cpp's bound on delays: 2^31 seconds.
constexpr seconds longest_delay{std::int64_t{1} << 31};
// 2015-10-21T07:28:00Z.
const auto now = std::chrono::system_clock::time_point(seconds(1445412480));
// Small, so that a short input can exceed it: a gzip bomb of 64 KiB of
// zeros is about 100 bytes.
constexpr std::size_t max_body = 64 * 1024;
constexpr std::size_t max_header = 16 * 1024;  // fetch_options::max_header's default

bool in_range(const std::optional<seconds>& delay) { return !delay || (*delay >= seconds(0) && *delay <= longest_delay); }

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lowered(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

// --- 1. a whole response ---------------------------------------------------

// As connection.cpp's reason_text, ascii_or_empty and answer_of.
std::string ascii_or_empty(std::string_view value) {
  return fetch::is_ascii_field_value(value) ? std::string(value) : std::string();
}

fetch::final_response final_response_of(http::response<http::string_body>& res) {
  fetch::final_response out;
  out.status = static_cast<int>(res.result_int());
  const auto standard = http::obsolete_reason(http::int_to_status(res.result_int()));
  out.reason = standard != "<unknown-status>" ? std::string(standard) : ascii_or_empty(res.reason());
  out.etag = ascii_or_empty(res[http::field::etag]);
  out.last_modified = ascii_or_empty(res[http::field::last_modified]);
  for (auto [it, end] = res.equal_range(http::field::cache_control); it != end; ++it) {
    out.cache_control += (out.cache_control.empty() ? "" : ", ") + std::string(it->value());
  }
  out.content_type = std::string(res[http::field::content_type]);
  out.content_encoding = std::string(res[http::field::content_encoding]);
  out.retry_after = std::string(res[http::field::retry_after]);
  out.date = std::string(res[http::field::date]);
  out.body = std::move(res.body());
  return out;
}

void check_concluded(const fetch::fetch_response& out, int status) {
  using outcome = fetch::fetch_response::outcome;
  require(out.status == status, "conclude reports the status");
  require(in_range(out.retry_after), "Retry-After is 0 to 2^31 seconds");
  require(in_range(out.max_age), "max-age is 0 to 2^31 seconds");
  require(!feedd::fuzz::has_line_break(out.error), "errors are one line", out.error);
  switch (out.what) {
    case outcome::ok:
      require(status / 100 == 2, "only a 2xx is ok");
      require(!out.body.empty() && out.body.size() <= max_body, "an ok body has 1 to max_body bytes");
      require(!feedd::fuzz::has_upper_case(out.content_type) && !feedd::fuzz::has_upper_case(out.charset),
              "media type and charset are lower case", out.content_type + "; " + out.charset);
      require(out.error.empty(), "ok has no error", out.error);
      break;
    case outcome::not_modified:
      require(status == 304, "only a 304 is not modified");
      break;
    case outcome::http_error:
      require(out.error.starts_with("fetch: http: " + std::to_string(status)), "HTTP errors name the status",
              out.error);
      break;
    case outcome::failed:
      require(out.error.starts_with("fetch: body: "), "a body that cannot be used says so", out.error);
      break;
    case outcome::cancelled:
      feedd::fuzz::broken("conclude never cancels");
  }
  if (out.what != outcome::http_error) require(!out.retry_after, "Retry-After only for HTTP errors");
}

void check_response(std::string_view input) {
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  parser.header_limit(static_cast<std::uint32_t>(max_header));
  parser.body_limit(max_body);
  boost::system::error_code ec;
  std::string_view rest = input;
  while (!parser.is_done()) {
    const std::size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    rest.remove_prefix(used);
    if (ec == http::error::need_more) ec = {};
    if (ec) break;
    if (used == 0) {
      // The connection closed here. Beast's read calls put_eof only once the
      // parser has seen a byte (it asserts so) and reports end_of_stream
      // before that; so does this.
      if (parser.got_some()) {
        parser.put_eof(ec);
      } else {
        ec = http::error::end_of_stream;
      }
      break;
    }
  }
  if (!parser.is_header_done()) return;

  auto& res = parser.get();
  for (const auto& field : res) {
    require(!feedd::fuzz::has_line_break(field.value()), "Beast hands over field values without CR or LF",
            field.value());
  }
  const int status = static_cast<int>(res.result_int());
  // connection.cpp's exchange(): only a 2xx has its body read, and a body
  // over the limit or cut short is a failure before conclude.
  if (status / 100 == 2 && (ec || !parser.is_done())) return;
  if (status / 100 != 2) res.body().clear();
  auto out = fetch::conclude(final_response_of(res), {}, max_body, now);
  check_concluded(out, status);
}

// --- 2. field values -------------------------------------------------------

bool is_base64(std::string_view text) {
  if (text.size() % 4 != 0) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                        c == '/';
    if (!letter && !(c == '=' && i + 2 >= text.size())) return false;
  }
  return true;
}

std::string from_base64(std::string_view text) {
  const auto value = [](char c) -> unsigned {
    if (c >= 'A' && c <= 'Z') return static_cast<unsigned>(c - 'A');
    if (c >= 'a' && c <= 'z') return static_cast<unsigned>(c - 'a' + 26);
    if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0' + 52);
    return c == '+' ? 62u : 63u;
  };
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (const char c : text) {
    if (c == '=') break;
    bits = (bits << 6) | value(c);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return out;
}

bool is_delta_seconds(std::string_view value) {
  return !value.empty() && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void check_field_value(std::string_view value, std::string_view next) {
  const auto delay = fetch::parse_retry_after(value, next, now);
  require(in_range(delay), "parse_retry_after gives 0 to 2^31 seconds", value);
  require(in_range(fetch::parse_retry_after(value, {}, {})), "parse_retry_after gives 0 to 2^31 seconds", value);
  if (is_delta_seconds(trimmed(value))) require(delay.has_value(), "delta-seconds always read", value);
  require(in_range(fetch::parse_max_age(value)), "parse_max_age gives 0 to 2^31 seconds", value);

  const auto media = fetch::parse_content_type(value);
  require(!feedd::fuzz::has_upper_case(media.type) && !feedd::fuzz::has_upper_case(media.charset),
          "parse_content_type lower-cases type and charset", value);

  const auto coding = fetch::parse_content_encoding(value);
  const std::string name = lowered(trimmed(value));
  if (coding && *coding) {
    const bool gzip = **coding == fetch::compression::gzip;
    require(name == (gzip ? "gzip" : "deflate") || (gzip && name == "x-gzip") || name.find(',') != std::string::npos,
            "parse_content_encoding accepts only gzip and deflate", value);
  } else if (!coding) {
    require(coding.error().starts_with("unsupported content-encoding "), "an unsupported coding is named", value);
  }
  if (name == "gzip") require(coding && *coding == fetch::compression::gzip, "gzip is accepted", value);

  const bool control = std::any_of(value.begin(), value.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 && byte != '\t') || byte == 0x7f;
  });
  require(fetch::is_safe_field_value(value) == !control, "is_safe_field_value refuses exactly the controls", value);
  if (fetch::is_ascii_field_value(value)) {
    require(!control && feedd::fuzz::is_ascii(value), "is_ascii_field_value accepts only visible ASCII", value);
  }

  const std::string credentials = fetch::basic_authorization(value);
  require(credentials.starts_with("Basic ") && is_base64(std::string_view(credentials).substr(6)),
          "basic_authorization is \"Basic \" and base64", credentials);
  if (value.find('%') == std::string_view::npos) {
    const std::string expected = value.find(':') == std::string_view::npos ? std::string(value) + ":" : std::string(value);
    require(from_base64(std::string_view(credentials).substr(6)) == expected,
            "basic_authorization encodes user:password", value);
  }
}

void check_field_values(std::string_view input) {
  // The whole input, line breaks and all, must never pass as a safe value.
  if (feedd::fuzz::has_line_break(input)) {
    require(!fetch::is_safe_field_value(input), "is_safe_field_value refuses CR and LF", input);
  }
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start <= input.size() && lines.size() < 64;) {
    const std::size_t end = std::min(input.find_first_of("\r\n", start), input.size());
    lines.push_back(input.substr(start, end - start));
    start = end + 1;
  }
  for (std::size_t i = 0; i < lines.size(); ++i) check_field_value(lines[i], i + 1 < lines.size() ? lines[i + 1] : "");
}

// --- 3. bodies -------------------------------------------------------------

// zlib's own stream for `data`: window_bits 31 gzip, 15 zlib, -15 raw.
std::string packed(std::string_view data, int window_bits) {
  z_stream zs{};
  if (deflateInit2(&zs, 1, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int ret = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return ret == Z_STREAM_END ? out : std::string();
}

void check_inflated(std::string_view body, fetch::compression format, std::size_t cap) {
  const auto out = fetch::inflate(body, format, cap);
  if (out) {
    require(out->size() <= cap, "inflate never returns more than its cap");
    return;
  }
  const std::string& e = out.error();
  require(e.starts_with("decompressed body exceeds ") || e.starts_with("corrupt gzip data") ||
              e.starts_with("corrupt deflate data") || e.starts_with("truncated gzip data") ||
              e.starts_with("truncated deflate data"),
          "inflate's errors are the documented details", e);
  require(!feedd::fuzz::has_line_break(e), "inflate's errors are one line", e);
}

void check_bodies(std::string_view input) {
  const std::size_t small_cap = input.empty() ? 0 : static_cast<unsigned char>(input[0]) * 4u;
  for (const auto format : {fetch::compression::gzip, fetch::compression::deflate}) {
    check_inflated(input, format, small_cap);
    check_inflated(input, format, max_body);
  }
  if (input.size() > max_body) return;
  const struct {
    int window_bits;
    fetch::compression format;
  } streams[] = {{31, fetch::compression::gzip}, {15, fetch::compression::deflate}, {-15, fetch::compression::deflate}};
  for (const auto& stream : streams) {
    const std::string body = packed(input, stream.window_bits);
    require(!body.empty(), "zlib packs the input");
    const auto exact = fetch::inflate(body, stream.format, input.size());
    require(exact && *exact == input, "inflate gives back what zlib packed, at a cap of its size", input);
    if (input.empty()) continue;
    const auto over = fetch::inflate(body, stream.format, input.size() - 1);
    require(!over && over.error().starts_with("decompressed body exceeds "), "one byte over the cap is an error",
            input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input{reinterpret_cast<const char*>(data), size};
  check_response(input);
  check_field_values(input);
  check_bodies(input);
  return 0;
}
