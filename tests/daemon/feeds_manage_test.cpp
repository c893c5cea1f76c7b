// feeds list|show|disable|set through the real binary against a real
// database and feeds served by fakefeed.py, and that no command prints a
// URL's credentials (RELIABILITY X6).
#include <map>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon_harness.hpp"
#include "feed_fixtures.hpp"
#include "pty_run.hpp"
#include "support/fake_server.hpp"
#include "support/paths.hpp"

namespace feedd::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string f; std::getline(in, f, '\t');) out.push_back(f);
  return out;
}

// Feeds in every state: ok (fetched), failing (404), disabled, due (added
// after the run), and one claimed by another instance.
class FeedsManage : public ::testing::Test {
 protected:
  FeedsManage() : harness_(::testing::UnitTest::GetInstance()->current_test_info()->name()) {
    fixtures_ = write_feed_fixtures(root_.path(), 2);
    server_ = serve_directory(root_.path());
    ok_ = server_->url("/feeds/" + fixtures_[0].file);
    claimed_ = server_->url("/feeds/" + fixtures_[1].file);
    failing_ = server_->url("/feeds/missing.xml");
    disabled_ = server_->url("/feeds/disabled.xml");
    due_ = server_->url("/feeds/later.xml");
  }

  void make_every_state() {
    harness_.add_feeds({ok_, claimed_, failing_, disabled_});
    ASSERT_EQ(harness_.feedd({"feeds", "disable", disabled_}).exit_code, 0);
    const auto run = harness_.feedd({"run", "--once"}, 60s);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    harness_.add_feeds({due_});
    harness_.db().exec("UPDATE feeds SET claimed_by = 'otherhost:4242', lease_until = now() + interval '5 minutes'"
                       " WHERE url = '" + claimed_ + "'");
  }

  std::string id_of(const std::string& url) { return harness_.db().scalar("SELECT id FROM feeds WHERE url = '" + url + "'"); }

  daemon_harness harness_;
  temp_dir root_;
  std::vector<generated_feed> fixtures_;
  std::unique_ptr<fake_server> server_;
  std::string ok_, claimed_, failing_, disabled_, due_;
};

TEST_F(FeedsManage, ListGivesEachStateAsTabSeparatedLinesWhenNotATerminal) {
  make_every_state();
  const auto list = harness_.feedd({"feeds", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const auto lines = lines_of(list.out);
  ASSERT_EQ(lines.size(), 6u) << list.out;
  EXPECT_EQ(lines[0], "id\turl\ttitle\tstatus\tlast_check\tnext_check\terrors\tinterval\tclaimed_by\tlease_until\tlast_error");
  std::map<std::string, std::vector<std::string>> by_url;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    auto f = fields_of(lines[i]);
    ASSERT_EQ(f.size(), 11u) << lines[i];
    by_url[f[1]] = f;
  }
  EXPECT_EQ(by_url[ok_][3], "ok");
  EXPECT_EQ(by_url[ok_][7], "30m (default)");
  EXPECT_EQ(by_url[failing_][3], "failing");
  EXPECT_EQ(by_url[failing_][6], "1");
  EXPECT_EQ(by_url[failing_][10], "fetch: http: 404 Not Found");
  EXPECT_EQ(by_url[disabled_][3], "disabled");
  EXPECT_EQ(by_url[disabled_][5], "-");
  EXPECT_EQ(by_url[due_][3], "due");
  EXPECT_EQ(by_url[claimed_][8], "otherhost:4242");
  EXPECT_NE(by_url[claimed_][9], "-");
  EXPECT_EQ(by_url[ok_][8], "-");
}

TEST_F(FeedsManage, ListJsonHasFullValuesUnderStableNamesAndFailingFilters) {
  make_every_state();
  const auto list = harness_.feedd({"feeds", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  std::map<std::string, nlohmann::json> by_url;
  for (const auto& line : lines_of(list.out)) {
    auto j = nlohmann::json::parse(line);
    by_url[j["url"].get<std::string>()] = j;
  }
  ASSERT_EQ(by_url.size(), 5u) << list.out;
  const auto& failing = by_url[failing_];
  for (const char* key : {"id", "url", "title", "site_url", "status", "interval_s", "next_check_at", "last_checked_at",
                          "last_status", "last_error", "error_count", "disabled", "claimed_by", "lease_until"}) {
    EXPECT_TRUE(failing.contains(key)) << key << " " << failing.dump();
  }
  EXPECT_EQ(failing["status"], "failing");
  EXPECT_EQ(failing["last_status"], 404);
  EXPECT_EQ(failing["last_error"], "fetch: http: 404 Not Found");
  EXPECT_EQ(by_url[ok_]["status"], "ok");
  EXPECT_EQ(by_url[ok_]["title"], fixtures_[0].title);
  EXPECT_EQ(by_url[disabled_]["disabled"], true);
  EXPECT_EQ(by_url[due_]["status"], "due");
  EXPECT_EQ(by_url[claimed_]["claimed_by"], "otherhost:4242");

  const auto only = harness_.feedd({"feeds", "list", "--failing", "--json"});
  ASSERT_EQ(only.exit_code, 0) << only.err;
  const auto failing_lines = lines_of(only.out);
  ASSERT_EQ(failing_lines.size(), 1u) << only.out;
  EXPECT_EQ(nlohmann::json::parse(failing_lines[0])["url"], failing_);
}

TEST_F(FeedsManage, ListIsAnAlignedTableOnATerminal) {
  make_every_state();
  const auto r = run_on_pty({feedd_binary().string(), "--config", harness_.config_path().string(), "feeds", "list"}, 30s);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto lines = lines_of(r.output);
  ASSERT_GE(lines.size(), 6u) << r.output;
  EXPECT_EQ(lines[0].rfind("ID  STATUS    INTERVAL", 0), 0u) << r.output;
  EXPECT_NE(lines[0].find("CLAIMED BY"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find('\t'), std::string::npos) << r.output;
  // The URL column starts at the same offset on every line.
  const auto url_at = lines[0].find("URL");
  for (std::size_t i = 1; i < 6; ++i) EXPECT_EQ(lines[i].find("http://"), url_at) << lines[i];
  EXPECT_NE(r.output.find("failing"), std::string::npos);
  EXPECT_NE(r.output.find("fetch: http: 404"), std::string::npos) << r.output;
}

TEST_F(FeedsManage, DisableThenEnable) {
  harness_.add_feeds({ok_});
  ASSERT_EQ(harness_.feedd({"feeds", "disable", id_of(ok_)}).exit_code, 0);
  EXPECT_EQ(harness_.db().scalar("SELECT disabled FROM feeds"), "t");
  const auto run = harness_.feedd({"run", "--once"}, 60s);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(hits(*server_)["/feeds/" + fixtures_[0].file], 0) << "a disabled feed is not fetched";
  ASSERT_EQ(harness_.feedd({"feeds", "enable", ok_}).exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(harness_.feedd({"feeds", "list", "--json"}).out)["status"], "due");
  EXPECT_EQ(harness_.feedd({"feeds", "disable", "999999"}).exit_code, 1);
}

TEST_F(FeedsManage, SetIntervalMovesTheNextCheckAndRefusesOutsideTheBounds) {
  harness_.add_feeds({ok_});
  ASSERT_EQ(harness_.feedd({"run", "--once"}, 60s).exit_code, 0);
  auto& db = harness_.db();
  EXPECT_EQ(db.scalar("SELECT round(extract(epoch FROM next_check_at - last_checked_at) / 60) FROM feeds"), "30");
  const auto set = harness_.feedd({"feeds", "set", ok_, "--interval", "10m"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_NE(set.out.find("interval 10m\tnext check "), std::string::npos) << set.out;
  EXPECT_EQ(db.scalar("SELECT extract(epoch FROM next_check_at - last_checked_at)::int || ' ' ||"
                      " extract(epoch FROM \"interval\")::int FROM feeds"),
            "600 600");
  // Shorter than the time since the last check: due now.
  db.exec("UPDATE feeds SET last_checked_at = now() - interval '2 hours'");
  ASSERT_EQ(harness_.feedd({"feeds", "set", id_of(ok_), "--interval", "1h"}).exit_code, 0);
  EXPECT_EQ(db.scalar("SELECT next_check_at <= now() FROM feeds"), "t");

  const auto below = harness_.feedd({"feeds", "set", ok_, "--interval", "1m"});
  EXPECT_EQ(below.exit_code, 64);
  EXPECT_NE(below.err.find("schedule.min_interval (5m)"), std::string::npos) << below.err;
  EXPECT_EQ(harness_.feedd({"feeds", "set", ok_, "--interval", "2d"}).exit_code, 64);
  EXPECT_EQ(harness_.feedd({"feeds", "set", ok_, "--interval", "soon"}).exit_code, 64);
  EXPECT_EQ(harness_.feedd({"feeds", "set", "https://nowhere.example/", "--interval", "10m"}).exit_code, 1);
  EXPECT_EQ(db.scalar("SELECT extract(epoch FROM \"interval\")::int FROM feeds"), "3600");
}

TEST_F(FeedsManage, ShowGivesTheLastFetchAndRecentEntries) {
  make_every_state();
  const auto ok = harness_.feedd({"feeds", "show", id_of(ok_)});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("status:        ok\n"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("last status:   200\n"), std::string::npos) << ok.out;
  EXPECT_EQ(ok.out.find("etag:          -\n"), std::string::npos) << "fakefeed sends an ETag\n" << ok.out;
  EXPECT_NE(ok.out.find("entries:       " + std::to_string(fixtures_[0].entries.size())), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find(fixtures_[0].entries.front().title), std::string::npos) << ok.out;

  const auto failing = harness_.feedd({"feeds", "show", failing_});
  ASSERT_EQ(failing.exit_code, 0) << failing.err;
  EXPECT_NE(failing.out.find("last error:    fetch: http: 404 Not Found\n"), std::string::npos) << failing.out;
  EXPECT_NE(failing.out.find("failures:      1 in a row\n"), std::string::npos) << failing.out;

  const auto claimed = harness_.feedd({"feeds", "show", claimed_, "--json"});
  ASSERT_EQ(claimed.exit_code, 0) << claimed.err;
  const auto j = nlohmann::json::parse(claimed.out);
  EXPECT_EQ(j["claimed_by"], "otherhost:4242");
  EXPECT_EQ(j["entries_total"].get<std::size_t>(), fixtures_[1].entries.size());
  EXPECT_EQ(j["recent_entries"].size(), std::min<std::size_t>(10, fixtures_[1].entries.size()));
  EXPECT_EQ(harness_.feedd({"feeds", "show", "424242"}).exit_code, 1);
}

// RELIABILITY X6: not one command echoes the password or the token.
TEST_F(FeedsManage, NoCommandPrintsAUrlsCredentials) {
  const std::string secret = "http://user:hunter2@127.0.0.1:" + std::to_string(server_->port()) + "/feeds/" +
                             fixtures_[0].file + "?token=hunter3";
  std::vector<run_result> said;
  said.push_back(harness_.feedd({"feeds", "add", secret}));
  ASSERT_EQ(said.back().exit_code, 0) << said.back().err;
  said.push_back(harness_.feedd({"feeds", "add", secret}));
  said.push_back(harness_.feedd({"run", "--once"}, 60s));
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"feeds", "list"}, {"feeds", "list", "--json"}, {"feeds", "show", secret}, {"feeds", "show", secret, "--json"},
           {"feeds", "set", secret, "--interval", "10m"}, {"feeds", "disable", secret}, {"feeds", "enable", secret},
           {"feeds", "remove", secret + "x"}, {"feeds", "enable", secret + "x"}, {"feeds", "show", secret + "x"}}) {
    said.push_back(harness_.feedd(args));
  }
  said.push_back({0, run_on_pty({feedd_binary().string(), "--config", harness_.config_path().string(), "feeds", "list"}, 30s).output, ""});
  for (const auto& r : said) {
    EXPECT_EQ(r.out.find("hunter"), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find("hunter"), std::string::npos) << r.err;
  }
  EXPECT_NE(said[0].out.find("http://***@127.0.0.1:"), std::string::npos) << said[0].out;
}

}  // namespace
}  // namespace feedd::test
