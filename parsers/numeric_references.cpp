#include "numeric_references.hpp"

#include "windows1252.hpp"

namespace feedd::parsers::detail {

char32_t numeric_reference_target(std::uint32_t value) {
  if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0xFFFD;
  if (value >= 0x80 && value <= 0x9F) return windows1252_code_point(static_cast<unsigned char>(value));
  return value;
}

}  // namespace feedd::parsers::detail
