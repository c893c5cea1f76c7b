// URL normalization (feeds add/import compare on it) and the scan of HTML
// pages for their feed links.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "feedd/parsers/discovery.hpp"

namespace {

using feedd::parsers::fallback_feed_urls;
using feedd::parsers::find_feed_links;
using feedd::parsers::normalize_feed_url;

struct normalize_case {
  std::string_view input;
  std::optional<std::string_view> expected;
};

constexpr normalize_case normalize_cases[] = {
    {"HTTP://Example.COM:80/feed#x", "http://example.com/feed"},
    {"https://example.com:443/a", "https://example.com/a"},
    {"https://example.com:80/a", "https://example.com:80/a"},
    {"http://example.com:443/a", "http://example.com:443/a"},
    {"http://example.com:0080/a", "http://example.com/a"},
    {"http://example.com:/a", "http://example.com/a"},
    {"http://example.com", "http://example.com/"},
    {"http://example.com?q=1", "http://example.com/?q=1"},
    {"http://example.com/Feed.XML?A=B", "http://example.com/Feed.XML?A=B"},
    {"http://example.com/a/./b/../c", "http://example.com/a/c"},
    {"http://example.com/%7euser/%2f", "http://example.com/~user/%2F"},
    {"http://User:Pass@Example.com/f", "http://User:Pass@example.com/f"},
    {"http://[::1]:8080/f", "http://[::1]:8080/f"},
    {"http://127.0.0.1:80/f#frag", "http://127.0.0.1/f"},
    {"https://example.com/feed#", "https://example.com/feed"},
    {"ftp://example.com/feed", std::nullopt},
    {"/relative/feed", std::nullopt},
    {"http://exa mple.com/", std::nullopt},
    {"", std::nullopt},
};

TEST(UrlNormalize, Table) {
  for (const auto& c : normalize_cases) {
    const auto got = normalize_feed_url(c.input);
    if (c.expected) {
      ASSERT_TRUE(got.has_value()) << c.input;
      EXPECT_EQ(*got, *c.expected) << c.input;
    } else {
      EXPECT_FALSE(got.has_value()) << c.input << " -> " << got.value_or("");
    }
  }
}

TEST(UrlNormalize, IsIdempotent) {
  for (const auto& c : normalize_cases) {
    if (!c.expected) continue;
    EXPECT_EQ(normalize_feed_url(*c.expected), std::string(*c.expected)) << c.input;
  }
}

TEST(FeedLinks, RelativeHrefsAreResolvedAgainstThePageAndBase) {
  const auto links = find_feed_links(
      "<!DOCTYPE html><html><head><title>x</title>"
      "<link rel=\"stylesheet\" href=\"/s.css\">"
      "<LINK REL='Alternate' TYPE='application/RSS+XML; charset=utf-8' HREF='feed.xml' title='Posts'>"
      "<link rel=alternate type=application/atom+xml href=/atom.xml?a=1&amp;b=2>"
      "<link rel=\"alternate\" type=\"text/html\" href=\"/fr/\">"
      "<link rel=\"alternate\" type=\"application/feed+json\" href=\"//cdn.example.org/f.json\">"
      "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"feed.xml\">"
      "</head><body></body></html>",
      "https://example.org/blog/post.html");
  ASSERT_EQ(links.size(), 3u);
  EXPECT_EQ(links[0].url, "https://example.org/blog/feed.xml");
  EXPECT_EQ(links[0].type, "application/rss+xml");
  EXPECT_EQ(links[0].title, "Posts");
  EXPECT_EQ(links[1].url, "https://example.org/atom.xml?a=1&b=2");
  EXPECT_EQ(links[2].url, "https://cdn.example.org/f.json");
}

TEST(FeedLinks, BaseHrefChangesWhereRelativeHrefsPoint) {
  const auto links = find_feed_links(
      "<html><head><base href=\"/sub/dir/\"><base href=\"http://ignored.example/\">"
      "<link rel=\"alternate\" type=\"application/json\" href=\"feed.json\"></head></html>",
      "http://example.org/page");
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].url, "http://example.org/sub/dir/feed.json");
}

TEST(FeedLinks, CommentsScriptsAndUnfetchableSchemesAreSkipped) {
  const auto links = find_feed_links(
      "<html><head><!-- <link rel=\"alternate\" type=\"application/rss+xml\" href=\"/old\"> -->"
      "<script>var s = '<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/js\">';</SCRIPT>"
      "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"javascript:alert(1)\">"
      "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"\">"
      "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/real\"",
      "http://example.org/");
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].url, "http://example.org/real");
  EXPECT_TRUE(find_feed_links("<html><body>no feeds <a href=/feed>here</a></body></html>", "http://e.org/").empty());
}

TEST(FeedLinks, FallbacksAreAtTheOrigin) {
  const auto urls = fallback_feed_urls("https://example.org/blog/post?x=1");
  ASSERT_EQ(urls.size(), 4u);
  EXPECT_EQ(urls[0], "https://example.org/feed");
  EXPECT_EQ(urls[1], "https://example.org/rss.xml");
  EXPECT_EQ(urls[2], "https://example.org/atom.xml");
  EXPECT_EQ(urls[3], "https://example.org/index.xml");
}

}  // namespace
