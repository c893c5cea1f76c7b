#include <gtest/gtest.h>

#include "feed_testing.hpp"

namespace feedd::parsers {
namespace {

using namespace testkit;

TEST(FormatDetection, RssVersionAttributeChoosesTheFormat) {
  const std::vector<std::pair<std::string, feed_format>> table{
      {R"(version="0.90")", feed_format::rss090}, {R"(version="0.91")", feed_format::rss091},
      {R"(version="0.92")", feed_format::rss092}, {R"(version="0.93")", feed_format::rss093},
      {R"(version="0.94")", feed_format::rss094}, {R"(version="2.0")", feed_format::rss20},
      {"", feed_format::rss20},                   {R"(version="3.7")", feed_format::rss20}};
  for (const auto& [version, format] : table) {
    const auto f = parse_feed("<rss " + version + "><channel><title>t</title></channel></rss>");
    EXPECT_EQ(f.format, format) << version;
  }
}

TEST(FormatDetection, FeedNamespaceChoosesTheAtomVersion) {
  EXPECT_EQ(parse_feed(R"(<feed xmlns="http://www.w3.org/2005/Atom"/>)").format, feed_format::atom10);
  EXPECT_EQ(parse_feed(R"(<feed version="0.3" xmlns="http://purl.org/atom/ns#"/>)").format, feed_format::atom03);
}

TEST(FormatDetection, FeedInAnUnknownNamespaceIsNotAFeed) {
  const auto result = parse(R"(<feed xmlns="http://example.com/not-atom"/>)", {});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message, "parse: root: <feed> is not a feed");
}

TEST(FormatDetection, HtmlPageIsNotAFeed) {
  const auto result = parse(fixture("html_landing_page.html"), with_content_type("text/html"));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message, "parse: root: <html> is not a feed");
}

TEST(FormatDetection, WellFormedXhtmlPageIsNotAFeed) {
  const auto result = parse(R"(<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>)", {});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message, "parse: root: <html> is not a feed");
}

TEST(FormatDetection, FeedInsideAnXhtmlPageIsReadWithAWarning) {
  const auto f = parse_feed(fixture("atom10_feed_in_xhtml_page.html"));
  EXPECT_EQ(f.format, feed_format::atom10);
  EXPECT_EQ(f.title, "Wrapped");
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[1].url, "https://wrapped.example/posts/2");
  EXPECT_TRUE(has_warning(f, "xml: read the <feed> inside an <html> page"));
}

TEST(FormatDetection, FeedInsideAnHtmlPageThatIsNotXmlIsRepairedFirst) {
  const auto f = parse_feed("<!doctype html><html><head><meta charset=\"utf-8\"><title>x</title></head><body>"
                            "<p>Latest<br><rss version=\"2.0\"><channel><title>In page</title>"
                            "<item><guid>1</guid></item></channel></rss></body></html>");
  EXPECT_EQ(f.title, "In page");
  EXPECT_EQ(f.entries.size(), 1u);
}

TEST(FormatDetection, PageWithSeveralFeedsIsNotAFeed) {
  const auto result = parse("<html><body><rss><channel/></rss><rss><channel/></rss></body></html>", {});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message, "parse: root: <html> holds 2 feeds, not one");
}

TEST(FormatDetection, EntryOutsideAtomIsNotAFeed) {
  const auto result = parse("<entry><id>1</id></entry>", {});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message, "parse: root: <entry> is not a feed");
}

TEST(FormatDetection, EmptyDocumentIsNotAFeed) {
  for (const char* document : {"", "   \n", "\xEF\xBB\xBF"}) {
    const auto result = parse(document, {});
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().message, "parse: xml: no root element (empty document)");
  }
}

TEST(FormatDetection, OpmlIsNotAFeed) {
  const auto result = parse(fixture("opml_nested_folders.opml"), {});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message, "parse: root: <opml> is not a feed");
}

TEST(FormatDetection, JsonIsSniffedByItsFirstByte) {
  const auto f = parse_feed("\xEF\xBB\xBF \n{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[]}");
  EXPECT_EQ(f.format, feed_format::json_feed);
}

TEST(FormatDetection, XmlLabelledAsJsonIsStillXml) {
  const auto f = parse_feed(rss(""), with_content_type("application/feed+json"));
  EXPECT_EQ(f.format, feed_format::rss20);
}

TEST(FormatDetection, JsonContentTypeMakesNonJsonAJsonError) {
  const auto result = parse("not json at all", with_content_type("application/feed+json"));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message, "parse: json: not valid JSON");
}

TEST(FormatDetection, ToStringNamesEveryFormat) {
  EXPECT_EQ(to_string(feed_format::rss090), "rss0.9x");
  EXPECT_EQ(to_string(feed_format::rss094), "rss0.9x");
  EXPECT_EQ(to_string(feed_format::rss20), "rss2.0");
  EXPECT_EQ(to_string(feed_format::rss10), "rss1.0");
  EXPECT_EQ(to_string(feed_format::atom03), "atom0.3");
  EXPECT_EQ(to_string(feed_format::atom10), "atom1.0");
  EXPECT_EQ(to_string(feed_format::json_feed), "json");
}

}  // namespace
}  // namespace feedd::parsers
