#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
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

// Eight bytes at a time (SWAR, "Bit Twiddling Hacks": determine if a word
// has a zero byte): the byte-by-byte loops below spent most of a parse on
// documents that are almost all ASCII markup.
namespace word {

inline constexpr std::size_t size = 8;
inline constexpr std::uint64_t ones = 0x0101010101010101;
inline constexpr std::uint64_t highs = 0x8080808080808080;

// text[pos, pos + 8) with text[pos] in the lowest byte, whatever the
// machine's byte order, so that the lowest flagged byte comes first.
inline std::uint64_t load(const char* bytes) {
  std::uint64_t value = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&value, bytes, size);
  } else {
    for (std::size_t i = 0; i < size; ++i) value |= std::uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * i);
  }
  return value;
}

// The high bit of each byte of `value` that is below n (n <= 0x80). The
// lowest flag is exact; a borrow may flag bytes above a flagged one, so
// only the lowest may be trusted for a position.
inline std::uint64_t below(std::uint64_t value, unsigned char n) { return (value - ones * n) & ~value & highs; }

inline std::uint64_t equal(std::uint64_t value, unsigned char c) { return below(value ^ (ones * c), 1); }

inline std::uint64_t non_ascii(std::uint64_t value) { return value & highs; }

// Offset of the lowest flagged byte; flags must not be 0.
inline std::size_t first(std::uint64_t flags) { return static_cast<std::size_t>(std::countr_zero(flags)) / 8; }

// Exact per byte, unlike below(): for bytes known to be at most 0x7F no
// borrow or carry crosses a byte. The high bit of each byte equal to c.
inline std::uint64_t seven_bit_equal(std::uint64_t seven_bits, unsigned char c) {
  return ~((seven_bits ^ (ones * c)) + ones * 0x7F) & highs;
}

// The C0 controls other than TAB, LF and CR among the ASCII bytes.
inline std::uint64_t text_controls(std::uint64_t value) {
  const std::uint64_t low = value & ~highs;
  const std::uint64_t below_space = ~(low + ones * 0x60) & highs & ~value;
  return below_space & ~(seven_bit_equal(low, '\t') | seven_bit_equal(low, '\n') | seven_bit_equal(low, '\r'));
}

// How many bytes of a word with non-ASCII bytes, at a sequence boundary,
// are well-formed UTF-8 (Unicode 15 §3.9, Table 3-7) by bit arithmetic
// alone: 8, or the offset of a last sequence that continues past the word
// (5 to 7), or 0 when the exact decoder must look (something ill-formed, or
// a lead byte whose second byte has a narrower range: C0, C1, E0, ED, F0,
// F4-FF). With `text`, the lead of U+FFFE/U+FFFF (EF) goes there too.
template <bool text>
[[gnu::always_inline]] inline std::size_t well_formed_prefix(std::uint64_t value) {
  const std::uint64_t high = value & highs;
  const auto bit = [&](int n) { return (value << n) & highs; };  // bit 7 - n of each byte
  const std::uint64_t lead = high & bit(1);
  const std::uint64_t lead3 = lead & bit(2);
  const std::uint64_t lead4 = lead3 & bit(3);
  const std::uint64_t continuation = high & ~bit(1);
  if (continuation != ((lead << 8) | (lead3 << 16) | (lead4 << 24))) return 0;
  const std::uint64_t nibble = value & (ones * 0x0F);
  const std::uint64_t two_byte_overlong = lead & ~lead3 & seven_bit_equal(value & (ones * 0x1E), 0);
  std::uint64_t three_byte_limited = seven_bit_equal(nibble, 0x0) | seven_bit_equal(nibble, 0xD);
  if constexpr (text) three_byte_limited |= seven_bit_equal(nibble, 0xF);
  const std::uint64_t four_byte_limited = bit(4) | bit(5) | seven_bit_equal(nibble, 0x0);
  if ((two_byte_overlong | (lead3 & ~lead4 & three_byte_limited) | (lead4 & four_byte_limited)) != 0) return 0;
  if (((lead >> 56) | (lead3 >> 48) | (lead4 >> 40)) == 0) return size;
  return static_cast<std::size_t>(63 - std::countl_zero(lead)) / 8;
}

}  // namespace word

// Valid UTF-8 that is not text we store (see sanitize_utf8). PostgreSQL
// accepts these but they are not text: NUL ends C strings (and libpq
// parameters), the other C0 controls break terminals and logs, and
// U+FFFE/U+FFFF are noncharacters that mark byte-order confusion.
inline bool is_unwanted_in_text(char32_t c) {
  return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xFFFE || c == 0xFFFF;
}

// Offset of the first ill-formed sequence (with `text`, also of the first
// unwanted one), or npos. A word at a time where the bits can tell; ASCII
// words, the common case, in a loop of their own.
template <bool text>
std::size_t first_rejected(std::string_view bytes) {
  const auto rejected = [&](std::size_t pos, utf8_sequence& sequence) {
    sequence = decode_utf8(bytes, pos);
    if constexpr (text) {
      return !sequence.valid || is_unwanted_in_text(sequence.code_point);
    } else {
      return !sequence.valid;
    }
  };
  utf8_sequence sequence;
  std::size_t pos = 0;
  while (pos + word::size <= bytes.size()) {
    const std::uint64_t value = word::load(bytes.data() + pos);
    std::size_t skip = 0;
    // below() is exact as a yes or no; most words have no control, and
    // most of those that do have only a line break.
    const bool controls = text && word::below(value, 0x20) != 0 && word::text_controls(value) != 0;
    if (!controls) skip = word::non_ascii(value) == 0 ? word::size : word::well_formed_prefix<text>(value);
    if (skip > 0) {
      pos += skip;
      continue;
    }
    for (const std::size_t end = pos + word::size; pos < end; pos += sequence.length) {
      if (rejected(pos, sequence)) return pos;
    }
  }
  for (; pos < bytes.size(); pos += sequence.length) {
    if (rejected(pos, sequence)) return pos;
  }
  return std::string_view::npos;
}

inline bool is_valid_utf8(std::string_view text) { return first_rejected<false>(text) == std::string_view::npos; }

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
