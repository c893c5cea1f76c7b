// Scheduling data a finish reads and writes: the publisher's skip hints
// and, for schedule.adaptive, the feed's arrivals (storage/arrivals.cpp).
#include <chrono>
#include <iostream>

#include "storage_fixture.hpp"

namespace feedd::test {
namespace {

std::string id_text(std::int64_t id) { return std::to_string(id); }

// Claims feed `id` after making it due.
storage::claim due_claim(storage::database& db, const test_database& t, std::int64_t id) {
  t.exec("UPDATE feeds SET next_check_at = now() WHERE id = " + id_text(id));
  auto c = claim_feed(db, id);
  EXPECT_EQ(c.feed_id, id);
  return c;
}

// Seconds from the database's now() to the feed's next check.
int next_in(const test_database& t, std::int64_t id) {
  return std::stoi(t.scalar("SELECT round(extract(epoch FROM next_check_at - now())) FROM feeds WHERE id = " +
                            id_text(id)));
}

TEST(StorageArrivals, SkipHintsOfA200AreStoredAndEveryLaterClaimCarriesThem) {
  test_database t{"skip hints"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  auto parsed = make_feed(1);
  parsed.skip = {(1u << 0) | (1u << 23), 1u << 6};
  auto stored = storage::finish_fetched(db, due_claim(db, t, id), parsed, ok_meta(), 1h);
  ASSERT_TRUE(stored.has_value()) << stored.error().message;
  EXPECT_EQ(t.scalar("SELECT concat_ws('|', skip_hours, skip_days) FROM feeds"), "8388609|64");
  // A 304 keeps them (there is no document to say otherwise) ...
  auto c = due_claim(db, t, id);
  EXPECT_EQ(c.skip, parsed.skip);
  ASSERT_TRUE(storage::finish_not_modified(db, c, storage::http_meta{304, "", "", "", ""}, 1h).has_value());
  EXPECT_EQ(due_claim(db, t, id).skip, parsed.skip);
  // ... and a 200 without them drops them.
  t.exec("UPDATE feeds SET lease_until = NULL WHERE id = " + id_text(id));
  ASSERT_TRUE(storage::finish_fetched(db, due_claim(db, t, id), make_feed(1), ok_meta(), 1h).has_value());
  EXPECT_EQ(t.scalar("SELECT concat_ws('|', skip_hours, skip_days) FROM feeds"), "0|0");
}

// Three earlier fetches brought entries 6, 4 and 2 hours ago (two at the
// first); this fetch brings one more. adapt is told of all four arrivals,
// newest (this one, at the server's now()) first, and its answer becomes
// next_check_at, in the same transaction.
TEST(StorageArrivals, AdaptiveFinishSeesThisFetchsNewEntriesAsTheNewestArrival) {
  test_database t{"adaptive 200"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  ASSERT_TRUE(storage::finish_fetched(db, due_claim(db, t, id), make_feed(4), ok_meta(), 1h).has_value());
  t.exec("UPDATE entries SET first_seen_at = date_trunc('second', now()) - CASE guid WHEN 'g0' THEN interval '6h' "
         "WHEN 'g1' THEN interval '6h' WHEN 'g2' THEN interval '4h' ELSE interval '2h' END");

  std::optional<storage::arrivals> seen;
  storage::next_check next{1h, [&](const storage::arrivals& a) {
                             seen = a;
                             return std::chrono::seconds(1234);
                           }};
  auto stored = storage::finish_fetched(db, due_claim(db, t, id), make_feed(5), ok_meta(), next);
  ASSERT_TRUE(stored.has_value()) << stored.error().message;
  EXPECT_EQ(stored->inserted, 1);
  ASSERT_TRUE(seen.has_value());
  ASSERT_EQ(seen->times.size(), 4u);
  EXPECT_EQ(seen->times[0], seen->now);
  // The UPDATE above ran a moment before the finish's now().
  const auto hours_before = [&](std::size_t i) { return (seen->now - seen->times[i]).count() / 3600.0; };
  EXPECT_NEAR(hours_before(1), 2, 0.01);
  EXPECT_NEAR(hours_before(2), 4, 0.01);
  EXPECT_NEAR(hours_before(3), 6, 0.01);
  EXPECT_NEAR(next_in(t, id), 1234, 2);
  EXPECT_EQ(t.scalar("SELECT count(*) FROM entries WHERE first_seen_at = (SELECT last_checked_at FROM feeds)"), "1");

  // A fetch with nothing new adds no arrival.
  const auto previous = seen->now;
  seen.reset();
  ASSERT_TRUE(storage::finish_fetched(db, due_claim(db, t, id), make_feed(5), ok_meta(), next).has_value());
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->times.size(), 4u);
  EXPECT_EQ(seen->times[0], previous);
}

TEST(StorageArrivals, AdaptiveNotModifiedReadsTheArrivalsAndSetsTheNextCheck) {
  test_database t{"adaptive 304"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  ASSERT_TRUE(storage::finish_fetched(db, due_claim(db, t, id), make_feed(2), ok_meta(), 1h).has_value());
  t.exec("UPDATE entries SET first_seen_at = now() - CASE guid WHEN 'g0' THEN interval '3h' ELSE interval '1h' END");
  std::size_t arrivals = 0;
  storage::next_check next{1h, [&](const storage::arrivals& a) {
                             arrivals = a.times.size();
                             return std::chrono::seconds(4321);
                           }};
  auto done = storage::finish_not_modified(db, due_claim(db, t, id), storage::http_meta{304, "", "", "", ""}, next);
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(arrivals, 2u);
  EXPECT_NEAR(next_in(t, id), 4321, 2);
}

TEST(StorageArrivals, AdaptiveFinishWithALostLeaseWritesNothing) {
  test_database t{"adaptive lost"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  auto c = due_claim(db, t, id);
  t.exec("UPDATE feeds SET lease_token = lease_token + 1000");
  bool asked = false;
  storage::next_check next{1h, [&](const storage::arrivals&) {
                             asked = true;
                             return std::chrono::seconds(60);
                           }};
  auto stored = storage::finish_fetched(db, c, make_feed(3), ok_meta(), next);
  ASSERT_TRUE(stored.has_value()) << stored.error().message;
  EXPECT_TRUE(stored->lease_lost);
  EXPECT_FALSE(asked);
  EXPECT_EQ(t.scalar("SELECT count(*) FROM entries"), "0");
}

// The read costs a few index probes whatever the feed's size: a feed of
// 1,000 entries, 990 of them from one fetch, 10 later fetches of one each.
TEST(StorageArrivals, ReadingArrivalsProbesTheIndexAFewTimesForAThousandEntries) {
  test_database t{"arrivals cost"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  ASSERT_TRUE(storage::finish_fetched(db, due_claim(db, t, id), make_feed(1000), ok_meta(), 1h).has_value());
  t.exec("UPDATE entries SET first_seen_at = now() - interval '30 days' WHERE substr(guid, 2)::int < 990");
  t.exec("UPDATE entries SET first_seen_at = now() - (substr(guid, 2)::int - 989) * interval '1 hour' "
         "WHERE substr(guid, 2)::int >= 990");
  t.exec("ANALYZE entries");
  std::size_t arrivals = 0;
  storage::next_check next{1h, [&](const storage::arrivals& a) {
                             arrivals = a.times.size();
                             return std::chrono::seconds(60);
                           }};
  // The finish alone is timed, with and without adapt: the difference is
  // what the read costs the store thread.
  constexpr int rounds = 30;
  std::chrono::steady_clock::duration with{}, without{};
  const storage::http_meta not_modified{304, "", "", "", ""};
  for (int i = 0; i < rounds; ++i) {
    for (const bool adaptive : {true, false}) {
      const auto c = due_claim(db, t, id);
      const auto start = std::chrono::steady_clock::now();
      auto done = adaptive ? storage::finish_not_modified(db, c, not_modified, next)
                           : storage::finish_not_modified(db, c, not_modified, 1h);
      (adaptive ? with : without) += std::chrono::steady_clock::now() - start;
      ASSERT_TRUE(done.has_value()) << done.error().message;
    }
  }
  EXPECT_EQ(arrivals, 11u);
  const auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count() / rounds; };
  std::cout << "[ info ] 304 finish of a feed with 1,000 entries: " << ms(without) << " ms, with adaptive "
            << ms(with) << " ms\n";
}

}  // namespace
}  // namespace feedd::test
