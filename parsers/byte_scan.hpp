#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

// Finding the first of a few ASCII bytes sixteen at a time, through the
// compiler's generic vectors: SSE2 on x86-64 and NEON on arm64 without
// target flags, plain code elsewhere. Escaping and scanning markup is most
// of what the readers do per byte, and a byte loop (or memchr per byte, as
// find_first_of does) costs several times more.
namespace feedd::parsers::detail::byte_scan {

inline constexpr std::size_t block_size = 16;

using block = unsigned char __attribute__((vector_size(block_size)));

inline block load(const char* bytes) {
  block value;
  std::memcpy(&value, bytes, block_size);
  return value;
}

inline block splat(unsigned char c) { return block{} + c; }

// Offset of the first byte set in flags (every byte 0x00 or 0xFF), or
// block_size when none is.
inline std::size_t first_set(block flags) {
  std::uint64_t halves[2];
  std::memcpy(halves, &flags, sizeof halves);
  if ((halves[0] | halves[1]) == 0) return block_size;
  if constexpr (std::endian::native == std::endian::little) {
    return halves[0] != 0 ? static_cast<std::size_t>(std::countr_zero(halves[0])) / 8
                          : 8 + static_cast<std::size_t>(std::countr_zero(halves[1])) / 8;
  } else {
    unsigned char bytes[block_size];
    std::memcpy(bytes, &flags, block_size);
    std::size_t i = 0;
    while (bytes[i] == 0) ++i;
    return i;
  }
}

// Offset of the first byte of text equal to one of Cs, or text.size().
template <unsigned char... Cs>
std::size_t find_first_of(std::string_view text) {
  std::size_t pos = 0;
  for (; pos + block_size <= text.size(); pos += block_size) {
    const block value = load(text.data() + pos);
    const block flags = (reinterpret_cast<block>(value == splat(Cs)) | ...);
    if (const auto at = first_set(flags); at != block_size) return pos + at;
  }
  for (; pos < text.size(); ++pos) {
    const auto c = static_cast<unsigned char>(text[pos]);
    if (((c == Cs) || ...)) return pos;
  }
  return text.size();
}

}  // namespace feedd::parsers::detail::byte_scan
