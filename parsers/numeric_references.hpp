#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

// Numeric character references ("&#233;", "&#xE9;"): reading one, and what
// it stands for. The entity repair before parsing (XML: the ';' is
// required) and the decoding of escaped HTML after it (HTML: it is not)
// read them alike.
namespace feedd::parsers::detail {

struct numeric_reference {
  std::size_t length = 0;     // "&#", an 'x' for hex, the digits; 0 when no digit follows
  std::uint32_t value = 0;    // saturating: 0x110000 stands for "too big"
  bool terminated = false;    // a ';' follows the digits (not counted in length)
};

// The reference at the start of text, which starts with "&#". Inline: the
// entity repair reads one for every "&#" of a document.
inline numeric_reference read_numeric_reference(std::string_view text) {
  const auto hex_value = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::size_t j = 2;
  const bool hex = j < text.size() && (text[j] == 'x' || text[j] == 'X');
  if (hex) ++j;
  const std::size_t digits_start = j;
  std::uint32_t value = 0;
  for (; j < text.size(); ++j) {
    const int digit = hex ? hex_value(text[j]) : (text[j] >= '0' && text[j] <= '9' ? text[j] - '0' : -1);
    if (digit < 0) break;
    value = std::min<std::uint32_t>(value * (hex ? 16 : 10) + static_cast<std::uint32_t>(digit), 0x110000);
  }
  if (j == digits_start) return {};
  return {j, value, j < text.size() && text[j] == ';'};
}

// What a numeric character reference stands for, by the HTML5 rules
// (WHATWG HTML §13.2.5.80): 0, surrogates and values above U+10FFFF become
// U+FFFD; 0x80-0x9F are read as windows-1252, because that is what the
// authors of "&#146;" meant. value saturates: pass 0x110000 for "too big".
char32_t numeric_reference_target(std::uint32_t value);

}  // namespace feedd::parsers::detail
