#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "feedd/model.hpp"

// The model's promise about every string of a parse result (model.hpp):
// valid UTF-8 without NUL or C0 controls other than TAB, LF and CR. A
// broken promise aborts, which libFuzzer reports as a crash with the input.
namespace feedd::fuzz {

// Length of the well-formed UTF-8 sequence at text[pos] (Unicode 15 §3.9,
// Table 3-7), or 0.
inline std::size_t sequence_length(std::string_view text, std::size_t pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    low = lead == 0xE0 ? 0xA0 : 0x80;
    high = lead == 0xED ? 0x9F : 0xBF;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    low = lead == 0xF0 ? 0x90 : 0x80;
    high = lead == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (pos + length > text.size() || byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

inline void require_clean(std::string_view field, std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    const auto length = sequence_length(text, pos);
    const auto c = static_cast<unsigned char>(text[pos]);
    if (length == 0 || (length == 1 && c < 0x20 && c != '\t' && c != '\n' && c != '\r')) {
      std::fprintf(stderr, "output contract broken: %.*s has byte 0x%02x at %zu\n", static_cast<int>(field.size()),
                   field.data(), c, pos);
      std::abort();
    }
    pos += length;
  }
}

inline void require_clean(const feed& result) {
  require_clean("title", result.title);
  require_clean("site_url", result.site_url);
  for (const auto& warning : result.warnings) require_clean("warning", warning);
  for (const auto& e : result.entries) {
    if (e.guid.empty()) {
      std::fprintf(stderr, "output contract broken: an entry without guid\n");
      std::abort();
    }
    require_clean("guid", e.guid);
    require_clean("url", e.url);
    require_clean("entry title", e.title);
    require_clean("author", e.author);
    require_clean("summary", e.summary);
    require_clean("content", e.content);
    for (const auto& category : e.categories) require_clean("category", category);
    for (const auto& enclosure : e.enclosures) {
      require_clean("enclosure url", enclosure.url);
      require_clean("enclosure type", enclosure.type);
    }
  }
}

}  // namespace feedd::fuzz
