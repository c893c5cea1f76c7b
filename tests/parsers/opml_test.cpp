#include <gtest/gtest.h>

#include "feed_testing.hpp"
#include "feedd/parsers/opml.hpp"

namespace feedd::parsers {
namespace {

using namespace testkit;

TEST(Opml, CollectsOutlinesWithXmlUrlAtAnyDepth) {
  const auto outlines = parse_opml(fixture("opml_nested_folders.opml"));
  ASSERT_TRUE(outlines.has_value()) << outlines.error().message;
  ASSERT_EQ(outlines->size(), 3u);
  EXPECT_EQ((*outlines)[0].xml_url, "https://top.example/feed");
  EXPECT_EQ((*outlines)[0].title, "Top level");
  EXPECT_EQ((*outlines)[0].html_url, "https://top.example/");
  EXPECT_EQ((*outlines)[1].xml_url, "https://inner.example/rss");
  EXPECT_EQ((*outlines)[1].title, "Inner");
  EXPECT_EQ((*outlines)[1].html_url, "");
}

TEST(Opml, AttributeNamesAreCaseInsensitive) {
  const auto outlines = parse_opml(fixture("opml_nested_folders.opml"));
  ASSERT_TRUE(outlines.has_value());
  ASSERT_EQ(outlines->size(), 3u);
  EXPECT_EQ((*outlines)[2].xml_url, "https://lower.example/atom");
  EXPECT_EQ((*outlines)[2].html_url, "https://lower.example/");
  EXPECT_EQ((*outlines)[2].title, "Lower case");
}

TEST(Opml, DeeplyNestedFoldersDoNotExhaustTheStack) {
  std::string document = "<opml version=\"2.0\"><body>";
  for (int i = 0; i < 100000; ++i) document += "<outline text=\"f\">";
  document += R"(<outline text="deep" xmlUrl="https://deep.example/"/>)";
  for (int i = 0; i < 100000; ++i) document += "</outline>";
  document += "</body></opml>";
  const auto outlines = parse_opml(document);
  ASSERT_TRUE(outlines.has_value());
  ASSERT_EQ(outlines->size(), 1u);
  EXPECT_EQ((*outlines)[0].title, "deep");
}

TEST(Opml, NonOpmlDocumentIsAnError) {
  const auto rss_result = parse_opml("<rss><channel/></rss>");
  ASSERT_FALSE(rss_result.has_value());
  EXPECT_EQ(rss_result.error().message, "opml: root: <rss> is not OPML");
  const auto broken = parse_opml("<opml><body>");
  ASSERT_FALSE(broken.has_value());
  EXPECT_TRUE(broken.error().message.starts_with("opml: xml: ")) << broken.error().message;
}

TEST(Opml, WritesOpml20ThatReadsBack) {
  const std::vector<opml_outline> outlines{
      {"https://a.example/feed?x=1&y=2", "Tom & Jerry <\"quoted\">", "https://a.example/"},
      {"https://b.example/rss", "", ""},
  };
  const auto document = write_opml(outlines, "My feeds & more");
  EXPECT_NE(document.find("<opml version=\"2.0\""), std::string::npos) << document;
  EXPECT_NE(document.find("&amp;y=2"), std::string::npos) << document;
  EXPECT_NE(document.find("<title>My feeds &amp; more</title>"), std::string::npos) << document;
  const auto read_back = parse_opml(document);
  ASSERT_TRUE(read_back.has_value()) << read_back.error().message;
  ASSERT_EQ(read_back->size(), 2u);
  EXPECT_EQ((*read_back)[0].xml_url, outlines[0].xml_url);
  EXPECT_EQ((*read_back)[0].title, outlines[0].title);
  EXPECT_EQ((*read_back)[0].html_url, outlines[0].html_url);
  // text stands in for a missing title, but a text that is the URL is none.
  EXPECT_EQ((*read_back)[1].title, "");
}

TEST(Opml, WriterDropsBytesThatXmlCannotCarry) {
  const auto document = write_opml({{"https://c.example/", std::string{"bad\x01\0title", 10}, ""}}, "t");
  const auto read_back = parse_opml(document);
  ASSERT_TRUE(read_back.has_value()) << document;
  ASSERT_EQ(read_back->size(), 1u);
  EXPECT_EQ((*read_back)[0].title.find('\x01'), std::string::npos);
}

TEST(Opml, FoldersAndTheCategoryAttributeBecomeCategories) {
  const auto outlines = parse_opml(
      "<opml version=\"2.0\"><body>"
      "<outline text=\"Tech\"><outline title=\"Sub\"><outline xmlUrl=\"https://a.example/\"/></outline>"
      "<outline xmlUrl=\"https://b.example/\" category=\"/ignored\"/></outline>"
      "<outline xmlUrl=\"https://c.example/\" category=\"/News/Local,/Other\"/>"
      "<outline xmlUrl=\"https://d.example/\"/></body></opml>");
  ASSERT_TRUE(outlines.has_value()) << outlines.error().message;
  ASSERT_EQ(outlines->size(), 4u);
  EXPECT_EQ((*outlines)[0].category, "Tech/Sub");
  EXPECT_EQ((*outlines)[1].category, "Tech");
  EXPECT_EQ((*outlines)[2].category, "News/Local");
  EXPECT_EQ((*outlines)[3].category, "");
}

TEST(Opml, IntervalIsReadUnderWhateverPrefixTheRootBinds) {
  const auto outlines = parse_opml(
      "<opml version=\"2.0\" xmlns:f=\"urn:feedd:opml\"><body>"
      "<outline xmlUrl=\"https://a.example/\" f:interval=\"15m\" feedd:interval=\"1h\"/></body></opml>");
  ASSERT_TRUE(outlines.has_value()) << outlines.error().message;
  ASSERT_EQ(outlines->size(), 1u);
  EXPECT_EQ((*outlines)[0].interval, "15m");
}

TEST(Opml, WriterGroupsByCategoryAndReadsBackTheSameDocument) {
  const std::vector<opml_outline> outlines{
      {"https://a.example/feed", "A", "https://a.example/", "Tech", "15m"},
      {"https://b.example/feed", "B", "", "", ""},
      {"https://c.example/feed", "C", "https://c.example/", "News/Local", "2h"},
      {"https://d.example/feed", "", "", "Tech", ""},
  };
  const auto document = write_opml(outlines, "feedd subscriptions");
  EXPECT_NE(document.find("xmlns:feedd=\"urn:feedd:opml\""), std::string::npos) << document;
  EXPECT_NE(document.find("feedd:interval=\"15m\""), std::string::npos) << document;
  const auto read_back = parse_opml(document);
  ASSERT_TRUE(read_back.has_value()) << read_back.error().message;
  ASSERT_EQ(read_back->size(), 4u);
  // Uncategorized first, then each folder where its category first appeared.
  EXPECT_EQ((*read_back)[0].xml_url, "https://b.example/feed");
  EXPECT_EQ((*read_back)[1].xml_url, "https://a.example/feed");
  EXPECT_EQ((*read_back)[1].category, "Tech");
  EXPECT_EQ((*read_back)[1].interval, "15m");
  EXPECT_EQ((*read_back)[1].html_url, "https://a.example/");
  EXPECT_EQ((*read_back)[2].xml_url, "https://d.example/feed");
  EXPECT_EQ((*read_back)[3].category, "News/Local");
  EXPECT_EQ((*read_back)[3].interval, "2h");
  EXPECT_EQ(write_opml(*read_back, "feedd subscriptions"), document);
}

struct expected_outline {
  std::string xml_url, title, html_url, category;
};

void expect_outlines(const std::string& fixture_name, const std::vector<expected_outline>& expected) {
  const auto outlines = parse_opml(fixture(fixture_name));
  ASSERT_TRUE(outlines.has_value()) << outlines.error().message;
  ASSERT_EQ(outlines->size(), expected.size()) << fixture_name;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ((*outlines)[i].xml_url, expected[i].xml_url) << fixture_name << " " << i;
    EXPECT_EQ((*outlines)[i].title, expected[i].title) << fixture_name << " " << i;
    EXPECT_EQ((*outlines)[i].html_url, expected[i].html_url) << fixture_name << " " << i;
    EXPECT_EQ((*outlines)[i].category, expected[i].category) << fixture_name << " " << i;
  }
}

// Exports shaped like those of other readers keep what those readers keep:
// title, htmlUrl and folder (newsboat exports no folders).
TEST(Opml, ReadsMinifluxFreshRssAndNewsboatExports) {
  expect_outlines("opml_miniflux.opml",
                  {{"https://blog.example.org/feed.xml", "Example Blog", "https://blog.example.org/", "All"},
                   {"https://lwn.example/headlines/rss", "LWN.net", "https://lwn.example/", "Linux & Unix"},
                   {"https://kernel.example/feeds/all.atom.xml", "Kernel", "https://kernel.example/", "Linux & Unix"}});
  expect_outlines("opml_freshrss.opml",
                  {{"https://blog.example.org/feed.xml", "Example Blog", "https://blog.example.org/", "Uncategorized"},
                   {"https://news.example/world.rss", "World", "https://news.example/world/", "News"}});
  expect_outlines("opml_newsboat.opml",
                  {{"https://blog.example.org/feed.xml", "Example Blog", "https://blog.example.org/", ""},
                   {"https://news.example/world.rss", "World", "https://news.example/world/", ""}});
}

}  // namespace
}  // namespace feedd::parsers
