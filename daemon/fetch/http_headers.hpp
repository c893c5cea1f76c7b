#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feedd/expected.hpp"
#include "feedd/parsers/url.hpp"
#include "fetcher.hpp"
#include "inflate.hpp"

// The header fields the fetcher sends and reads, kept apart from Beast's
// message types so that they are cheap to compile and to test. Inputs are
// raw field values.
namespace feedd::daemon {

struct request_field {
  std::string_view name;
  std::string value;
};

// The fields of the GET of one hop to `url`, in the order sent. `userinfo`
// ("user:pass", percent-encoded) goes as Basic credentials when not empty;
// without `keep_alive` the request asks the server to close the connection.
std::vector<request_field> request_fields(const parsers::http_url& url, const fetch_request& request,
                                          const std::string& userinfo, std::string_view user_agent,
                                          bool keep_alive);

// Retry-After (RFC 9110 10.2.3): delta-seconds, or an HTTP-date taken
// relative to the response's Date field (`date`, may be empty) or else `now`.
// A date in the past gives 0; nullopt when unreadable.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, std::string_view date,
                                                      std::chrono::system_clock::time_point now);

// max-age of Cache-Control (RFC 9111 5.2.2.1), token or quoted form.
std::optional<std::chrono::seconds> parse_max_age(std::string_view cache_control);

struct media_type {
  std::string type;     // "application/rss+xml", lower case, empty when absent
  std::string charset;  // lower case, unquoted, empty when absent
};
media_type parse_content_type(std::string_view value);

// Content-Encoding (RFC 9110 8.4): nullopt for identity (or no coding). We
// advertise gzip only and accept exactly one coding; anything else is an
// error detail such as "unsupported content-encoding br".
expected<std::optional<compression>, std::string> parse_content_encoding(std::string_view value);

// False when the value holds a control character (CR and LF above all): such
// a value written into a request would inject header lines (RELIABILITY X8).
bool is_safe_field_value(std::string_view value);

// Whether a response field value may be stored as text and echoed in a
// request: visible ASCII, space and tab only. HTTP allows other bytes
// (obs-text, RFC 9110 §5.5) that are not UTF-8, and PostgreSQL refuses
// those (SQLSTATE 22021) on every try; such a validator or reason phrase
// is dropped instead (RELIABILITY M5).
bool is_ascii_field_value(std::string_view value);

// "Basic <base64>" for RFC 3986 userinfo "user:password" (percent-encoded),
// per RFC 7617.
std::string basic_authorization(std::string_view userinfo);

}  // namespace feedd::daemon
