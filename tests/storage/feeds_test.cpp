#include <regex>

#include "storage_fixture.hpp"

namespace feedd::test {
namespace {

using kind = storage::db_error::kind;

TEST(StorageFeeds, AddsAndListsFeeds) {
  test_database t{"add list"};
  auto db = open_migrated(t);
  auto first = storage::add_feed(db, "https://example.com/a.xml", std::nullopt);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  ASSERT_FALSE(first->already_exists);
  auto second = storage::add_feed(db, "https://example.com/b.xml", 2h, "B");
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_GT(second->row.id, first->row.id);
  EXPECT_EQ(second->row.url, "https://example.com/b.xml");

  auto rows = storage::list_feeds(db);
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  const auto& a = (*rows)[0];
  const auto& b = (*rows)[1];
  EXPECT_EQ(a.id, first->row.id);
  EXPECT_EQ(a.url, "https://example.com/a.xml");
  EXPECT_EQ(a.title, "");
  EXPECT_FALSE(a.interval.has_value());
  EXPECT_FALSE(a.last_checked_at.has_value());
  EXPECT_FALSE(a.last_status.has_value());
  EXPECT_EQ(a.error_count, 0);
  EXPECT_FALSE(a.disabled);
  ASSERT_TRUE(a.next_check_at.has_value());
  EXPECT_TRUE(std::regex_match(*a.next_check_at, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"))) << *a.next_check_at;
  EXPECT_EQ(b.title, "B");
  EXPECT_EQ(b.interval, std::chrono::seconds(2h));
  EXPECT_EQ(t.scalar("SELECT \"interval\" FROM feeds WHERE url = 'https://example.com/b.xml'"), "02:00:00");
}

TEST(StorageFeeds, AddingAnExistingUrlSaysSoAndChangesNothing) {
  test_database t{"add existing"};
  auto db = open_migrated(t);
  ASSERT_TRUE(storage::add_feed(db, "https://example.com/a.xml", std::nullopt).has_value());
  auto again = storage::add_feed(db, "https://example.com/a.xml", 1h, "Other title");
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_TRUE(again->already_exists);
  EXPECT_EQ(t.scalar("SELECT concat_ws('|', count(*), max(coalesce(title, '-')), max(coalesce(\"interval\"::text, '-'))) FROM feeds"),
            "1|-|-");
}

// What `feeds import` counts as refused rather than already present: a URL
// longer than the unique index on feeds.url can hold (54000), in characters
// that do not compress, is the database's refusal of this one feed.
TEST(StorageFeeds, ARefusedUrlIsAContentErrorNotAnExistingFeed) {
  test_database t{"add refused"};
  auto db = open_migrated(t);
  std::string url = "https://example.com/";
  std::uint32_t state = 12345;
  for (int i = 0; i < 9000; ++i) {
    state = state * 1103515245u + 12345u;
    url += "abcdefghijklmnopqrstuvwxyz0123456789"[(state >> 16) % 36];
  }
  auto refused = storage::add_feed(db, url, std::nullopt);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().what, kind::content) << refused.error().message;
  EXPECT_EQ(refused.error().sqlstate.substr(0, 2), "54") << refused.error().message;
  EXPECT_TRUE(db.healthy());
  EXPECT_EQ(t.scalar("SELECT count(*) FROM feeds"), "0");
}

TEST(StorageFeeds, RemovesByIdOrUrlWithTheirEntries) {
  test_database t{"remove"};
  auto db = open_migrated(t);
  const auto a = add(db, "https://example.com/a.xml");
  add(db, "https://example.com/b.xml");
  add(db, "https://example.com/123");
  auto c = claim_feed(db, a);
  ASSERT_TRUE(storage::finish_fetched(db, c, make_feed(2), ok_meta(), 1h).has_value());
  ASSERT_EQ(t.scalar("SELECT count(*) FROM enclosures"), "2");

  auto by_id = storage::remove_feed(db, std::to_string(a));
  ASSERT_TRUE(by_id.has_value()) << by_id.error().message;
  EXPECT_TRUE(*by_id);
  EXPECT_EQ(t.scalar("SELECT count(*) FROM entries"), "0");
  EXPECT_EQ(t.scalar("SELECT count(*) FROM enclosures"), "0");

  auto by_url = storage::remove_feed(db, "https://example.com/b.xml");
  ASSERT_TRUE(by_url.has_value());
  EXPECT_TRUE(*by_url);
  auto missing = storage::remove_feed(db, "https://example.com/b.xml");
  ASSERT_TRUE(missing.has_value());
  EXPECT_FALSE(*missing);
  auto huge = storage::remove_feed(db, "99999999999999999999999");
  ASSERT_TRUE(huge.has_value());
  EXPECT_FALSE(*huge);
  EXPECT_EQ(t.scalar("SELECT count(*) FROM feeds"), "1");
}

}  // namespace
}  // namespace feedd::test

namespace feedd::test {
namespace {

// feeds import: a new feed may be made due later than now.
TEST(StorageFeeds, ANewFeedIsDueWhenAsked) {
  test_database t{"add due later"};
  auto db = open_migrated(t);
  ASSERT_TRUE(storage::add_feed(db, "https://example.com/now.xml", std::nullopt).has_value());
  ASSERT_TRUE(storage::add_feed(db, "https://example.com/later.xml", std::nullopt, "", 90s).has_value());
  EXPECT_EQ(t.scalar("SELECT string_agg((next_check_at - now() > interval '80 seconds')::text, ',' ORDER BY id)"
                     " FROM feeds WHERE next_check_at <= now() + interval '90 seconds'"),
            "false,true");
}

// Start-up: the due feeds, most overdue first, move into the next
// min(most, n × per_feed), each into its own n-th of it; leased, disabled
// and not yet due feeds stay as they were.
TEST(StorageFeeds, SpreadOverdueMovesOnlyDueUnleasedFeedsIntoTheWindowInOrder) {
  test_database t{"spread overdue"};
  auto db = open_migrated(t);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(storage::add_feed(db, "https://h" + std::to_string(i % 3) + ".example/" + std::to_string(i), std::nullopt)
                    .has_value());
  }
  // Feed i is overdue by 10 - i hours: feed 1 is the most overdue.
  t.exec("UPDATE feeds SET next_check_at = now() - (11 - id) * interval '1 hour'");
  t.exec("UPDATE feeds SET lease_until = now() + interval '1 minute', lease_token = 1 WHERE id = 9");
  t.exec("UPDATE feeds SET disabled = true WHERE id = 10");
  t.exec("UPDATE feeds SET next_check_at = now() + interval '1 day' WHERE id = 8");
  auto spread = storage::spread_overdue(db, std::chrono::minutes(60), 1min);
  ASSERT_TRUE(spread.has_value()) << spread.error().message;
  EXPECT_EQ(spread->feeds, 7);
  EXPECT_EQ(spread->window, 7min) << "7 feeds × 1 min, below the 60 min bound";
  // Each in its own minute, in the order they were due: the first in
  // [0, 1) min, the last in [6, 7) min.
  EXPECT_EQ(t.scalar("SELECT string_agg(id::text, ',' ORDER BY next_check_at) FROM feeds WHERE id <= 7"),
            "1,2,3,4,5,6,7");
  const auto span = std::stod(t.scalar("SELECT extract(epoch FROM max(next_check_at) - min(next_check_at))"
                                       " FROM feeds WHERE id <= 7"));
  EXPECT_GT(span, 300);
  EXPECT_LT(span, 420);
  EXPECT_EQ(t.scalar("SELECT count(*) FROM feeds WHERE id <= 7 AND next_check_at > now() - interval '1 minute'"
                     " AND next_check_at < now() + interval '7 minutes'"),
            "7");
  EXPECT_EQ(t.scalar("SELECT string_agg((next_check_at < now())::text, ',' ORDER BY id) FROM feeds WHERE id >= 8"),
            "false,true,true");

  auto again = storage::spread_overdue(db, std::chrono::minutes(60), 1min);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->feeds, 0) << "nothing is due any more";
  t.exec("UPDATE feeds SET next_check_at = now() - interval '1 hour' WHERE id <= 7");
  auto bounded = storage::spread_overdue(db, 200ms, 100ms);
  ASSERT_TRUE(bounded.has_value());
  EXPECT_EQ(bounded->window, 200ms) << "the bound wins over 7 × 100 ms";
  EXPECT_EQ(t.scalar("SELECT count(*) FROM feeds WHERE id <= 7 AND next_check_at <= now() + interval '200 ms'"), "7");
  EXPECT_EQ(t.scalar("SELECT count(*) FROM feeds WHERE id <= 7 AND next_check_at > now() - interval '1 minute'"), "7");
}

}  // namespace
}  // namespace feedd::test
