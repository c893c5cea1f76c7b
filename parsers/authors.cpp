#include "authors.hpp"

#include "ascii.hpp"

namespace feedd::parsers::detail {
namespace {

// One word with an '@' inside ("mailto:" allowed): an address, not a name.
bool is_address(std::string_view text) {
  if (text.starts_with("mailto:")) text.remove_prefix(7);
  const auto at = text.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == text.size()) return false;
  for (const char c : text) {
    if (ascii::is_xml_space(c) || c == '(' || c == ')' || c == '<' || c == '>') return false;
  }
  return true;
}

// RFC 5322 display names may be quoted: "\"Smith, Jo\" <jo@example.com>".
std::string_view unquoted(std::string_view name) {
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
    return ascii::trim(name.substr(1, name.size() - 2));
  }
  return name;
}

}  // namespace

std::string_view author_name(std::string_view text) {
  text = ascii::trim(text);
  if (text.ends_with('>')) {
    if (const auto open = text.rfind('<'); open != std::string_view::npos) {
      const auto address = ascii::trim(text.substr(open + 1, text.size() - open - 2));
      const auto name = unquoted(ascii::trim(text.substr(0, open)));
      if (is_address(address)) return name.empty() ? address : name;
    }
  }
  if (text.ends_with(')')) {
    if (const auto open = text.rfind('('); open != std::string_view::npos) {
      const auto inside = ascii::trim(text.substr(open + 1, text.size() - open - 2));
      const auto outside = ascii::trim(text.substr(0, open));
      if (is_address(outside) && !inside.empty()) return inside;
      if (is_address(inside) && !outside.empty()) return unquoted(outside);
    }
  }
  return text;
}

}  // namespace feedd::parsers::detail
