#include <string>
#include <type_traits>
#include <vector>

#include "document.hpp"
#include "feedd/config/config.hpp"
#include "fields.hpp"

namespace feedd::config {
namespace {

template <class T>
std::string show(const T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    return quote(value);
  } else if constexpr (std::is_same_v<T, bool>) {
    return value ? "true" : "false";
  } else if constexpr (std::is_same_v<T, int>) {
    return std::to_string(value);
  } else if constexpr (std::is_same_v<T, duration>) {
    return format_duration(value);
  } else if constexpr (std::is_same_v<T, std::size_t>) {
    return format_size(value);
  } else if constexpr (std::is_same_v<T, std::optional<listen_address>>) {
    return quote(value ? to_string(*value) : std::string());
  } else {
    return std::string(to_string(value));
  }
}

}  // namespace

std::string mask_credentials(std::string_view url) {
  const auto start = url.find("://");
  const auto from = start == std::string_view::npos ? 0 : start + 3;
  const auto end = url.find_first_of("/?#", from);
  const auto at = url.substr(0, end).rfind('@');
  if (at == std::string_view::npos || at < from) return std::string(url);
  return std::string(url.substr(0, from)) + "***" + std::string(url.substr(at));
}

std::string to_string(const problem& p) {
  std::string out = "config: ";
  if (!p.key.empty()) out += p.key;
  if (p.line > 0) out += p.key.empty() ? "line " + std::to_string(p.line) : " (line " + std::to_string(p.line) + ")";
  if (!p.key.empty() || p.line > 0) out += ": ";
  return out + p.message;
}

std::vector<std::string> describe_changes(const config& before, const config& after) {
  // The field table hands out mutable references; work on copies rather than
  // cast const away.
  config old_value = before;
  config new_value = after;
  std::vector<std::string> lines;
  for (const auto& f : fields()) {
    std::visit(
        [&](auto target) {
          const auto& was = target(old_value);
          const auto& now = target(new_value);
          if (was == now) return;
          // A conninfo may carry a password: say that it changed, never what.
          if (f.rule == text_rule::secret) {
            lines.push_back(f.dotted() + ": changed");
          } else if constexpr (std::is_same_v<std::decay_t<decltype(was)>, std::string>) {
            if (f.rule == text_rule::proxy_url) {
              lines.push_back(f.dotted() + ": " + quote(mask_credentials(was)) + " -> " + quote(mask_credentials(now)));
            } else {
              lines.push_back(f.dotted() + ": " + show(was) + " -> " + show(now));
            }
          } else {
            lines.push_back(f.dotted() + ": " + show(was) + " -> " + show(now));
          }
        },
        f.target);
  }
  return lines;
}

}  // namespace feedd::config
