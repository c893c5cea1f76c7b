#include <gtest/gtest.h>

#include "feed_testing.hpp"

namespace feedd::parsers {
namespace {

using namespace testkit;

TEST(RssParser, ReadsChannelTitleLinkAndTtl) {
  const auto f = parse_feed(fixture("rss20_with_content_encoded.xml"));
  EXPECT_EQ(f.format, feed_format::rss20);
  EXPECT_EQ(f.title, "Example Weblog");
  EXPECT_EQ(f.site_url, "https://example.com/");
  ASSERT_TRUE(f.ttl.has_value());
  EXPECT_EQ(f.ttl->count(), 3600);
}

TEST(RssParser, ReadsEveryItemField) {
  const auto f = parse_feed(fixture("rss20_with_content_encoded.xml"));
  ASSERT_EQ(f.entries.size(), 1u);
  const auto& e = f.entries[0];
  EXPECT_EQ(e.guid, "tag:example.com,2024:1");
  EXPECT_EQ(e.url, "https://example.com/posts/1");
  EXPECT_EQ(e.title, "First & foremost");
  EXPECT_EQ(e.author, "Jo Writer");  // written "jo@example.com (Jo Writer)"
  EXPECT_EQ(e.summary, "<p>Short <b>summary</b></p>");
  EXPECT_EQ(e.content, "<p>The <em>whole</em> post.</p>");
  EXPECT_EQ(rfc3339(e.published_at), "2024-01-02T03:04:05Z");
  EXPECT_EQ(rfc3339(e.updated_at), "2024-01-03T00:00:00Z");
  EXPECT_EQ(e.categories, (std::vector<std::string>{"news", "c++"}));
  ASSERT_EQ(e.enclosures.size(), 1u);
  EXPECT_EQ(e.enclosures[0], (enclosure{"https://example.com/audio/1.mp3", "audio/mpeg", 12345}));
  EXPECT_TRUE(f.warnings.empty()) << f.warnings.front();
}

TEST(RssParser, UsesDublinCoreCreatorDateAndSubject) {
  const auto f = parse_feed(rss(R"(<item><guid>g</guid><dc:creator>Dee</dc:creator>
      <dc:date>2024-06-07T08:09:10Z</dc:date><dc:subject>topic</dc:subject></item>)",
                                R"(xmlns:dc="http://purl.org/dc/elements/1.1/")"));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].author, "Dee");
  EXPECT_EQ(rfc3339(f.entries[0].published_at), "2024-06-07T08:09:10Z");
  EXPECT_EQ(f.entries[0].categories, std::vector<std::string>{"topic"});
}

TEST(RssParser, PrefersRssAuthorThenDcCreatorThenItunesAuthor) {
  const auto f = parse_feed(rss(R"(<item><guid>1</guid><itunes:author>I</itunes:author><dc:creator>D</dc:creator><author>A</author></item>
      <item><guid>2</guid><itunes:author>I</itunes:author><dc:creator>D</dc:creator></item>
      <item><guid>3</guid><itunes:author>I</itunes:author></item>)",
                                R"(xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd")"));
  ASSERT_EQ(f.entries.size(), 3u);
  EXPECT_EQ(f.entries[0].author, "A");
  EXPECT_EQ(f.entries[1].author, "D");
  EXPECT_EQ(f.entries[2].author, "I");
}

TEST(RssParser, ReadsAtomDublinCoreAndItunesFallbacksInItems) {
  const auto f = parse_feed(rss(R"(<item><dc:title>DC title</dc:title><dc:description>DC text</dc:description>
        <atom:author><atom:name>Atom Author</atom:name></atom:author><atom:published>2019-01-02T15:04:05Z</atom:published>
        <atom:content type="html">&lt;p&gt;Body&lt;/p&gt;</atom:content><atom:category term="atomterm"/></item>
      <item><guid>2</guid><it:summary>Podcast text</it:summary><it:author>Host</it:author></item>)",
                                R"(xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" )"
                                R"(xmlns:it="http://www.itunes.com/DTDs/PodCast-1.0.dtd")"));
  ASSERT_EQ(f.entries.size(), 2u);
  const auto& e = f.entries[0];
  EXPECT_EQ(e.title, "DC title");
  EXPECT_EQ(e.summary, "DC text");
  EXPECT_EQ(e.author, "Atom Author");
  EXPECT_EQ(rfc3339(e.published_at), "2019-01-02T15:04:05Z");
  EXPECT_EQ(e.content, "<p>Body</p>");
  EXPECT_EQ(e.categories, std::vector<std::string>{"atomterm"});
  EXPECT_EQ(f.entries[1].summary, "Podcast text");
  EXPECT_EQ(f.entries[1].author, "Host");
}

TEST(RssParser, PreferredElementWinsWhateverTheOrder) {
  const auto f = parse_feed(rss(R"(<item><guid>g</guid><dc:creator>Second choice</dc:creator><title></title>
      <dc:title>Fallback</dc:title><author>First choice</author></item>)",
                                R"(xmlns:dc="http://purl.org/dc/elements/1.1/")"));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].author, "First choice");
  EXPECT_EQ(f.entries[0].title, "Fallback");
}

TEST(RssParser, ChannelAtomAlternateLinkIsTheSiteUrlFallback) {
  const auto f = parse_feed(rss("", R"(xmlns:atom="http://www.w3.org/2005/Atom")",
                                R"(<atom:link rel="self" href="https://x.example/feed"/>
                                   <atom:link rel="alternate" type="text/html" href="https://x.example/home"/>)"));
  EXPECT_EQ(f.site_url, "https://x.example/home");
}

TEST(RssParser, AuthorKeepsTheNameOfANameAndAddress) {
  const auto f = parse_feed(rss("<item><guid>g</guid><author>  Jo   &lt;jo@example.com&gt; </author></item>"));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].author, "Jo");
}

TEST(RssParser, AuthorKeepsABareAddress) {
  const auto f = parse_feed(rss("<item><guid>g</guid><author>&lt;jo@example.com&gt;</author></item>"
                                "<item><guid>h</guid><author>jo@example.com</author></item>"));
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[0].author, "jo@example.com");
  EXPECT_EQ(f.entries[1].author, "jo@example.com");
}

TEST(RssParser, MatchesContentEncodedByNamespaceUriNotPrefix) {
  const auto f = parse_feed(rss(
      R"(<item><guid>g</guid><x:encoded xmlns:x="http://purl.org/rss/1.0/modules/content/">body</x:encoded></item>)"));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].content, "body");
}

TEST(RssParser, IgnoresContentPrefixBoundToAnotherUri) {
  const auto f = parse_feed(rss(
      R"(<item><guid>g</guid><content:encoded xmlns:content="http://example.com/not-content">wrong</content:encoded></item>)"));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].content, "");
}

TEST(RssParser, ReadsUndeclaredConventionalPrefix) {
  const auto f = parse_feed(rss("<item><guid>g</guid><content:encoded>forgot xmlns</content:encoded></item>"));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].content, "forgot xmlns");
}

TEST(RssParser, PrefersFeedburnerOrigLinkOverLink) {
  const auto f = parse_feed(rss(R"(<item><link>https://feeds.feedburner.com/~r/x/1</link>
      <feedburner:origLink>https://real.example/1</feedburner:origLink></item>)",
                                R"(xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0")"));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].url, "https://real.example/1");
  EXPECT_EQ(f.entries[0].guid, "https://real.example/1");
}

TEST(RssParser, FallsBackToAtomAlternateLinkThenPermalinkGuid) {
  const auto f = parse_feed(rss(R"(<item><title>a</title><atom:link rel="self" href="https://x.example/self"/>
        <atom:link rel="alternate" href="https://x.example/alt"/></item>
      <item><guid>https://x.example/permalink</guid></item>
      <item><guid isPermaLink="false">https://x.example/not-a-link</guid></item>)",
                                R"(xmlns:atom="http://www.w3.org/2005/Atom")"));
  ASSERT_EQ(f.entries.size(), 3u);
  EXPECT_EQ(f.entries[0].url, "https://x.example/alt");
  EXPECT_EQ(f.entries[1].url, "https://x.example/permalink");
  EXPECT_EQ(f.entries[2].url, "");
  EXPECT_EQ(f.entries[2].guid, "https://x.example/not-a-link");
}

TEST(RssParser, ChannelAtomSelfLinkIsNotTheSiteUrl) {
  const auto f = parse_feed(rss("", R"(xmlns:atom="http://www.w3.org/2005/Atom")",
                                R"(<atom:link rel="self" href="https://x.example/feed"/><link>https://x.example/</link>)"));
  EXPECT_EQ(f.site_url, "https://x.example/");
}

TEST(RssParser, EnclosureLengthMustBeANonNegativeInteger) {
  const auto f = parse_feed(rss(R"(<item><guid>g</guid>
      <enclosure url="https://x.example/a.mp3" type="audio/mpeg" length="-5"/>
      <enclosure url="https://x.example/b.mp3" length="12 bytes"/>
      <enclosure url="https://x.example/c.mp3" length=""/>
      <enclosure url="https://x.example/d.mp3" length=" 42 "/>
      <enclosure url="https://x.example/e.mp3" length="99999999999999999999999"/></item>)"));
  ASSERT_EQ(f.entries.size(), 1u);
  const auto& enclosures = f.entries[0].enclosures;
  ASSERT_EQ(enclosures.size(), 5u);
  EXPECT_EQ(enclosures[0].length, std::nullopt);
  EXPECT_EQ(enclosures[1].length, std::nullopt);
  EXPECT_EQ(enclosures[2].length, std::nullopt);
  EXPECT_EQ(enclosures[3].length, 42);
  EXPECT_EQ(enclosures[4].length, std::nullopt);
}

TEST(RssParser, MediaContentBecomesEnclosureUnlessAnEnclosureHasItsUrl) {
  const auto f = parse_feed(rss(R"(<item><guid>g</guid>
      <enclosure url="https://x.example/a.mp4" type="video/mp4" length="10"/>
      <media:content url="https://x.example/a.mp4" type="video/mp4" fileSize="11"/>
      <media:group><media:content url="https://x.example/b.jpg" type="image/jpeg" fileSize="7"/></media:group>
      <media:content type="image/png"/></item>)",
                                R"(xmlns:media="http://search.yahoo.com/mrss/")"));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].enclosures, (std::vector<enclosure>{{"https://x.example/a.mp4", "video/mp4", 10},
                                                             {"https://x.example/b.jpg", "image/jpeg", 7}}));
}

TEST(RssParser, AcceptsADefaultNamespaceOnRssElements) {
  const auto f = parse_feed(R"(<rss version="2.0" xmlns="http://backend.userland.com/rss2"><channel>
      <title>Namespaced</title><item><title>It</title><guid>n1</guid></item></channel></rss>)");
  EXPECT_EQ(f.title, "Namespaced");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title, "It");
}

TEST(RssParser, ReadsNetscapeRss091WithItsDoctype) {
  const auto f = parse_feed(fixture("rss091_netscape.xml"));
  EXPECT_EQ(f.format, feed_format::rss091);
  EXPECT_EQ(to_string(f.format), "rss0.9x");
  EXPECT_EQ(f.title, "Netscape Weblog");
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[0].title, "Caf\xC3\xA9 opening");
  EXPECT_EQ(f.entries[0].guid, "http://netscape.example/cafe.html");
  EXPECT_EQ(f.entries[0].summary, "Opening hours");
}

TEST(RssParser, IgnoresTtlThatIsNotAPositiveNumber) {
  for (const char* ttl : {"0", "-5", "soon", "", "99999999999999999999"}) {
    const auto f = parse_feed(rss("", "", std::string{"<ttl>"} + ttl + "</ttl>"));
    EXPECT_FALSE(f.ttl.has_value()) << ttl;
  }
}

TEST(RssParser, UnescapedHtmlInDescriptionIsKeptAsMarkup) {
  const auto f = parse_feed(rss("<item><guid>g</guid><description>Hello <b>bold</b> &amp; co</description></item>"));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].summary, "Hello <b>bold</b> &amp; co");
}

TEST(RssParser, AppliesXmlBaseToItemLinks) {
  const auto f = parse_feed(R"(<rss version="2.0"><channel xml:base="https://b.example/news/"><title>t</title>
      <link>/</link><item><link>story.html</link><enclosure url="../m/a.mp3"/></item></channel></rss>)");
  EXPECT_EQ(f.site_url, "https://b.example/");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].url, "https://b.example/news/story.html");
  ASSERT_EQ(f.entries[0].enclosures.size(), 1u);
  EXPECT_EQ(f.entries[0].enclosures[0].url, "https://b.example/m/a.mp3");
}

}  // namespace
}  // namespace feedd::parsers
