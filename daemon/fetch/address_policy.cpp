#include "address_policy.hpp"

namespace feedd::daemon {
namespace {

struct v4_range {
  std::uint32_t network;
  int prefix;
};

constexpr std::uint32_t v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return std::uint32_t{a} << 24 | std::uint32_t{b} << 16 | std::uint32_t{c} << 8 | std::uint32_t{d};
}

// IANA IPv4 Special-Purpose Address Registry (RFC 6890 and successors):
// everything a public feed server cannot legitimately live on.
constexpr v4_range blocked_v4[] = {
    {v4(0, 0, 0, 0), 8},        // "this network", incl. the unspecified 0.0.0.0 (RFC 791)
    {v4(10, 0, 0, 0), 8},       // private (RFC 1918)
    {v4(100, 64, 0, 0), 10},    // carrier-grade NAT (RFC 6598)
    {v4(127, 0, 0, 0), 8},      // loopback (RFC 1122)
    {v4(169, 254, 0, 0), 16},   // link-local, incl. cloud metadata 169.254.169.254 (RFC 3927)
    {v4(172, 16, 0, 0), 12},    // private (RFC 1918)
    {v4(192, 0, 0, 0), 24},     // IETF protocol assignments (RFC 6890)
    {v4(192, 0, 2, 0), 24},     // documentation TEST-NET-1 (RFC 5737)
    {v4(192, 88, 99, 0), 24},   // deprecated 6to4 relay anycast (RFC 7526)
    {v4(192, 168, 0, 0), 16},   // private (RFC 1918)
    {v4(198, 18, 0, 0), 15},    // benchmarking (RFC 2544)
    {v4(198, 51, 100, 0), 24},  // documentation TEST-NET-2 (RFC 5737)
    {v4(203, 0, 113, 0), 24},   // documentation TEST-NET-3 (RFC 5737)
    {v4(224, 0, 0, 0), 4},      // multicast (RFC 5771)
    {v4(240, 0, 0, 0), 4},      // reserved, incl. broadcast 255.255.255.255 (RFC 1112, RFC 919)
};

bool in_range(std::uint32_t address, v4_range range) {
  const std::uint32_t mask = range.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - range.prefix);
  return (address & mask) == range.network;
}

std::uint32_t v4_at(const std::array<std::uint8_t, 16>& bytes, std::size_t offset) {
  return v4(bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]);
}

bool all_zero(const std::array<std::uint8_t, 16>& bytes, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i) {
    if (bytes[i] != 0) return false;
  }
  return true;
}

}  // namespace

bool is_public_v4(std::uint32_t address) {
  for (const auto& range : blocked_v4) {
    if (in_range(address, range)) return false;
  }
  return true;
}

bool is_public_v6(const std::array<std::uint8_t, 16>& bytes) {
  // ::ffff:a.b.c.d reaches the IPv4 host a.b.c.d on a dual-stack socket (RFC 4291 2.5.5.2).
  if (all_zero(bytes, 0, 10) && bytes[10] == 0xff && bytes[11] == 0xff) return is_public_v4(v4_at(bytes, 12));
  // NAT64 well-known prefix 64:ff9b::/96 translates to the embedded IPv4 address (RFC 6052).
  if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b && all_zero(bytes, 4, 12)) {
    return is_public_v4(v4_at(bytes, 12));
  }
  // Only global unicast 2000::/3 is routable on the Internet (RFC 4291 2.4); this
  // excludes ::, ::1, v4-compatible ::/96, 100::/64, ULA fc00::/7, link-local
  // fe80::/10, site-local fec0::/10, multicast ff00::/8 and local NAT64 64:ff9b:1::/48.
  if ((bytes[0] & 0xe0) != 0x20) return false;
  const unsigned first_word = unsigned{bytes[0]} << 8 | bytes[1];
  const unsigned second_word = unsigned{bytes[2]} << 8 | bytes[3];
  // 2001::/23 IETF protocol assignments: Teredo, benchmarking, ORCHID (RFC 6890).
  if (first_word == 0x2001 && second_word < 0x0200) return false;
  if (first_word == 0x2001 && second_word == 0x0db8) return false;  // documentation (RFC 3849)
  if (first_word == 0x3fff && second_word < 0x1000) return false;   // documentation (RFC 9637)
  if (first_word == 0x2002) return is_public_v4(v4_at(bytes, 2));   // 6to4 embeds IPv4 (RFC 3056)
  return true;
}

}  // namespace feedd::daemon
