#pragma once

#include <string>
#include <string_view>

// ASCII character classes and case folding. What feeds spell in any case
// (XML and HTML names, charset labels, URI schemes, month and zone names)
// is case-insensitive in ASCII only, and <cctype> would follow the C
// locale instead.
namespace feedd::parsers::detail::ascii {

constexpr char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }

constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

constexpr bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

inline std::string lowered(std::string_view text) {
  std::string out{text};
  for (auto& c : out) c = lower(c);
  return out;
}

}  // namespace feedd::parsers::detail::ascii
