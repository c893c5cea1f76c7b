#include <gtest/gtest.h>

#include <chrono>

#include "feedparser_suite.hpp"
#include "gofeed_suite.hpp"
#include "html_compare.hpp"
#include "output_contract.hpp"
#include "reference_dates.hpp"

// The conformance checks are only as good as their comparisons: these show
// that each normalization hides form, never content, so that a wrong value
// of ours fails.
namespace feedd::conformance {

using contract::contract_violations;
using contract::is_clean_text;
namespace {

using namespace std::chrono;

TEST(CanonicalHtml, IgnoresSerializationDifferences) {
  EXPECT_EQ(canonical_html("<br>"), canonical_html("<br />"));
  EXPECT_EQ(canonical_html("<A HREF='x' title=\"t\">a &amp; b</A>"),
            canonical_html("<a title=\"t\" href=\"x\">a &#38; b</a>"));
  EXPECT_EQ(canonical_html("<p>one\n   two</p>"), canonical_html("  <p>one two</p>"));
  EXPECT_EQ(canonical_html("2 &gt; 1"), canonical_html("2 > 1"));
  EXPECT_EQ(canonical_html("<circle r=\"5\"/>"), canonical_html("<circle r=\"5\"></circle>"));
  EXPECT_EQ(canonical_html("<div xmlns=\"http://www.w3.org/1999/xhtml\"> <p>x</p> </div>"), canonical_html("<p>x</p>"));
  EXPECT_EQ(canonical_html("don&#146;t"), canonical_html("don&#x2019;t")) << "HTML5 reads &#146; as windows-1252";
}

TEST(CanonicalHtml, KeepsDifferentMarkupTextAndAttributesApart) {
  EXPECT_NE(canonical_html("<a href=\"/relative\">x</a>"), canonical_html("<a href=\"http://h/relative\">x</a>"));
  EXPECT_NE(canonical_html("<b>x</b>"), canonical_html("<i>x</i>"));
  EXPECT_NE(canonical_html("<b>x</b>"), canonical_html("x"));
  EXPECT_NE(canonical_html("&lt;b&gt;"), canonical_html("<b>"));
  EXPECT_NE(canonical_html("don't"), canonical_html("don’t"));
  EXPECT_NE(canonical_html("<div>a</div><div>b</div>"), canonical_html("a</div><div>b"));
  EXPECT_NE(canonical_html("<svg:svg></svg:svg>"), canonical_html("<svg></svg>"));
}

TEST(VisibleText, DropsMarkupDecodesReferencesAndCollapsesSpace) {
  EXPECT_EQ(visible_text("Example <b>Atom</b>"), "Example Atom");
  EXPECT_EQ(visible_text("a<br/>b"), "a b");
  EXPECT_EQ(visible_text("H<sub>2</sub>O"), "H2O");
  EXPECT_EQ(visible_text("&lt;blink&gt; &#38; &#x26;"), "<blink> & &");
  EXPECT_EQ(visible_text("testing \xC2\xA0 entity"), "testing entity");
  EXPECT_EQ(visible_text("&eacute;"), "&eacute;") << "unknown names stay literal";
}

TEST(ReferenceInstant, ReadsTheFormsOfTheExpectations) {
  const auto t = sys_days{2004y / January / 1} + 19h + 48min + 21s;
  EXPECT_EQ(reference_instant("Thu, 01 Jan 2004 19:48:21 GMT"), t);
  EXPECT_EQ(reference_instant("2004-01-01T19:48:21Z"), t);
  EXPECT_EQ(reference_instant("2004-01-01T19:48:21+00:00"), t);
  EXPECT_EQ(reference_instant("2004-01-01T14:48:21-05:00"), t);
  EXPECT_EQ(reference_instant("Thu, 01 Jan 2004 14:48:21 -0500"), t);
  EXPECT_FALSE(reference_instant("yesterday"));
  EXPECT_FALSE(reference_instant("2004-02-30T00:00:00Z"));
}

TEST(OutputContract, FindsInvalidTextEmptyAndSharedGuids) {
  EXPECT_TRUE(is_clean_text("plain, tab\tnewline\n, caf\xC3\xA9"));
  EXPECT_FALSE(is_clean_text(std::string_view{"a\0b", 3}));
  EXPECT_FALSE(is_clean_text("\x1B[31m"));
  EXPECT_FALSE(is_clean_text("\xFF"));
  EXPECT_FALSE(is_clean_text("\xED\xA0\x80")) << "a surrogate";
  EXPECT_FALSE(is_clean_text("\xC0\xAF")) << "an overlong '/'";
  EXPECT_FALSE(is_clean_text("\xE2\x82")) << "a cut sequence";

  feed f;
  f.entries.resize(3);
  f.entries[0].guid = "a";
  f.entries[1].guid = "a";
  f.entries[2].title = "\xFF";
  const auto problems = contract_violations(f);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0], "entries[1].guid: shared with an earlier entry");
  EXPECT_EQ(problems[1], "entries[2].title: invalid UTF-8 or a control character");
  EXPECT_EQ(problems[2], "entries[2].guid: empty");
}

feedparser_expectation expectation(const char* json) { return read_expectation(nlohmann::json::parse(json)); }

TEST(FeedparserJudge, PassesOnlyTheExpectedValue) {
  feed f;
  f.title = "Example Atom";
  f.entries.resize(1);
  f.entries[0].summary = "<p>Example description</p>";
  f.entries[0].published_at = sys_days{2004y / January / 1} + 19h + 48min + 21s;
  const auto check = [&](const char* json) { return judge(expectation(json), "", f).outcome; };
  EXPECT_EQ(check(R"({"file":"f","category":"wellformed/atom","field":"feed_title","path":["feed","title"],
                      "expected":"Example <b>Atom</b>"})"), verdict::pass);
  EXPECT_EQ(check(R"({"file":"f","category":"wellformed/atom","field":"feed_title","path":["feed","title"],
                      "expected":"Example Atoms"})"), verdict::fail);
  EXPECT_EQ(check(R"({"file":"f","category":"wellformed/rss","field":"entry_content","path":["entries",0,"summary"],
                      "expected":"<p>Example description</p>"})"), verdict::pass);
  EXPECT_EQ(check(R"({"file":"f","category":"wellformed/rss","field":"entry_content","path":["entries",0,"summary"],
                      "expected":"Example description"})"), verdict::fail);
  EXPECT_EQ(check(R"({"file":"f","category":"wellformed/rss","field":"entry_date","path":["entries",0,"published"],
                      "expected":"Thu, 01 Jan 2004 19:48:22 GMT"})"), verdict::fail);
  EXPECT_EQ(check(R"({"file":"f","category":"wellformed/rss","field":"entry_title","path":["entries",1,"title"],
                      "expected":""})"), verdict::fail) << "there is no second entry";
  EXPECT_EQ(check(R"({"file":"f","category":"wellformed/sanitize","field":"feed_title","path":["feed","title"],
                      "expected":"Example Atom"})"), verdict::skip);
}

TEST(FeedparserJudge, FetchContextFollowsTheSimulatedHeaders) {
  const auto plain =
      context_of(expectation(R"({"file":"tests/a.xml","category":"c","field":"f","path":[],"expected":""})"));
  EXPECT_EQ(plain.base_url, "http://127.0.0.1:8097/tests/a.xml");
  const auto typed = context_of(expectation(R"({"file":"tests/a.xml","category":"c","field":"f","path":[],"expected":"",
      "http_headers":{"Content-type":"text/xml; charset=windows-1252","Content-Location":"/feed/x"}})"));
  EXPECT_EQ(typed.base_url, "http://127.0.0.1:8097/feed/x");
  EXPECT_EQ(typed.charset, "windows-1252");
  EXPECT_EQ(typed.content_type, "text/xml");
}

TEST(GofeedJudge, RecordsAFailurePerWrongField) {
  feed f;
  f.title = "Feed Title";
  f.entries.resize(1);
  f.entries[0].title = "Wrong";
  f.entries[0].guid = "g";
  scoreboard board;
  judge_golden(nlohmann::json::parse(R"({"title":"Feed Title","items":[{"title":"Item Title","guid":"g"}]})"), f,
               "rss", "x.xml", board);
  EXPECT_EQ(board.total().passed, 3u);  // feed.title, items (count), item.guid
  EXPECT_EQ(board.total().failed, 1u);
  ASSERT_EQ(board.failures().size(), 1u);
  EXPECT_NE(board.failures()[0].find("item.title"), std::string::npos);
}

}  // namespace
}  // namespace feedd::conformance
