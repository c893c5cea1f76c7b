#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "entity_decoding.hpp"
#include "feed_testing.hpp"
#include "sanitize.hpp"
#include "text.hpp"
#include "truncate.hpp"
#include "utf8.hpp"
#include "whitespace.hpp"

namespace {

using namespace feedd::parsers::detail;
using namespace std::string_literals;

struct text_case {
  std::string input;
  std::string expected;
};

TEST(SanitizeUtf8, RemovesControlsAndReplacesInvalidSequences) {
  const text_case rows[] = {
      {"plain ascii", "plain ascii"},
      {"a\0b"s, "ab"},
      {"\0"s, ""},
      {"a\x01" "b\x1F" "c", "abc"},
      {"esc\x1B[31m", "esc[31m"},
      {"tab\tlf\ncr\r", "tab\tlf\ncr\r"},
      {"del\x7F", "del\x7F"},
      {"c1\xC2\x85", "c1\xC2\x85"},                           // U+0085 is valid text
      {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9D\x84\x9E", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9D\x84\x9E"},
      {"\xC0\xAF", "\uFFFD\uFFFD"},                          // overlong '/'
      {"\xC1\xBF", "\uFFFD\uFFFD"},                          // overlong
      {"\xE0\x80\xAF", "\uFFFD\uFFFD\uFFFD"},                // overlong, three bytes
      {"\xF0\x80\x80\xAF", "\uFFFD\uFFFD\uFFFD\uFFFD"},      // overlong, four bytes
      {"\xED\xA0\x80", "\uFFFD\uFFFD\uFFFD"},                // U+D800, what pugixml emits for &#xD800;
      {"\xED\xBF\xBF", "\uFFFD\uFFFD\uFFFD"},                // U+DFFF
      {"\xF4\x90\x80\x80", "\uFFFD\uFFFD\uFFFD\uFFFD"},      // U+110000, pugixml's &#x110000;
      {"\xF5\x80\x80\x80", "\uFFFD\uFFFD\uFFFD\uFFFD"},
      {"\xFF\xFE", "\uFFFD\uFFFD"},
      {"x\x80y", "x\uFFFDy"},
      {"\xE2\x82", "\uFFFD"},                                // truncated at the end: one U+FFFD
      {"\xE2\x82x", "\uFFFDx"},
      {"\xEF\xBF\xBE|\xEF\xBF\xBF", "|"},                    // U+FFFE, U+FFFF
      {"\xEF\xBF\xBD", "\xEF\xBF\xBD"},                      // U+FFFD itself stays
      {"\xF4\x8F\xBF\xBD", "\xF4\x8F\xBF\xBD"},              // U+10FFFD, the last valid plane
  };
  for (const text_case& row : rows) {
    std::string text = row.input;
    sanitize_utf8(text);
    EXPECT_EQ(text, row.expected) << "input bytes: " << row.input.size();
    EXPECT_TRUE(is_clean_utf8(text));
    EXPECT_EQ(is_clean_utf8(row.input), row.input == row.expected) << row.input;
  }
}

TEST(DecodeHtmlEntities, DecodesNamedAndNumericReferences) {
  const text_case rows[] = {
      {"&amp;", "&"},
      {"&lt;&gt;&quot;&apos;", "<>\"'"},
      {"Caf&eacute;", "Caf\xC3\xA9"},
      {"&nbsp;", "\xC2\xA0"},
      {"&euro;&hellip;&mdash;&rsquo;", "\xE2\x82\xAC\xE2\x80\xA6\xE2\x80\x94\xE2\x80\x99"},
      {"&AElig;&zwnj;&thetasym;&lArr;", "\xC3\x86\xE2\x80\x8C\xCF\x91\xE2\x87\x90"},  // HTML 4 table ends
      {"&Scaron;&scaron;&ccaron;&Lstrok;", "\xC5\xA0\xC5\xA1\xC4\x8D\xC5\x81"},
      {"&#233;&#xE9;&#XE9;&#x00e9;", "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"},
      {"it&#39s", "it's"},                                     // numeric needs no ';' in HTML
      {"&#146;&#x93;", "\xE2\x80\x99\xE2\x80\x9C"},           // windows-1252 meant
      {"&#0;", "\uFFFD"},
      {"&#xD800;", "\uFFFD"},
      {"&#x110000;", "\uFFFD"},
      {"&#99999999999999999999;", "\uFFFD"},
      {"&#128512;", "\xF0\x9F\x98\x80"},
      {"&unknown;", "&unknown;"},
      {"AT&T", "AT&T"},
      {"a & b", "a & b"},
      {"&copy 2024", "&copy 2024"},                            // named ones need ';'
      {"&amp;lt;", "&lt;"},                                    // one pass only
      {"&", "&"},
      {"&#;", "&#;"},
      {"&#x;", "&#x;"},
      {"&;", "&;"},
  };
  for (const text_case& row : rows) EXPECT_EQ(decode_html_entities(row.input), row.expected) << row.input;
}

TEST(PlainText, StripsTagsDecodesEntitiesAndCollapsesWhitespace) {
  const text_case rows[] = {
      {"<p>Hello <b>world</b></p>", "Hello world"},
      {"a<br>b", "a b"},
      {"a<br/>b<p>c</p>d", "a b c d"},
      {"H<sub>2</sub>O", "H2O"},
      {"<script>alert('<b>')</script>ok", "ok"},
      {"<STYLE type=\"text/css\">p { x: 1 }</Style>ok", "ok"},
      {"<script>never closed", ""},
      {"x<!-- a comment <b> -->y", "xy"},
      {"<!DOCTYPE html>text", "text"},
      {"Caf&eacute;  &amp;  bar", "Caf\xC3\xA9 & bar"},
      {"a < b and c > d", "a < b and c > d"},
      {"&lt;b&gt;bold&lt;/b&gt;", "<b>bold</b>"},  // escaped markup is text
      {"<a href=http://example.com/\">example</a>", "example"},  // a stray quote in an unquoted value
      {"<a title = 'x > y'>q</a>", "q"},                             // quoted after "=" and spaces
      {"  spaced\n\tout  ", "spaced out"},
      {"x&nbsp;&nbsp;y&nbsp;", "x y"},
      {"<a href=\"x>y\" title='>'>link</a>", "link"},
      {"unterminated <b", "unterminated"},
      {"", ""},
  };
  for (const text_case& row : rows) EXPECT_EQ(plain_text(row.input), row.expected) << row.input;
}

TEST(CollapseWhitespace, CollapsesAsciiAndUnicodeSpaces) {
  EXPECT_EQ(collapse_whitespace("  a \n\t b  "), "a b");
  EXPECT_EQ(collapse_whitespace("\xE3\x80\x80" "a\xC2\xA0\xE2\x80\x83" "b\xE2\x80\xA8"), "a b");
  EXPECT_EQ(collapse_whitespace("<b> x </b>"), "<b> x </b>");
  EXPECT_EQ(collapse_whitespace(" \r\n "), "");
  EXPECT_EQ(collapse_whitespace("\xE2\x80\x8B"), "\xE2\x80\x8B");  // ZERO WIDTH SPACE is not White_Space
}

TEST(TruncateUtf8, NeverSplitsASequence) {
  const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";  // 1, 2, 3, 4 and 1 bytes
  for (std::size_t max = 0; max <= text.size() + 1; ++max) {
    std::string cut = text;
    const bool was_cut = truncate_utf8(cut, max);
    EXPECT_EQ(was_cut, max < text.size()) << max;
    EXPECT_LE(cut.size(), max) << max;
    EXPECT_TRUE(text.starts_with(cut)) << max;
    EXPECT_TRUE(is_valid_utf8(cut)) << max;
    EXPECT_LT(std::min(max, text.size()) - cut.size(), 4u) << max;
  }
}

TEST(TruncateUtf8, KeepsShortTextUntouched) {
  std::string text = "short";
  EXPECT_FALSE(truncate_utf8(text, 5));
  EXPECT_EQ(text, "short");
}

// The definitions the word-at-a-time scans must agree with: one code point
// at a time through decode_utf8, as sanitize_utf8 and is_valid_utf8 once
// were written.
bool decoder_says_valid(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    const utf8_sequence sequence = decode_utf8(text, pos);
    if (!sequence.valid) return false;
    pos += sequence.length;
  }
  return true;
}

std::string decoder_sanitized(std::string_view text) {
  std::string out;
  for (std::size_t pos = 0; pos < text.size();) {
    const utf8_sequence sequence = decode_utf8(text, pos);
    if (!sequence.valid) {
      append_utf8(out, replacement_character);
    } else if (!is_unwanted_in_text(sequence.code_point)) {
      out.append(text.substr(pos, sequence.length));
    }
    pos += sequence.length;
  }
  return out;
}

// Valid, invalid and unwanted sequences, including every lead byte whose
// second byte has a narrower range, and sequences cut short.
const std::string probes[] = {
    "\t", "\n", "\r", "\x7F", "\0"s, "\x01", "\x1F", "\xC2\x80", "\xC2\x9F", "\xC3\xA9", "\xDF\xBF", "\xC0\xAF",
    "\xC1\xBF", "\xE0\xA0\x80", "\xE0\x9F\xBF", "\xE1\x80\x80", "\xEC\xBF\xBF", "\xED\x9F\xBF", "\xED\xA0\x80",
    "\xEE\x80\x80", "\xEF\xBF\xBD", "\xEF\xBF\xBE", "\xEF\xBF\xBF", "\xEF\xBC\x8C", "\xF0\x90\x80\x80",
    "\xF0\x8F\xBF\xBF", "\xF3\xBF\xBF\xBF", "\xF4\x8F\xBF\xBF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xF8",
    "\xFF", "\x80", "\xBF", "\xC3", "\xE2\x82", "\xF0\x9F\x98", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"};

// Each probe at every offset across two words, after ASCII or after
// multi-byte text, with tails that end inside and after the next word.
std::vector<std::string> word_boundary_inputs() {
  std::vector<std::string> out;
  for (const std::string& probe : probes) {
    for (std::size_t offset = 0; offset <= 17; ++offset) {
      for (std::size_t tail = 0; tail <= 9; ++tail) {
        out.push_back(std::string(offset, 'a') + probe + std::string(tail, 'b'));
        std::string mixed;
        while (mixed.size() + 2 <= offset) mixed += "\xC3\xA9";
        if (mixed.size() < offset) mixed += 'a';
        out.push_back(mixed + probe + std::string(tail, 'b') + "\xE2\x82\xAC");
      }
    }
  }
  for (const std::string& first : probes) {
    for (const std::string& second : probes) out.push_back("abcde" + first + "fg" + second + "hijklmnop");
  }
  return out;
}

TEST(SanitizeUtf8, WordScanAgreesWithTheDecoderAroundWordBoundaries) {
  for (const std::string& input : word_boundary_inputs()) {
    const std::string expected = decoder_sanitized(input);
    std::string text = input;
    sanitize_utf8(text);
    ASSERT_EQ(text, expected) << "input bytes: " << input.size();
    ASSERT_EQ(is_clean_utf8(input), input == expected) << "input bytes: " << input.size();
  }
}

TEST(IsValidUtf8, WordScanAgreesWithTheDecoderAroundWordBoundaries) {
  for (const std::string& input : word_boundary_inputs()) {
    ASSERT_EQ(is_valid_utf8(input), decoder_says_valid(input)) << "input bytes: " << input.size();
  }
}

TEST(CollapseWhitespace, CopiesRunsBetweenSpacesAndKeepsBrokenSequences) {
  const text_case rows[] = {
      {"one two three", "one two three"},
      {"a\xC2\xA0\xC2\xA0" "b", "a b"},
      {"a\xC2" "b\xC2", "a\xC2" "b\xC2"},        // a lone NO-BREAK SPACE lead is no space
      {"a\xE2\x80", "a\xE2\x80"},                 // nor is a cut-off EN QUAD
      {"\xE2\x80\x8A" "x\xE2\x80\xAF", "x"},      // HAIR SPACE, NARROW NO-BREAK SPACE
      {"x\xE2\x81\x9F\xE1\x9A\x80y", "x y"},      // MEDIUM MATHEMATICAL SPACE, OGHAM SPACE MARK
      {"x\xE2\x80\x8By", "x\xE2\x80\x8By"},       // ZERO WIDTH SPACE is not White_Space
      {"\f\vx\v", "x"},
      {std::string(20, 'a') + "  " + std::string(20, 'b'), std::string(20, 'a') + " " + std::string(20, 'b')},
  };
  for (const text_case& row : rows) EXPECT_EQ(collapse_whitespace(row.input), row.expected) << row.input;
}

TEST(PlainText, TextWithoutMarkupOrReferencesOnlyCollapses) {
  for (const std::string input : {"  plain \t title ", "caf\xC3\xA9\xC2\xA0noir", "", "a > b"}) {
    EXPECT_EQ(plain_text(input), collapse_whitespace(input)) << input;
  }
  for (const std::string input : {"Q&amp;A&nbsp; x", "&#1; &bogus; a & b"}) {
    EXPECT_EQ(plain_text(input), collapse_whitespace(decode_html_entities(input))) << input;
  }
}

}  // namespace

// Tests of the sixteen-bytes-at-a-time scans of titles (collapse_whitespace,
// to_plain_text, is_settled_text) against byte-at-a-time references.
namespace {

using namespace feedd::parsers::detail;

// Unicode White_Space in UTF-8, longest first where one is a prefix.
constexpr std::string_view white_space[] = {
    " ", "\t", "\n", "\r", "\f", "\v", "\xC2\x85", "\xC2\xA0", "\xE1\x9A\x80", "\xE2\x80\x80", "\xE2\x80\x81",
    "\xE2\x80\x82", "\xE2\x80\x83", "\xE2\x80\x84", "\xE2\x80\x85", "\xE2\x80\x86", "\xE2\x80\x87", "\xE2\x80\x88",
    "\xE2\x80\x89", "\xE2\x80\x8A", "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAF", "\xE2\x81\x9F", "\xE3\x80\x80"};

std::size_t white_space_at(std::string_view text, std::size_t pos) {
  for (const auto space : white_space) {
    if (text.substr(pos).starts_with(space)) return space.size();
  }
  return 0;
}

std::string collapsed_a_byte_at_a_time(std::string_view text) {
  std::string out;
  bool space = false;
  for (std::size_t pos = 0; pos < text.size();) {
    if (const std::size_t length = white_space_at(text, pos); length > 0) {
      space = !out.empty();
      pos += length;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += text[pos++];
  }
  return out;
}

// Words and single spaces, as most titles are, of the given length.
std::string words(std::size_t length) {
  std::string text;
  for (std::size_t i = 0; i < length; ++i) text += i % 6 == 5 ? ' ' : static_cast<char>('a' + i % 26);
  if (!text.empty() && text.back() == ' ') text.back() = 'z';
  return text;
}

// What may or may not need collapsing, put at every offset of texts that
// end inside, at and past a sixteen-byte block.
constexpr std::string_view inserts[] = {
    "  ", "\t", "\n", " \t", "\xC2\xA0", " \xC2\xA0", "\xE2\x80\x83", "\xE3\x80\x80", "\xE1\x9A\x80",
    "\xE2\x80\x99", "\xE2\x80\x8B", "\xC2\xA9", "\xC3\xA9", "\xE1\x9A\x81", "<b>", "&amp;", "x", " "};

std::vector<std::string> titles_around_blocks() {
  std::vector<std::string> out;
  for (const std::size_t length : {0, 1, 2, 5, 14, 15, 16, 17, 18, 31, 32, 33, 47, 48, 49, 64, 65}) {
    const std::string base = words(length);
    out.push_back(base);
    for (const auto insert : inserts) {
      for (std::size_t at = 0; at <= base.size(); ++at) {
        out.push_back(base.substr(0, at) + std::string{insert} + base.substr(at));
      }
    }
  }
  return out;
}

TEST(CollapseWhitespace, AgreesWithAByteAtATimeScanAtEveryOffsetOfABlock) {
  for (const std::string& text : titles_around_blocks()) {
    const std::string expected = collapsed_a_byte_at_a_time(text);
    ASSERT_EQ(collapse_whitespace(text), expected) << '"' << text << '"';
    std::string in_place = text;
    collapse_whitespace_in_place(in_place);
    ASSERT_EQ(in_place, expected) << '"' << text << '"';
  }
}

TEST(IsSettledText, SaysYesOnlyToTextThatNothingChanges) {
  std::size_t settled = 0;
  for (const std::string& text : titles_around_blocks()) {
    if (is_settled_text(text, false)) {
      ++settled;
      ASSERT_EQ(collapsed_a_byte_at_a_time(text), text) << '"' << text << '"';
      ASSERT_EQ(text.find('\xC2'), std::string::npos) << '"' << text << '"';  // no C1 control to map
    }
    if (is_settled_text(text, true)) {
      ASSERT_TRUE(is_settled_text(text, false)) << '"' << text << '"';
      ASSERT_EQ(text.find_first_of("<&"), std::string::npos) << '"' << text << '"';
    }
  }
  EXPECT_GT(settled, 1000u);  // the fast path is taken
}

TEST(IsSettledText, TellsPlainTitlesFromTitlesToClean) {
  EXPECT_TRUE(is_settled_text("Caf\xC3\xA9 na\xC3\xAFve \xE6\x97\xA5\xE6\x9C\xAC ok", true));
  EXPECT_TRUE(is_settled_text("", true));
  EXPECT_TRUE(is_settled_text("a <b> & c", false));  // markup matters only as HTML
  EXPECT_FALSE(is_settled_text("a <b> c", true));
  EXPECT_FALSE(is_settled_text("AT&amp;T", true));
  EXPECT_FALSE(is_settled_text("don\xC2\x92t", false));  // a C1 control to map
  EXPECT_FALSE(is_settled_text(" leading", false));
  EXPECT_FALSE(is_settled_text("trailing ", false));
  EXPECT_FALSE(is_settled_text("two  spaces", false));
}

TEST(ToPlainText, AgreesWithPlainTextOnCleanText) {
  std::vector<std::string> inputs = titles_around_blocks();
  for (const std::string& extra :
       {"<p>Hello <b>world</b></p>"s, "Q&amp;A&nbsp; x"s, "&#1; &bogus; a & b"s, "a &#xFFFE; b"s, "x&#0;y"s,
        "  <br>  spaced <i>out</i>  "s, "1 < 2"s, "<script>x</script>ok"s, words(40) + "&lt;" + words(40)}) {
    inputs.push_back(extra);
  }
  for (const std::string& input : inputs) {
    std::string clean = input;
    sanitize_utf8(clean);
    std::string expected = plain_text(clean);
    sanitize_utf8(expected);
    std::string text = clean;
    to_plain_text(text);
    ASSERT_EQ(text, expected) << '"' << input << '"';
  }
}

}  // namespace
