#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "authors.hpp"
#include "c1_controls.hpp"
#include "feed_testing.hpp"

namespace feedd::parsers::detail {
namespace {

struct author_case {
  std::string_view input;
  std::string_view expected;
};

constexpr author_case rows[] = {
    {"Jo Smith", "Jo Smith"},
    {"  Jo Smith  ", "Jo Smith"},
    {"jo@example.com", "jo@example.com"},
    {"Jo Smith (jo@example.com)", "Jo Smith"},
    {"jo@example.com (Jo Smith)", "Jo Smith"},
    {"Jo Smith <jo@example.com>", "Jo Smith"},
    {"\"Smith, Jo\" <jo@example.com>", "Smith, Jo"},
    {"<jo@example.com>", "jo@example.com"},
    {"mailto:jo@example.com (Jo)", "Jo"},
    {"jo@example.com ()", "jo@example.com ()"},
    // Parentheses or brackets without an address are part of the name.
    {"Jo (Team)", "Jo (Team)"},
    {"Jo (the one @ home)", "Jo (the one @ home)"},
    {"Jo <Team>", "Jo <Team>"},
    {"(", "("},
    {"", ""},
};

TEST(AuthorName, KeepsTheNameOfANameAndAddress) {
  for (const auto& row : rows) {
    EXPECT_EQ(author_name(row.input), row.expected) << "input: " << row.input;
  }
}

TEST(MapC1Controls, ReadsC1ControlsAsWindows1252) {
  std::string text = "don\xC2\x92t \xC2\x93quoted\xC2\x94 \xC2\x80 5";
  map_c1_controls(text);
  EXPECT_EQ(text, "don\xE2\x80\x99t \xE2\x80\x9Cquoted\xE2\x80\x9D \xE2\x82\xAC 5");
}

TEST(MapC1Controls, LeavesOtherTextAndUndefinedPositionsAlone) {
  // U+00A0 and U+00E9 share the 0xC2/0xC3 lead bytes; 0x81 is undefined in
  // windows-1252.
  const std::string kept = "caf\xC3\xA9\xC2\xA0\xC2\x81 \xE2\x80\x99";
  std::string text = kept;
  map_c1_controls(text);
  EXPECT_EQ(text, kept);
}

// Normalizing an author collapses white space and maps C1 controls but
// leaves markup: most authors are settled already and skip both.
TEST(AuthorName, ParseCollapsesAndMapsAuthorsButKeepsTheirMarkup) {
  constexpr author_case authors[] = {
      {"Jo Smith", "Jo Smith"},
      {"Jo  Smith", "Jo Smith"},
      {" Jo\xC2\xA0Smith\t", "Jo Smith"},
      {"Jo\xC2\x92s blog", "Jo\xE2\x80\x99s blog"},
      {"Jo &lt;b&gt;Smith&lt;/b&gt; &amp;amp; co", "Jo <b>Smith</b> &amp; co"},
      {"\xE6\x97\xA5\xE6\x9C\xAC \xE2\x80\x94 Jo", "\xE6\x97\xA5\xE6\x9C\xAC \xE2\x80\x94 Jo"},
  };
  for (const auto& row : authors) {
    const auto f = testkit::parse_feed(
        testkit::atom("<entry><id>i</id><author><name>" + std::string{row.input} + "</name></author></entry>"));
    ASSERT_EQ(f.entries.size(), 1u) << row.input;
    EXPECT_EQ(f.entries[0].author, row.expected) << "input: " << row.input;
  }
}

}  // namespace
}  // namespace feedd::parsers::detail
