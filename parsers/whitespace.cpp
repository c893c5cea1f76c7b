#include "whitespace.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "byte_scan.hpp"

namespace feedd::parsers::detail {
namespace {

// Length in bytes of the Unicode White_Space character at text[pos], or 0.
std::size_t whitespace_length(std::string_view text, std::size_t pos) {
  const auto at = [&](std::size_t i) {
    return pos + i < text.size() ? static_cast<unsigned char>(text[pos + i]) : 0;
  };
  switch (at(0)) {
    case ' ': case '\t': case '\n': case '\r': case '\f': case '\v':
      return 1;
    case 0xC2:  // U+0085 NEL, U+00A0 NO-BREAK SPACE
      return at(1) == 0x85 || at(1) == 0xA0 ? 2 : 0;
    case 0xE1:  // U+1680 OGHAM SPACE MARK
      return at(1) == 0x9A && at(2) == 0x80 ? 3 : 0;
    case 0xE2:  // U+2000-U+200A, U+2028, U+2029, U+202F, U+205F
      if (at(1) == 0x80 && (at(2) <= 0x8A || at(2) == 0xA8 || at(2) == 0xA9 || at(2) == 0xAF)) {
        return at(2) >= 0x80 ? 3 : 0;
      }
      return at(1) == 0x81 && at(2) == 0x9F ? 3 : 0;
    case 0xE3:  // U+3000 IDEOGRAPHIC SPACE
      return at(1) == 0x80 && at(2) == 0x80 ? 3 : 0;
    default:
      return 0;
  }
}

// What a byte may start, for the scans of titles: white space (see
// whitespace_length), markup or a reference (see plain_text).
enum byte_kind : unsigned char { ordinary = 0, may_be_space = 1, markup = 2 };

constexpr std::array<unsigned char, 256> byte_kinds = [] {
  std::array<unsigned char, 256> table{};
  for (const unsigned char c : {' ', '\t', '\n', '\r', '\f', '\v'}) table[c] = may_be_space;
  for (const unsigned char c : {0xC2, 0xE1, 0xE2, 0xE3}) table[c] = may_be_space;
  table['<'] = markup;
  table['&'] = markup;
  return table;
}();

unsigned char kind_of(char c) { return byte_kinds[static_cast<unsigned char>(c)]; }

bool may_start_whitespace(char c) { return kind_of(c) == may_be_space; }

// Whether collapse_whitespace changes text from pos on, where a byte that
// may start white space is: white space other than one ' ' between two
// other characters. A ' ' followed by other white space counts, so that
// the first such position is preceded by no white space.
bool collapsible_at(std::string_view text, std::size_t pos) {
  if (text[pos] == ' ') return pos == 0 || pos + 1 == text.size() || whitespace_length(text, pos + 1) > 0;
  return whitespace_length(text, pos) > 0;
}

constexpr std::size_t block_size = 16;

// Bit i of each mask stands for bytes[i] of a block.
struct block_masks {
  std::uint32_t spaces = 0;      // ' '
  std::uint32_t whitespace = 0;  // may start white space, ' ' included
  std::uint32_t markup = 0;      // '<', '&'
};

block_masks masks_of(const char* bytes) {
#if defined(__SSE2__)
  const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes));
  const auto equal = [x](char c) { return _mm_cmpeq_epi8(x, _mm_set1_epi8(c)); };
  const auto in_range = [x](unsigned char low, unsigned char count) {
    const __m128i offset = _mm_sub_epi8(x, _mm_set1_epi8(static_cast<char>(low)));
    return _mm_cmpeq_epi8(_mm_min_epu8(offset, _mm_set1_epi8(static_cast<char>(count - 1))), offset);
  };
  const __m128i spaces = equal(' ');
  const __m128i whitespace =
      _mm_or_si128(_mm_or_si128(spaces, in_range('\t', 5)), _mm_or_si128(equal('\xC2'), in_range(0xE1, 3)));
  const auto bits = [](__m128i flags) { return static_cast<std::uint32_t>(_mm_movemask_epi8(flags)); };
  return {bits(spaces), bits(whitespace), bits(_mm_or_si128(equal('<'), equal('&')))};
#else
  block_masks masks;
  for (std::size_t i = 0; i < block_size; ++i) {
    const std::uint32_t bit = std::uint32_t{1} << i;
    if (bytes[i] == ' ') masks.spaces |= bit;
    if (kind_of(bytes[i]) == may_be_space) masks.whitespace |= bit;
    if (kind_of(bytes[i]) == markup) masks.markup |= bit;
  }
  return masks;
#endif
}

// The first offset at or after from where collapse_whitespace (and with
// markup, plain_text) may change text: a byte that may start white space
// other than ' ', a ' ' before one, a ' ' at either end, '<' or '&'. Every
// change starts at one; the caller looks closer. Sixteen bytes at a time,
// because titles are mostly words and single spaces, and a byte loop
// mispredicts its way out at every space.
template <bool with_markup>
std::size_t next_candidate(std::string_view text, std::size_t from) {
  const std::size_t size = text.size();
  if (from >= size) return size;
  if (from == 0 && text[0] == ' ') return 0;
  const auto candidates = [](const block_masks& masks, bool next_is_whitespace) {
    const std::uint32_t next = (masks.whitespace >> 1) | (next_is_whitespace ? std::uint32_t{1} << 15 : 0);
    std::uint32_t found = (masks.whitespace & ~masks.spaces) | (masks.spaces & next);
    if constexpr (with_markup) found |= masks.markup;
    return found;
  };
  const bool ends_with_space = text.back() == ' ';
  if (size < block_size) {
    // Authors, categories: a zero-padded copy (a zero byte starts nothing).
    char padded[block_size] = {};
    std::copy(text.begin() + static_cast<std::ptrdiff_t>(from), text.end(), padded);
    std::uint32_t found = candidates(masks_of(padded), false);
    if (ends_with_space) found |= std::uint32_t{1} << (size - from - 1);
    return found != 0 ? from + static_cast<std::size_t>(std::countr_zero(found)) : size;
  }
  std::size_t pos = from;
  for (; pos + block_size < size; pos += block_size) {
    const std::uint32_t found = candidates(masks_of(text.data() + pos), may_start_whitespace(text[pos + block_size]));
    if (found != 0) return pos + static_cast<std::size_t>(std::countr_zero(found));
  }
  // The last sixteen bytes, less those already looked at.
  const std::size_t start = size - block_size;
  std::uint32_t found = candidates(masks_of(text.data() + start), false);
  if (ends_with_space) found |= std::uint32_t{1} << (block_size - 1);
  found >>= pos - start;
  return found != 0 ? pos + static_cast<std::size_t>(std::countr_zero(found)) : size;
}

}  // namespace

// Writes behind the read position: a run of white space becomes at most
// one byte, so the output never overtakes the input.
void collapse_whitespace_from(std::string& text, std::size_t first) {
  char* const bytes = text.data();
  const std::string_view view = text;
  std::size_t kept = first;
  bool pending_space = false;
  for (std::size_t pos = first; pos < view.size();) {
    if (may_start_whitespace(view[pos])) {
      if (const std::size_t length = whitespace_length(view, pos); length > 0) {
        pending_space = kept > 0;
        pos += length;
        continue;
      }
    }
    if (pending_space) {
      bytes[kept++] = ' ';
      pending_space = false;
    }
    bytes[kept++] = view[pos++];
  }
  text.resize(kept);
}

// Text with nothing to collapse (most titles) is only read.
void collapse_whitespace_in_place(std::string& text) {
  const std::string_view view = text;
  for (auto pos = next_candidate<false>(view, 0); pos < view.size(); pos = next_candidate<false>(view, pos + 1)) {
    if (collapsible_at(view, pos)) {
      collapse_whitespace_from(text, pos);
      return;
    }
  }
}

std::string collapse_whitespace(std::string_view text) {
  std::string out{text};
  collapse_whitespace_in_place(out);
  return out;
}

bool is_settled_text(std::string_view text, bool html) {
  return (html ? next_candidate<true>(text, 0) : next_candidate<false>(text, 0)) == text.size();
}

plain_text_changes find_plain_text_changes(std::string_view text) {
  for (auto pos = next_candidate<true>(text, 0); pos < text.size(); pos = next_candidate<true>(text, pos + 1)) {
    if (kind_of(text[pos]) == markup) return {pos, std::string_view::npos};
    if (collapsible_at(text, pos)) return {pos + byte_scan::find_first_of<'<', '&'>(text.substr(pos)), pos};
  }
  return {text.size(), std::string_view::npos};
}

}  // namespace feedd::parsers::detail
