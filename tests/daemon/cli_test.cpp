// The command line of SPEC.md, exit codes included, through the real binary.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "daemon_harness.hpp"
#include "support/paths.hpp"

namespace feedd::test {
namespace {

using namespace std::chrono_literals;

run_result feedd_plain(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {feedd_binary().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, 30s);
}

TEST(Cli, PrintsVersionAndHelp) {
  auto v = feedd_plain({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find('.'), std::string::npos);
  auto h = feedd_plain({"--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("check-config"), std::string::npos);
}

TEST(Cli, UnknownCommandIsAUsageError) {
  EXPECT_EQ(feedd_plain({"frobnicate"}).exit_code, 64);
  EXPECT_EQ(feedd_plain({"feeds"}).exit_code, 64);
  EXPECT_EQ(feedd_plain({"run", "--bogus"}).exit_code, 64);
}

TEST(Cli, CheckConfigReportsEveryProblemWithKeyAndLineAndExits78) {
  temp_dir dir;
  auto file = dir.path() / "bad.yaml";
  write_file(file, "fetch:\n  threads: eight\n  timeout: soon\nqueue:\n  capacity: 0\n");
  auto r = feedd_plain({"--config", file.string(), "check-config"});
  EXPECT_EQ(r.exit_code, 78);
  EXPECT_NE(r.err.find("fetch.threads (line 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("fetch.timeout (line 3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("queue.capacity (line 5"), std::string::npos) << r.err;
}

TEST(Cli, CheckConfigAcceptsTheShippedExampleAndAnEmptyFile) {
  auto shipped = feedd_plain({"--config", (source_dir() / "systemd/feedd.yaml").string(), "check-config"});
  EXPECT_EQ(shipped.exit_code, 0) << shipped.err;
  temp_dir dir;
  write_file(dir.path() / "empty.yaml", "");
  EXPECT_EQ(feedd_plain({"--config", (dir.path() / "empty.yaml").string(), "check-config"}).exit_code, 0);
}

TEST(Cli, MissingExplicitConfigIsAConfigError) {
  EXPECT_EQ(feedd_plain({"--config", "/nonexistent/feedd.yaml", "check-config"}).exit_code, 78);
}

// A missing explicit config exits 78 once the command line is understood:
// 64 would mean the options were refused where they stand.
TEST(Cli, GlobalOptionsAreAcceptedAfterTheCommandAndOnceWithoutRun) {
  const std::string absent = "/nonexistent/feedd.yaml";
  for (const auto& args : std::vector<std::vector<std::string>>{{"run", "--config", absent},
                                                                {"run", "--config", absent, "--once"},
                                                                {"--once", "--config", absent},
                                                                {"--config", absent, "--once"},
                                                                {"check-config", "--config", absent},
                                                                {"feeds", "list", "--config", absent}}) {
    const auto r = feedd_plain(args);
    EXPECT_EQ(r.exit_code, 78) << args.front() << " " << args.back() << ": " << r.err;
  }
  temp_dir dir;
  write_file(dir.path() / "feedd.yaml", "");
  const auto checked = feedd_plain({"check-config", "--config", (dir.path() / "feedd.yaml").string()});
  EXPECT_EQ(checked.exit_code, 0) << checked.err;
  EXPECT_NE(checked.out.find("feedd.yaml: ok"), std::string::npos) << checked.out;
}

TEST(Cli, OnceWithAnotherCommandSaysWhereItBelongs) {
  const auto r = feedd_plain({"check-config", "--once"});
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_NE(r.err.find("--once belongs to run: feedd [--config PATH] [run] --once"), std::string::npos) << r.err;
  const auto unknown = feedd_plain({"run", "--bogus"});
  EXPECT_EQ(unknown.exit_code, 64);
  EXPECT_NE(unknown.err.find("usage: feedd [--config PATH] [COMMAND]"), std::string::npos) << unknown.err;
}

TEST(Cli, FifoAsConfigIsRefusedNotWaitedOn) {
  temp_dir dir;
  const auto fifo = dir.path() / "feedd.yaml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::vector<std::string> argv = {feedd_binary().string(), "--config", fifo.string(), "check-config"};
  const auto r = run(argv, 5s);  // killed after 5 s: -1 or 137 then
  EXPECT_EQ(r.exit_code, 78) << r.err;
  EXPECT_NE(r.err.find("is a FIFO (named pipe), not a regular file"), std::string::npos) << r.err;
}

// Neither a garbage path nor garbage arguments reach the terminal raw.
TEST(Cli, ControlCharactersInArgumentsAreEscaped) {
  const auto path = feedd_plain({"--config", "/nonexistent/\x1b[2J\xc2\x9b", "check-config"});
  EXPECT_EQ(path.exit_code, 78);
  EXPECT_NE(path.err.find("/nonexistent/\\x1b[2J\\xc2\\x9b: no such file"), std::string::npos) << path.err;
  const auto arg = feedd_plain({"\x1b]0;owned\x07"});
  EXPECT_EQ(arg.exit_code, 64);
  EXPECT_EQ(arg.err.find('\x1b'), std::string::npos) << arg.err;
  EXPECT_EQ(path.err.find('\x1b'), std::string::npos) << path.err;
}

TEST(Cli, ParsePrintsNormalizedJsonAndExits65OnHtml) {
  temp_dir dir;
  write_file(dir.path() / "feed.xml",
             "<rss version=\"2.0\"><channel><title>T</title><link>/</link><item><title>A</title>"
             "<link>/a</link><pubDate>Tue, 02 Jan 2024 03:04:05 GMT</pubDate></item></channel></rss>");
  auto ok = feedd_plain({"parse", "--url", "https://example.org/feed.xml", (dir.path() / "feed.xml").string()});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("\"format\": \"rss2.0\""), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("\"url\": \"https://example.org/a\""), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("\"published_at\": \"2024-01-02T03:04:05Z\""), std::string::npos) << ok.out;
  write_file(dir.path() / "page.html", "<html><body>not a feed</body></html>");
  EXPECT_EQ(feedd_plain({"parse", (dir.path() / "page.html").string()}).exit_code, 65);
}

TEST(Cli, FeedsAddListRemoveImportExport) {
  daemon_harness h("cli_feeds");
  auto add = h.feedd({"feeds", "add", "--no-check", "https://example.org/feed.xml", "--interval", "15m"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_EQ(h.feedd({"feeds", "add", "--no-check", "https://example.org/feed.xml"}).exit_code, 1) << "duplicate";
  EXPECT_EQ(h.feedd({"feeds", "add", "file:///etc/passwd"}).exit_code, 64);
  EXPECT_EQ(h.db().scalar("SELECT extract(epoch FROM interval)::int FROM feeds"), "900");

  h.add_feeds({"https://a.example/rss", "https://b.example/atom?x=1&y=2"});
  auto list = h.feedd({"feeds", "list"});
  ASSERT_EQ(list.exit_code, 0);
  EXPECT_NE(list.out.find("https://a.example/rss"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("\tdue\t"), std::string::npos) << "never checked, due now";

  auto exported = h.feedd({"feeds", "export"});
  ASSERT_EQ(exported.exit_code, 0);
  EXPECT_NE(exported.out.find("<opml version=\"2.0\""), std::string::npos) << exported.out;
  EXPECT_NE(exported.out.find("xmlUrl=\"https://b.example/atom?x=1&amp;y=2\""), std::string::npos) << exported.out;

  EXPECT_EQ(h.feedd({"feeds", "remove", "https://a.example/rss"}).exit_code, 0);
  const std::string id = h.db().scalar("SELECT id FROM feeds WHERE url = 'https://example.org/feed.xml'");
  EXPECT_EQ(h.feedd({"feeds", "remove", id}).exit_code, 0);
  EXPECT_EQ(h.feedd({"feeds", "remove", id}).exit_code, 1);
  EXPECT_EQ(h.db().scalar("SELECT count(*) FROM feeds"), "1");
}

// RELIABILITY X6: a URL's credentials never reach the terminal, not even
// in the answer to a URL that is there already.
TEST(Cli, FeedsAddOfAnExistingUrlSaysSoWithoutItsCredentials) {
  daemon_harness h("cli_add_existing");
  const std::string url = "https://user:hunter2@example.com/feed?token=hunter3";
  ASSERT_EQ(h.feedd({"feeds", "add", "--no-check", url}).exit_code, 0);
  const auto again = h.feedd({"feeds", "add", url});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("feeds add: https://***@example.com/feed?*** already exists"), std::string::npos) << again.err;
  EXPECT_EQ(again.err.find("hunter"), std::string::npos) << again.err;
}

// A feed the database refuses (here a URL longer than its unique index can
// hold) is refused, not "already present", and the import goes on.
TEST(Cli, FeedsImportCountsAddedPresentAndRefusedApart) {
  daemon_harness h("cli_import_counts");
  h.add_feeds({"https://present.example/rss"});
  std::string too_long = "https://refused.example/";
  std::uint32_t state = 12345;
  for (int i = 0; i < 9000; ++i) {
    state = state * 1103515245u + 12345u;
    too_long += "abcdefghijklmnopqrstuvwxyz0123456789"[(state >> 16) % 36];
  }
  std::string opml = "<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><head><title>t</title></head><body>\n";
  for (const std::string& url : std::vector<std::string>{"https://present.example/rss", too_long, "file:///etc/passwd",
                                                          "https://new.example/rss"}) {
    opml += "<outline type=\"rss\" text=\"x\" xmlUrl=\"" + url + "\"/>\n";
  }
  const auto file = h.dir() / "mixed.opml";
  write_file(file, opml + "</body></opml>\n");
  const auto r = h.feedd({"feeds", "import", "--no-check", file.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "imported 1, already present 1, refused 2\n") << r.err;
  EXPECT_NE(r.err.find("feeds import: refused https://refused.example/"), std::string::npos) << r.err;
  EXPECT_EQ(h.db().scalar("SELECT string_agg(url, ' ' ORDER BY id) FROM feeds"),
            "https://present.example/rss https://new.example/rss");
}

// An import spreads the first checks of the n feeds it adds over
// min(first_check_spread, interval, n × 100 ms), in file order: 30 feeds
// over 3 s, the first due within 0.1 s of its insert, the last after 2.9 s.
TEST(Cli, FeedsImportSpreadsFirstChecksInFileOrder) {
  daemon_harness h("cli_import_spread");
  h.write_config("", "schedule:\n  first_check_spread: 1h\n");
  std::string opml = "<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><head><title>t</title></head><body>\n";
  for (int i = 0; i < 30; ++i) opml += "<outline xmlUrl=\"https://h" + std::to_string(i) + ".example/rss\"/>\n";
  const auto file = h.dir() / "many.opml";
  write_file(file, opml + "</body></opml>\n");
  const auto r = h.feedd({"feeds", "import", "--no-check", file.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "imported 30, already present 0, refused 0\nfirst checks spread over 3s (schedule.first_check_spread)\n");
  EXPECT_EQ(h.db().scalar("SELECT string_agg(id::text, ',' ORDER BY next_check_at) = string_agg(id::text, ',' ORDER BY id)"
                          " FROM feeds"),
            "t");
  EXPECT_EQ(h.db().scalar("SELECT count(*) FROM feeds WHERE next_check_at < now() + interval '3 seconds'"), "30");
  EXPECT_GT(std::stod(h.db().scalar("SELECT extract(epoch FROM max(next_check_at) - min(next_check_at)) FROM feeds")), 2.8);

  // The test harness's own default: none spread.
  daemon_harness plain("cli_import_unspread");
  plain.add_feeds({"https://a.example/rss", "https://b.example/rss"});
  EXPECT_EQ(plain.db().scalar("SELECT count(*) FROM feeds WHERE next_check_at <= now()"), "2");
}

TEST(Cli, FeedsEnablePollsADisabledFeedAgainFromNow) {
  daemon_harness h("cli_enable");
  h.add_feeds({"https://gone.example/rss", "https://other.example/rss"});
  h.db().exec("UPDATE feeds SET disabled = true, gone_since = now() - interval '40 days', "
              "next_check_at = now() + interval '1 day'");
  const auto listed = h.feedd({"feeds", "list"}).out;
  // Never checked, and not due while disabled: no times to show.
  EXPECT_NE(listed.find("https://gone.example/rss\tx\tdisabled\t-\t-\t0\t"), std::string::npos) << listed;
  EXPECT_EQ(h.feedd({"feeds", "enable", "https://gone.example/rss"}).exit_code, 0);
  const std::string other = h.db().scalar("SELECT id FROM feeds WHERE url = 'https://other.example/rss'");
  EXPECT_EQ(h.feedd({"feeds", "enable", other}).exit_code, 0);
  EXPECT_EQ(h.db().scalar("SELECT string_agg(concat_ws('|', disabled, gone_since IS NULL, next_check_at <= now()), ',' "
                          "ORDER BY id) FROM feeds"),
            "f|t|t,f|t|t");
  const auto missing = h.feedd({"feeds", "enable", "https://nowhere.example/rss"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("feeds enable: no feed https://nowhere.example/rss"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace feedd::test
