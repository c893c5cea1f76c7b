#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "feedd/storage/hosts.hpp"
#include "session.hpp"
#include "storage_fixture.hpp"

namespace feedd::test {
namespace {

storage::claim_request request(int limit, int per_host) { return {limit, per_host, 300s, "test"}; }

std::vector<storage::claim> claim(storage::database& db, int limit, int per_host,
                                  const std::map<std::string, int>& outstanding = {}) {
  auto claims = storage::claim_due(db, request(limit, per_host), outstanding);
  if (!claims) throw std::runtime_error(claims.error().message);
  return std::move(*claims);
}

std::map<std::string, int> per_host(const std::vector<storage::claim>& claims) {
  std::map<std::string, int> out;
  for (const auto& c : claims) ++out[c.host];
  return out;
}

// `n` feeds on https://<host>/<i>, due `age` ago (older first by index).
void add_feeds(const test_database& t, const std::string& host, int n, const std::string& age = "1 hour") {
  t.exec("INSERT INTO feeds (url, next_check_at) SELECT 'https://" + host + "/' || i, now() - interval '" + age +
         "' - i * interval '1 second' FROM generate_series(1, " + std::to_string(n) + ") AS i");
}

TEST(StorageHostClaims, TakesAtMostTheCapFromEachHostLessWhatTheInstanceHolds) {
  test_database t{"host cap"};
  auto db = open_migrated(t);
  add_feeds(t, "a.example", 5);
  add_feeds(t, "b.example", 5);
  add_feeds(t, "c.example", 5);
  t.exec("INSERT INTO feeds (url) VALUES ('file:///etc/passwd'), ('exec:true'), ('feeds/relative.xml')");

  auto claims = claim(db, 100, 2, {{"a.example:443", 1}, {"b.example:443", 2}, {"elsewhere:80", 7}});
  // Feeds that cannot be fetched have no host to spare and are not capped.
  EXPECT_EQ(per_host(claims),
            (std::map<std::string, int>{{"", 3}, {"a.example:443", 1}, {"c.example:443", 2}}));
  for (const auto& c : claims) {
    EXPECT_EQ(t.scalar("SELECT host FROM feeds WHERE id = " + std::to_string(c.feed_id)), c.host);
  }
  // The oldest of a host's feeds go first.
  for (const auto& c : claims) {
    if (c.host == "c.example:443") {
      EXPECT_TRUE(c.url == "https://c.example/5" || c.url == "https://c.example/4") << c.url;
    }
  }
  EXPECT_EQ(t.scalar("SELECT count(*) FROM feeds WHERE lease_until > now()"), "6");
}

TEST(StorageHostClaims, ReturnsTheBatchOldestFirstAndHonoursTheLimit) {
  test_database t{"host claim order"};
  auto db = open_migrated(t);
  add_feeds(t, "a.example", 3, "1 hour");
  add_feeds(t, "b.example", 3, "3 hours");
  add_feeds(t, "c.example", 3, "2 hours");
  auto claims = claim(db, 5, 2);
  ASSERT_EQ(claims.size(), 5u);
  std::vector<std::string> urls;
  for (const auto& c : claims) urls.push_back(c.url);
  // b's hosts became due first, then c's, then a's; each host's oldest first.
  EXPECT_EQ(urls, (std::vector<std::string>{"https://b.example/3", "https://b.example/2", "https://c.example/3",
                                            "https://c.example/2", "https://a.example/3"}));
}

// The lopsided list of the issue: one host with as many due feeds as a
// hundred small hosts together, and older.
TEST(StorageHostClaims, OneBigHostDoesNotCrowdOutTheSmallOnes) {
  test_database t{"host fairness"};
  auto db = open_migrated(t);
  add_feeds(t, "big.example", 2000, "2 hours");
  t.exec("INSERT INTO feeds (url, next_check_at) SELECT 'https://small' || (i % 100) || '.example/' || i, "
         "now() - interval '1 hour' FROM generate_series(1, 2000) AS i");
  auto claims = claim(db, 100, 4);
  ASSERT_EQ(claims.size(), 100u);
  const auto hosts = per_host(claims);
  EXPECT_EQ(hosts.at("big.example:443"), 4);
  EXPECT_EQ(hosts.size(), 25u) << "the big host and 24 small ones, 4 each";
  for (const auto& [host, n] : hosts) EXPECT_LE(n, 4) << host;
}

// No deferral churn: rows a claim does not keep are not rewritten.
TEST(StorageHostClaims, NeverWritesAFeedItDoesNotClaim) {
  test_database t{"host claim no churn"};
  auto db = open_migrated(t);
  add_feeds(t, "big.example", 50);
  add_feeds(t, "small.example", 3);
  const std::string before = t.scalar("SELECT string_agg(id || ':' || xmin, ',' ORDER BY id) FROM feeds");
  auto claims = claim(db, 100, 2);
  ASSERT_EQ(claims.size(), 4u);
  std::set<std::int64_t> claimed;
  for (const auto& c : claims) claimed.insert(c.feed_id);
  const std::string unclaimed_filter = "WHERE lease_until IS NULL";
  EXPECT_EQ(t.scalar("SELECT count(*) FROM feeds " + unclaimed_filter), "49");
  // Every unclaimed row keeps the version it had.
  std::string expected;
  for (std::string_view rest = before; !rest.empty();) {
    const auto comma = rest.find(',');
    const std::string item(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (claimed.contains(std::stoll(item.substr(0, item.find(':'))))) continue;
    expected += (expected.empty() ? "" : ",") + item;
  }
  EXPECT_EQ(t.scalar("SELECT string_agg(id || ':' || xmin, ',' ORDER BY id) FROM feeds " + unclaimed_filter), expected);
}

TEST(StorageHostClaims, APausedHostIsPassedOverAndOthersAreClaimed) {
  test_database t{"host pause"};
  auto db = open_migrated(t);
  add_feeds(t, "busy.example", 3);
  add_feeds(t, "calm.example", 3);
  ASSERT_TRUE(storage::pause_host(db, "busy.example:443", 1h).has_value());
  // A shorter pause later (another feed's Retry-After) does not shorten it.
  ASSERT_TRUE(storage::pause_host(db, "busy.example:443", 10s).has_value());
  EXPECT_EQ(t.scalar("SELECT extract(epoch FROM paused_until - now())::int BETWEEN 3590 AND 3600 FROM feed_hosts "
                     "WHERE host = 'busy.example:443'"),
            "t");

  auto claims = claim(db, 100, 5);
  EXPECT_EQ(per_host(claims), (std::map<std::string, int>{{"calm.example:443", 3}}));
  // Nothing can be claimed before the pause ends.
  auto wait = storage::next_due_in(db);
  ASSERT_TRUE(wait.has_value()) << wait.error().message;
  ASSERT_TRUE(wait->has_value());
  EXPECT_GE(**wait, 290s) << "the calm host's leases run 300 s";
  t.exec("UPDATE feeds SET lease_until = NULL, next_check_at = now() + interval '2 hours' WHERE host = 'calm.example:443'");
  wait = storage::next_due_in(db);
  EXPECT_GE(**wait, 3590s);
  EXPECT_LE(**wait, 3600s);

  t.exec("UPDATE feed_hosts SET paused_until = now() - interval '1 second'");
  claims = claim(db, 100, 5);
  EXPECT_EQ(per_host(claims), (std::map<std::string, int>{{"busy.example:443", 3}}));
  // A host first seen in a pause still gets its row.
  EXPECT_TRUE(storage::pause_host(db, "new.example:443", 1min).has_value());
  EXPECT_EQ(t.scalar("SELECT count(*) FROM feed_hosts WHERE host = 'new.example:443' AND paused_until > now()"), "1");
}

TEST(StorageHostClaims, ExtendLeasesRenewsOnlyClaimsStillHeld) {
  test_database t{"extend leases"};
  auto db = open_migrated(t);
  add_feeds(t, "a.example", 3);
  auto claims = claim(db, 10, 10);
  ASSERT_EQ(claims.size(), 3u);
  ASSERT_TRUE(storage::finish_not_modified(db, claims[0], {304, "", "", "", ""}, 1h).has_value());
  auto stale = claims[1];
  stale.lease_token += 1000;  // taken over meanwhile
  t.exec("UPDATE feeds SET lease_until = now() - interval '1 second' WHERE id = " + std::to_string(claims[2].feed_id));

  auto held = storage::extend_leases(db, {claims[0], stale, claims[2]}, 900s);
  ASSERT_TRUE(held.has_value()) << held.error().message;
  // An expired lease nobody took over is still ours.
  EXPECT_EQ(*held, std::vector<std::int64_t>{claims[2].feed_id});
  EXPECT_EQ(t.scalar("SELECT extract(epoch FROM lease_until - now())::int BETWEEN 890 AND 900 FROM feeds WHERE id = " +
                     std::to_string(claims[2].feed_id)),
            "t");
  EXPECT_EQ(t.scalar("SELECT extract(epoch FROM lease_until - now())::int <= 300 FROM feeds WHERE id = " +
                     std::to_string(claims[1].feed_id)),
            "t");
  EXPECT_EQ(t.scalar("SELECT lease_until IS NULL FROM feeds WHERE id = " + std::to_string(claims[0].feed_id)), "t");
  EXPECT_TRUE(storage::extend_leases(db, {}, 900s)->empty());
}

TEST(StorageHostClaims, ReleasingManyGivesBackOnlyWhatIsHeld) {
  test_database t{"release many"};
  auto db = open_migrated(t);
  add_feeds(t, "a.example", 3);
  auto claims = claim(db, 10, 10);
  ASSERT_EQ(claims.size(), 3u);
  auto stale = claims[2];
  stale.lease_token += 1000;
  ASSERT_TRUE(storage::release(db, std::vector<storage::claim>{claims[0], claims[1], stale}).has_value());
  EXPECT_EQ(t.scalar("SELECT count(*) FROM feeds WHERE lease_until IS NULL"), "2");
  EXPECT_EQ(claim(db, 10, 10).size(), 2u) << "released feeds are due at once";
  EXPECT_TRUE(storage::release(db, std::vector<storage::claim>{}).has_value());
}

// feed_hosts.next_due_at lets a claim skip hosts with nothing due: a claim
// that finds a host with no due feed raises its bound, and whatever makes a
// feed due sooner lowers it again at once.
TEST(StorageHostClaims, AHostWithNothingDueIsPassedByUntilAFeedIsDueAgain) {
  test_database t{"host bounds"};
  auto db = open_migrated(t);
  const auto first = add(db, "https://a.example/1");
  const auto due_now = [&] { return t.scalar("SELECT next_due_at <= now() FROM feed_hosts WHERE host = 'a.example:443'"); };
  auto c = claim(db, 10, 10);
  ASSERT_EQ(c.size(), 1u);
  ASSERT_TRUE(storage::finish_not_modified(db, c[0], {304, "", "", "", ""}, 2h).has_value());
  EXPECT_TRUE(claim(db, 10, 10).empty());
  EXPECT_EQ(t.scalar("SELECT next_due_at = (SELECT next_check_at FROM feeds) FROM feed_hosts"), "t")
      << "raised to the host's next feed";

  // A new feed, one enabled again, one whose check is moved earlier: each
  // is claimable at once.
  const auto second = add(db, "https://a.example/2");
  EXPECT_EQ(due_now(), "t") << "lowered by the insert";
  c = claim(db, 10, 10);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].feed_id, second);
  ASSERT_TRUE(storage::finish_failed(db, c[0], 410, "gone", 2h, true).has_value());
  t.exec("UPDATE feeds SET disabled = true WHERE id = " + std::to_string(second));
  EXPECT_TRUE(claim(db, 10, 10).empty());
  ASSERT_TRUE(storage::enable_feed(db, std::to_string(second)).has_value());
  c = claim(db, 10, 10);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].feed_id, second);
  ASSERT_TRUE(storage::finish_not_modified(db, c[0], {304, "", "", "", ""}, 2h).has_value());
  EXPECT_TRUE(claim(db, 10, 10).empty());
  t.exec("UPDATE feeds SET next_check_at = now() WHERE id = " + std::to_string(first));
  c = claim(db, 10, 10);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].feed_id, first);

  // A host whose feeds are all gone is never looked at again.
  t.exec("DELETE FROM feeds");
  EXPECT_TRUE(claim(db, 10, 10).empty());
  EXPECT_EQ(t.scalar("SELECT next_due_at FROM feed_hosts"), "infinity");
}

// A feed made due while a claim looks at its host: the claim must not raise
// the host's bound past it (it would wait until the host's next feed).
TEST(StorageHostClaims, ARaiseNeverHidesAFeedAddedMeanwhile) {
  test_database t{"raise race"};
  auto db = open_migrated(t);
  add(db, "https://a.example/1");
  auto c = claim(db, 10, 10);
  ASSERT_TRUE(storage::finish_not_modified(db, c.at(0), {304, "", "", "", ""}, 1h).has_value());
  // The host has nothing due, but its bound has not been raised yet.
  EXPECT_EQ(t.scalar("SELECT next_due_at < now() FROM feed_hosts"), "t");

  // Another writer adds a feed on the host and has not committed yet.
  auto writer = open_database(t);
  auto tx = storage::transaction::begin(writer.internals(), "test");
  ASSERT_TRUE(tx.has_value());
  ASSERT_TRUE(storage::add_feed(writer, "https://a.example/2", std::nullopt).has_value());
  EXPECT_TRUE(claim(db, 10, 10).empty());
  ASSERT_TRUE(tx->commit("test").has_value());

  c = claim(db, 10, 10);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].url, "https://a.example/2");
}

// RELIABILITY C1 with host-aware claims: instances claiming side by side
// never share a feed, and each takes its own cap of a host.
TEST(StorageHostClaims, ConcurrentClaimersNeverGetTheSameFeed) {
  test_database t{"concurrent host claims"};
  {
    auto db = open_migrated(t);
  }
  t.exec("INSERT INTO feeds (url) SELECT 'https://h' || (n % 10) || '.example/' || n FROM generate_series(1, 200) AS n");
  constexpr int claimers = 2;
  std::vector<std::vector<std::int64_t>> claimed(claimers);
  std::vector<std::string> errors(claimers);
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < claimers; ++i) {
      threads.emplace_back([&, i] {
        const auto slot = static_cast<std::size_t>(i);
        auto db = storage::database::open({t.conninfo(), "", "feedd-test"});
        if (!db) {
          errors[slot] = db.error().message;
          return;
        }
        // Bounded: 200 feeds in batches of at least one take at most 200 rounds.
        for (int round = 0; round < 300; ++round) {
          auto claims = storage::claim_due(*db, {7, 3, 300s, "claimer-" + std::to_string(i)});
          if (!claims) {
            errors[slot] = claims.error().message;
            return;
          }
          if (claims->empty()) return;
          for (const auto& c : *claims) claimed[slot].push_back(c.feed_id);
        }
      });
    }
  }
  for (const auto& e : errors) EXPECT_EQ(e, "");
  std::vector<std::int64_t> all;
  for (const auto& c : claimed) all.insert(all.end(), c.begin(), c.end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end()) << "a feed was claimed twice";
  EXPECT_EQ(all.size(), 200u);
}

// What `feedd run --once` relies on: a caller that claims with what it
// holds, and finishes what it claimed before it stops, fetches every due
// feed exactly once, however lopsided the hosts.
TEST(StorageHostClaims, EveryDueFeedIsClaimedOnceByACallerThatFinishesWhatItHolds) {
  test_database t{"once"};
  auto db = open_migrated(t);
  add_feeds(t, "big.example", 30);
  add_feeds(t, "small.example", 2);
  std::map<std::string, int> outstanding;
  std::vector<storage::claim> held;
  std::multiset<std::int64_t> fetched;
  for (int round = 0; round < 100; ++round) {
    auto claims = claim(db, 4, 2, outstanding);
    for (auto& c : claims) {
      ++outstanding[c.host];
      held.push_back(std::move(c));
    }
    // A short batch while nothing is held: nothing is left to claim.
    if (claims.empty() && held.empty()) break;
    // One fetch ends, freeing room on its host.
    ASSERT_FALSE(held.empty());
    auto done = held.front();
    held.erase(held.begin());
    --outstanding[done.host];
    fetched.insert(done.feed_id);
    ASSERT_TRUE(storage::finish_not_modified(db, done, {304, "", "", "", ""}, 1h).has_value());
  }
  EXPECT_EQ(fetched.size(), 32u);
  EXPECT_EQ(std::set<std::int64_t>(fetched.begin(), fetched.end()).size(), 32u) << "a feed was fetched twice";
}

}  // namespace
}  // namespace feedd::test
