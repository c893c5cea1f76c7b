// feeds add and feeds import find feeds the way people give them: a feed
// URL in any spelling, or a page that names its feeds (issue 15). The real
// binary against pages of our own on fakefeed.py.
#include <gtest/gtest.h>

#include "daemon_harness.hpp"
#include "support/fake_server.hpp"
#include "support/paths.hpp"

namespace feedd::test {
namespace {

constexpr const char* rss_feed =
    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Site feed</title><link>http://example.com/</link>"
    "<item><guid>1</guid><title>one</title></item></channel></rss>\n";
constexpr const char* atom_feed =
    "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Atom feed</title>"
    "<id>urn:x</id><updated>2024-01-01T00:00:00Z</updated></feed>\n";

// fakefeed.py serving a small site: feeds, pages that link them, and
// whatever the test writes under site/ for the fallback paths.
class site {
 public:
  site() {
    std::filesystem::create_directories(root_.path() / "blog");
    std::filesystem::create_directories(root_.path() / "site");
    write_file(root_.path() / "rss.xml", rss_feed);
    write_file(root_.path() / "blog" / "atom.xml", atom_feed);
    write_file(root_.path() / "one.html",
               "<!DOCTYPE html><html><head><title>Blog</title>"
               "<link rel=\"stylesheet\" href=\"/s.css\">"
               "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"rss.xml\" title=\"Posts\">"
               "</head><body>hello</body></html>");
    write_file(root_.path() / "based.html",
               "<html><head><base href=\"/feeds/blog/\">"
               "<link rel=alternate type=application/atom+xml href=atom.xml></head></html>");
    write_file(root_.path() / "two.html",
               "<html><head><link rel=\"alternate\" type=\"application/rss+xml\" href=\"rss.xml\" title=\"RSS\">"
               "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"blog/atom.xml\" title=\"Atom\">"
               "</head></html>");
    write_file(root_.path() / "none.html", "<html><head><title>no feeds</title></head><body></body></html>");
    server_ = serve_directory(root_.path());
  }
  std::string url(const std::string& path) const { return server_->url(path); }
  std::string feeds(const std::string& file) const { return server_->url("/feeds/" + file); }
  const std::filesystem::path& root() const { return root_.path(); }

 private:
  temp_dir root_;
  std::unique_ptr<fake_server> server_;
};

TEST(Discovery, AFeedUrlIsAddedWithItsTitleAndARedactedEcho) {
  site s;
  daemon_harness h("discovery_feed");
  const auto r = h.feedd({"feeds", "add", s.feeds("rss.xml?token=secret")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\t" + s.feeds("rss.xml") + "?***\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("secret"), std::string::npos) << r.out;
  EXPECT_EQ(h.db().scalar("SELECT url || '|' || title FROM feeds"), s.feeds("rss.xml?token=secret") + "|Site feed");
}

TEST(Discovery, APageAddsTheFeedItLinksRelativeToThePageOrItsBase) {
  site s;
  daemon_harness h("discovery_page");
  const auto one = h.feedd({"feeds", "add", s.feeds("one.html")});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const auto based = h.feedd({"feeds", "add", s.feeds("based.html")});
  ASSERT_EQ(based.exit_code, 0) << based.err;
  EXPECT_EQ(h.db().scalar("SELECT string_agg(url || '|' || coalesce(site_url, ''), ' ' ORDER BY id) FROM feeds"),
            s.feeds("rss.xml") + "|" + s.feeds("one.html") + " " + s.feeds("blog/atom.xml") + "|" +
                s.feeds("based.html"));
  // The page again is the feed it names, there already.
  const auto again = h.feedd({"feeds", "add", s.feeds("one.html")});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
}

TEST(Discovery, SeveralFeedsAreListedWithoutATerminalAndAllAddsEveryOne) {
  site s;
  daemon_harness h("discovery_several");
  const auto listed = h.feedd({"feeds", "add", s.feeds("two.html")});
  EXPECT_EQ(listed.exit_code, 64) << listed.err;
  EXPECT_EQ(listed.out, "1\t" + s.feeds("rss.xml") + "\tRSS\n2\t" + s.feeds("blog/atom.xml") + "\tAtom\n");
  EXPECT_NE(listed.err.find("names 2 feeds; pass one of their URLs, or --all"), std::string::npos) << listed.err;
  EXPECT_EQ(h.db().scalar("SELECT count(*) FROM feeds"), "0");
  const auto all = h.feedd({"feeds", "add", "--all", s.feeds("two.html"), "--interval", "2h"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(h.db().scalar("SELECT string_agg(url || '|' || extract(epoch FROM \"interval\")::int, ' ' ORDER BY id) FROM feeds"),
            s.feeds("rss.xml") + "|7200 " + s.feeds("blog/atom.xml") + "|7200");
}

// On a terminal the choice is asked for: script(1) gives feedd a
// pseudo-terminal and passes it the answer.
TEST(Discovery, OnATerminalSeveralFeedsAreOfferedAndTheChosenOneAdded) {
  if (!std::filesystem::exists("/usr/bin/script")) GTEST_SKIP() << "script(1) (util-linux) is not installed";
  site s;
  daemon_harness h("discovery_terminal");
  const std::string command = feedd_binary().string() + " --config " + h.config_path().string() + " feeds add " +
                              s.feeds("two.html");
  const auto r = run({"/usr/bin/script", "-qec", command, "/dev/null"}, std::chrono::seconds(60), {}, "2\n");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("add which one? [1-2]"), std::string::npos) << r.out;
  EXPECT_EQ(h.db().scalar("SELECT string_agg(url, ' ') FROM feeds"), s.feeds("blog/atom.xml"));
}

TEST(Discovery, APageWithoutLinksFallsBackToTheCommonFeedPaths) {
  site s;
  daemon_harness h("discovery_fallback");
  const auto refused = h.feedd({"feeds", "add", s.feeds("none.html")});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find(": an HTML page with no feed links found, and none of /feed, /rss.xml, /atom.xml, "
                             "/index.xml is a feed"),
            std::string::npos)
      << refused.err;
  write_file(s.root() / "site" / "atom.xml", atom_feed);
  write_file(s.root() / "site" / "index.xml", rss_feed);
  const auto added = h.feedd({"feeds", "add", s.feeds("none.html")});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_EQ(h.db().scalar("SELECT string_agg(url || '|' || title, ' ') FROM feeds"), s.url("/atom.xml") + "|Atom feed");
}

TEST(Discovery, WhatYieldsNoFeedIsRefusedWithTheReason) {
  site s;
  daemon_harness h("discovery_refused");
  const auto missing = h.feedd({"feeds", "add", s.feeds("gone.html")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("feeds add: " + s.feeds("gone.html") + ": HTTP 404"), std::string::npos) << missing.err;
  write_file(s.root() / "data.json", "{\"not\": \"a feed\"}");
  const auto json = h.feedd({"feeds", "add", s.feeds("data.json")});
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_NE(json.err.find(": not a feed ("), std::string::npos) << json.err;
  EXPECT_EQ(h.db().scalar("SELECT count(*) FROM feeds"), "0");
}

TEST(Discovery, TheSameFeedInAnotherSpellingIsAlreadyPresent) {
  daemon_harness h("discovery_spelling");
  ASSERT_EQ(h.feedd({"feeds", "add", "--no-check", "http://example.com/feed"}).exit_code, 0);
  // No fetch: example.com is not reachable from the tests, and need not be.
  const auto again = h.feedd({"feeds", "add", "HTTP://Example.com:80/feed#x"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("feeds add: HTTP://Example.com:80/feed#*** already exists (id "), std::string::npos)
      << again.err;
  // A row stored before URLs were normalized is found in its normalized form.
  h.db().exec("INSERT INTO feeds (url) VALUES ('HTTPS://Old.Example:443/rss')");
  EXPECT_EQ(h.feedd({"feeds", "add", "https://old.example/rss"}).exit_code, 1);
  ASSERT_EQ(h.feedd({"feeds", "add", "--no-check", "HTTPS://New.Example:443/a/../rss#top"}).exit_code, 0);
  EXPECT_EQ(h.db().scalar("SELECT url FROM feeds ORDER BY id DESC LIMIT 1"), "https://new.example/rss");
  EXPECT_EQ(h.feedd({"feeds", "remove", "https://OLD.example/rss"}).exit_code, 0);
  EXPECT_EQ(h.feedd({"feeds", "enable", "http://example.com:80/feed"}).exit_code, 0);
  EXPECT_EQ(h.db().scalar("SELECT count(*) FROM feeds"), "2");
}

// added, already present and refused counted apart, each refusal with its
// reason, a page replaced by the feed it names.
TEST(Discovery, ImportChecksOutlinesAndCountsAddedPresentAndRefused) {
  site s;
  daemon_harness h("discovery_import");
  ASSERT_EQ(h.feedd({"feeds", "add", "--no-check", "http://present.example/rss"}).exit_code, 0);
  std::string opml = "<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><head><title>t</title></head><body>\n";
  for (const std::string& url : {s.feeds("rss.xml"), s.feeds("based.html"), std::string("HTTP://Present.example:80/rss"),
                                 std::string("file:///etc/passwd"), s.feeds("gone.xml")}) {
    opml += "<outline type=\"rss\" text=\"x\" xmlUrl=\"" + url + "\"/>\n";
  }
  const auto file = h.dir() / "mixed.opml";
  write_file(file, opml + "</body></opml>\n");
  const auto r = h.feedd({"feeds", "import", file.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "imported 2, already present 1, refused 2\n") << r.err;
  EXPECT_NE(r.err.find("feeds import: refused file:///etc/passwd: not an absolute http or https URL"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("feeds import: refused " + s.feeds("gone.xml") + ": HTTP 404"), std::string::npos) << r.err;
  EXPECT_EQ(h.db().scalar("SELECT string_agg(url, ' ' ORDER BY id) FROM feeds"),
            "http://present.example/rss " + s.feeds("rss.xml") + " " + s.feeds("blog/atom.xml"));
  // Imported again: the page is the feed it names, there already.
  const auto again = h.feedd({"feeds", "import", file.string()});
  EXPECT_EQ(again.out, "imported 0, already present 3, refused 2\n") << again.err;
}

TEST(Discovery, OpmlRoundTripKeepsTitleSiteFolderAndInterval) {
  daemon_harness first("opml_round_trip_a");
  const auto sample = first.dir() / "sample.opml";
  write_file(sample,
             "<?xml version=\"1.0\"?>\n<opml version=\"2.0\" xmlns:feedd=\"urn:feedd:opml\"><body>"
             "<outline type=\"rss\" text=\"Loose\" xmlUrl=\"https://loose.example/rss\"/>"
             "<outline text=\"Tech\"><outline text=\"A\" title=\"A\" xmlUrl=\"https://a.example/feed\""
             " htmlUrl=\"https://a.example/\" feedd:interval=\"15m\"/></outline>"
             "<outline text=\"News\"><outline text=\"Local\"><outline text=\"B\" xmlUrl=\"https://b.example/rss\""
             " feedd:interval=\"1d\"/></outline></outline>"
             "<outline text=\"C\" xmlUrl=\"https://c.example/\" category=\"/Tech\"/>"
             "</body></opml>\n");
  ASSERT_EQ(first.feedd({"feeds", "import", "--no-check", sample.string()}).exit_code, 0);
  const auto exported = first.feedd({"feeds", "export"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_NE(exported.out.find("<outline text=\"Tech\" title=\"Tech\">\n      <outline type=\"rss\" text=\"A\" title=\"A\" "
                              "xmlUrl=\"https://a.example/feed\" htmlUrl=\"https://a.example/\" feedd:interval=\"15m\" />"),
            std::string::npos)
      << exported.out;
  EXPECT_NE(exported.out.find("<outline text=\"News/Local\""), std::string::npos) << exported.out;
  EXPECT_NE(exported.out.find("feedd:interval=\"1d\""), std::string::npos) << exported.out;

  daemon_harness second("opml_round_trip_b");
  const auto file = second.dir() / "exported.opml";
  write_file(file, exported.out);
  ASSERT_EQ(second.feedd({"feeds", "import", "--no-check", file.string()}).exit_code, 0);
  const auto again = second.feedd({"feeds", "export"});
  EXPECT_EQ(again.out, exported.out);
}

}  // namespace
}  // namespace feedd::test
