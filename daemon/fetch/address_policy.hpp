#pragma once

#include <array>
#include <cstdint>

namespace feedd::daemon {

// The private-address filter of fetch.block_private_addresses. It judges the
// binary address a name resolved to, never the host string: glibc reads
// "2130706433", "0x7f.1" and "127.1" as 127.0.0.1, so only the resolved form
// can be trusted (RELIABILITY.md X2).

// `address` in host byte order (asio::ip::address_v4::to_uint()).
bool is_public_v4(std::uint32_t address);

// `bytes` in network order (asio::ip::address_v6::to_bytes()). Forms that
// embed an IPv4 address (v4-mapped, NAT64, 6to4, Teredo) are judged by it.
bool is_public_v6(const std::array<std::uint8_t, 16>& bytes);

}  // namespace feedd::daemon
