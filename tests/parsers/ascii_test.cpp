#include <gtest/gtest.h>

#include "ascii.hpp"

namespace feedd::parsers::detail {
namespace {

TEST(Ascii, FoldsOnlyAsciiLetters) {
  EXPECT_EQ(ascii::lower('A'), 'a');
  EXPECT_EQ(ascii::lower('Z'), 'z');
  EXPECT_EQ(ascii::lower('@'), '@');  // just below 'A'
  EXPECT_EQ(ascii::lower('['), '[');  // just above 'Z'
  // Latin-1 and UTF-8 bytes are not letters here, whatever the C locale.
  EXPECT_EQ(ascii::lower('\xC9'), '\xC9');
  EXPECT_FALSE(ascii::is_alpha('\xE9'));
  EXPECT_TRUE(ascii::is_alnum('7'));
  EXPECT_FALSE(ascii::is_digit('/'));
  EXPECT_FALSE(ascii::is_digit(':'));
}

TEST(Ascii, ComparesIgnoringCaseOfAsciiOnly) {
  EXPECT_TRUE(ascii::iequals("Content-Type", "content-TYPE"));
  EXPECT_FALSE(ascii::iequals("html", "htm"));
  EXPECT_FALSE(ascii::iequals("\xC3\x89t\xC3\xA9", "\xC3\xA9t\xC3\xA9"));  // "Été" is not "été" here
  EXPECT_TRUE(ascii::starts_with_ignoring_case("HTTPS://example.org", "https://"));
  EXPECT_FALSE(ascii::starts_with_ignoring_case("http", "https://"));
  EXPECT_EQ(ascii::lowered("Windows-1252"), "windows-1252");
}

}  // namespace
}  // namespace feedd::parsers::detail
