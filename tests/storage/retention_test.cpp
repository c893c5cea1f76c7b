// Retention against the real PostgreSQL: what goes, tombstones, and that a
// purge neither stalls the store nor conflicts with another instance's.
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

#include "feedd/storage/retention.hpp"
#include "storage_fixture.hpp"

namespace feedd::test {
namespace {

using clock = std::chrono::steady_clock;

storage::retention_rules keep_newest(int n) { return {std::nullopt, n}; }

// Stores `parsed` for `feed_id` under a fresh claim, making the feed due first.
storage::store_stats store(storage::database& db, const test_database& t, std::int64_t feed_id, const feed& parsed) {
  t.exec("UPDATE feeds SET next_check_at = now() WHERE id = " + std::to_string(feed_id));
  auto c = claim_feed(db, feed_id);
  EXPECT_EQ(c.feed_id, feed_id);
  auto r = storage::finish_fetched(db, c, parsed, ok_meta(), 1h);
  EXPECT_TRUE(r.has_value()) << r.error().message;
  return r.has_value() ? *r : storage::store_stats{};
}

// Purges `feed_id` batch by batch until nothing is left to purge; the total.
int purge_all(storage::database& db, const storage::retention_rules& rules, std::int64_t feed_id, int batch = 500) {
  int total = 0;
  for (int round = 0; round < 10'000; ++round) {
    auto n = storage::purge_feed(db, rules, feed_id, batch);
    EXPECT_TRUE(n.has_value()) << n.error().message;
    if (!n || !*n) return total;  // error, or locked
    total += **n;
    if (**n < batch) return total;
  }
  ADD_FAILURE() << "purge did not finish";
  return total;
}

std::int64_t candidates_of(storage::database& db, const storage::retention_rules& rules, std::int64_t feed_id) {
  auto page = storage::purge_candidates(db, rules, feed_id - 1, 1);
  EXPECT_TRUE(page.has_value()) << page.error().message;
  if (!page || page->feeds.empty()) return -1;
  return page->feeds.front().entries;
}

// Five entries, newest first: g1 (no date: first seen now), g2, g3, g4, g0.
feed dated_feed() {
  feed f = make_feed(5);
  f.entries[1].published_at.reset();
  f.entries[2].published_at = timestamp{std::chrono::seconds{1'700'003'000}};
  f.entries[3].published_at = timestamp{std::chrono::seconds{1'700'002'000}};
  f.entries[4].published_at = timestamp{std::chrono::seconds{1'700'001'000}};
  return f;
}

std::string guids(const test_database& t, const std::string& table) {
  return t.scalar("SELECT string_agg(guid, ',' ORDER BY guid) FROM " + table);
}

TEST(StorageRetention, KeepsTheNewestEntriesAndBuriesTheRestWithTheirEnclosures) {
  test_database t{"retention keep newest"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  ASSERT_EQ(store(db, t, id, dated_feed()).inserted, 5);
  ASSERT_EQ(t.scalar("SELECT count(*) FROM enclosures"), "5");

  EXPECT_EQ(candidates_of(db, keep_newest(2), id), 3);
  EXPECT_EQ(purge_all(db, keep_newest(2), id, 2), 3);  // two batches
  EXPECT_EQ(guids(t, "entries"), "g1,g2");
  EXPECT_EQ(guids(t, "entry_tombstones"), "g0,g3,g4");
  EXPECT_EQ(t.scalar("SELECT count(*) FROM enclosures"), "2");
  EXPECT_EQ(t.scalar("SELECT count(*) FROM enclosures n LEFT JOIN entries e ON e.id = n.entry_id WHERE e.id IS NULL"),
            "0");
  EXPECT_EQ(candidates_of(db, keep_newest(2), id), 0);
}

TEST(StorageRetention, PurgedEntryStillInTheFeedIsNotStoredAgain) {
  test_database t{"retention still in feed"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  store(db, t, id, dated_feed());
  ASSERT_EQ(purge_all(db, keep_newest(2), id), 3);
  t.exec("UPDATE entry_tombstones SET last_seen_at = now() - interval '2 days' WHERE guid = 'g0'");
  // A day later: the same document is upserted in full again (schema_v8.hpp).
  t.exec("UPDATE feeds SET entries_hashed_at = now() - interval '2 days'");

  auto again = store(db, t, id, dated_feed());
  EXPECT_EQ(again.inserted, 0);
  EXPECT_EQ(again.updated, 0);
  EXPECT_EQ(guids(t, "entries"), "g1,g2");
  EXPECT_EQ(t.scalar("SELECT count(*) FROM enclosures"), "2");
  // The fetch carried g0 again: its tombstone was seen now.
  EXPECT_EQ(t.scalar("SELECT last_seen_at > now() - interval '1 minute' FROM entry_tombstones WHERE guid = 'g0'"), "t");
}

TEST(StorageRetention, PurgedEntryGoneFromTheFeedStaysGoneAndItsTombstoneExpires) {
  test_database t{"retention gone from feed"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  store(db, t, id, dated_feed());
  ASSERT_EQ(purge_all(db, keep_newest(2), id), 3);
  feed later = dated_feed();
  later.entries.erase(later.entries.begin() + 3, later.entries.end());  // g3, g4 left the feed
  later.entries.erase(later.entries.begin());                           // and g0
  EXPECT_EQ(store(db, t, id, later).inserted, 0);
  EXPECT_EQ(guids(t, "entries"), "g1,g2");

  auto none = storage::drop_unseen_tombstones(db);
  ASSERT_TRUE(none.has_value()) << none.error().message;
  EXPECT_EQ(*none, 0);
  t.exec("UPDATE entry_tombstones SET last_seen_at = now() - interval '31 days' WHERE guid <> 'g4'");
  auto dropped = storage::drop_unseen_tombstones(db);
  ASSERT_TRUE(dropped.has_value()) << dropped.error().message;
  EXPECT_EQ(*dropped, 2);
  EXPECT_EQ(guids(t, "entry_tombstones"), "g4");
  EXPECT_EQ(store(db, t, id, later).inserted, 0);
  EXPECT_EQ(guids(t, "entries"), "g1,g2");
}

TEST(StorageRetention, MaxAgeReadsPublishedElseFirstSeen) {
  test_database t{"retention max age"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  feed f = make_feed(4);
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  f.entries[0].published_at = now - std::chrono::hours(24 * 40);  // old
  f.entries[1].published_at = now - std::chrono::hours(24 * 2);   // recent
  f.entries[2].published_at.reset();                              // first seen now
  f.entries[3].published_at.reset();                              // first seen long ago, below
  store(db, t, id, f);
  t.exec("UPDATE entries SET first_seen_at = now() - interval '40 days' WHERE guid = 'g3'");

  const storage::retention_rules rules{std::chrono::hours(24 * 30), std::nullopt};
  EXPECT_EQ(candidates_of(db, rules, id), 2);
  EXPECT_EQ(purge_all(db, rules, id), 2);
  EXPECT_EQ(guids(t, "entries"), "g1,g2");
  // Both rules: the union (here keep 1 reaches further than the age).
  EXPECT_EQ(candidates_of(db, {std::chrono::hours(24 * 30), 1}, id), 1);
  EXPECT_EQ(purge_all(db, {std::chrono::hours(24 * 30), 1}, id), 1);
  EXPECT_EQ(guids(t, "entries"), "g2");
  // No rule: nothing goes.
  EXPECT_EQ(candidates_of(db, {}, id), 0);
  EXPECT_EQ(purge_all(db, {}, id), 0);
}

TEST(StorageRetention, CandidatesCountWithoutDeleting) {
  test_database t{"retention candidates"};
  auto db = open_migrated(t);
  const auto a = add(db, "https://example.com/a");
  const auto b = add(db, "https://example.com/b");
  const auto c = add(db, "https://example.com/c");
  store(db, t, a, make_feed(7));
  store(db, t, c, make_feed(2));
  auto page = storage::purge_candidates(db, keep_newest(3), 0, 2);
  ASSERT_TRUE(page.has_value()) << page.error().message;
  ASSERT_EQ(page->feeds.size(), 2u);
  EXPECT_EQ(page->feeds[0].entries, 4);
  EXPECT_EQ(page->feeds[1].feed_id, b);
  EXPECT_EQ(page->feeds[1].entries, 0);
  EXPECT_FALSE(page->done);
  page = storage::purge_candidates(db, keep_newest(1), page->last_id, 2);
  ASSERT_TRUE(page.has_value()) << page.error().message;
  ASSERT_EQ(page->feeds.size(), 1u);
  EXPECT_EQ(page->feeds[0].feed_id, c);
  EXPECT_EQ(page->feeds[0].entries, 1);
  EXPECT_TRUE(page->done);
  EXPECT_EQ(t.scalar("SELECT count(*) FROM entries"), "9");
  EXPECT_EQ(t.scalar("SELECT count(*) FROM entry_tombstones"), "0");
}

// A raw session holding a lock, as the store thread of another instance
// would mid-transaction.
class held_lock {
 public:
  held_lock(const test_database& t, const std::string& sql) : conn_(PQconnectdb(t.conninfo().c_str())) {
    for (const std::string& s : {std::string("BEGIN"), sql}) {
      PGresult* r = PQexec(conn_, s.c_str());
      EXPECT_TRUE(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
          << PQerrorMessage(conn_);
      PQclear(r);
    }
  }
  ~held_lock() {
    PQclear(PQexec(conn_, "ROLLBACK"));
    PQfinish(conn_);
  }
  held_lock(const held_lock&) = delete;
  held_lock& operator=(const held_lock&) = delete;

 private:
  PGconn* conn_;
};

TEST(StorageRetention, SkipsAFeedWhoseRowIsLockedInsteadOfWaiting) {
  test_database t{"retention skip locked"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  store(db, t, id, make_feed(5));
  {
    held_lock store_in_progress(t, "UPDATE feeds SET title = 'x' WHERE id = " + std::to_string(id));
    const auto start = clock::now();
    auto n = storage::purge_feed(db, keep_newest(1), id);
    ASSERT_TRUE(n.has_value()) << n.error().message;
    EXPECT_FALSE(n->has_value());
    EXPECT_LT(clock::now() - start, 2s);
  }
  EXPECT_EQ(purge_all(db, keep_newest(1), id), 4);
}

// Many entries straight in SQL: the store path is not what is measured here.
void bulk_entries(const test_database& t, std::int64_t feed_id, int n) {
  t.exec("INSERT INTO entries (feed_id, guid, fingerprint, title, summary, published_at) SELECT " +
         std::to_string(feed_id) + ", 'bulk' || g, 'x', repeat('t', 80), repeat('s', 400), now() - g * interval '1 second'"
         " FROM generate_series(1, " + std::to_string(n) + ") g");
  t.exec("INSERT INTO enclosures (entry_id, url) SELECT id, 'https://example.com/' || id || '.mp3' FROM entries"
         " WHERE feed_id = " + std::to_string(feed_id) + " AND id % 2 = 0");
  t.exec("ANALYZE entries");
}

// Two instances purging the same feeds at once: no deadlock, no error, each
// entry deleted once and buried once.
TEST(StorageRetention, TwoInstancesPurgingAtOnceNeitherConflictNorDeadlock) {
  test_database t{"retention two instances"};
  auto setup = open_migrated(t);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 4; ++i) {
    ids.push_back(add(setup, "https://example.com/" + std::to_string(i)));
    bulk_entries(t, ids.back(), 3000);
  }
  std::atomic<int> deleted{0};
  std::atomic<int> failures{0};
  {
    std::vector<std::jthread> instances;
    for (int k = 0; k < 2; ++k) {
      instances.emplace_back([&, k] {
        auto db = open_database(t);
        // Bounded: each round either deletes or finds the feed done or locked.
        for (int round = 0; round < 200; ++round) {
          bool busy = false;
          for (std::size_t i = 0; i < ids.size(); ++i) {
            const auto id = ids[(i + static_cast<std::size_t>(k) * 2) % ids.size()];
            auto n = storage::purge_feed(db, keep_newest(100), id, 200);
            if (!n) {
              ++failures;
              ADD_FAILURE() << n.error().message;
              return;
            }
            if (!n->has_value() || **n > 0) busy = true;
            if (n->has_value()) deleted += **n;
          }
          if (!busy) return;
        }
      });
    }
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(deleted.load(), 4 * 2900);
  EXPECT_EQ(t.scalar("SELECT count(*) FROM entries"), "400");
  EXPECT_EQ(t.scalar("SELECT count(*) FROM entry_tombstones"), std::to_string(4 * 2900));
  EXPECT_EQ(t.scalar("SELECT count(*) FROM enclosures n WHERE NOT EXISTS (SELECT FROM entries e WHERE e.id = n.entry_id)"),
            "0");
}

// The store of the very feed being purged waits for one batch at most:
// 60,000 entries purged down to 10 while that feed is stored again and
// again. The longest waits are printed (README "Retention" quotes them).
TEST(StorageRetention, StoreOfAFeedBeingPurgedWaitsForOneBatchAtMost) {
  test_database t{"retention store during purge"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/big");
  bulk_entries(t, id, 60'000);
  std::atomic<bool> purging{true};
  // step: finish_fetched alone (how long the store thread is held up);
  // due: from making the feed due (a write of its row, so it waits for a
  // batch too) to stored, claim included (a claim passes over the row while
  // a batch holds it, SKIP LOCKED, and is tried again as the daemon's next
  // claim round would).
  std::chrono::nanoseconds longest_step{0}, longest_due{0};
  int stores = 0;
  std::jthread storer([&] {
    auto store_db = open_database(t);
    const auto parsed = make_feed(20);
    for (int i = 0; i < 2000 && purging.load(); ++i) {
      const auto due = clock::now();
      t.exec("UPDATE feeds SET next_check_at = now() WHERE id = " + std::to_string(id));
      storage::claim c;
      while (c.feed_id == 0 && clock::now() - due < 60s) {
        c = claim_feed(store_db, id);
        if (c.feed_id == 0) std::this_thread::sleep_for(2ms);
      }
      ASSERT_EQ(c.feed_id, id);
      const auto start = clock::now();
      auto r = storage::finish_fetched(store_db, c, parsed, ok_meta(), 1h);
      const auto end = clock::now();
      ASSERT_TRUE(r.has_value()) << r.error().message;
      longest_step = std::max(longest_step, std::chrono::duration_cast<std::chrono::nanoseconds>(end - start));
      longest_due = std::max(longest_due, std::chrono::duration_cast<std::chrono::nanoseconds>(end - due));
      ++stores;
    }
  });
  const auto start = clock::now();
  int purged = 0;
  for (int round = 0; round < 100'000; ++round) {
    auto n = storage::purge_feed(db, keep_newest(10), id);
    ASSERT_TRUE(n.has_value()) << n.error().message;
    if (n->has_value()) purged += **n;
    if (n->has_value() && **n == 0) break;
  }
  const auto took = clock::now() - start;
  purging = false;
  storer.join();
  const auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  std::printf("[ retention ] purged %d entries in %.0f ms; %d stores of the same feed meanwhile: longest store step"
              " %.1f ms, longest from due to stored %.1f ms\n",
              purged, ms(took), stores, ms(longest_step), ms(longest_due));
  EXPECT_GE(purged, 60'000);
  EXPECT_GT(stores, 0);
  // A wait is for one batch of 500 of the 120 (a few ms idle, up to
  // ~400 ms on 2 busy cores); a purge in one statement holds the feed for
  // the whole 60,000 (4-9 s on the same machine) and the feed waits that
  // long. Relative to the whole purge, so that a loaded machine, which
  // slows both, does not decide.
  EXPECT_LT(longest_due * 5, took);
  EXPECT_LT(longest_step * 5, took);
  EXPECT_EQ(t.scalar("SELECT count(*) FROM entries"), "10");
}

}  // namespace
}  // namespace feedd::test
