#include "truncate.hpp"

namespace feedd::parsers::detail {

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
