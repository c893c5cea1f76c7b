// Network faults the fetcher's unit tests cover, made to happen to the real
// daemon: the feed at fault fails with its reason, nothing of it is stored,
// and the other feeds of the run are stored.
#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon_harness.hpp"
#include "feed_fixtures.hpp"
#include "support/fake_server.hpp"
#include "support/paths.hpp"

namespace feedd::test {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

class FetchFaults : public ::testing::Test {
 protected:
  FetchFaults() : harness_(::testing::UnitTest::GetInstance()->current_test_info()->name()) {
    fixtures_ = write_feed_fixtures(root_.path(), 6);
    server_ = serve_directory(root_.path());
  }

  std::vector<std::string> good_urls() const {
    std::vector<std::string> urls;
    for (const auto& f : fixtures_) urls.push_back(server_->url("/feeds/" + f.file));
    return urls;
  }

  // Every fixture feed stored with all its entries.
  void expect_good_feeds_stored() {
    for (const auto& f : fixtures_) {
      const std::string url = server_->url("/feeds/" + f.file);
      EXPECT_EQ(harness_.db().scalar("SELECT count(*) FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE f.url = '" + url + "'"),
                std::to_string(f.entries.size()))
          << f.file;
    }
  }

  // "error_count|entries|last_error" of the feed with that URL.
  std::string outcome(const std::string& url) {
    return harness_.db().scalar(
        "SELECT concat_ws('|', f.error_count, (SELECT count(*) FROM entries e WHERE e.feed_id = f.id), f.last_error) "
        "FROM feeds f WHERE f.url = '" + url + "'");
  }

  daemon_harness harness_;
  temp_dir root_;
  std::vector<generated_feed> fixtures_;
  std::unique_ptr<fake_server> server_;
};

// RELIABILITY N7: half the body, then RST. A read error: the feed fails,
// no half document is parsed or stored, the other feeds are stored.
TEST_F(FetchFaults, AResetMidBodyFailsTheFeedAndStoresNothingOfIt) {
  const std::string reset = server_->url("/reset-mid-body");
  auto urls = good_urls();
  urls.push_back(reset);
  harness_.add_feeds(urls);
  const auto r = harness_.feedd({"run", "--once"}, 60s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_good_feeds_stored();
  const auto got = outcome(reset);
  EXPECT_TRUE(got.starts_with("1|0|fetch: read: ")) << got;
  EXPECT_NE(got.find("reset by peer"), std::string::npos) << got;
}

// RELIABILITY S16: a body without length or chunking that never ends is cut
// at fetch.max_body when it comes fast, and at fetch.timeout when it comes
// slowly; the run ends, nothing of either is stored.
TEST_F(FetchFaults, AnEndlessCloseDelimitedBodyStopsAtTheBodyCapOrTheDeadline) {
  const std::string fast = server_->url("/endless");
  const std::string slow = server_->url("/endless?bytes_per_sec=4000");
  auto urls = good_urls();
  urls.insert(urls.end(), {fast, slow});
  harness_.add_feeds(urls);
  harness_.write_config("  timeout: 3s\n  max_body: 1MiB\n");
  const auto started = clock::now();
  const auto r = harness_.feedd({"run", "--once"}, 60s);
  const auto took = clock::now() - started;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(took, 3s) << "the slow one runs to the deadline";
  EXPECT_LT(took, 3s + 15s) << r.err;
  expect_good_feeds_stored();
  EXPECT_EQ(outcome(fast), "1|0|fetch: body: body exceeds 1048576 bytes");
  EXPECT_EQ(outcome(slow), "1|0|fetch: read: timed out after 3s");
}

}  // namespace
}  // namespace feedd::test
