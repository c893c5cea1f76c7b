#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace feedd::parsers {

// RFC 3986 reference resolution; returns the reference unchanged when either
// side cannot be parsed (a feed's broken link is data, not an error).
std::string resolve_url(std::string_view base, std::string_view reference);

struct http_url {
  bool tls = false;
  std::string host;      // without brackets for IPv6 literals
  std::string port;      // explicit or the scheme's default
  std::string target;    // path + query, at least "/"
  std::string userinfo;  // "user:pass" or empty
};

// Accepts only absolute http/https URLs without control characters or
// whitespace (they would be written verbatim into the request line).
std::optional<http_url> parse_http_url(std::string_view url);

// The URL with userinfo replaced by "***" and the query by "?***", for logs.
std::string redact_url(std::string_view url);

}  // namespace feedd::parsers
