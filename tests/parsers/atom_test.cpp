#include <gtest/gtest.h>

#include "feed_testing.hpp"

namespace feedd::parsers {
namespace {

using namespace testkit;

TEST(AtomParser, ReadsFeedTitleAndAlternateLink) {
  const auto f = parse_feed(fixture("atom10_full_entry.xml"));
  EXPECT_EQ(f.format, feed_format::atom10);
  EXPECT_EQ(f.title, "Atom Site");
  EXPECT_EQ(f.site_url, "https://atom.example/");
}

TEST(AtomParser, ReadsEveryEntryField) {
  const auto f = parse_feed(fixture("atom10_full_entry.xml"));
  ASSERT_EQ(f.entries.size(), 2u);
  const auto& e = f.entries[0];
  EXPECT_EQ(e.guid, "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a");
  EXPECT_EQ(e.url, "https://atom.example/1");
  EXPECT_EQ(e.title, "Entry one");
  EXPECT_EQ(e.author, "Entry Author");
  EXPECT_EQ(e.summary, "A short one");
  EXPECT_EQ(e.content, "<p>Hello <b>world</b></p>");
  EXPECT_EQ(rfc3339(e.published_at), "2024-05-01T08:00:00Z");
  EXPECT_EQ(rfc3339(e.updated_at), "2024-05-02T10:00:00Z");
  EXPECT_EQ(e.categories, (std::vector<std::string>{"cats", "Dogs"}));
  EXPECT_EQ(e.enclosures, (std::vector<enclosure>{{"https://atom.example/1.ogg", "audio/ogg", 999}}));
}

TEST(AtomParser, EntryDocumentIsAFeedOfOneEntryWithItsSourceAsTheFeed) {
  const auto f = parse_feed(fixture("atom10_entry_document.xml"));
  EXPECT_EQ(f.format, feed_format::atom10);
  EXPECT_EQ(f.title + " " + f.site_url, "The Blog https://blog.example/");
  entry alone;
  alone.guid = "tag:blog.example,2024:alone";
  alone.url = "https://blog.example/2024/05/alone";
  alone.title = "Standing alone";
  alone.author = "Source Author";  // the source's, RFC 4287 4.2.1
  alone.summary = "An entry served on its own (RFC 4287 \xC2\xA7" "4.1.2).";
  alone.updated_at = parse_date("2024-05-13T10:00:00Z");
  EXPECT_EQ(f.entries, std::vector<entry>{alone});
  EXPECT_TRUE(has_warning(f, "atom: an Entry Document (root <entry>, RFC 4287, 4.1.2), read as a feed of one entry"));
}

TEST(AtomParser, UsesFeedAuthorWhenEntryHasNone) {
  const auto f = parse_feed(fixture("atom10_full_entry.xml"));
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[1].author, "Feed Author");
  EXPECT_EQ(f.entries[1].content, "<p>Second</p>");
  EXPECT_EQ(f.entries[1].published_at, std::nullopt);
}

TEST(AtomParser, IgnoresContributors) {
  const auto f = parse_feed(atom(R"(<entry><id>i</id><contributor><name>Helper</name></contributor></entry>)"));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].author, "");
}

TEST(AtomParser, XmlBaseOnEntryResolvesItsLinks) {
  const auto f = parse_feed(fixture("atom10_xml_base_on_entry.xml"));
  EXPECT_EQ(f.site_url, "https://base.example/blog/");
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[0].url, "https://base.example/blog/posts/2024/hello.html");
  ASSERT_EQ(f.entries[0].enclosures.size(), 1u);
  EXPECT_EQ(f.entries[0].enclosures[0].url, "https://base.example/blog/media/hello.mp3");
  EXPECT_EQ(f.entries[1].url, "https://other.example/x/y.html");
}

TEST(AtomParser, RelativeXmlBaseCombinesWithTheDocumentUrl) {
  const auto f = parse_feed(atom(R"(<entry xml:base="sub/"><id>i</id><link href="page"/></entry>)",
                                 R"(<link href="/home"/>)"),
                            with_base_url("https://doc.example/feeds/atom.xml"));
  EXPECT_EQ(f.site_url, "https://doc.example/home");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].url, "https://doc.example/feeds/sub/page");
}

TEST(AtomParser, TextTitleKeepsAngleBracketsAndHtmlTitleLosesTags) {
  const auto f = parse_feed(atom(R"(<entry><id>1</id><title type="text">a &lt;b&gt; c</title></entry>
      <entry><id>2</id><title type="html">&lt;em&gt;big&lt;/em&gt; news</title></entry>
      <entry><id>3</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><em>x</em>html</div></title></entry>)"));
  ASSERT_EQ(f.entries.size(), 3u);
  EXPECT_EQ(f.entries[0].title, "a <b> c");
  EXPECT_EQ(f.entries[1].title, "big news");
  EXPECT_EQ(f.entries[2].title, "xhtml");
}

TEST(AtomParser, XhtmlContentInAPrefixedNamespaceIsFound) {
  const auto f = parse_feed(R"(<a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:title>P</a:title>
      <a:entry><a:id>p1</a:id><a:content type="xhtml"><h:div xmlns:h="http://www.w3.org/1999/xhtml">kept</h:div></a:content>
      </a:entry></a:feed>)");
  EXPECT_EQ(f.format, feed_format::atom10);
  EXPECT_EQ(f.title, "P");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].content, "kept");
}

TEST(AtomParser, FirstAlternateLinkWinsAndRelatedIsIgnored) {
  const auto f = parse_feed(atom(R"(<entry><id>i</id><link rel="related" href="https://r.example/"/>
      <link rel="alternate" href="https://a.example/1"/><link href="https://a.example/2"/></entry>)"));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].url, "https://a.example/1");
}

TEST(AtomParser, BinaryContentIsDropped) {
  const auto f = parse_feed(atom(R"(<entry><id>i</id><content type="image/png">iVBORw0KGgo=</content></entry>)"));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].content, "");
}

TEST(AtomParser, ReadsAtom03ModesAndDates) {
  const auto f = parse_feed(fixture("atom03_modes.xml"));
  EXPECT_EQ(f.format, feed_format::atom03);
  EXPECT_EQ(to_string(f.format), "atom0.3");
  EXPECT_EQ(f.title, "Old Atom");
  EXPECT_EQ(f.site_url, "http://old.example/");
  ASSERT_EQ(f.entries.size(), 3u);
  EXPECT_EQ(f.entries[0].content, "<p>escaped &amp; html</p>");
  EXPECT_EQ(f.entries[0].summary, "plain summary");
  EXPECT_EQ(rfc3339(f.entries[0].published_at), "2004-01-01T17:00:00Z");
  EXPECT_EQ(rfc3339(f.entries[0].updated_at), "2004-01-02T00:00:00Z");
  EXPECT_EQ(f.entries[0].author, "Old Author");
  EXPECT_EQ(f.entries[1].content, "<p>base64 body</p>");
  EXPECT_EQ(f.entries[2].content, "<p>inline <em>xml</em></p>");
  EXPECT_EQ(rfc3339(f.entries[2].published_at), "2004-01-04T00:00:00Z");
}

TEST(AtomParser, ReadsAFeedThatForgotItsNamespaceWithAWarning) {
  const auto f = parse_feed("<feed><title>Bare</title><entry><id>b</id><title>t</title></entry></feed>");
  EXPECT_EQ(f.format, feed_format::atom10);
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title, "t");
  EXPECT_TRUE(has_warning(f, "no Atom namespace"));
}

TEST(AtomParser, ElementsOfAnotherNamespaceAreNotAtom) {
  const auto f = parse_feed(atom(R"(<entry><id>i</id><x:title xmlns:x="http://example.com/x">wrong</x:title>
      <title>right</title></entry>)"));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title, "right");
}

TEST(AtomParser, LinkWithoutHrefUsesItsText) {
  const auto f = parse_feed(atom(R"(<entry><id>i</id>
      <link rel="enclosure" type="audio/mpeg">https://a.example/1.mp3</link>
      <link rel="alternate" type="text/html">https://a.example/1</link></entry>)",
                                 "<link>https://a.example/</link>"));
  EXPECT_EQ(f.site_url, "https://a.example/");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].url, "https://a.example/1");
  EXPECT_EQ(f.entries[0].enclosures, (std::vector<enclosure>{{"https://a.example/1.mp3", "audio/mpeg", {}}}));
}

TEST(AtomParser, AuthorWithOnlyAnEmailIsTheEmail) {
  const auto f = parse_feed(atom(R"(<entry><id>i</id><author><email>jo@example.org</email></author></entry>
      <entry><id>j</id><author><name> </name><email>ed@example.org</email></author></entry>)"));
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[0].author, "jo@example.org");
  EXPECT_EQ(f.entries[1].author, "ed@example.org");
}

TEST(AtomParser, HtmlContentWrappedInAnXhtmlDivIsTheTextOfTheDiv) {
  // TypePad wrote escaped HTML inside an XHTML div of a type="html" content.
  const auto f = parse_feed(atom(R"(<entry><id>i</id><content type="html">
      <div xmlns="http://www.w3.org/1999/xhtml">Example &lt;b&gt;Atom&lt;/b&gt;</div></content>
      <summary type="html"><p>naked <b>markup</b></p></summary></entry>)"));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].content, "Example <b>Atom</b>");
  EXPECT_EQ(f.entries[0].summary, "<p>naked <b>markup</b></p>");
}

TEST(AtomParser, MediaDescriptionIsTheSummaryFallback) {
  const auto f = parse_feed(atom(R"(<entry xmlns:media="http://search.yahoo.com/mrss/"><id>i</id>
      <media:group><media:description>described</media:description></media:group></entry>
      <entry xmlns:media="http://search.yahoo.com/mrss/"><id>j</id><summary>own</summary>
      <media:description>described</media:description></entry>)"));
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[0].summary, "described");
  EXPECT_EQ(f.entries[1].summary, "own");
}

}  // namespace
}  // namespace feedd::parsers
