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

// XML's white space (XML 1.0 §2.3, production S): what separates the parts
// of markup, and what pads the values of feed elements (dates, versions,
// links, guids) that readers trim.
constexpr bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
inline constexpr std::string_view xml_space = " \t\r\n";

// HTML's ASCII whitespace (WHATWG Infra §4.6), XML's plus form feed: between
// the attributes of HTML markup, and around URLs (the WHATWG URL parser
// strips it, so browsers take "\fhttp://a/" as a link).
constexpr bool is_html_space(char c) { return is_xml_space(c) || c == '\f'; }

// text without the white space of one class (XML's unless told) at either end.
constexpr std::string_view trim(std::string_view text, bool (*is_space)(char) = is_xml_space) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// Nothing but XML white space: an element that is there but says nothing.
constexpr bool is_blank(std::string_view text) { return text.find_first_not_of(xml_space) == std::string_view::npos; }

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
