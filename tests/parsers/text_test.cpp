#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>

#include "text.hpp"
#include "utf8.hpp"

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

struct repair_case {
  std::string input;
  std::string expected;
  std::size_t repairs;
};

TEST(RepairEntities, MakesHtmlReferencesAndBareAmpersandsXml) {
  const repair_case rows[] = {
      {"<t>&nbsp;</t>", "<t>&#160;</t>", 1},
      {"<t>&eacute;&hellip;&rsquo;</t>", "<t>&#233;&#8230;&#8217;</t>", 3},
      {"<t>AT&T</t>", "<t>AT&amp;T</t>", 1},
      {"<t>a & b</t>", "<t>a &amp; b</t>", 1},
      {"<t>&copy 2024</t>", "<t>&amp;copy 2024</t>", 1},
      {"<a href=\"?a=1&b=2\"/>", "<a href=\"?a=1&amp;b=2\"/>", 1},
      {"<t>&amp;&lt;&gt;&quot;&apos;</t>", "<t>&amp;&lt;&gt;&quot;&apos;</t>", 0},
      {"<t>&#233;&#xE9;&#x1F600;</t>", "<t>&#233;&#xE9;&#x1F600;</t>", 0},
      {"<t>&unknown;</t>", "<t>&unknown;</t>", 0},
      {"<t>&#146;</t>", "<t>&#8217;</t>", 1},
      {"<t>a&#0;b</t>", "<t>a&#65533;b</t>", 1},  // pugixml would cut the text at the NUL
      {"<t>&#1;&#x1F;</t>", "<t></t>", 2},
      {"<t>&#xD800;&#x110000;</t>", "<t>&#65533;&#65533;</t>", 2},
      {"<t>&#12a;</t>", "<t>&amp;#12a;</t>", 1},
      {"<t>&#;&#x;&</t>", "<t>&amp;#;&amp;#x;&amp;</t>", 3},
      {"<t><![CDATA[&nbsp; & <b>]]>&nbsp;</t>", "<t><![CDATA[&nbsp; & <b>]]>&#160;</t>", 1},
      {"<!-- & &nbsp; --><t/>", "<!-- & &nbsp; --><t/>", 0},
      {"<?pi a & b?><t/>", "<?pi a & b?><t/>", 0},
      {"<t><![CDATA[ & never closed", "<t><![CDATA[ & never closed", 0},
      {"no ampersand at all", "no ampersand at all", 0},
  };
  for (const repair_case& row : rows) {
    std::string text = row.input;
    EXPECT_EQ(repair_entities(text), row.repairs) << row.input;
    EXPECT_EQ(text, row.expected) << row.input;
  }
}

TEST(RepairEntities, RunsInLinearTime) {
  // Each of these would be quadratic with a search restarted per '&' or '<'.
  const std::string inputs[] = {
      std::string(1 << 20, '&'),
      [] {
        std::string s;
        for (int i = 0; i < 500'000; ++i) s += "<!--&";
        return s;
      }(),
      [] {
        std::string s;
        for (int i = 0; i < 300'000; ++i) s += "&#1234567890";
        return s;
      }(),
      [] {
        std::string s;
        for (int i = 0; i < 300'000; ++i) s += "&abcdefghij<![CDATA[";
        return s;
      }(),
  };
  for (const std::string& input : inputs) {
    std::string text = input;
    const auto start = std::chrono::steady_clock::now();
    repair_entities(text);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2)) << input.size();
  }
}

}  // namespace
