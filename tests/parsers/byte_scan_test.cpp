#include "byte_scan.hpp"

#include <string>

#include <gtest/gtest.h>

namespace feedd::parsers::detail {
namespace {

// Lengths around the block size, so that the vector loop, the byte loop
// after it, and their boundary are all exercised.
constexpr std::size_t lengths[] = {0, 1, 15, 16, 17, 31, 32, 33, 47, 64, 100};

TEST(ByteScan, FindsAWantedByteAtEveryOffset) {
  for (const auto length : lengths) {
    for (std::size_t at = 0; at < length; ++at) {
      std::string text(length, 'a');
      text[at] = '<';
      EXPECT_EQ((byte_scan::find_first_of<'&', '<'>(text)), at) << "length " << length;
    }
  }
}

TEST(ByteScan, ReportsTheFirstOfSeveralWantedBytes) {
  for (const auto length : lengths) {
    for (std::size_t at = 0; at + 1 < length; ++at) {
      std::string text(length, 'x');
      text[at] = '&';
      text[length - 1] = '"';
      EXPECT_EQ((byte_scan::find_first_of<'"', '&'>(text)), at) << "length " << length;
    }
  }
}

TEST(ByteScan, ReturnsTheSizeWhenNothingIsWanted) {
  for (const auto length : lengths) {
    // Bytes that differ from the wanted one only in the high bit, or are NUL.
    std::string text(length, static_cast<char>('<' | 0x80));
    if (length > 2) text[length / 2] = '\0';
    EXPECT_EQ((byte_scan::find_first_of<'<'>(text)), length);
  }
}

TEST(ByteScan, FindsBytesAboveAscii) {
  const std::string text = std::string(20, 'a') + "\xC2\x85";
  EXPECT_EQ((byte_scan::find_first_of<0xC2>(text)), 20u);
}

}  // namespace
}  // namespace feedd::parsers::detail
