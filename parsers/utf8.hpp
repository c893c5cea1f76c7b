#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace feedd::parsers::detail {

inline constexpr char32_t replacement_character = 0xFFFD;

struct utf8_sequence {
  char32_t code_point = replacement_character;
  std::size_t length = 1;  // bytes consumed; for an invalid sequence its maximal subpart
  bool valid = false;
};

// Decodes the sequence starting at text[pos] by the well-formed byte table of
// Unicode 15 §3.9 (Table 3-7): no overlongs, no surrogates, nothing above
// U+10FFFF. An invalid sequence reports its "maximal subpart" so that callers
// replace it with exactly one U+FFFD, as the W3C/WHATWG decoders do.
inline utf8_sequence decode_utf8(std::string_view text, std::size_t pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(pos);
  if (lead < 0x80) return {lead, 1, true};

  std::size_t length = 0;
  char32_t code_point = 0;
  unsigned char low = 0x80;  // allowed range of the second byte
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0F;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return {};
  }

  for (std::size_t i = 1; i < length; ++i) {
    if (pos + i >= text.size()) return {replacement_character, i, false};
    const unsigned char next = byte(pos + i);
    const unsigned char min = i == 1 ? low : 0x80;
    const unsigned char max = i == 1 ? high : 0xBF;
    if (next < min || next > max) return {replacement_character, i, false};
    code_point = (code_point << 6) | (next & 0x3F);
  }
  return {code_point, length, true};
}

inline void append_utf8(std::string& out, char32_t code_point) {
  if (code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    code_point = replacement_character;
  }
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

inline bool is_valid_utf8(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    const utf8_sequence sequence = decode_utf8(text, pos);
    if (!sequence.valid) return false;
    pos += sequence.length;
  }
  return true;
}

// Replaces every invalid sequence by U+FFFD and keeps everything else.
inline std::string to_valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    const utf8_sequence sequence = decode_utf8(text, pos);
    if (sequence.valid) {
      out.append(text.substr(pos, sequence.length));
    } else {
      append_utf8(out, replacement_character);
    }
    pos += sequence.length;
  }
  return out;
}

}  // namespace feedd::parsers::detail
