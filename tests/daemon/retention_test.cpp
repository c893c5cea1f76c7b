// Retention end to end: `feedd purge [--dry-run]` and the daemon's own
// passes, with the real binary, PostgreSQL and fakefeed.py.
#include <csignal>
#include <thread>

#include <gtest/gtest.h>

#include "daemon_harness.hpp"
#include "feed_fixtures.hpp"
#include "support/fake_server.hpp"

namespace feedd::test {
namespace {

using namespace std::chrono_literals;

long long number(test_database& db, const std::string& sql) { return std::stoll(db.scalar(sql)); }

class Retention : public ::testing::Test {
 protected:
  Retention() : harness_(::testing::UnitTest::GetInstance()->current_test_info()->name()) {}

  // `feeds` fixtures served, subscribed and stored once.
  void store_fixtures(int feeds) {
    fixtures_ = write_feed_fixtures(root_.path(), feeds);
    server_ = serve_directory(root_.path());
    std::vector<std::string> urls;
    for (const auto& f : fixtures_) urls.push_back(server_->url("/feeds/" + f.file));
    harness_.write_config();
    harness_.add_feeds(urls);
    auto once = harness_.feedd({"run", "--once"}, 120s);
    ASSERT_EQ(once.exit_code, 0) << once.err;
  }

  daemon_harness harness_;
  temp_dir root_;
  std::vector<generated_feed> fixtures_;
  std::unique_ptr<fake_server> server_;
};

TEST_F(Retention, DryRunCountsPerFeedAndDeletesNothingThenPurgeKeepsTheNewestAndRefetchStoresNoneAgain) {
  store_fixtures(6);
  auto& db = harness_.db();
  const auto stored = number(db, "SELECT count(*) FROM entries");
  const auto feeds_over = number(db, "SELECT count(*) FROM (SELECT feed_id FROM entries GROUP BY feed_id HAVING count(*) > 2) x");
  const auto surplus = number(db, "SELECT coalesce(sum(n - 2), 0) FROM (SELECT count(*) AS n FROM entries GROUP BY feed_id) x WHERE n > 2");
  ASSERT_GT(surplus, 0);
  harness_.write_config("", "retention:\n  max_entries_per_feed: 2\n");

  auto dry = harness_.feedd({"purge", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(dry.out, db.scalar("SELECT string_agg(line, E'\\n' ORDER BY id) FROM (SELECT f.id, f.id || E'\\t' || f.url"
                               " || E'\\t' || (count(*) - 2) AS line FROM entries e JOIN feeds f ON f.id = e.feed_id"
                               " GROUP BY f.id HAVING count(*) > 2) x") +
                        "\nwould purge " + std::to_string(surplus) + " entries of " + std::to_string(feeds_over) +
                        " feeds (retention.max_entries_per_feed: 2)\n");
  EXPECT_EQ(number(db, "SELECT count(*) FROM entries"), stored);
  EXPECT_EQ(number(db, "SELECT count(*) FROM entry_tombstones"), 0);

  auto purge = harness_.feedd({"purge"});
  ASSERT_EQ(purge.exit_code, 0) << purge.err;
  EXPECT_EQ(purge.out, "purged " + std::to_string(surplus) + " entries of " + std::to_string(feeds_over) +
                           " feeds (retention.max_entries_per_feed: 2); dropped 0 tombstones\n");
  EXPECT_EQ(number(db, "SELECT count(*) FROM entries"), stored - surplus);
  EXPECT_EQ(number(db, "SELECT count(*) FROM entry_tombstones"), surplus);
  EXPECT_EQ(number(db, "SELECT count(*) FROM enclosures n WHERE NOT EXISTS (SELECT FROM entries e WHERE e.id = n.entry_id)"), 0);

  // Every feed fetched in full again (no conditional request): the purged
  // entries are still in the documents, and none is stored again.
  db.exec("UPDATE feeds SET next_check_at = now(), etag = NULL, last_modified = NULL");
  auto again = harness_.feedd({"run", "--once"}, 120s);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("event=stopped fetched=6 "), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("entries_new=0 "), std::string::npos) << again.err;
  EXPECT_EQ(number(db, "SELECT count(*) FROM entries"), stored - surplus);
}

// A feed of 100,000 entries purged down to 100 by the daemon's pass at
// start; meanwhile 40 other feeds, due again once the purge is under way,
// are all fetched and stored before it ends, and /metrics counts what the
// pass deleted.
TEST_F(Retention, TheDaemonKeepsStoringWhileItsPurgeRuns) {
  fixtures_ = write_feed_fixtures(root_.path(), 40);
  server_ = serve_directory(root_.path());
  std::vector<std::string> urls;
  for (const auto& f : fixtures_) urls.push_back(server_->url("/feeds/" + f.file));
  harness_.write_config();
  harness_.add_feeds(urls);
  auto& db = harness_.db();
  db.exec("INSERT INTO feeds (url, disabled) VALUES ('https://big.example/feed', true)");
  db.exec("INSERT INTO entries (feed_id, guid, fingerprint, title, published_at) SELECT f.id, 'bulk' || g, 'x',"
          " repeat('t', 200), now() - g * interval '1 second' FROM feeds f, generate_series(1, 100000) g"
          " WHERE f.url = 'https://big.example/feed'");
  db.exec("ANALYZE entries");
  const int port = free_port();
  harness_.write_config("", "retention:\n  max_entries_per_feed: 100\nmetrics:\n  listen: \"127.0.0.1:" +
                                std::to_string(port) + "\"\n");
  const auto log = harness_.dir() / "feedd.log";
  auto daemon = harness_.start({"run"}, log);

  const std::string big =
      "(SELECT count(*) FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE f.url = 'https://big.example/feed')";
  const auto all_stored_since = [&](const std::string& since) {
    return number(db, "SELECT count(*) FROM feeds WHERE last_status = 200 AND last_checked_at > '" + since + "'") == 40;
  };
  const auto first_round = std::chrono::steady_clock::now();
  for (int i = 0; i < 600 && !all_stored_since("-infinity"); ++i) std::this_thread::sleep_for(50ms);
  const auto first_took = std::chrono::steady_clock::now() - first_round;
  // Once the purge is under way, every feed is due again (fetched in full).
  for (int i = 0; i < 600 && number(db, "SELECT " + big) > 95'000; ++i) std::this_thread::sleep_for(50ms);
  const std::string mark = db.scalar("SELECT now()");
  db.exec("UPDATE feeds SET next_check_at = now(), etag = NULL, last_modified = NULL WHERE NOT disabled");
  const auto second_round = std::chrono::steady_clock::now();
  for (int i = 0; i < 600 && !all_stored_since(mark); ++i) std::this_thread::sleep_for(50ms);
  const auto second_took = std::chrono::steady_clock::now() - second_round;
  const auto left = number(db, "SELECT " + big);
  const auto ms = [](auto d) { return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()); };
  std::printf("[ retention ] 40 feeds stored in %lld ms at start, %lld ms again during the purge (%lld entries left)\n",
              ms(first_took), ms(second_took), left);
  EXPECT_TRUE(all_stored_since(mark));
  EXPECT_GT(left, 100) << "the purge ended before the second round of stores did: nothing shown";
  for (int i = 0; i < 1200 && read_file(log).find("event=purge ") == std::string::npos; ++i) std::this_thread::sleep_for(100ms);
  const auto text = read_file(log);
  EXPECT_NE(text.find("level=info event=purge entries=99900 feeds=1 "), std::string::npos) << text;
  EXPECT_EQ(number(db, "SELECT " + big), 100);
  EXPECT_NE(http_get(port, "/metrics").find("\nfeedd_entries_purged_total 99900\n"), std::string::npos);
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_for(30s), std::optional<int>(0));
}

}  // namespace
}  // namespace feedd::test
