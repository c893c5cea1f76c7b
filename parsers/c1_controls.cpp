#include "c1_controls.hpp"

#include <array>
#include <cstdint>
#include <string_view>

namespace feedd::parsers::detail {
namespace {

// windows-1252 0x80-0x9F; 0 where it defines nothing.
constexpr std::array<std::uint16_t, 32> windows_1252 = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

void append_utf8(std::string& out, std::uint16_t code_point) {
  if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
  } else {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
  }
  out += static_cast<char>(0x80 | (code_point & 0x3F));
}

// In UTF-8, U+0080-U+009F are 0xC2 followed by 0x80-0x9F; 0xC2 never
// appears inside another sequence, so no decoding is needed to find them.
bool is_mapped_c1(std::string_view text, std::size_t i) {
  if (i + 1 >= text.size() || text[i] != '\xC2') return false;
  const auto second = static_cast<unsigned char>(text[i + 1]);
  return second >= 0x80 && second <= 0x9F && windows_1252[second - 0x80] != 0;
}

}  // namespace

void map_c1_controls(std::string& utf8) {
  const std::string_view text = utf8;
  std::size_t first = text.find('\xC2');
  while (first != std::string_view::npos && !is_mapped_c1(text, first)) first = text.find('\xC2', first + 1);
  if (first == std::string_view::npos) return;
  std::string out;
  out.reserve(text.size() + 16);
  out.append(text.substr(0, first));
  for (std::size_t i = first; i < text.size(); ++i) {
    if (is_mapped_c1(text, i)) {
      append_utf8(out, windows_1252[static_cast<unsigned char>(text[i + 1]) - 0x80]);
      ++i;
    } else {
      out += text[i];
    }
  }
  utf8 = std::move(out);
}

}  // namespace feedd::parsers::detail
