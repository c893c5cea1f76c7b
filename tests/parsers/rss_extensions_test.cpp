#include <gtest/gtest.h>

#include "feed_testing.hpp"

// RSS items filled from extension modules (Dublin Core terms, iTunes, Media
// RSS, XHTML body) when the core elements are missing.
namespace feedd::parsers {
namespace {

using namespace testkit;

constexpr std::string_view dcterms = R"(xmlns:dcterms="http://purl.org/dc/terms/")";
constexpr std::string_view itunes = R"(xmlns:itunes="http://www.itunes.com/DTDs/Podcast-1.0.dtd")";

entry only_entry(const feed& f) {
  EXPECT_EQ(f.entries.size(), 1u);
  return f.entries.empty() ? entry{} : f.entries[0];
}

TEST(RssExtensions, DublinCoreTermsGiveTheDates) {
  const auto issued = only_entry(parse_feed(rss(R"(<item><guid>g</guid>
      <dcterms:modified>2004-01-01T00:00:00Z</dcterms:modified>
      <dcterms:issued>2003-12-31T10:14:55Z</dcterms:issued></item>)", dcterms)));
  EXPECT_EQ(rfc3339(issued.published_at), "2003-12-31T10:14:55Z");
  EXPECT_EQ(rfc3339(issued.updated_at), "2004-01-01T00:00:00Z");
  const auto created = only_entry(parse_feed(rss(R"(<item><guid>g</guid>
      <dcterms:created>2003-12-31T10:14:55Z</dcterms:created></item>)", dcterms)));
  EXPECT_EQ(rfc3339(created.published_at), "2003-12-31T10:14:55Z");
}

TEST(RssExtensions, PubDateWinsOverDublinCoreTerms) {
  const auto e = only_entry(parse_feed(rss(R"(<item><guid>g</guid>
      <dcterms:issued>2003-12-31T10:14:55Z</dcterms:issued>
      <pubDate>Tue, 02 Jan 2024 03:04:05 GMT</pubDate></item>)", dcterms)));
  EXPECT_EQ(rfc3339(e.published_at), "2024-01-02T03:04:05Z");
}

TEST(RssExtensions, DcAuthorIsAnAuthorAfterDcCreator) {
  const auto e = only_entry(parse_feed(rss(R"(<item><guid>g</guid><dc:author>Ed (ed@example.com)</dc:author></item>)",
                                           R"(xmlns:dc="http://purl.org/dc/elements/1.1/")")));
  EXPECT_EQ(e.author, "Ed");
}

TEST(RssExtensions, ItunesCategoriesNestAndKeywordsSplitOnCommas) {
  const auto e = only_entry(parse_feed(rss(R"(<item><guid>g</guid>
      <itunes:keywords>one, two,,three </itunes:keywords>
      <itunes:category text="Technology"><itunes:category text="Gadgets"/></itunes:category>
      <category>plain</category></item>)", itunes)));
  EXPECT_EQ(e.categories, (std::vector<std::string>{"one", "two", "three", "Technology", "Gadgets", "plain"}));
}

TEST(RssExtensions, ItunesNamespaceMatchesWhateverItsCase) {
  const auto e = only_entry(parse_feed(rss(R"(<item><guid>g</guid><itunes:author>Mark</itunes:author>
      <itunes:summary>Example summary</itunes:summary></item>)", itunes)));
  EXPECT_EQ(e.author, "Mark");
  EXPECT_EQ(e.summary, "Example summary");
}

TEST(RssExtensions, MediaTitleDescriptionAndCategoryAreFallbacks) {
  const auto e = only_entry(parse_feed(rss(R"(<item><guid>g</guid>
      <media:group><media:title>grouped</media:title><media:description>in group</media:description>
        <media:category>cat2</media:category></media:group>
      <media:title>direct</media:title><media:category>cat1</media:category></item>)",
                                           R"(xmlns:media="http://search.yahoo.com/mrss")")));
  EXPECT_EQ(e.title, "direct");
  EXPECT_EQ(e.summary, "in group");
  EXPECT_EQ(e.categories, (std::vector<std::string>{"cat2", "cat1"}));
}

TEST(RssExtensions, CoreElementsWinOverMedia) {
  const auto e = only_entry(parse_feed(rss(R"(<item><guid>g</guid><media:title>media</media:title>
      <media:description>media</media:description><title>core</title><description>core</description></item>)",
                                           R"(xmlns:media="http://search.yahoo.com/mrss/")")));
  EXPECT_EQ(e.title, "core");
  EXPECT_EQ(e.summary, "core");
}

TEST(RssExtensions, XhtmlBodyAndFullitemAreContent) {
  const auto body = only_entry(parse_feed(rss(R"(<item><guid>g</guid>
      <body xmlns="http://www.w3.org/1999/xhtml"><p>Example <br/>content</p></body></item>)")));
  EXPECT_EQ(body.content, "<p>Example <br />content</p>");
  const auto prefixed = only_entry(parse_feed(rss(R"(<item><guid>g</guid>
      <xhtml:body><xhtml:p>Prefixed</xhtml:p></xhtml:body></item>)", R"(xmlns:xhtml="http://www.w3.org/1999/xhtml")")));
  EXPECT_EQ(prefixed.content, "<p>Prefixed</p>");
  const auto fullitem =
      only_entry(parse_feed(rss("<item><guid>g</guid><fullitem>&lt;p&gt;Full&lt;/p&gt;</fullitem></item>")));
  EXPECT_EQ(fullitem.content, "<p>Full</p>");
}

TEST(RssExtensions, ContentEncodedWinsOverBody) {
  const auto e = only_entry(parse_feed(rss(R"(<item><guid>g</guid><body><p>body</p></body>
      <content:encoded>encoded</content:encoded></item>)",
                                           R"(xmlns:content="http://purl.org/rss/1.0/modules/content/")")));
  EXPECT_EQ(e.content, "encoded");
}

TEST(RssExtensions, C1ControlsInTextAreReadAsWindows1252) {
  const auto e = only_entry(parse_feed(rss("<item><guid>g</guid><title>don\xC2\x92t</title>"
                                           "<description>don\xC2\x92t</description></item>")));
  EXPECT_EQ(e.title, "don\xE2\x80\x99t");
  EXPECT_EQ(e.summary, "don\xE2\x80\x99t");
}

}  // namespace
}  // namespace feedd::parsers
