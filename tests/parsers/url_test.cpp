#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "feedd/parsers/url.hpp"

namespace {

using feedd::parsers::parse_http_url;
using feedd::parsers::redact_url;
using feedd::parsers::resolve_url;

struct resolve_case {
  std::string_view reference;
  std::string_view expected;
};

constexpr std::string_view rfc3986_base = "http://a/b/c/d;p?q";

// RFC 3986 §5.4.1.
constexpr resolve_case normal_examples[] = {
    {"g:h", "g:h"},
    {"g", "http://a/b/c/g"},
    {"./g", "http://a/b/c/g"},
    {"g/", "http://a/b/c/g/"},
    {"/g", "http://a/g"},
    {"//g", "http://g"},
    {"?y", "http://a/b/c/d;p?y"},
    {"g?y", "http://a/b/c/g?y"},
    {"#s", "http://a/b/c/d;p?q#s"},
    {"g#s", "http://a/b/c/g#s"},
    {"g?y#s", "http://a/b/c/g?y#s"},
    {";x", "http://a/b/c/;x"},
    {"g;x", "http://a/b/c/g;x"},
    {"g;x?y#s", "http://a/b/c/g;x?y#s"},
    {"", "http://a/b/c/d;p?q"},
    {".", "http://a/b/c/"},
    {"./", "http://a/b/c/"},
    {"..", "http://a/b/"},
    {"../", "http://a/b/"},
    {"../g", "http://a/b/g"},
    {"../..", "http://a/"},
    {"../../", "http://a/"},
    {"../../g", "http://a/g"},
};

// RFC 3986 §5.4.2 (strict parser).
constexpr resolve_case abnormal_examples[] = {
    {"../../../g", "http://a/g"},
    {"../../../../g", "http://a/g"},
    {"/./g", "http://a/g"},
    {"/../g", "http://a/g"},
    {"g.", "http://a/b/c/g."},
    {".g", "http://a/b/c/.g"},
    {"g..", "http://a/b/c/g.."},
    {"..g", "http://a/b/c/..g"},
    {"./../g", "http://a/b/g"},
    {"./g/.", "http://a/b/c/g/"},
    {"g/./h", "http://a/b/c/g/h"},
    {"g/../h", "http://a/b/c/h"},
    {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
    {"g;x=1/../y", "http://a/b/c/y"},
    {"g?y/./x", "http://a/b/c/g?y/./x"},
    {"g?y/../x", "http://a/b/c/g?y/../x"},
    {"g#s/./x", "http://a/b/c/g#s/./x"},
    {"g#s/../x", "http://a/b/c/g#s/../x"},
    {"http:g", "http:g"},
};

TEST(ResolveUrl, FollowsRfc3986NormalExamples) {
  for (const resolve_case& row : normal_examples) {
    EXPECT_EQ(resolve_url(rfc3986_base, row.reference), row.expected) << "reference: " << row.reference;
  }
}

TEST(ResolveUrl, FollowsRfc3986AbnormalExamples) {
  for (const resolve_case& row : abnormal_examples) {
    EXPECT_EQ(resolve_url(rfc3986_base, row.reference), row.expected) << "reference: " << row.reference;
  }
}

// Found by fuzz/url_fuzzer (corpus/url_fuzzer/regression_above_root_*):
// after dropping "/..", Boost.URL's set_encoded_path wrote "//g" as "/.//g"
// even behind an authority, and "/" after "http:/../" as "/./", so that
// resolving the result again changed it.
TEST(ResolveUrl, DotSegmentsAboveTheRootBeforeAnEmptySegment) {
  EXPECT_EQ(resolve_url("http://h/x", "/..//g"), "http://h//g");
  EXPECT_EQ(resolve_url("http://h/x", "../../..//g?q#f"), "http://h//g?q#f");
  EXPECT_EQ(resolve_url("http://h/x", "http://h//g"), "http://h//g");
  // Without an authority "//g" would read as one.
  EXPECT_EQ(resolve_url("", "http:/..//g"), "http:/.//g");
  EXPECT_EQ(resolve_url("http:/x", "../"), "http:/");
}

TEST(ResolveUrl, TrimsWhitespaceAroundBothSides) {
  EXPECT_EQ(resolve_url(" http://example.com/feed/rss.xml\n", "\n\t /post/1  \r\n"), "http://example.com/post/1");
}

TEST(ResolveUrl, KeepsProtocolRelativeReferencesOnTheBaseScheme) {
  EXPECT_EQ(resolve_url("https://example.com/feed", "//cdn.example.net/a.mp3"), "https://cdn.example.net/a.mp3");
}

TEST(ResolveUrl, ReturnsAbsoluteReferencesWithTheirCase) {
  EXPECT_EQ(resolve_url("http://a/b", "https://Example.COM/Path/To/Post?Q=A#F"),
            "https://Example.COM/Path/To/Post?Q=A#F");
  EXPECT_EQ(resolve_url("", "https://example.com/a/./b/../c"), "https://example.com/a/c");
  EXPECT_EQ(resolve_url("", "https://example.com/../../c"), "https://example.com/c");
}

TEST(ResolveUrl, ReturnsTheReferenceWhenTheBaseIsUnusable) {
  EXPECT_EQ(resolve_url("", "/post/1"), "/post/1");
  EXPECT_EQ(resolve_url("  ", " post/1 "), "post/1");
  EXPECT_EQ(resolve_url("not a url", "/post/1"), "/post/1");
  EXPECT_EQ(resolve_url("/relative/base", "post"), "post");
}

TEST(ResolveUrl, ReturnsTheBaseForAnEmptyReference) {
  EXPECT_EQ(resolve_url("http://example.com/feed.xml", "  "), "http://example.com/feed.xml");
}

TEST(ResolveUrl, EncodesWhatBrowsersEncode) {
  EXPECT_EQ(resolve_url("http://example.com/", "/a b"), "http://example.com/a%20b");
  EXPECT_EQ(resolve_url("http://example.com/", "caf\xC3\xA9"), "http://example.com/caf%C3%A9");
  EXPECT_EQ(resolve_url("http://example.com/", "/a|b?x={y}"), "http://example.com/a%7Cb?x=%7By%7D");
  EXPECT_EQ(resolve_url("http://example.com/", "/100%"), "http://example.com/100%25");
  EXPECT_EQ(resolve_url("http://example.com/", "/long/\n  link"), "http://example.com/long/%20%20link");
}

TEST(ResolveUrl, KeepsUnparseableReferences) {
  EXPECT_EQ(resolve_url("http://example.com/", "http://[not-ipv6/"), "http://[not-ipv6/");
}

TEST(ParseHttpUrl, SplitsHttpAndHttpsUrls) {
  const auto plain = parse_http_url("http://example.com");
  ASSERT_TRUE(plain.has_value());
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->host, "example.com");
  EXPECT_EQ(plain->port, "80");
  EXPECT_EQ(plain->target, "/");
  EXPECT_EQ(plain->userinfo, "");

  const auto secure = parse_http_url("https://example.com:8443/a/b%20c?x=1&y=%2F#fragment");
  ASSERT_TRUE(secure.has_value());
  EXPECT_TRUE(secure->tls);
  EXPECT_EQ(secure->port, "8443");
  EXPECT_EQ(secure->target, "/a/b%20c?x=1&y=%2F");

  const auto upper = parse_http_url("HTTPS://EXAMPLE.com/Path");
  ASSERT_TRUE(upper.has_value());
  EXPECT_TRUE(upper->tls);
  EXPECT_EQ(upper->host, "example.com");
  EXPECT_EQ(upper->port, "443");
  EXPECT_EQ(upper->target, "/Path");

  const auto empty_port = parse_http_url("http://example.com:/feed");
  ASSERT_TRUE(empty_port.has_value());
  EXPECT_EQ(empty_port->port, "80");

  const auto query_only = parse_http_url("http://example.com?feed=rss2");
  ASSERT_TRUE(query_only.has_value());
  EXPECT_EQ(query_only->target, "/?feed=rss2");
}

TEST(ParseHttpUrl, KeepsUserinfo) {
  const auto url = parse_http_url("https://user:p%40ss@example.com/private.xml");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->userinfo, "user:p%40ss");
  EXPECT_EQ(url->host, "example.com");
}

TEST(ParseHttpUrl, UnbracketsIpLiterals) {
  const auto v6 = parse_http_url("http://[::1]:8080/feed");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, "8080");
  const auto v4 = parse_http_url("http://127.0.0.1/feed");
  ASSERT_TRUE(v4.has_value());
  EXPECT_EQ(v4->host, "127.0.0.1");
}

TEST(ParseHttpUrl, RejectsWhatCannotBeFetchedSafely) {
  using namespace std::string_literals;
  const std::string rejected[] = {
      "",
      "http://a/b\r\nX: y",
      "http://a/b\nX: y",
      "http://a/b c",
      "http://a/\tb",
      "http://a/b\x7F",
      "http://a/b\x01",
      "http://a\0b/"s,
      " http://example.com/",
      "http://example.com/ ",
      "http://exa mple.com/",
      "/relative/feed.xml",
      "example.com/feed",
      "http:example.com",
      "http:///path",
      "http://:80/",
      "http://user@/",
      "ftp://example.com/feed",
      "file:///etc/passwd",
      "gopher://example.com/",
      "data:text/plain,x",
      "javascript:alert(1)",
      "http://::1/",
      "http://[::1/",
      "http://[v1.fe]/",
      "http://example.com:99999/",
      "http://example.com:0/",
      "http://ex%61mple.com/",
      "http://exa\xC3\xA9mple.com/",
  };
  for (const std::string& url : rejected) {
    EXPECT_FALSE(parse_http_url(url).has_value()) << "url: " << url;
  }
}

// Found by fuzz/url_fuzzer (corpus/url_fuzzer/regression_port_then_path):
// Boost.URL 1.81 ends a port or an IPv4 host at the first character that
// does not fit and reads the rest as the path, "host:80x/" as port 80 and
// path "x/" (boostorg/url#680), "10.0.0.1.nip.io" as host 10.0.0.1 and
// path ".nip.io/feed" (#755). Fetched, that would be "GET x/" or a request
// to the wrong host; refused, it is at least never fetched wrongly.
TEST(ParseHttpUrl, RefusesWhatBoostUrlMisreadsRatherThanFetchTheWrongTarget) {
  for (const std::string url : {"http://feed.example:80x/", "http://@feed:65535lpe/", "https://u@feed:443feed",
                                "http://10.0.0.1.nip.io/feed", "http://1.2.3.4.5/"}) {
    EXPECT_FALSE(parse_http_url(url).has_value()) << "url: " << url;
  }
}

TEST(RedactUrl, HidesUserinfoQueryAndFragment) {
  EXPECT_EQ(redact_url("https://user:secret@example.com/feed?token=abc#frag"),
            "https://***@example.com/feed?***#***");
  EXPECT_EQ(redact_url("http://example.com:8080/feed.xml"), "http://example.com:8080/feed.xml");
  EXPECT_EQ(redact_url("http://example.com/feed.xml?"), "http://example.com/feed.xml?***");
  EXPECT_EQ(redact_url("https://token@[::1]/"), "https://***@[::1]/");
}

TEST(RedactUrl, NeverEchoesUnparseableInput) {
  const std::string inputs[] = {
      "http://a/b\r\nX: y?token=secret",
      "http://user:secret@exa mple.com/",
      "http://secret@%%%/",
      "secret with spaces",
  };
  for (const std::string& input : inputs) {
    const std::string redacted = redact_url(input);
    EXPECT_EQ(redacted, "<unparseable url>") << input;
    EXPECT_EQ(redacted.find("secret"), std::string::npos);
  }
}

struct plain_case {
  std::string_view base;
  std::string_view reference;
  std::string_view expected;
};

// Plain absolute http(s) references and plain relative paths resolve
// without Boost.URL; the results are those Boost.URL gives, and the
// references just outside "plain" (escapes, dot segments, case, userinfo,
// brackets, a second '#') still get its treatment.
constexpr plain_case plain_references[] = {
    {"https://example.org/blog/feed.xml", "https://example.org/posts/1", "https://example.org/posts/1"},
    {"https://example.org/blog/feed.xml", "http://example.org", "http://example.org"},
    {"https://example.org/blog/feed.xml", "https://example.org:8080/a?b=c&d=e#f",
     "https://example.org:8080/a?b=c&d=e#f"},
    {"https://example.org/blog/feed.xml", "https://example.org/a;b=c,d!$'()*+~@:",
     "https://example.org/a;b=c,d!$'()*+~@:"},
    {"https://example.org/blog/feed.xml", "posts/2", "https://example.org/blog/posts/2"},
    {"https://example.org/blog/feed.xml", "posts/2?x=/./y#/../z", "https://example.org/blog/posts/2?x=/./y#/../z"},
    {"https://example.org/blog/feed.xml", "posts//3", "https://example.org/blog/posts//3"},
    {"https://example.org/blog/feed.xml", "https://example.org/.well-known/x", "https://example.org/.well-known/x"},
    {"https://example.org/blog/", "~user/x", "https://example.org/blog/~user/x"},
    {"https://example.org", "posts/5", "https://example.org/posts/5"},
    {"https://example.org?q=1", "p", "https://example.org/p"},
    {"", "posts/6", "posts/6"},
    {"https://example.org/blog/feed.xml", "https://example.org/%41%2f", "https://example.org/A/"},
    {"https://example.org/blog/feed.xml", "p%41th", "https://example.org/blog/pAth"},
    {"https://example.org/blog/feed.xml", "https://example.org/a/./b/../c", "https://example.org/a/c"},
    {"https://example.org/blog/feed.xml", "https://example.org/a/..", "https://example.org/"},
    {"https://example.org/blog/feed.xml", "./posts/4", "https://example.org/blog/posts/4"},
    {"https://example.org/blog/feed.xml", "../up", "https://example.org/up"},
    {"https://example.org/blog/feed.xml", "a:b/c", "a:b/c"},
    {"https://example.org/blog/feed.xml", "HTTPS://Example.org/A", "HTTPS://Example.org/A"},
    {"https://example.org/blog/feed.xml", "https://user:pw@example.org/x", "https://user:pw@example.org/x"},
    {"https://example.org/blog/feed.xml", "https://[::1]/x", "https://[::1]/x"},
    {"https://example.org/blog/feed.xml", "https://example.org/a#b#c", "https://example.org/a#b%23c"},
    {"https://example.org/blog/feed.xml", "https://example.org:/x", "https://example.org:/x"},
    {"https://example.org/a/b/../c/", "p", "https://example.org/a/c/p"},
    {"https://example.org/a/%7Eb/", "p", "https://example.org/a/~b/p"},
    {"mailto:x@example.org", "p", "mailto:p"},
    {"https://example.org/blog/feed.xml", "/posts/1", "https://example.org/posts/1"},
    {"https://example.org:8080/blog/feed.xml?x=1#f", "/a?b=c&d=e#f", "https://example.org:8080/a?b=c&d=e#f"},
    {"https://example.org", "/", "https://example.org/"},
    {"http://example.org?q=1", "/p", "http://example.org/p"},
    {"https://example.org/blog/feed.xml", "/a;b=c,d!$'()*+~@:", "https://example.org/a;b=c,d!$'()*+~@:"},
    {"https://example.org/blog/feed.xml", "/p?x=/./y#/../z", "https://example.org/p?x=/./y#/../z"},
    {"https://example.org/blog/feed.xml", "/posts//3", "https://example.org/posts//3"},
};

TEST(ResolveUrl, PlainReferencesResolveAsBoostUrlWould) {
  for (const plain_case& row : plain_references) {
    EXPECT_EQ(resolve_url(row.base, row.reference), row.expected) << row.base << " + " << row.reference;
  }
}

}  // namespace

// Where the one-pass scan of plain URLs (plain_path_end) must hand over to
// Boost.URL, and where it must not: dot segments at the start, middle and
// end of a path and after a query or fragment, host and port characters,
// a ':' in a first segment. Each result is what Boost.URL alone gave.
namespace {

constexpr plain_case plain_boundaries[] = {
    {"https://example.org/blog/feed.xml", "https://example.org/a/.", "https://example.org/a/"},
    {"https://example.org/blog/feed.xml", "https://example.org/a/..", "https://example.org/"},
    {"https://example.org/blog/feed.xml", "https://example.org/./a", "https://example.org/a"},
    {"https://example.org/blog/feed.xml", "https://example.org/a/..?q=../x", "https://example.org/?q=../x"},
    {"https://example.org/blog/feed.xml", "https://example.org/a/.b/..c/...#./", "https://example.org/a/.b/..c/...#./"},
    {"https://example.org/blog/feed.xml", "https://example.org?./..", "https://example.org?./.."},
    {"https://example.org/blog/feed.xml", "https://example.org#a#b", "https://example.org#a%23b"},
    {"https://example.org/blog/feed.xml", "https://exa_mple.org/x", "https://exa_mple.org/x"},
    {"https://example.org/blog/feed.xml", "https://example.org:/x", "https://example.org:/x"},
    {"https://example.org/blog/feed.xml", "https://example.org:8o/x", "https://example.org:8o/x"},
    {"https://example.org/blog/feed.xml", "posts/.", "https://example.org/blog/posts/"},
    {"https://example.org/blog/feed.xml", "posts/..#x", "https://example.org/blog/#x"},
    {"https://example.org/blog/feed.xml", "posts/.x/..y?z", "https://example.org/blog/posts/.x/..y?z"},
    {"https://example.org/blog/feed.xml", "posts:1/x", "posts:1/x"},
    {"https://example.org/blog/feed.xml", "posts/a:b", "https://example.org/blog/posts/a:b"},
    {"https://example.org/blog/feed.xml", "p?q#f", "https://example.org/blog/p?q#f"},
    {"https://example.org/blog/feed.xml", "p#f#g", "https://example.org/blog/p#f%23g"},
    {"https://example.org/blog/./feed.xml", "p", "https://example.org/blog/p"},
    {"https://example.org/blog/..", "p", "https://example.org/blog/p"},
    {"https://example.org/b_log/feed.xml", "p", "https://example.org/b_log/p"},
    {"https://example.org/blog/feed.xml?x=/y/", "p", "https://example.org/blog/p"},
    {"https://example.org/blog/feed.xml#/y/", "p", "https://example.org/blog/p"},
    {"https://example.org/blog/feed.xml", "/a/./b", "https://example.org/a/b"},
    {"https://example.org/blog/feed.xml", "/a/..", "https://example.org/"},
    {"https://example.org/blog/feed.xml", "/..", "https://example.org/"},
    {"https://example.org/blog/feed.xml", "/%41", "https://example.org/A"},
    {"https://example.org/blog/feed.xml", "/a#b#c", "https://example.org/a#b%23c"},
    {"https://example.org/blog/feed.xml", "/a:b", "https://example.org/a:b"},
    {"https://example.org/blog/../feed.xml", "/p", "https://example.org/p"},
    {"https://user@example.org/blog/feed.xml", "/p", "https://user@example.org/p"},
};

TEST(ResolveUrl, HandsPathsWithDotSegmentsToBoostUrl) {
  for (const plain_case& row : plain_boundaries) {
    EXPECT_EQ(resolve_url(row.base, row.reference), row.expected) << row.base << " + " << row.reference;
  }
}

}  // namespace
