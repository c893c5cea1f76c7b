#include "document.hpp"

#include <cstdio>

namespace feedd::config {
namespace {

// Enough to recognise the value, short enough for one log line.
constexpr std::size_t max_quoted = 60;

}  // namespace

void document::add(std::string key, position where, std::string message) {
  problems.push_back(problem{std::move(key), where.line, where.column, std::move(message)});
}

position document::where(std::string_view key) const {
  const auto found = positions.find(key);
  return found == positions.end() ? position{} : found->second;
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  std::size_t shown = 0;
  for (char c : text) {
    if (shown++ == max_quoted) {
      out += "...";
      break;
    }
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      // Messages go to logs one per line: never let a value break the line.
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

}  // namespace feedd::config
