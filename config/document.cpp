#include "document.hpp"

#include <cstdio>

namespace feedd::config {
namespace {

// Enough to recognise the value, short enough for one log line.
constexpr std::size_t max_quoted = 60;

// A byte as quote() and printable() show it, "\x0a".
void append_escaped(std::string& out, unsigned char byte) {
  char escaped[8];
  std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
  out += escaped;
}

bool is_control(unsigned char byte) { return byte < 0x20 || byte == 0x7f; }

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Length of the well-formed UTF-8 sequence at text[pos] (Unicode 15 §3.9,
// Table 3-7), 0 when there is none.
std::size_t sequence_length(std::string_view text, std::size_t pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead < 0x80) return 1;
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
    if (!is_continuation(byte(i))) return 0;
  }
  return length;
}

// Characters a terminal acts on or that reorder the text around them: C0
// and DEL, the C1 controls (U+0080..U+009F; U+009B is CSI to an 8-bit
// terminal) and the bidirectional formatting characters (U+061C, U+200E,
// U+200F, U+202A..U+202E, U+2066..U+2069; the "Trojan Source" trick).
bool is_unsafe(std::string_view text, std::size_t pos, std::size_t length) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  switch (length) {
    case 1: return is_control(byte(0));
    case 2: return (byte(0) == 0xC2 && byte(1) <= 0x9F) || (byte(0) == 0xD8 && byte(1) == 0x9C);
    case 3:
      if (byte(0) != 0xE2) return false;
      if (byte(1) == 0x80) return byte(2) == 0x8E || byte(2) == 0x8F || (byte(2) >= 0xAA && byte(2) <= 0xAE);
      return byte(1) == 0x81 && byte(2) >= 0xA6 && byte(2) <= 0xA9;
    default: return false;
  }
}

// Appends the character at text[pos] as it is, or escaped byte by byte;
// returns the bytes consumed.
std::size_t append_character(std::string& out, std::string_view text, std::size_t pos) {
  const std::size_t length = sequence_length(text, pos);
  if (length == 0) {
    append_escaped(out, static_cast<unsigned char>(text[pos]));
    return 1;
  }
  if (is_unsafe(text, pos, length)) {
    for (std::size_t i = 0; i < length; ++i) append_escaped(out, static_cast<unsigned char>(text[pos + i]));
  } else {
    out.append(text.substr(pos, length));
  }
  return length;
}

}  // namespace

void document::add(std::string key, position where, std::string message) {
  problems.push_back(problem{printable(key), where.line, where.column, printable(message)});
}

position document::where(std::string_view key) const {
  const auto found = positions.find(key);
  return found == positions.end() ? position{} : found->second;
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) pos += append_character(out, text, pos);
  return out;
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (std::size_t pos = 0; pos < text.size();) {
    if (pos >= max_quoted) {
      out += "...";
      break;
    }
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte == '"' || byte == '\\') {
      out += '\\';
      out += static_cast<char>(byte);
      ++pos;
    } else {
      // Messages go to logs one per line, in UTF-8: never let a value break
      // the line or the encoding. Whole characters only, also where the
      // value is cut.
      pos += append_character(out, text, pos);
    }
  }
  out += '"';
  return out;
}

}  // namespace feedd::config
