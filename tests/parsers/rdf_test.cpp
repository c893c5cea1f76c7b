#include <gtest/gtest.h>

#include "feed_testing.hpp"

namespace feedd::parsers {
namespace {

using namespace testkit;

constexpr std::string_view rdf_open = R"(<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">)";

TEST(RdfParser, ReadsChannelAndTheItemsBesideIt) {
  const auto f = parse_feed(fixture("rdf_with_dc_dates.xml"));
  EXPECT_EQ(f.format, feed_format::rss10);
  EXPECT_EQ(to_string(f.format), "rss1.0");
  EXPECT_EQ(f.title, "RDF Site");
  EXPECT_EQ(f.site_url, "https://example.org/");
  ASSERT_EQ(f.entries.size(), 2u);
  const auto& a = f.entries[0];
  EXPECT_EQ(a.guid, "https://example.org/a");
  EXPECT_EQ(a.url, "https://example.org/a");
  EXPECT_EQ(a.title, "Item A");
  EXPECT_EQ(a.summary, "About A");
  EXPECT_EQ(a.content, "<p>All of A</p>");
  EXPECT_EQ(a.author, "Ann");
  EXPECT_EQ(rfc3339(a.published_at), "2024-03-04T04:06:07Z");
  EXPECT_EQ(a.categories, (std::vector<std::string>{"alpha", "beta"}));
  EXPECT_EQ(rfc3339(f.entries[1].published_at), "2024-03-05T00:00:00Z");
}

TEST(RdfParser, SyndicationPeriodAndFrequencyBecomeTtl) {
  const auto f = parse_feed(fixture("rdf_with_dc_dates.xml"));
  ASSERT_TRUE(f.ttl.has_value());
  EXPECT_EQ(f.ttl->count(), 1800);  // hourly, twice
}

TEST(RdfParser, UsesLinkAsGuidWithoutRdfAbout) {
  const auto f = parse_feed(fixture("rdf_with_dc_dates.xml"));
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[1].guid, "https://example.org/b");
}

TEST(RdfParser, RecognizesRss090ByTheNetscapeNamespace) {
  const auto f = parse_feed(fixture("rss090_netscape_rdf.xml"));
  EXPECT_EQ(f.format, feed_format::rss090);
  EXPECT_EQ(to_string(f.format), "rss0.9x");
  EXPECT_EQ(f.title, "Mozilla Dot Org");
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[1].title, "Bugzilla Reorganized");
  EXPECT_EQ(f.entries[1].url, "http://www.mozilla.org/bugs/");
}

TEST(RdfParser, ItemsInAnotherNamespaceAreNotRead) {
  const auto f = parse_feed(std::string{rdf_open} + R"(<channel><title>c</title></channel>
      <item><title>ok</title><link>https://x.example/1</link></item>
      <o:item xmlns:o="http://example.com/other"><o:title>no</o:title><o:link>https://x.example/2</o:link></o:item>
      </rdf:RDF>)");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title, "ok");
}

TEST(RdfParser, RdfWithoutRssChannelIsNotAFeed) {
  const auto result = parse(R"(<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
      xmlns:foaf="http://xmlns.com/foaf/0.1/"><foaf:Person/></rdf:RDF>)", {});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message, "parse: root: <rdf:RDF> has no RSS channel");
}

}  // namespace
}  // namespace feedd::parsers
