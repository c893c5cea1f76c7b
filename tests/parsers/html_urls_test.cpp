#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>

#include "feed_testing.hpp"
#include "html_urls.hpp"

namespace feedd::parsers {
namespace {

using detail::resolve_html_urls;
using namespace testkit;

constexpr std::string_view base = "http://example.com/blog/post.html";
constexpr std::size_t no_limit = 1 << 20;

std::string resolved(std::string html, std::string_view against = base) {
  resolve_html_urls(html, against, no_limit, no_limit);
  return html;
}

struct html_case {
  std::string_view input;
  std::string_view expected;
};

constexpr html_case rows[] = {
    {R"(<a href="/x">x</a>)", R"(<a href="http://example.com/x">x</a>)"},
    {R"(<a href='x'>x</a>)", R"(<a href="http://example.com/blog/x">x</a>)"},
    {R"(<a href=x>x</a>)", R"(<a href="http://example.com/blog/x">x</a>)"},
    {R"(<A HREF = " ../up ">)", R"(<A HREF = "http://example.com/up">)"},
    {R"(<img alt="a" src="i.png" srcset="i2.png 2x">)",
     R"(<img alt="a" src="http://example.com/blog/i.png" srcset="i2.png 2x">)"},
    {R"(<blockquote cite="q"><q cite="r">)",
     R"(<blockquote cite="http://example.com/blog/q"><q cite="http://example.com/blog/r">)"},
    {R"(<a href="?a=1&amp;b=2">)", R"(<a href="http://example.com/blog/post.html?a=1&amp;b=2">)"},
    {R"(<a href="#top">)", R"(<a href="http://example.com/blog/post.html#top">)"},
    // Not link attributes, or not relative: untouched.
    {R"(<a title="x" name="y">)", R"(<a title="x" name="y">)"},
    {R"(<img href="x">)", R"(<img href="x">)"},
    {R"(<a href="https://other.example/x">)", R"(<a href="https://other.example/x">)"},
    {R"(<a href="mailto:jo@example.com">)", R"(<a href="mailto:jo@example.com">)"},
    {R"(<img src="data:image/png;base64,AAAA">)", R"(<img src="data:image/png;base64,AAAA">)"},
    // Text, comments, bogus comments and raw text are not tags.
    {R"(a < b and <!-- <a href="x"> --> c)", R"(a < b and <!-- <a href="x"> --> c)"},
    {R"(<!' <a href="x">)", R"(<!' <a href="x">)"},
    {R"(<script>"<a href='x'>"</script><a href="y">)",
     R"(<script>"<a href='x'>"</script><a href="http://example.com/blog/y">)"},
    // Cut off inside a tag: what came before is resolved, the rest kept.
    {R"(<a href="x"><a href="y)", R"(<a href="http://example.com/blog/x"><a href="y)"},
    {R"(<a href=)", R"(<a href=)"},
    {"", ""},
};

TEST(ResolveHtmlUrls, ResolvesOnlyRelativeLinkAttributesOfTags) {
  for (const auto& row : rows) {
    EXPECT_EQ(resolved(std::string{row.input}), row.expected) << "input: " << row.input;
  }
}

TEST(ResolveHtmlUrls, DoesNothingWithoutABase) {
  EXPECT_EQ(resolved(R"(<a href="/x">)", ""), R"(<a href="/x">)");
}

TEST(ResolveHtmlUrls, StopsAtTheResolutionAndSizeLimits) {
  std::string html = R"(<a href="1"><a href="2"><a href="3">)";
  EXPECT_EQ(resolve_html_urls(html, base, no_limit, 2), 2u);
  EXPECT_EQ(html, R"(<a href="http://example.com/blog/1"><a href="http://example.com/blog/2"><a href="3">)");
  html = R"(<a href="1"><a href="2">)";
  EXPECT_EQ(resolve_html_urls(html, base, 5, no_limit), 1u);
  EXPECT_EQ(html, R"(<a href="http://example.com/blog/1"><a href="2">)");
}

TEST(ResolveHtmlUrls, StaysLinearOnHostileMarkup) {
  // Unclosed quotes, endless attributes and tags: each byte is read a
  // bounded number of times, so a megabyte takes milliseconds, not minutes.
  const std::string hostile[] = {std::string(1 << 20, '<'), "<a " + std::string(1 << 20, 'x'),
                                 "<a href='" + std::string(1 << 20, '<'), std::string(1 << 19, 'a') + "<!--",
                                 [] {
                                   std::string s;
                                   for (int i = 0; i < 100000; ++i) s += "<a href=x>";
                                   return s;
                                 }()};
  for (auto html : hostile) {
    const auto start = std::chrono::steady_clock::now();
    resolve_html_urls(html, base, no_limit, 4096);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds{2}) << html.substr(0, 40);
  }
}

TEST(ResolveHtmlUrls, ParseResolvesSummaryAndContentAgainstXmlBase) {
  const auto f = parse_feed(rss(R"(<item xml:base="http://example.com/a/"><guid>g</guid>
      <description>&lt;a href="b"&gt;b&lt;/a&gt;</description>
      <content:encoded xml:base="/c/">&lt;img src="d.png"&gt;</content:encoded></item>)",
                                R"(xmlns:content="http://purl.org/rss/1.0/modules/content/")"),
                            with_base_url("http://feed.example/feed.xml"));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].summary, R"(<a href="http://example.com/a/b">b</a>)");
  EXPECT_EQ(f.entries[0].content, R"(<img src="http://example.com/c/d.png">)");
}

TEST(ResolveHtmlUrls, ParseLeavesAtomTextConstructsAlone) {
  const auto f = parse_feed(atom(R"(<entry><id>i</id><summary>&lt;a href="b"&gt;</summary>
      <content type="html">&lt;a href="b"&gt;</content></entry>)"),
                            with_base_url("http://feed.example/feed.xml"));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].summary, R"(<a href="b">)");  // type="text": characters, not a link
  EXPECT_EQ(f.entries[0].content, R"(<a href="http://feed.example/b">)");
}

}  // namespace
}  // namespace feedd::parsers

// The scan that lets most contents skip the resolver (survey_html) and the
// resolver's own use of it.
namespace feedd::parsers {
namespace {

using detail::survey_html;

TEST(SurveyHtml, FindsARelativeLinkAtEveryOffsetOfAChunk) {
  for (std::size_t at = 0; at < 140; ++at) {
    const std::string filler(at, 'x');
    const std::string absolute = filler + R"(<a href="https://example.org/p?a=1&amp;b=2">x</a>)";
    const std::string relative = filler + R"(<a href="p?a=1&amp;b=2">x</a>)";
    EXPECT_FALSE(survey_html(absolute).may_resolve) << at;
    EXPECT_TRUE(survey_html(relative).may_resolve) << at;
    EXPECT_EQ(resolved(absolute), absolute) << at;
    EXPECT_EQ(resolved(relative), filler + R"(<a href="http://example.com/blog/p?a=1&amp;b=2">x</a>)") << at;
  }
}

TEST(SurveyHtml, TellsValuesWithASchemeFromTheRest) {
  constexpr std::string_view with_scheme[] = {
      R"(<a href="http://x/">)", R"(<a href='https://x/'>)", R"(<a HREF="HTTPS://x/">)", R"(<a href=" https://x/">)",
      R"(<img src=ftp://x/y>)",  R"(<a href="mailto:jo@x">)", R"(q=1 and a=b)",          R"(<a title="t">)",
      "",
  };
  for (const auto html : with_scheme) EXPECT_FALSE(survey_html(html).may_resolve) << html;
  constexpr std::string_view relative[] = {
      R"(<a href="/x">)",   R"(<a HREF = 'x'>)", R"(<img src=x.png>)", R"(<a href="//cdn.example/x">)",
      R"(<q cite="#n">)",   R"(<a href="http">)", R"(<a href="">)",     R"(<video poster="p.jpg">)",
  };
  for (const auto html : relative) EXPECT_TRUE(survey_html(html).may_resolve) << html;
}

TEST(SurveyHtml, FindsC1ControlsButNotOtherLatin1) {
  EXPECT_TRUE(survey_html("don\xC2\x92t").c1_controls);
  EXPECT_TRUE(survey_html(std::string(100, 'x') + "\xC2\x80").c1_controls);
  EXPECT_FALSE(survey_html("caf\xC3\xA9 \xC2\xA9 \xC2\xA0").c1_controls);
  EXPECT_FALSE(survey_html("cut \xC2").c1_controls);
}

TEST(ResolveHtmlUrls, ParseMapsC1ControlsAndResolvesLinksInTheSameContent) {
  const std::string absolute(80, 'a');
  const auto f = parse_feed(rss("<item><guid>g1</guid><description>&lt;a href=\"https://x.example/\"&gt;" + absolute +
                                "\xC2\x92&lt;/a&gt;</description></item>"
                                "<item><guid>g2</guid><description>&lt;a href=\"https://x.example/\"&gt;" + absolute +
                                "\xC2\x92&lt;/a&gt;&lt;img src=\"i.png\"&gt;</description></item>"
                                "<item><guid>g3</guid><description>&lt;a href=\"https://x.example/\"&gt;" + absolute +
                                "&lt;/a&gt;</description></item>"),
                            with_base_url("http://feed.example/feed.xml"));
  ASSERT_EQ(f.entries.size(), 3u);
  EXPECT_EQ(f.entries[0].summary, "<a href=\"https://x.example/\">" + absolute + "\xE2\x80\x99</a>");
  EXPECT_EQ(f.entries[1].summary,
            "<a href=\"https://x.example/\">" + absolute + "\xE2\x80\x99</a><img src=\"http://feed.example/i.png\">");
  EXPECT_EQ(f.entries[2].summary, "<a href=\"https://x.example/\">" + absolute + "</a>");
}

}  // namespace
}  // namespace feedd::parsers
