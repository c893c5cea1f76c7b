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

TEST(Ascii, XmlWhiteSpaceIsProductionSAndHtmlAddsFormFeed) {
  for (const char c : {' ', '\t', '\r', '\n'}) {
    EXPECT_TRUE(ascii::is_xml_space(c));
    EXPECT_TRUE(ascii::is_html_space(c));
  }
  EXPECT_FALSE(ascii::is_xml_space('\f'));
  EXPECT_TRUE(ascii::is_html_space('\f'));
  for (const char c : {'\v', '\0', 'a', '\xA0'}) {
    EXPECT_FALSE(ascii::is_xml_space(c));
    EXPECT_FALSE(ascii::is_html_space(c));
  }
}

TEST(Ascii, TrimTakesOneClassOfWhiteSpaceFromBothEnds) {
  EXPECT_EQ(ascii::trim(" \t\r\n a b \n"), "a b");
  EXPECT_EQ(ascii::trim("\fa\f"), "\fa\f");
  EXPECT_EQ(ascii::trim("\f a \f", ascii::is_html_space), "a");
  EXPECT_EQ(ascii::trim(" \n "), "");
  EXPECT_TRUE(ascii::is_blank(" \r\n\t"));
  EXPECT_TRUE(ascii::is_blank(""));
  EXPECT_FALSE(ascii::is_blank(" x "));
}

}  // namespace
}  // namespace feedd::parsers::detail
