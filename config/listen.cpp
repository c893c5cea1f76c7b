#include <algorithm>

#include "document.hpp"
#include "feedd/config/config.hpp"

namespace feedd::config {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Host names (RFC 1123 letters, digits, hyphens, dots) and IPv4 literals.
bool is_name_char(char c) { return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_'; }
// IPv6 literals, with an optional zone ("fe80::1%eth0", RFC 6874).
bool is_ipv6_char(char c) { return is_hex(c) || c == ':' || c == '.'; }

expected<listen_address, std::string> with_port(std::string_view host, std::string_view port, std::string_view text) {
  const bool digits = !port.empty() && port.size() <= 5 && std::all_of(port.begin(), port.end(), is_digit);
  int value = 0;
  if (digits) {
    for (char c : port) value = value * 10 + (c - '0');
  }
  if (!digits || value < 1 || value > 65535) {
    return unexpected{"expected a port between 1 and 65535 after the colon, got " + quote(text)};
  }
  return listen_address{std::string(host), static_cast<std::uint16_t>(value)};
}

expected<listen_address, std::string> parse_bracketed(std::string_view text) {
  const auto close = text.find(']');
  if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
    return unexpected{"expected host:port such as 127.0.0.1:9118, got " + quote(text)};
  }
  const auto host = text.substr(1, close - 1);
  const auto address = host.substr(0, host.find('%'));
  const auto zone = host.size() > address.size() ? host.substr(address.size() + 1) : std::string_view{};
  // An IPv6 address always has a colon: without one, to_string would write
  // the host unbracketed and the '%' zone would not read back (fuzzing).
  if (address.find(':') == std::string_view::npos || !std::all_of(address.begin(), address.end(), is_ipv6_char) ||
      !std::all_of(zone.begin(), zone.end(), is_name_char) || (host.size() > address.size() && zone.empty())) {
    return unexpected{"expected an IPv6 address inside the brackets, got " + quote(text)};
  }
  return with_port(host, text.substr(close + 2), text);
}

}  // namespace

// Only the shape is checked; names are resolved when the server starts, so
// that a typo fails check-config rather than the metrics server.
expected<listen_address, std::string> parse_listen_address(std::string_view text) {
  if (!text.empty() && text.front() == '[') return parse_bracketed(text);
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return unexpected{"expected host:port such as 127.0.0.1:9118, got " + quote(text)};
  const auto host = text.substr(0, colon);
  if (host.find(':') != std::string_view::npos) {
    return unexpected{"an IPv6 address needs brackets, as in [::1]:9118, got " + quote(text)};
  }
  // An empty host would mean every interface; say so explicitly instead of
  // exposing metrics by accident.
  if (host.empty()) return unexpected{"missing host (0.0.0.0:9118 listens on every IPv4 address), got " + quote(text)};
  if (!std::all_of(host.begin(), host.end(), is_name_char)) {
    return unexpected{"expected host:port such as 127.0.0.1:9118, got " + quote(text)};
  }
  return with_port(host, text.substr(colon + 1), text);
}

std::string to_string(const listen_address& address) {
  const bool v6 = address.host.find(':') != std::string::npos;
  return (v6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
}

}  // namespace feedd::config
