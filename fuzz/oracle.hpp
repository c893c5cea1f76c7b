#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "output_contract.hpp"

// What the fuzz targets check beyond "no crash": a broken promise prints
// which one and the value that broke it, then aborts, which libFuzzer
// reports as a crash with the input (and the replay test as a failure).
namespace feedd::fuzz {

// The value with every byte outside printable ASCII as \xNN, cut at 300
// bytes: safe to print, whatever the fuzzer made.
inline std::string shown(std::string_view value) {
  constexpr std::size_t limit = 300;
  std::string out;
  for (std::size_t i = 0; i < value.size() && i < limit; ++i) {
    const auto byte = static_cast<unsigned char>(value[i]);
    if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
      out += static_cast<char>(byte);
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    }
  }
  if (value.size() > limit) out += "...";
  return out;
}

[[noreturn]] inline void broken(std::string_view promise, std::string_view value = {}) {
  std::fprintf(stderr, "oracle broken: %.*s\n  value: \"%s\"\n", static_cast<int>(promise.size()), promise.data(),
               shown(value).c_str());
  std::abort();
}

inline void require(bool kept, std::string_view promise, std::string_view value = {}) {
  if (!kept) broken(promise, value);
}

// Bytes that end a request or log line or split a URL: C0 controls, DEL
// and (with `space`) the space.
inline bool has_control(std::string_view text, bool space = false) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f || (space && byte == ' ')) return true;
  }
  return false;
}

inline bool has_line_break(std::string_view text) { return text.find_first_of("\r\n") != std::string_view::npos; }

inline bool is_ascii(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

inline bool has_upper_case(std::string_view text) {
  for (const char c : text) {
    if (c >= 'A' && c <= 'Z') return true;
  }
  return false;
}

inline void require_clean_text(std::string_view promise, std::string_view text) {
  require(contract::is_clean_text(text), promise, text);
}

}  // namespace feedd::fuzz
