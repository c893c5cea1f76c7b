#include "text.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <string>
#include <utility>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "ascii.hpp"
#include "byte_scan.hpp"
#include "entities.hpp"
#include "utf8.hpp"

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

// collapse_whitespace from the first position where collapsible_at,
// writing behind the read position: a run of white space becomes at most
// one byte, so the output never overtakes the input.
void collapse_from(std::string& text, std::size_t first) {
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

// Offset of the first sequence that sanitize_utf8 would change, or npos.
std::size_t first_unclean(std::string_view text) { return first_rejected<true>(text); }


// Tags that end a line when rendered: "a<br>b" reads "a b", "H<sub>2</sub>O"
// reads "H2O".
bool is_block_element(std::string_view name) {
  static constexpr std::array<std::string_view, 36> names = {
      "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
      "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
      "header", "hr", "img", "li", "main", "nav", "ol", "p", "pre", "section",
      "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"};
  return std::find(names.begin(), names.end(), name) != names.end();
}

// End of the tag starting at text[pos] == '<' (one past its '>'), honouring
// quoted attribute values; npos when the input ends inside the tag.
std::size_t tag_end(std::string_view text, std::size_t pos) {
  char quote = 0;
  // A quote opens an attribute value only right after "=" and optional
  // spaces (HTML §13.2.5.36-38); elsewhere, as in href=http://a/", it is
  // an ordinary character and must not swallow the rest of the text.
  bool after_equals = false;
  for (std::size_t i = pos + 1; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if ((c == '"' || c == '\'') && after_equals) {
      quote = c;
      after_equals = false;
    } else if (c == '>') {
      return i + 1;
    } else if (c == '=') {
      after_equals = true;
    } else if (!ascii::is_html_space(c)) {
      after_equals = false;
    }
  }
  return std::string_view::npos;
}

// One past the end of "</name ...>" after pos, case-insensitively; npos if
// absent. Raw text elements (<script>, <style>) end only there (HTML §13.1.2).
std::size_t raw_text_end(std::string_view text, std::size_t pos, std::string_view name) {
  for (std::size_t i = text.find("</", pos); i != std::string_view::npos; i = text.find("</", i + 2)) {
    if (ascii::starts_with_ignoring_case(text.substr(i + 2), name)) {
      const std::size_t end = text.find('>', i);
      return end == std::string_view::npos ? text.size() : end + 1;
    }
  }
  return std::string_view::npos;
}

std::string strip_tags(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  std::size_t i = 0;
  while (i < html.size()) {
    const std::size_t open = html.find('<', i);
    if (open == std::string_view::npos) {
      out.append(html.substr(i));
      break;
    }
    out.append(html.substr(i, open - i));
    const std::string_view rest = html.substr(open);
    const bool closing = rest.size() > 1 && rest[1] == '/';
    const std::size_t name_start = closing ? 2 : 1;

    if (rest.starts_with("<!--")) {
      const std::size_t end = html.find("-->", open + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
    } else if (rest.starts_with("<!") || rest.starts_with("<?")) {
      const std::size_t end = html.find('>', open);
      i = end == std::string_view::npos ? html.size() : end + 1;
    } else if (rest.size() > name_start && ascii::is_alpha(rest[name_start])) {
      std::string name;
      for (std::size_t k = name_start; k < rest.size() && ascii::is_alnum(rest[k]); ++k) {
        name += ascii::lower(rest[k]);
      }
      const std::size_t end = tag_end(html, open);
      if (end == std::string_view::npos) break;  // HTML drops a tag cut off by the end of input
      i = end;
      if (!closing && (name == "script" || name == "style")) {
        const std::size_t raw_end = raw_text_end(html, end, name);
        i = raw_end == std::string_view::npos ? html.size() : raw_end;
      }
      if (is_block_element(name)) out += ' ';
    } else {
      out += '<';  // "a < b" is text
      i = open + 1;
    }
  }
  return out;
}

// plain_text of text with a '<' or an '&': each step's output is the
// next one's input, so only they allocate.
void plain_text_of_markup(std::string& text) {
  if (text.find('<') != std::string::npos) text = strip_tags(text);
  if (text.find('&') != std::string::npos) text = decode_html_entities(text);
  collapse_whitespace_in_place(text);
}

}  // namespace

void sanitize_utf8(std::string& text) {
  const std::size_t first = first_unclean(text);
  if (first == std::string_view::npos) return;
  std::string out;
  out.reserve(text.size());
  const std::string_view view = text;
  out.append(view.substr(0, first));  // whole sequences, all kept
  for (std::size_t pos = first; pos < view.size();) {
    const utf8_sequence sequence = decode_utf8(view, pos);
    if (!sequence.valid) {
      append_utf8(out, replacement_character);
    } else if (!is_unwanted_in_text(sequence.code_point)) {
      out.append(view.substr(pos, sequence.length));
    }
    pos += sequence.length;
  }
  text = std::move(out);
}

bool is_clean_utf8(std::string_view text) { return first_unclean(text) == std::string_view::npos; }

// Text with nothing to collapse (most titles) is only read.
void collapse_whitespace_in_place(std::string& text) {
  const std::string_view view = text;
  for (auto pos = next_candidate<false>(view, 0); pos < view.size(); pos = next_candidate<false>(view, pos + 1)) {
    if (collapsible_at(view, pos)) {
      collapse_from(text, pos);
      return;
    }
  }
}

std::string collapse_whitespace(std::string_view text) {
  std::string out{text};
  collapse_whitespace_in_place(out);
  return out;
}

// Named references need their ';' (the HTML5 legacy forms without it would
// turn "?a=1&copy=2" into "?a=1©=2"); numeric ones do not, as in HTML.
std::string decode_html_entities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t amp = text.find('&', i);
    if (amp == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, amp - i));
    const std::string_view rest = text.substr(amp);
    std::size_t j = 1;
    if (rest.size() > 2 && rest[1] == '#') {
      const bool hex = rest[2] == 'x' || rest[2] == 'X';
      j = hex ? 3 : 2;
      const std::size_t digits_start = j;
      std::uint32_t value = 0;
      for (; j < rest.size(); ++j) {
        const char c = ascii::lower(rest[j]);
        const bool digit = c >= '0' && c <= '9';
        if (!digit && !(hex && c >= 'a' && c <= 'f')) break;
        const std::uint32_t v = digit ? static_cast<std::uint32_t>(c - '0') : static_cast<std::uint32_t>(c - 'a' + 10);
        value = std::min<std::uint32_t>(value * (hex ? 16 : 10) + v, 0x110000);
      }
      if (j > digits_start) {
        append_utf8(out, numeric_reference_target(value));
        i = amp + j + (j < rest.size() && rest[j] == ';' ? 1 : 0);
        continue;
      }
    } else {
      while (j < rest.size() && j <= 32 && ascii::is_alnum(rest[j])) ++j;
      if (j > 1 && j < rest.size() && rest[j] == ';') {
        if (const auto code_point = find_html_entity(rest.substr(1, j - 1))) {
          append_utf8(out, *code_point);
          i = amp + j + 1;
          continue;
        }
      }
    }
    out += '&';  // not a reference we know: literal
    i = amp + 1;
  }
  return out;
}

std::string plain_text(std::string_view html_or_text) {
  std::string out{html_or_text};
  if (byte_scan::find_first_of<'<', '&'>(out) == out.size()) {
    collapse_whitespace_in_place(out);
  } else {
    plain_text_of_markup(out);
  }
  return out;
}

void to_plain_text(std::string& clean_html_or_text) {
  std::string& text = clean_html_or_text;
  const std::string_view view = text;
  // One scan for most titles, which have neither markup nor references:
  // only white space may change then, and removing white space keeps clean
  // text clean.
  std::size_t special = view.size();
  std::size_t collapsible = std::string_view::npos;
  for (auto pos = next_candidate<true>(view, 0); pos < view.size(); pos = next_candidate<true>(view, pos + 1)) {
    if (kind_of(view[pos]) == markup) {
      special = pos;
      break;
    }
    if (collapsible_at(view, pos)) {
      collapsible = pos;
      special = pos + byte_scan::find_first_of<'<', '&'>(view.substr(pos));
      break;
    }
  }
  if (special == view.size()) {
    if (collapsible != std::string_view::npos) collapse_from(text, collapsible);
    return;
  }
  // Tags end at ASCII bytes, so stripping them cuts no sequence; only a
  // decoded reference (&#1;, &#xFFFE;) can bring in what sanitize removes.
  const bool references = view.find('&', special) != std::string_view::npos;
  plain_text_of_markup(text);
  if (references) sanitize_utf8(text);
}

bool is_settled_text(std::string_view text, bool html) {
  return (html ? next_candidate<true>(text, 0) : next_candidate<false>(text, 0)) == text.size();
}

bool truncate_utf8(std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return false;
  std::size_t cut = max_bytes;
  // text[cut] is the first byte dropped; if it continues a sequence, drop
  // that whole sequence (at most three bytes back in valid UTF-8).
  for (int steps = 0; steps < 3 && cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80; ++steps) {
    --cut;
  }
  if ((static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) cut = max_bytes;  // not UTF-8 anyway
  text.resize(cut);
  return true;
}

}  // namespace feedd::parsers::detail
