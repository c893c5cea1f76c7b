#include "address_policy.hpp"

#include <gtest/gtest.h>

#include <string>

#include <boost/asio/ip/address.hpp>

namespace feedd::daemon {
namespace {

// As the fetcher judges a looked-up address: in binary, never as text.
bool is_public(const char* literal) {
  const auto address = boost::asio::ip::make_address(literal);
  return address.is_v4() ? is_public_v4(address.to_v4().to_uint()) : is_public_v6(address.to_v6().to_bytes());
}

struct address_case {
  const char* literal;
  bool allowed;
};

// RELIABILITY.md X2: every special-purpose range is refused, including the
// IPv4-in-IPv6 spellings that reach the same host.
constexpr address_case cases[] = {
    {"127.0.0.1", false},
    {"127.255.255.254", false},
    {"0.0.0.0", false},
    {"0.1.2.3", false},
    {"10.0.0.1", false},
    {"10.255.255.255", false},
    {"172.16.0.1", false},
    {"172.31.255.255", false},
    {"192.168.1.1", false},
    {"100.64.0.1", false},
    {"100.127.255.255", false},
    {"169.254.169.254", false},
    {"169.254.0.1", false},
    {"192.0.0.8", false},
    {"192.0.2.1", false},
    {"198.18.0.1", false},
    {"198.19.255.255", false},
    {"198.51.100.7", false},
    {"203.0.113.9", false},
    {"224.0.0.1", false},
    {"239.255.255.250", false},
    {"240.0.0.1", false},
    {"255.255.255.255", false},
    {"::", false},
    {"::1", false},
    {"::ffff:127.0.0.1", false},
    {"::ffff:169.254.169.254", false},
    {"::ffff:10.1.2.3", false},
    {"::127.0.0.1", false},
    {"64:ff9b::7f00:1", false},
    {"64:ff9b:1::1", false},
    {"fc00::1", false},
    {"fd12:3456:789a::1", false},
    {"fe80::1", false},
    {"febf::1", false},
    {"fec0::1", false},
    {"ff02::1", false},
    {"100::1", false},
    {"2001::1", false},
    {"2001:db8::1", false},
    {"3fff::1", false},
    {"2002:7f00:1::1", false},
    {"2002:a9fe:a9fe::1", false},
    {"8.8.8.8", true},
    {"1.1.1.1", true},
    {"100.63.255.255", true},
    {"100.128.0.0", true},
    {"172.15.255.255", true},
    {"172.32.0.0", true},
    {"192.0.1.1", true},
    {"198.20.0.1", true},
    {"223.255.255.254", true},
    {"::ffff:8.8.8.8", true},
    {"64:ff9b::808:808", true},
    {"2001:4860::8888", true},
    {"2001:4860:4860::8888", true},
    {"2606:4700:4700::1111", true},
    {"2002:808:808::1", true},
};

TEST(AddressPolicy, JudgesEverySpecialPurposeRangeInTheTable) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.literal);
    EXPECT_EQ(is_public(c.literal), c.allowed);
  }
}

TEST(AddressPolicy, JudgesBinaryFormsLikeTheirLiterals) {
  EXPECT_FALSE(is_public_v4(0x7f000001));
  EXPECT_TRUE(is_public_v4(0x08080808));
  std::array<std::uint8_t, 16> mapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 169, 254, 169, 254};
  EXPECT_FALSE(is_public_v6(mapped));
  mapped[12] = 8;
  mapped[13] = 8;
  mapped[14] = 8;
  mapped[15] = 8;
  EXPECT_TRUE(is_public_v6(mapped));
}

}  // namespace
}  // namespace feedd::daemon
