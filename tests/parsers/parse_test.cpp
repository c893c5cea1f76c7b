#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "feed_testing.hpp"

namespace feedd::parsers {
namespace {

using namespace testkit;

// The entity repair reads "<!--" and "<![CDATA[" in a DOCTYPE's quoted
// strings as sections that pugixml does not see, so it leaves a control
// reference after them alone; the text that pugixml then decodes must
// still be cleaned before it is stored.
TEST(Parse, ControlReferencesHiddenFromTheRepairAreStillCleaned) {
  for (const std::string opener : {"<!--", "<![CDATA["}) {
    const auto f = parse_feed("<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY x \"" + opener +
                              "\">]><rss version=\"2.0\"><channel><title>t</title><item><title>a&#7;b</title>"
                              "<guid>1</guid><description>x &#0; y</description></item></channel></rss><!-- ]]> -->");
    ASSERT_EQ(f.entries.size(), 1u) << opener;
    EXPECT_EQ(f.entries[0].title, "ab") << opener;
    EXPECT_EQ(f.entries[0].summary.find('\0'), std::string::npos) << opener;
  }
}

TEST(Parse, GuidFallsBackToLinkThenToAHashOfTitleAndContent) {
  const auto f = parse_feed(rss(R"(<item><guid>  g1  </guid><link>https://x.example/1</link></item>
      <item><link>https://x.example/2</link></item>
      <item><title>Only a title</title><description>and text</description></item>)"));
  ASSERT_EQ(f.entries.size(), 3u);
  EXPECT_EQ(f.entries[0].guid, "g1");
  EXPECT_EQ(f.entries[1].guid, "https://x.example/2");
  EXPECT_EQ(f.entries[2].guid.rfind("fnv:", 0), 0u) << f.entries[2].guid;
  EXPECT_EQ(f.entries[2].guid.size(), 4u + 16u);
}

TEST(Parse, HashGuidIsFnv1a64OverTitleNewlineContent) {
  // FNV-1a 64 of "a\nb", computed independently; it must never change, or
  // every guid-less entry would be stored again.
  const auto f = parse_feed(rss("<item><title>a</title><description>b</description></item>"));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].guid, "fnv:e5beb1190415e670");
}

TEST(Parse, GuidsAreStableAcrossParses) {
  const auto document = rss(R"(<item><title>x</title><content:encoded>y</content:encoded></item>
      <item><title>z</title></item>)",
                            R"(xmlns:content="http://purl.org/rss/1.0/modules/content/")");
  const auto first = parse_feed(document);
  const auto second = parse_feed(document);
  ASSERT_EQ(first.entries.size(), 2u);
  EXPECT_EQ(first.entries, second.entries);
  EXPECT_NE(first.entries[0].guid, first.entries[1].guid);
}

TEST(Parse, DuplicateGuidsKeepTheFirstAndWarnOnce) {
  const auto f = parse_feed(rss(R"(<item><guid>same</guid><title>first</title></item>
      <item><guid>same</guid><title>second</title></item>
      <item><guid>same</guid><title>third</title></item>
      <item><guid>other</guid></item>)"));
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[0].title, "first");
  EXPECT_EQ(f.entries[1].guid, "other");
  std::size_t count = 0;
  for (const auto& warning : f.warnings) count += warning.find("duplicate guid") != std::string::npos ? 1 : 0;
  EXPECT_EQ(count, 1u);
  EXPECT_TRUE(has_warning(f, "dropped 2"));
}

TEST(Parse, RelativeLinksResolveAgainstTheBaseUrl) {
  const auto f = parse_feed(rss(R"(<item><link> /posts/1 </link><enclosure url="media/a.mp3"/></item>)", "",
                                "<link>../</link>"),
                            with_base_url("https://site.example/blog/feed.xml"));
  EXPECT_EQ(f.site_url, "https://site.example/");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].url, "https://site.example/posts/1");
  EXPECT_EQ(f.entries[0].enclosures[0].url, "https://site.example/blog/media/a.mp3");
}

TEST(Parse, TwoRootElementsTakeTheFirstWithAWarning) {
  const auto f = parse_feed(rss("<item><guid>1</guid></item>") + "<rss><channel><title>second</title></channel></rss>");
  EXPECT_EQ(f.title, "T");
  EXPECT_EQ(f.entries.size(), 1u);
  EXPECT_TRUE(has_warning(f, "ignored 1 elements after the root element"));
}

TEST(Parse, TextBeforeTheRootIsIgnoredWithAWarning) {
  const auto f = parse_feed("garbage " + rss("<item><guid>1</guid></item>").substr(21));
  EXPECT_EQ(f.entries.size(), 1u);
  EXPECT_TRUE(has_warning(f, "ignored text before the root element"));
}

TEST(Parse, JunkBeforeTheXmlDeclarationIsSkipped) {
  const auto f = parse_feed(fixture("php_warning_before_declaration.xml"));
  EXPECT_EQ(f.title, "After junk");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_TRUE(has_warning(f, "before the XML declaration"));
}

TEST(Parse, TruncatedDocumentKeepsTheCompleteItems) {
  const auto f = parse_feed(fixture("truncated_after_second_item.xml"));
  EXPECT_EQ(f.title, "Cut short");
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[1].title, "Two");
  EXPECT_TRUE(has_warning(f, "document ends early"));
}

// Issue 13's shapes: what a liberal parser keeps of each (the entries and
// their enclosures), and the warning that says what was repaired.
TEST(Parse, BrokenDocumentsKeepWhatLiesOutsideTheDamage) {
  struct row {
    std::string document;
    std::vector<std::string> titles;
    std::size_t enclosures;
    std::string_view warning;
  };
  const row rows[] = {
      {fixture("rss20_podcast_unclosed_itunes_category.xml"), {"Episode 1", "Episode 2", "Episode 3"}, 3,
       "closed 1 element left open where the next entry starts (first <itunes:category>"},
      {fixture("rss20_media_content_end_tag_written_twice.xml"), {"First", "Second", "Third"}, 2,
       "skipped 1 end tag that close no open element (first </media:content>"},
      {rss("<item><guid>1</guid><title>a</b></item><item><guid>2</guid><title>b</title></item>"), {"a", "b"}, 0,
       "skipped 1 end tag that close no open element (first </b>"},
      // Attribute syntax is not repaired: a value without quotes stays an
      // error, and only the complete items before it are kept.
      {rss("<item><title>1</title></item><item><title>2</title><link rel=x>l</link></item><item>3</item>"), {"1"},
       0, "which no repair fixes; kept what came before"},
  };
  for (const auto& r : rows) {
    const auto f = parse_feed(r.document);
    std::vector<std::string> titles;
    std::size_t enclosures = 0;
    for (const auto& e : f.entries) {
      titles.push_back(e.title);
      enclosures += e.enclosures.size();
    }
    EXPECT_EQ(titles, r.titles) << r.warning;
    EXPECT_EQ(enclosures, r.enclosures) << r.warning;
    EXPECT_TRUE(has_warning(f, r.warning)) << r.warning;
    EXPECT_FALSE(r.titles.size() > 1 && has_warning(f, "document ends early")) << r.warning;
  }
}

TEST(Parse, ErrorNoRepairFixesBeforeAnyItemIsNotAFeed) {
  const auto result = parse(rss("<item><title a=b>a</title></item><item><title>b</title></item>"), {});
  ASSERT_FALSE(result.has_value());
  EXPECT_TRUE(result.error().message.starts_with("parse: xml: ")) << result.error().message;
  EXPECT_NE(result.error().message.find(" at byte "), std::string::npos) << result.error().message;
}

TEST(Parse, RelativeLinksWithoutABaseAreKeptAsWrittenWithAWarning) {
  const auto document = rss(R"(<item><guid>1</guid><link>/posts/1</link><enclosure url="a.mp3"/></item>)", "",
                            "<link>https://site.example/</link>");
  const auto f = parse_feed(document);
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].url, "/posts/1");
  EXPECT_EQ(f.entries[0].enclosures.at(0).url, "a.mp3");
  EXPECT_TRUE(has_warning(f, "urls: kept 2 relative links as written (first \"/posts/1\")"));
  EXPECT_FALSE(has_warning(parse_feed(document, with_base_url("https://site.example/feed")), "urls:"));
}

TEST(Parse, TruncationInsideTheFirstItemKeepsNoHalfEntry) {
  const auto f = parse_feed("<rss><channel><title>x</title><item><title>cut");
  EXPECT_EQ(f.title, "x");
  EXPECT_TRUE(f.entries.empty());
  EXPECT_TRUE(has_warning(f, "document ends early"));
}

TEST(Parse, TruncatedRootEndTagIsClosed) {
  const auto f = parse_feed("<rss><channel><title>almost</title></channel></rss");
  EXPECT_EQ(f.title, "almost");
  EXPECT_TRUE(has_warning(f, "document ends early"));
}

TEST(Parse, MalformedDoctypeIsDroppedWithAWarning) {
  const auto f = parse_feed(R"(<!DOCTYPE rss [ <!ENTITY x "a" ]><rss version="2.0"><channel><title>d</title></channel></rss>)");
  EXPECT_EQ(f.title, "d");
  EXPECT_TRUE(has_warning(f, "dropped a malformed DOCTYPE"));
}

TEST(Parse, NbspAndOtherHtmlEntitiesInTitlesAreRepaired) {
  const auto f = parse_feed(rss("<item><guid>1</guid><title>A&nbsp;B &eacute; C&D</title></item>"));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title, "A B \xC3\xA9 C&D");
  EXPECT_TRUE(has_warning(f, "xml: repaired"));
}

TEST(Parse, BillionLaughsStaysLiteral) {
  const auto f = parse_feed(fixture("billion_laughs.xml"));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title, "&lol9;");
  EXPECT_LT(f.entries[0].summary.size(), 64u);
}

TEST(Parse, ExternalEntitiesAreNeverExpanded) {
  const auto f = parse_feed(fixture("xxe_system_entity.xml"));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title, "&xxe;");
  EXPECT_EQ(f.entries[0].summary, "&remote;");
  EXPECT_EQ(f.entries[0].title.find("root:"), std::string::npos);
}

TEST(Parse, DeepNestingDoesNotExhaustTheStack) {
  constexpr int depth = 200000;
  std::string document = R"(<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>deep</id>)"
                         R"(<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">)";
  for (int i = 0; i < depth; ++i) document += "<b>";
  for (int i = 0; i < depth; ++i) document += "</b>";
  document += "</div></content></entry></feed>";
  const auto f = parse_feed(document);
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_LE(f.entries[0].content.size(), 1024u * 1024u);
}

TEST(Parse, MillionUnclosedElementsAreNotAFeed) {
  std::string document = "<rss><channel>";
  for (int i = 0; i < 1000000; ++i) document += "<a>";
  EXPECT_FALSE(parse(document, {}).has_value());
}

TEST(Parse, NulCharacterReferencesNeverReachTheOutput) {
  const auto f = parse_feed(rss("<item><guid>n&#0;ul</guid><title>a&#0;b</title><description>c&amp;#0;d</description>"
                                "<author>e&#1;f</author></item>"));
  ASSERT_EQ(f.entries.size(), 1u);
  const auto& e = f.entries[0];
  for (const auto* text : {&e.guid, &e.title, &e.summary, &e.author}) {
    EXPECT_EQ(text->find('\0'), std::string::npos);
    EXPECT_EQ(text->find('\x01'), std::string::npos);
  }
}

TEST(Parse, InvalidCodePointsAndBytesBecomeValidUtf8) {
  const auto f = parse_feed(rss("<item><guid>u</guid><title>a&#xD800;b&#x110000;c\xFF</title></item>"));
  ASSERT_EQ(f.entries.size(), 1u);
  const auto& title = f.entries[0].title;
  EXPECT_EQ(title.find("\xED\xA0\x80"), std::string::npos);
  EXPECT_EQ(title.find('\xFF'), std::string::npos);
  EXPECT_EQ(title.front(), 'a');
}

TEST(Parse, Windows1252DeclaredIsTranscoded) {
  const auto f = parse_feed(fixture("windows1252_declared.xml"));
  EXPECT_EQ(f.title, "Caf\xC3\xA9 \xE2\x80\x9Cquoted\xE2\x80\x9D \xE2\x82\xAC");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title, "Na\xC3\xAFve");
}

TEST(Parse, UnparseableDateIsNullWithAWarning) {
  const auto f = parse_feed(rss("<item><guid>d</guid><pubDate>sometime soon</pubDate></item>"));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].published_at, std::nullopt);
  EXPECT_TRUE(has_warning(f, "date: cannot parse \"sometime soon\" (entry 1)"));
}

TEST(Parse, KeepsAtMostAThousandEntries) {
  std::string items;
  for (int i = 0; i < 1005; ++i) items += "<item><guid>" + std::to_string(i) + "</guid></item>";
  const auto f = parse_feed(rss(items));
  ASSERT_EQ(f.entries.size(), 1000u);
  EXPECT_EQ(f.entries.back().guid, "999");
  EXPECT_TRUE(has_warning(f, "kept the first 1000 of 1005"));
}

TEST(Parse, AMillionEmptyItemsAreCountedNotKept) {
  std::string items;
  items.reserve(8 * 1000000);
  for (int i = 0; i < 1000000; ++i) items += "<item/>";
  const auto f = parse_feed(rss(items));
  EXPECT_EQ(f.entries.size(), 1u);  // all share the hash of an empty title and content
  EXPECT_TRUE(has_warning(f, "kept the first 1000 of 1000000"));
}

TEST(Parse, AttributeFloodOnTheRootDoesNotSlowEveryLookup) {
  // Every namespace lookup walks the ancestors: scanning their attributes
  // each time would be 1000 items x 51 lookups x 200k attributes = 10^10
  // steps; with the declarations indexed once it stays linear.
  std::string root_attributes;
  for (int i = 0; i < 200000; ++i) root_attributes += " a" + std::to_string(i) + "=\"\"";
  std::string items;
  for (int i = 0; i < 1000; ++i) {
    items += "<item><guid>" + std::to_string(i) + "</guid>" + std::string(50, ' ');
    for (int k = 0; k < 50; ++k) items += "<dc:subject>s</dc:subject>";
    items += "</item>";
  }
  const auto started = std::chrono::steady_clock::now();
  const auto f = parse_feed(rss(items, R"(xmlns:dc="http://purl.org/dc/elements/1.1/")" + root_attributes));
  EXPECT_EQ(f.entries.size(), 1000u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds{10});
}

TEST(Parse, LongFieldsAreCutAndReportedOncePerKind) {
  const std::string long_title(10000, 't');
  const std::string long_content(2 * 1024 * 1024, 'c');
  std::string categories;
  for (int i = 0; i < 70; ++i) categories += "<category>c" + std::to_string(i) + "</category>";
  const auto f = parse_feed(rss("<item><guid>1</guid><title>" + long_title + "</title><content:encoded>" + long_content +
                                    "</content:encoded>" + categories + "</item><item><guid>2</guid><title>" + long_title +
                                    "</title></item>",
                                R"(xmlns:content="http://purl.org/rss/1.0/modules/content/")"));
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[0].title.size(), 4096u);
  EXPECT_EQ(f.entries[0].content.size(), 1024u * 1024u);
  EXPECT_EQ(f.entries[0].categories.size(), 64u);
  EXPECT_TRUE(has_warning(f, "caps: title cut in 2 places"));
  EXPECT_TRUE(has_warning(f, "caps: content cut in 1 place"));
  EXPECT_TRUE(has_warning(f, "caps: categories cut in 1 place"));
}

TEST(Parse, HugeGuidBecomesAStableHash) {
  const std::string guid(1024 * 1024, 'g');
  const auto f = parse_feed(rss("<item><guid>" + guid + "</guid></item><item><guid>" + guid + "h</guid></item>"));
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_TRUE(f.entries[0].guid.starts_with("fnv:"));
  EXPECT_NE(f.entries[0].guid, f.entries[1].guid);
}

TEST(Parse, NamespacesAndBasesFollowTheTreeFromElementToRoot) {
  // Declarations are read lazily and remembered per element: siblings share
  // their parent's, an inner declaration shadows an outer one only below it.
  const auto f = parse_feed(R"(<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel xml:base="http://a.example/x/"><title>T</title>
      <item xml:base="y/"><guid>1</guid><link>z</link><dc:creator>Dee</dc:creator></item>
      <item xmlns:dc="http://example.com/not-dc"><guid>2</guid><link>z</link><dc:creator>No</dc:creator></item>
      <item><guid>3</guid><link xml:base="/w/">z</link>
        <dc:creator xmlns:dc="http://example.com/x">No</dc:creator></item>
      <item><guid>4</guid><link>z</link><dc:creator>Four</dc:creator></item>
      </channel></rss>)",
                            with_base_url("https://feed.example/rss"));
  ASSERT_EQ(f.entries.size(), 4u);
  EXPECT_EQ(f.entries[0].url, "http://a.example/x/y/z");
  EXPECT_EQ(f.entries[0].author, "Dee");
  EXPECT_EQ(f.entries[1].url, "http://a.example/x/z");
  EXPECT_EQ(f.entries[1].author, "");
  EXPECT_EQ(f.entries[2].url, "http://a.example/w/z");
  EXPECT_EQ(f.entries[2].author, "");
  EXPECT_EQ(f.entries[3].url, "http://a.example/x/z");
  EXPECT_EQ(f.entries[3].author, "Four");
}

TEST(Parse, DocumentsNeedingRecoveryParseAsBefore) {
  // The first parse is in place, in the decoded text; a document that needs
  // one of the recoveries is decoded again and takes the careful path, with
  // the decoding's warnings given once.
  const std::string item = "<item><guid>1</guid><title>caf\xE9 &amp; &nbsp;cr\xE8me</title></item>";
  const auto whole = parse_feed(rss(item));
  const std::string cut = rss(item + "<item><guid>2</guid><title>half");
  const auto truncated = parse_feed(cut.substr(0, cut.find("half") + 4));
  ASSERT_EQ(whole.entries.size(), 1u);
  ASSERT_EQ(truncated.entries.size(), 1u);
  EXPECT_EQ(truncated.entries[0].title, "caf\xC3\xA9 & cr\xC3\xA8me");
  EXPECT_EQ(truncated.entries[0].title, whole.entries[0].title);
  EXPECT_TRUE(has_warning(truncated, "document ends early"));
  for (const std::string_view once : {"repaired 1 undefined entities", "read as windows-1252"}) {
    EXPECT_EQ(std::count_if(truncated.warnings.begin(), truncated.warnings.end(),
                            [&](const std::string& w) { return w.find(once) != std::string::npos; }),
              1)
        << once;
  }
}

}  // namespace
}  // namespace feedd::parsers
