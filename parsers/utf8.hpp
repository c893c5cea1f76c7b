#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// Valid UTF-8 that is not text we store (see sanitize_utf8). PostgreSQL
// accepts these but they are not text: NUL ends C strings (and libpq
// parameters), the other C0 controls break terminals and logs, and
// U+FFFE/U+FFFF are noncharacters that mark byte-order confusion.
inline bool is_unwanted_in_text(char32_t c) {
  return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xFFFE || c == 0xFFFF;
}

// Sixteen bytes at a time through the compiler's generic vectors: SSE2 on
// x86-64 and NEON on arm64 without target flags, plain code elsewhere. A
// byte or word loop spent as long on a document as pugixml takes to parse
// it; feeds are mostly ASCII markup with text in any script between.
namespace lanes {

inline constexpr std::size_t size = 16;
inline constexpr std::size_t block = 64;  // what accepts() checks at once
inline constexpr std::size_t block_vectors = block / size;
inline constexpr std::size_t lookback = 3;  // bytes before a block that accepts() reads

// Signed, so that one compare, v < 0x20, flags the C0 controls and every
// byte of a multi-byte sequence at once.
using vector = signed char __attribute__((vector_size(size)));

inline vector load(const char* bytes) {
  vector value;
  std::memcpy(&value, bytes, size);
  return value;
}

inline vector splat(int byte) { return vector{} + static_cast<signed char>(byte); }

// Bit i set when byte i of flags has its high bit set (compare results are
// 0 or -1 per byte).
inline std::uint32_t mask(vector flags) {
#if defined(__SSE2__)
  return static_cast<std::uint32_t>(_mm_movemask_epi8(reinterpret_cast<__m128i>(flags)));
#else
  std::uint32_t bits = 0;
  for (std::size_t i = 0; i < size; ++i) bits |= static_cast<std::uint32_t>(flags[i] < 0) << i;
  return bits;
#endif
}

inline bool any(vector flags) { return mask(flags) != 0; }
inline bool all(vector flags) { return mask(flags) == (std::uint32_t{1} << size) - 1; }

// max(a - b, 0) per unsigned byte: nonzero exactly where a > b.
inline vector saturated_minus(vector a, int b) {
#if defined(__SSE2__)
  return reinterpret_cast<vector>(_mm_subs_epu8(reinterpret_cast<__m128i>(a), reinterpret_cast<__m128i>(splat(b))));
#else
  using unsigned_vector = unsigned char __attribute__((vector_size(size)));
  const auto ua = reinterpret_cast<unsigned_vector>(a);
  const auto ub = reinterpret_cast<unsigned_vector>(splat(b));
  return reinterpret_cast<vector>(ua - ub) & reinterpret_cast<vector>(ua > ub);
#endif
}

// min(a, b) per unsigned byte.
inline vector unsigned_min(vector a, vector b) {
#if defined(__SSE2__)
  return reinterpret_cast<vector>(_mm_min_epu8(reinterpret_cast<__m128i>(a), reinterpret_cast<__m128i>(b)));
#else
  using unsigned_vector = unsigned char __attribute__((vector_size(size)));
  const auto ua = reinterpret_cast<unsigned_vector>(a);
  const auto ub = reinterpret_cast<unsigned_vector>(b);
  return reinterpret_cast<vector>(ua < ub ? ua : ub);
#endif
}

// What accepts() leaves to this, for blocks that hold one of the rare lead
// bytes at all: the bytes that are never UTF-8 (C0, C1, F5-FF), second
// bytes out of range after E0, ED, F0 and F4, and with `text` U+FFFE and
// U+FFFF. Kept out of line: inlined, it would keep lookback vectors in
// registers that the common path needs.
template <bool text>
[[gnu::noinline]] vector rare_lead_errors(const char* bytes) {
  vector error{};
  for (std::size_t i = 0; i < block_vectors; ++i) {
    const char* at = bytes + i * size;
    const vector x = load(at);
    const vector before = load(at - 1);
    error |= ((x & splat(0xFE)) == splat(0xC0)) | ((x > splat(0xF4)) & (x < splat(0)));
    error |= (before == splat(0xE0)) & (x < splat(0xA0));  // overlong
    error |= (before == splat(0xED)) & (x > splat(0x9F));  // surrogates
    error |= (before == splat(0xF0)) & (x < splat(0x90));  // overlong
    error |= (before == splat(0xF4)) & (x > splat(0x8F));  // above U+10FFFF
    if constexpr (text) error |= (load(at - 2) == splat(0xEF)) & (before == splat(0xBF)) & (x > splat(0xBD));
  }
  return error;
}

// Whether first_rejected<text> accepts bytes[0, block), given that
// bytes[-3, 0) may be read and hold nothing rejected: a sequence may start
// there and continue here. By the well-formed byte table of Unicode 15 §3.9
// (Table 3-7): continuation bytes stand exactly where a lead byte wants
// them (as far as three bytes back), and rare_lead_errors finds nothing.
template <bool text>
[[gnu::always_inline]] inline bool accepts(const char* bytes) {
  vector v[block_vectors];
  vector all_printable = splat(-1);  // ASCII from the space up
  vector high{};
#pragma GCC unroll 4
  for (std::size_t i = 0; i < block_vectors; ++i) {
    v[i] = load(bytes + i * size);
    if constexpr (text) {
      all_printable &= v[i] > splat(0x1F);
    } else {
      high |= v[i];
    }
  }
  // Where the bytes just before the block are ASCII, no sequence continues
  // into it.
  high |= load(bytes - lookback);
  if constexpr (text) {
    if (all(all_printable) && !any(high)) return true;
  } else {
    if (!any(high)) return true;
  }

  vector error{};
  if constexpr (text) {
    // The lowest byte, with TAB, LF and CR counted as 0xFF, is below the
    // space only where another control is.
    vector lowest = splat(0xFF);
#pragma GCC unroll 4
    for (std::size_t i = 0; i < block_vectors; ++i) {
      const vector kept = ((v[i] | 4) == splat('\r')) | (v[i] == splat('\n'));  // and TAB: 0x09 | 4 is '\r'
      lowest = unsigned_min(lowest, v[i] | kept);
      high |= v[i];
    }
    error = saturated_minus(lowest, 0x1F) == splat(0);
    if (!any(high)) return !any(error);
  }

  // Nonzero where a byte is C0, C1, E0 (or E1, harmlessly) or at least ED:
  // what rare_lead_errors looks for.
  vector rare{};
#pragma GCC unroll 4
  for (std::size_t i = 0; i < block_vectors; ++i) {
    const char* at = bytes + i * size;
    // Nonzero where a lead byte one, two or three bytes back (at least C0,
    // E0 or F0) wants a continuation byte (80-BF, below -64 signed).
    const vector wanted =
        saturated_minus(load(at - 1), 0xBF) | saturated_minus(load(at - 2), 0xDF) | saturated_minus(load(at - 3), 0xEF);
    error |= (v[i] < splat(-64)) == (wanted == splat(0));
    rare |= ((v[i] & splat(0xDE)) == splat(0xC0)) | saturated_minus(v[i], 0xEC);
  }
  // A lead byte just before the block limits the bytes after it here.
  const auto rare_byte = [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte & 0xDE) == 0xC0 || byte >= 0xED;
  };
  if (!all(rare == splat(0)) || rare_byte(bytes[-1]) || rare_byte(bytes[-2])) error |= rare_lead_errors<text>(bytes);
  return !any(error);
}

// Where the sequence holding bytes[pos] starts, when bytes[0, pos) passed
// accepts(): at most three bytes back.
inline std::size_t sequence_start(std::string_view bytes, std::size_t pos) {
  for (std::size_t back = 1; back <= 3 && back <= pos; ++back) {
    const auto byte = static_cast<unsigned char>(bytes[pos - back]);
    if (byte < 0x80) break;
    if (byte >= 0xC0) {
      const std::size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2;
      return length > back ? pos - back : pos;
    }
  }
  return pos;
}

// Offset of the first byte at or after pos that is not ASCII, or the size.
inline std::size_t end_of_ascii(std::string_view bytes, std::size_t pos) {
  for (; pos + size <= bytes.size(); pos += size) {
    if (const std::uint32_t bits = mask(load(bytes.data() + pos)); bits != 0) {
      return pos + static_cast<std::size_t>(std::countr_zero(bits));
    }
  }
  while (pos < bytes.size() && static_cast<unsigned char>(bytes[pos]) < 0x80) ++pos;
  return pos;
}

}  // namespace lanes

// Offset of the first ill-formed sequence (with `text`, also of the first
// unwanted one), or npos. Sixty-four bytes at a time where the vectors can
// tell; the decoder looks only at a block they reject, to find the exact
// offset.
template <bool text>
std::size_t first_rejected(std::string_view bytes) {
  std::size_t pos = 0;  // bytes[0, pos) hold nothing rejected
  // Decodes from the sequence holding bytes[pos] to the first boundary at
  // or after end; false when a sequence is rejected, at pos.
  const auto decode_through = [&](std::size_t end) {
    pos = lanes::sequence_start(bytes, pos);
    while (pos < end) {
      const utf8_sequence sequence = decode_utf8(bytes, pos);
      if (!sequence.valid) return false;
      if constexpr (text) {
        if (is_unwanted_in_text(sequence.code_point)) return false;
      }
      pos += sequence.length;
    }
    return true;
  };
  const std::size_t size = bytes.size();
  if (size < lanes::block) {
    // Checked in a copy with spaces around: nothing before the document to
    // look back at, nothing after it that could continue a sequence.
    char padded[lanes::lookback + lanes::block];
    std::memset(padded, ' ', sizeof padded);
    std::memcpy(padded + lanes::lookback, bytes.data(), size);
    return lanes::accepts<text>(padded + lanes::lookback) || decode_through(size) ? std::string_view::npos : pos;
  }
  if (!decode_through(lanes::lookback)) return pos;
  while (pos + lanes::block <= size) {
    if (lanes::accepts<text>(bytes.data() + pos)) {
      pos += lanes::block;
    } else if (!decode_through(pos + lanes::block)) {
      return pos;
    }
  }
  if (pos < size) {
    // The last block again, overlapping what was checked.
    const std::size_t last = size - lanes::block;
    const bool accepted = last >= lanes::lookback && lanes::accepts<text>(bytes.data() + last);
    if (!accepted && !decode_through(size)) return pos;
  }
  // A sequence left open is cut off by the end of the document.
  pos = size;
  return decode_through(size) ? std::string_view::npos : pos;
}

inline bool is_valid_utf8(std::string_view text) { return first_rejected<false>(text) == std::string_view::npos; }

// Replaces every invalid sequence by U+FFFD and keeps everything else.
inline std::string to_valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      const std::size_t run_end = lanes::end_of_ascii(text, pos);
      out.append(text.substr(pos, run_end - pos));
      pos = run_end;
      continue;
    }
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
