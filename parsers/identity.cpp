#include "identity.hpp"

#include <cstdint>

namespace feedd::parsers::detail {
namespace {

constexpr std::uint64_t fnv_offset_basis = 0xcbf29ce484222325ULL;
constexpr std::uint64_t fnv_prime = 0x100000001b3ULL;

std::uint64_t fnv1a64(std::uint64_t hash, std::string_view bytes) {
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= fnv_prime;
  }
  return hash;
}

std::string hex(std::uint64_t value) {
  constexpr char digits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = digits[value & 0xF];
    value >>= 4;
  }
  return out;
}

}  // namespace

std::string fnv1a64_hex(std::string_view bytes) { return hex(fnv1a64(fnv_offset_basis, bytes)); }

std::string content_hash_guid(std::string_view title, std::string_view content) {
  auto hash = fnv1a64(fnv_offset_basis, title);
  hash = fnv1a64(hash, "\n");
  hash = fnv1a64(hash, content);
  return "fnv:" + hex(hash);
}

}  // namespace feedd::parsers::detail
