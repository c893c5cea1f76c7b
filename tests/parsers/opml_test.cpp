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
  EXPECT_NE(document.find("<opml version=\"2.0\">"), std::string::npos) << document;
  EXPECT_NE(document.find("&amp;y=2"), std::string::npos) << document;
  EXPECT_NE(document.find("<title>My feeds &amp; more</title>"), std::string::npos) << document;
  const auto read_back = parse_opml(document);
  ASSERT_TRUE(read_back.has_value()) << read_back.error().message;
  ASSERT_EQ(read_back->size(), 2u);
  EXPECT_EQ((*read_back)[0].xml_url, outlines[0].xml_url);
  EXPECT_EQ((*read_back)[0].title, outlines[0].title);
  EXPECT_EQ((*read_back)[0].html_url, outlines[0].html_url);
  EXPECT_EQ((*read_back)[1].title, "https://b.example/rss");  // text stands in for a missing title
}

TEST(Opml, WriterDropsBytesThatXmlCannotCarry) {
  const auto document = write_opml({{"https://c.example/", std::string{"bad\x01\0title", 10}, ""}}, "t");
  const auto read_back = parse_opml(document);
  ASSERT_TRUE(read_back.has_value()) << document;
  ASSERT_EQ(read_back->size(), 1u);
  EXPECT_EQ((*read_back)[0].title.find('\x01'), std::string::npos);
}

}  // namespace
}  // namespace feedd::parsers
