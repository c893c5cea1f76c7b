#include <gtest/gtest.h>

#include "feed_testing.hpp"

namespace feedd::parsers {
namespace {

using namespace testkit;

TEST(JsonFeedParser, ReadsEveryFieldOfVersion11) {
  const auto f = parse_feed(fixture("json_feed_11.json"), with_base_url("https://json.example/feed.json"));
  EXPECT_EQ(f.format, feed_format::json_feed);
  EXPECT_EQ(to_string(f.format), "json");
  EXPECT_EQ(f.title, "JSON Site");
  EXPECT_EQ(f.site_url, "https://json.example/");
  ASSERT_EQ(f.entries.size(), 2u);
  const auto& e = f.entries[0];
  EXPECT_EQ(e.guid, "1");
  EXPECT_EQ(e.url, "https://json.example/1");
  EXPECT_EQ(e.title, "One");
  EXPECT_EQ(e.content, "<p>One</p>");
  EXPECT_EQ(e.summary, "first");
  EXPECT_EQ(e.author, "Item Person");
  EXPECT_EQ(rfc3339(e.published_at), "2024-02-03T04:05:06Z");
  EXPECT_EQ(rfc3339(e.updated_at), "2024-02-04T04:05:06Z");
  EXPECT_EQ(e.categories, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(e.enclosures, (std::vector<enclosure>{{"https://json.example/files/one.mp3", "audio/mpeg", 4321}}));
}

TEST(JsonFeedParser, UsesContentTextNumericIdAndFeedAuthor) {
  const auto f = parse_feed(fixture("json_feed_11.json"));
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[1].guid, "2");
  EXPECT_EQ(f.entries[1].content, "Only text");
  EXPECT_EQ(f.entries[1].author, "Feed Person");
}

TEST(JsonFeedParser, ReadsTheVersion1AuthorObject) {
  const auto f = parse_feed(R"({"version":"https://jsonfeed.org/version/1","title":"v1",
      "items":[{"id":"x","author":{"name":"Solo"},"content_text":"t"}]})");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].author, "Solo");
}

TEST(JsonFeedParser, WrongTypesAreIgnoredRatherThanThrown) {
  const auto f = parse_feed(R"({"version":"https://jsonfeed.org/version/1.1","title":7,
      "items":[{"id":{"no":1},"url":["x"],"title":null,"tags":"one","attachments":[{"url":"https://a.example/f","size_in_bytes":"big"}],
      "authors":"me","content_html":false}, 5, "text"]})");
  EXPECT_EQ(f.title, "");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title, "");
  EXPECT_TRUE(f.entries[0].categories.empty());
  ASSERT_EQ(f.entries[0].enclosures.size(), 1u);
  EXPECT_EQ(f.entries[0].enclosures[0].length, std::nullopt);
  EXPECT_FALSE(f.entries[0].guid.empty());
}

TEST(JsonFeedParser, JsonWithoutAJsonFeedVersionIsNotAFeed) {
  const auto result = parse(R"({"title":"an API response"})", with_content_type("application/json"));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message, "parse: json: no jsonfeed.org version");
}

TEST(JsonFeedParser, AcceptsABareVersionNumberWithJsonFeedKeys) {
  for (const char* version : {"1", "1.0", "1.1"}) {
    const auto f = parse_feed(std::string{R"({"version":")"} + version +
                              R"(","title":"t","items":[{"id":"1","content_text":"c"}]})");
    EXPECT_EQ(f.format, feed_format::json_feed) << version;
    ASSERT_EQ(f.entries.size(), 1u) << version;
    EXPECT_EQ(f.entries[0].content, "c");
  }
}

TEST(JsonFeedParser, ABareVersionWithoutJsonFeedKeysIsNotAFeed) {
  for (const char* document : {R"({"version":"1.0","title":"an API response"})",
                               R"({"version":"1.0","title":"t","items":[{"id":"1","name":"n"}]})",
                               R"({"version":"2.0","items":[{"content_text":"c"}]})",
                               R"({"version":"1.0.3","items":[{"content_text":"c"}]})"}) {
    const auto result = parse(document, with_content_type("application/json"));
    EXPECT_FALSE(result.has_value()) << document;
  }
}

TEST(JsonFeedParser, InvalidJsonIsNotAFeed) {
  const auto result = parse(R"({"version":"https://jsonfeed.org/version/1", "items": [)", {});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message, "parse: json: not valid JSON");
}

TEST(JsonFeedParser, DeeplyNestedJsonDoesNotCrash) {
  const std::string deep = R"({"version":"https://jsonfeed.org/version/1","x":)" + std::string(200000, '[') +
                           std::string(200000, ']') + "}";
  const auto result = parse(deep, {});
  EXPECT_TRUE(result.has_value());
}

TEST(JsonFeedParser, InvalidUtf8IsReplacedNotRejected) {
  const auto f = parse_feed("{\"version\":\"https://jsonfeed.org/version/1\",\"title\":\"caf\xE9\",\"items\":[]}");
  EXPECT_EQ(f.title, "caf\xEF\xBF\xBD");
  EXPECT_TRUE(has_warning(f, "invalid UTF-8"));
}

}  // namespace
}  // namespace feedd::parsers
