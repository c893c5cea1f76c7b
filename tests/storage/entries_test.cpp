#include <functional>
#include <map>

#include "feedd/storage/finish_batch.hpp"
#include "storage_fixture.hpp"

namespace feedd::test {
namespace {

// Stores `parsed` for `feed_id` under a fresh claim, making the feed due first.
storage::store_stats store(storage::database& db, const test_database& t, std::int64_t feed_id, const feed& parsed) {
  t.exec("UPDATE feeds SET next_check_at = now() WHERE id = " + std::to_string(feed_id));
  auto c = claim_feed(db, feed_id);
  EXPECT_EQ(c.feed_id, feed_id);
  auto r = storage::finish_fetched(db, c, parsed, ok_meta(), 1h);
  EXPECT_TRUE(r.has_value()) << r.error().message;
  return r.has_value() ? *r : storage::store_stats{};
}

// Every stored version of every entry and enclosure row: equal means nothing
// was rewritten (xmin) nor even row-locked (xmax; the FK checks of the first
// store leave its own transaction there).
std::string row_versions(const test_database& t) {
  return t.scalar("SELECT string_agg(id || ':' || xmin || ':' || xmax, ',' ORDER BY id) FROM entries") + " / " +
         t.scalar("SELECT string_agg(id || ':' || xmin || ':' || xmax, ',' ORDER BY id) FROM enclosures");
}

TEST(StorageEntries, FinishFetchedInsertsEntriesAndUpdatesTheFeed) {
  test_database t{"insert"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  auto parsed = make_feed(3);
  parsed.entries[1].published_at.reset();
  parsed.entries[1].author.clear();
  parsed.entries[2].enclosures.push_back({"https://example.com/second.ogg", "", std::nullopt});

  auto stats = store(db, t, id, parsed);
  EXPECT_EQ(stats.inserted, 3);
  EXPECT_EQ(stats.updated, 0);
  EXPECT_EQ(stats.unchanged, 0);
  EXPECT_FALSE(stats.lease_lost);

  EXPECT_EQ(t.scalar("SELECT string_agg(concat_ws('|', guid, url, title, coalesce(author, 'NULL'), summary, content, "
                     "coalesce(to_char(published_at, 'YYYY-MM-DD HH24:MI:SS'), 'NULL'), categories::text), ' ; ' "
                     "ORDER BY guid) FROM entries"),
            "g0|https://example.com/g0|Title g0|Author|Summary of g0|<p>Content of g0</p>|2023-11-14 22:13:20|{one,two}"
            " ; g1|https://example.com/g1|Title g1|NULL|Summary of g1|<p>Content of g1</p>|NULL|{one,two}"
            " ; g2|https://example.com/g2|Title g2|Author|Summary of g2|<p>Content of g2</p>|2023-11-14 22:13:20|{one,two}");
  EXPECT_EQ(t.scalar("SELECT string_agg(concat_ws('|', e.guid, n.url, coalesce(n.type, 'NULL'), "
                     "coalesce(n.length::text, 'NULL')), ' ; ' ORDER BY n.id) "
                     "FROM enclosures n JOIN entries e ON e.id = n.entry_id WHERE e.guid = 'g2'"),
            "g2|https://example.com/g2.mp3|audio/mpeg|1234 ; g2|https://example.com/second.ogg|NULL|NULL");
  EXPECT_EQ(t.scalar("SELECT concat_ws('|', title, site_url, etag, last_modified, last_status, error_count, "
                     "lease_until IS NULL, claimed_by IS NULL, last_checked_at IS NOT NULL, "
                     "extract(epoch FROM next_check_at - now())::int BETWEEN 3590 AND 3600) FROM feeds"),
            "Example|https://example.com/|\"v1\"|Tue, 14 Nov 2023 22:13:20 GMT|200|0|t|t|t|t");
}

TEST(StorageEntries, IdenticalRestoreIsUnchangedAndRewritesNoRow) {
  test_database t{"unchanged"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  const auto parsed = make_feed(20);
  ASSERT_EQ(store(db, t, id, parsed).inserted, 20);
  const std::string before = row_versions(t);

  auto stats = store(db, t, id, parsed);
  EXPECT_EQ(stats.inserted, 0);
  EXPECT_EQ(stats.updated, 0);
  EXPECT_EQ(stats.unchanged, 20);
  EXPECT_EQ(row_versions(t), before);
}

// Schema version 8: a document whose entries digest is the stored one sends
// no entry (issue 12). An entry deleted by hand shows it: within a day of
// the last full store it is not put back; once a day passed, the upsert
// runs again and restores it.
TEST(StorageEntries, UnchangedDocumentWritesNoEntryUntilADayPassed) {
  test_database t{"digest skip"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  const auto parsed = make_feed(5);
  ASSERT_EQ(store(db, t, id, parsed).inserted, 5);
  t.exec("DELETE FROM entries WHERE guid = 'g3'");

  auto skipped = store(db, t, id, parsed);
  EXPECT_EQ(skipped.inserted, 0);
  EXPECT_EQ(skipped.unchanged, 5);
  EXPECT_EQ(t.scalar("SELECT count(*) FROM entries"), "4");
  EXPECT_EQ(t.scalar("SELECT last_status || '|' || (lease_until IS NULL) FROM feeds"), "200|true");

  t.exec("UPDATE feeds SET entries_hashed_at = now() - interval '25 hours'");
  auto full = store(db, t, id, parsed);
  EXPECT_EQ(full.inserted, 1);
  EXPECT_EQ(full.unchanged, 4);
  EXPECT_EQ(t.scalar("SELECT count(*) FROM entries"), "5");
  EXPECT_EQ(t.scalar("SELECT entries_hashed_at > now() - interval '1 minute' FROM feeds"), "t");
}

// The digest covers every stored field: a change in any one of them is stored.
TEST(StorageEntries, AnyChangedFieldDefeatsTheDigest) {
  test_database t{"digest fields"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  auto parsed = make_feed(2);
  store(db, t, id, parsed);
  const std::vector<std::function<void(entry&)>> changes = {
      [](entry& e) { e.enclosures[0].length = 1235; },
      [](entry& e) { e.enclosures[0].type = "audio/ogg"; },
      [](entry& e) { e.categories.push_back("three"); },
      [](entry& e) { e.updated_at = timestamp{std::chrono::seconds{1'700'000'100}}; },
      [](entry& e) { e.published_at.reset(); },
      [](entry& e) { e.author = "Someone"; },
      [](entry& e) { e.content += " "; },
  };
  for (std::size_t i = 0; i < changes.size(); ++i) {
    changes[i](parsed.entries[1]);
    auto stats = store(db, t, id, parsed);
    EXPECT_EQ(stats.updated, 1) << "change " << i;
    EXPECT_EQ(stats.unchanged, 1) << "change " << i;
  }
}

TEST(StorageEntries, ChangedEntryIsUpdatedInPlace) {
  test_database t{"changed"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  auto parsed = make_feed(3);
  store(db, t, id, parsed);
  const std::string id_before = t.scalar("SELECT id FROM entries WHERE guid = 'g1'");
  const std::string seen_before = t.scalar("SELECT first_seen_at FROM entries WHERE guid = 'g1'");
  const std::string untouched = t.scalar("SELECT string_agg(id || ':' || xmin, ',') FROM entries WHERE guid <> 'g1'");

  parsed.entries[1].title = "A better title";
  auto stats = store(db, t, id, parsed);
  EXPECT_EQ(stats.inserted, 0);
  EXPECT_EQ(stats.updated, 1);
  EXPECT_EQ(stats.unchanged, 2);
  EXPECT_EQ(t.scalar("SELECT count(*) FROM entries"), "3");
  EXPECT_EQ(t.scalar("SELECT id FROM entries WHERE guid = 'g1'"), id_before);
  EXPECT_EQ(t.scalar("SELECT title FROM entries WHERE guid = 'g1'"), "A better title");
  EXPECT_EQ(t.scalar("SELECT first_seen_at FROM entries WHERE guid = 'g1'"), seen_before);
  EXPECT_EQ(t.scalar("SELECT string_agg(id || ':' || xmin, ',') FROM entries WHERE guid <> 'g1'"), untouched);
}

TEST(StorageEntries, ChangedEnclosuresAndCategoriesUpdateTheEntry) {
  test_database t{"enclosures"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  auto parsed = make_feed(2);
  store(db, t, id, parsed);
  const std::string other = t.scalar("SELECT string_agg(n.id || ':' || n.xmin, ',') FROM enclosures n "
                                     "JOIN entries e ON e.id = n.entry_id WHERE e.guid = 'g1'");

  parsed.entries[0].enclosures = {{"https://example.com/a.mp3", "audio/mpeg", 1}, {"https://example.com/b.mp3", "", 2}};
  auto stats = store(db, t, id, parsed);
  EXPECT_EQ(stats.updated, 1);
  EXPECT_EQ(stats.unchanged, 1);
  EXPECT_EQ(t.scalar("SELECT string_agg(n.url || '=' || n.length, ' ' ORDER BY n.id) FROM enclosures n "
                     "JOIN entries e ON e.id = n.entry_id WHERE e.guid = 'g0'"),
            "https://example.com/a.mp3=1 https://example.com/b.mp3=2");
  EXPECT_EQ(t.scalar("SELECT string_agg(n.id || ':' || n.xmin, ',') FROM enclosures n "
                     "JOIN entries e ON e.id = n.entry_id WHERE e.guid = 'g1'"),
            other);

  parsed.entries[0].enclosures.clear();
  EXPECT_EQ(store(db, t, id, parsed).updated, 1);
  EXPECT_EQ(t.scalar("SELECT count(*) FROM enclosures n JOIN entries e ON e.id = n.entry_id WHERE e.guid = 'g0'"),
            "0");

  parsed.entries[1].categories = {"two", "one"};
  EXPECT_EQ(store(db, t, id, parsed).updated, 1);
  EXPECT_EQ(t.scalar("SELECT categories::text FROM entries WHERE guid = 'g1'"), "{two,one}");
}

TEST(StorageEntries, DuplicateGuidsInOneBatchKeepTheFirst) {
  test_database t{"duplicates"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  auto parsed = make_feed(2);
  auto copy = parsed.entries[0];
  copy.title = "Second occurrence";
  parsed.entries.push_back(copy);

  auto stats = store(db, t, id, parsed);
  EXPECT_EQ(stats.inserted, 2);
  EXPECT_EQ(stats.unchanged, 0);
  EXPECT_EQ(t.scalar("SELECT title FROM entries WHERE guid = 'g0'"), "Title g0");
  EXPECT_EQ(store(db, t, id, parsed).unchanged, 2);
}

TEST(StorageEntries, SameGuidInAnotherFeedIsAnotherEntry) {
  test_database t{"guid across feeds"};
  auto db = open_migrated(t);
  const auto a = add(db, "https://example.com/a");
  const auto b = add(db, "https://example.com/b");
  EXPECT_EQ(store(db, t, a, make_feed(2)).inserted, 2);
  EXPECT_EQ(store(db, t, b, make_feed(2)).inserted, 2);
  EXPECT_EQ(t.scalar("SELECT count(*) FROM entries"), "4");
}

TEST(StorageEntries, EmptyParsedTitleKeepsTheStoredOne) {
  test_database t{"keep title"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  store(db, t, id, make_feed(1));
  feed untitled = make_feed(1);
  untitled.title.clear();
  untitled.site_url.clear();
  store(db, t, id, untitled);
  EXPECT_EQ(t.scalar("SELECT title || ' ' || site_url FROM feeds"), "Example https://example.com/");
}

TEST(StorageEntries, HostileValuesAreStoredWithoutFailingTheFeed) {
  test_database t{"hostile"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  feed parsed;
  entry long_guid = make_entry(std::string(5000, 'g'));
  entry far_future = make_entry("future");
  far_future.published_at = timestamp{std::chrono::seconds{400'000'000'000}};
  entry quoted = make_entry("quote\"s'; DROP TABLE entries; --");
  quoted.title = "\"}]}' \\u0000 \\";
  entry empty = make_entry("empty");
  empty.title.clear();
  empty.categories.clear();
  empty.enclosures.clear();
  parsed.entries = {long_guid, far_future, quoted, empty};

  auto stats = store(db, t, id, parsed);
  EXPECT_EQ(stats.inserted, 4);
  EXPECT_EQ(t.scalar("SELECT published_at IS NULL FROM entries WHERE guid = 'future'"), "t");
  EXPECT_EQ(t.scalar("SELECT title FROM entries WHERE guid LIKE 'quote%'"), quoted.title);
  EXPECT_EQ(t.scalar("SELECT guid FROM entries WHERE guid LIKE 'quote%'"), quoted.guid);
  EXPECT_EQ(t.scalar("SELECT title IS NULL AND categories = '{}' FROM entries WHERE guid = 'empty'"), "t");
  EXPECT_EQ(t.scalar("SELECT guid LIKE 'sha256:%' FROM entries WHERE url LIKE '%ggggg'"), "t");
  EXPECT_EQ(store(db, t, id, parsed).unchanged, 4);
}

// RELIABILITY D6: text that got past the parsers' checks (simulated here by
// building the feed by hand) is stored readably instead of failing the feed
// with 22021 on every fetch.
TEST(StorageEntries, TextThatIsNotUtf8IsStoredReadablyRatherThanFailingTheFeed) {
  test_database t{"not utf8"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  feed parsed;
  parsed.title = std::string("Caf\xC3 \xff title\0!", 14);
  parsed.site_url = "https://example.com/\x80";
  entry broken = make_entry("broken");
  broken.title = "surrogate \xED\xA0\x80 end";
  broken.summary = std::string("nul\0inside", 10);
  broken.categories = {"cat\xC0\xAF"};
  parsed.entries = {broken, make_entry("fine")};

  auto stats = store(db, t, id, parsed);
  EXPECT_EQ(stats.inserted, 2);
  EXPECT_EQ(t.scalar("SELECT title FROM feeds WHERE id = " + std::to_string(id)), "Caf\uFFFD \uFFFD title!");
  EXPECT_EQ(t.scalar("SELECT site_url FROM feeds WHERE id = " + std::to_string(id)), "https://example.com/\uFFFD");
  const std::string title = t.scalar("SELECT title FROM entries WHERE guid = 'broken'");
  EXPECT_TRUE(title.starts_with("surrogate \uFFFD")) << title;
  EXPECT_TRUE(title.ends_with(" end")) << title;
  EXPECT_EQ(t.scalar("SELECT summary FROM entries WHERE guid = 'broken'"), "nulinside");
  EXPECT_EQ(t.scalar("SELECT last_status FROM feeds WHERE id = " + std::to_string(id)), "200");
}

TEST(StorageEntries, StoresAThousandEntriesInOneTransaction) {
  test_database t{"thousand"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  const auto parsed = make_feed(1000);
  EXPECT_EQ(store(db, t, id, parsed).inserted, 1000);
  EXPECT_EQ(store(db, t, id, parsed).unchanged, 1000);
  EXPECT_EQ(t.scalar("SELECT count(*) FROM enclosures"), "1000");
}

// RELIABILITY C3: a late store by an instance whose lease was taken over.
TEST(StorageEntries, StaleLeaseTokenStoresNothing) {
  test_database t{"stale lease"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  auto stale = claim_feed(db, id);
  t.exec("UPDATE feeds SET lease_until = now() - interval '1 second'");
  auto current = claim_feed(db, id);
  ASSERT_NE(current.lease_token, stale.lease_token);

  auto late = storage::finish_fetched(db, stale, make_feed(3), ok_meta(), 1h);
  ASSERT_TRUE(late.has_value()) << late.error().message;
  EXPECT_TRUE(late->lease_lost);
  EXPECT_EQ(late->inserted, 0);
  EXPECT_EQ(t.scalar("SELECT count(*) FROM entries"), "0");
  EXPECT_EQ(t.scalar("SELECT concat_ws('|', title IS NULL, last_checked_at IS NULL, lease_until > now()) FROM feeds"),
            "t|t|t");

  auto owner = storage::finish_fetched(db, current, make_feed(3), ok_meta(), 1h);
  ASSERT_TRUE(owner.has_value());
  EXPECT_EQ(owner->inserted, 3);
}

TEST(StorageEntries, ExpiredButUntakenLeaseStillStores) {
  test_database t{"expired untaken"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  auto c = claim_feed(db, id);
  t.exec("UPDATE feeds SET lease_until = now() - interval '1 second'");
  auto r = storage::finish_fetched(db, c, make_feed(2), ok_meta(), 1h);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->lease_lost);
  EXPECT_EQ(r->inserted, 2);
}

TEST(StorageEntries, RetriedFinishFetchedIsAlreadyFinished) {
  test_database t{"retried store"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  auto c = claim_feed(db, id);
  ASSERT_EQ(storage::finish_fetched(db, c, make_feed(2), ok_meta(), 1h)->inserted, 2);
  auto retry = storage::finish_fetched(db, c, make_feed(2), ok_meta(), 1h);
  ASSERT_TRUE(retry.has_value());
  EXPECT_TRUE(retry->already_finished);
  EXPECT_FALSE(retry->lease_lost);
  EXPECT_EQ(t.scalar("SELECT count(*) FROM entries"), "2");
}

TEST(StorageEntries, BrokenConnectionDuringStoreIsAConnectionError) {
  test_database t{"store broken"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  auto c = claim_feed(db, id);
  t.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'feedd-test' "
         "AND datname = current_database()");
  auto r = storage::finish_fetched(db, c, make_feed(2), ok_meta(), 1h);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().what, storage::db_error::kind::connection);
  ASSERT_TRUE(db.reconnect().has_value());
  auto retry = storage::finish_fetched(db, c, make_feed(2), ok_meta(), 1h);
  ASSERT_TRUE(retry.has_value()) << retry.error().message;
  EXPECT_EQ(retry->inserted, 2);
}

// The batch path sends entries as binary arrays, the per-feed path
// (schedule.adaptive) as jsonb; both must give every entry the same
// fingerprint, or a feed stored by one and then the other would see every
// entry changed once (changed_at bumped for readers). Strings that JSON
// escapes or repairs, empty fields, odd categories, enclosures, dates out
// of range, a guid long enough to be hashed and a repeated guid.
feed awkward_feed() {
  feed f = make_feed(2);
  entry e = make_entry("quote\"back\\slash\ttab\nline\x01\x1f\x7f");
  e.title = std::string("nul\0inside", 10) + " é 😀 \u2028 \xff\xfe bad \xe2\x82 \b\f\r\x01\x1f\x7f \"q\" \\";
  e.summary.clear();
  e.author = "\"{}\\,";
  e.content = std::string(5000, 'x') + "\\u0041 \"</p>";
  e.published_at = timestamp{std::chrono::seconds{-70'000'000'000}};
  e.updated_at = timestamp{std::chrono::seconds{1'700'000'123}};
  e.categories = {"", "a,b", "{c}", "d\"e\\f", "NULL", " spaced ", "\xc3\x28", std::string("n\0l", 3)};
  e.enclosures = {{"https://example.com/a.mp3", "", std::nullopt}, {"", "x/y", -5}, {"u\"\\", "t\xff", 0}};
  f.entries.push_back(e);
  entry plain = make_entry(std::string(1500, 'g'));
  plain.categories.clear();
  plain.enclosures.clear();
  plain.published_at.reset();
  f.entries.push_back(plain);
  f.entries.push_back(make_entry("g0"));  // repeated: the first one counts
  f.entries.back().title = "second g0";
  return f;
}

TEST(StorageEntries, BatchAndPerFeedPathsFingerprintAlike) {
  test_database t{"fingerprints"};
  auto db = open_migrated(t);
  const std::int64_t ids[] = {add(db, "https://a.example/feed"), add(db, "https://b.example/feed")};
  const feed parsed = awkward_feed();
  const storage::next_check batch{1h, {}};
  const storage::next_check per_feed{1h, [](const storage::arrivals&) { return 1h; }};
  auto finish = [&](std::int64_t id, const storage::next_check& next) {
    // No digest: the batch path sends its entries every time.
    t.exec("UPDATE feeds SET next_check_at = now(), entries_hash = NULL WHERE id = " + std::to_string(id));
    auto c = claim_feed(db, id);
    auto done = storage::finish_fetched_batch(db, {{&c, &parsed, ok_meta(), next}});
    EXPECT_TRUE(done.has_value()) << done.error().message;
    return done.has_value() && done->size() == 1 ? done->front() : storage::store_stats{};
  };
  EXPECT_EQ(finish(ids[0], per_feed).inserted, 4);
  EXPECT_EQ(finish(ids[1], batch).inserted, 4);
  const std::string before = row_versions(t);
  for (const auto& next : {batch, per_feed}) {
    for (auto id : ids) {
      const auto again = finish(id, next);
      EXPECT_EQ(again.inserted + again.updated, 0) << "feed " << id;
      EXPECT_EQ(again.unchanged, 4);
    }
  }
  EXPECT_EQ(row_versions(t), before);
  EXPECT_EQ(t.scalar("SELECT count(DISTINCT fingerprint) FROM entries"), "4");
  EXPECT_EQ(t.scalar("SELECT count(*) FROM enclosures"), "10");
}

// The batch upsert skips the entry and tombstone probes of a feed that has
// none (store_many.cpp, known): in one batch, a feed with entries and a
// tombstone next to a feed never stored, each must still get its own answer.
TEST(StorageEntries, BatchOfStoredBuriedAndNewFeedsProbesEachAsNeeded) {
  test_database t{"known feeds"};
  auto db = open_migrated(t);
  const std::int64_t old_id = add(db, "https://a.example/feed"), new_id = add(db, "https://b.example/feed");
  const auto parsed = make_feed(3);
  ASSERT_EQ(store(db, t, old_id, parsed).inserted, 3);
  const auto old_feed = std::to_string(old_id);
  t.exec("DELETE FROM entries WHERE feed_id = " + old_feed + " AND guid = 'g0'");
  t.exec("INSERT INTO entry_tombstones (feed_id, guid, last_seen_at) VALUES (" + old_feed +
         ", 'g0', now() - interval '2 days')");
  t.exec("UPDATE feeds SET next_check_at = now(), entries_hash = NULL");
  auto by_id = claim_all_due(db);
  ASSERT_EQ(by_id.size(), 2u);
  auto done = storage::finish_fetched_batch(
      db, {{&by_id[old_id], &parsed, ok_meta(), {1h, {}}}, {&by_id[new_id], &parsed, ok_meta(), {1h, {}}}});
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ((*done)[0].inserted + (*done)[0].updated, 0);
  EXPECT_EQ((*done)[0].unchanged, 3);
  EXPECT_EQ((*done)[1].inserted, 3);
  EXPECT_EQ(t.scalar("SELECT string_agg(feed_id || ':' || guid, ',' ORDER BY feed_id, guid) FROM entries"),
            old_feed + ":g1," + old_feed + ":g2," + std::to_string(new_id) + ":g0," + std::to_string(new_id) + ":g1," +
                std::to_string(new_id) + ":g2");
  EXPECT_EQ(t.scalar("SELECT last_seen_at > now() - interval '1 minute' FROM entry_tombstones"), "t");
}

// One batch (finish_fetched_batch) of an unchanged document, a changed one
// and one whose lease another instance took: each finished as alone, the
// unchanged one without sending its entries (the row deleted by hand stays
// deleted), the taken one writing nothing.
TEST(StorageEntries, BatchOfUnchangedChangedAndTakenFeedsKeepsEachApart) {
  test_database t{"digest batch"};
  auto db = open_migrated(t);
  const std::int64_t ids[] = {add(db, "https://a.example/feed"), add(db, "https://b.example/feed"),
                              add(db, "https://c.example/feed")};
  auto same = make_feed(3), changed = make_feed(3);
  for (auto id : ids) ASSERT_EQ(store(db, t, id, same).inserted, 3);
  t.exec("DELETE FROM entries WHERE feed_id = " + std::to_string(ids[0]) + " AND guid = 'g2'");
  changed.entries[0].title = "Changed";

  t.exec("UPDATE feeds SET next_check_at = now()");
  auto by_id = claim_all_due(db);
  ASSERT_EQ(by_id.size(), 3u);
  t.exec("UPDATE feeds SET lease_token = lease_token + 100 WHERE id = " + std::to_string(ids[2]));
  const std::vector<storage::fetched_finish> items = {
      {&by_id[ids[0]], &same, ok_meta(), {1h, {}}},
      {&by_id[ids[1]], &changed, ok_meta(), {1h, {}}},
      {&by_id[ids[2]], &changed, ok_meta(), {1h, {}}},
  };
  auto done = storage::finish_fetched_batch(db, items);
  ASSERT_TRUE(done.has_value()) << done.error().message;
  ASSERT_EQ(done->size(), 3u);
  EXPECT_EQ((*done)[0].inserted + (*done)[0].updated, 0);
  EXPECT_EQ((*done)[0].unchanged, 3);
  EXPECT_EQ((*done)[1].updated, 1);
  EXPECT_EQ((*done)[1].unchanged, 2);
  EXPECT_TRUE((*done)[2].lease_lost);
  EXPECT_EQ(t.scalar("SELECT string_agg(feed_id || ':' || count, ',' ORDER BY feed_id) FROM"
                     " (SELECT feed_id, count(*) FROM entries GROUP BY feed_id) c"),
            std::to_string(ids[0]) + ":2," + std::to_string(ids[1]) + ":3," + std::to_string(ids[2]) + ":3");
  EXPECT_EQ(t.scalar("SELECT count(*) FROM entries WHERE title = 'Changed'"), "1");
  EXPECT_EQ(t.scalar("SELECT count(*) FROM feeds WHERE lease_until IS NULL"), "2");
}

}  // namespace
}  // namespace feedd::test

namespace feedd::test {
namespace {

// The store connection commits asynchronously except where a fetched
// document is stored (issue 12): a trigger records the synchronous_commit
// in effect for each write. Claims and 304s: off; a document's transaction,
// batched or adaptive: on, unless the operator set
// database.synchronous_commit: false (durable_documents).
std::string commit_modes(bool durable_documents) {
  test_database t{durable_documents ? "durable documents" : "all asynchronous"};
  storage::connect_options options{t.conninfo(), "", "feedd-test"};
  options.asynchronous_commit = true;
  options.durable_documents = durable_documents;
  auto opened = storage::database::open(options);
  if (!opened) throw std::runtime_error(opened.error().message);
  auto& db = *opened;
  if (auto v = storage::migrate(db); !v) throw std::runtime_error(v.error().message);
  const auto a = add(db, "https://a.example/feed");
  const auto b = add(db, "https://b.example/feed");
  t.exec("CREATE TABLE commit_modes (n serial, mode text)");
  t.exec("CREATE FUNCTION record_commit_mode() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
         " INSERT INTO commit_modes (mode) VALUES (TG_TABLE_NAME || ':' || current_setting('synchronous_commit'));"
         " RETURN NULL; END $$");
  t.exec("CREATE TRIGGER record_feeds AFTER UPDATE ON feeds FOR EACH STATEMENT EXECUTE FUNCTION record_commit_mode()");
  t.exec("CREATE TRIGGER record_entries AFTER INSERT ON entries FOR EACH STATEMENT EXECUTE FUNCTION record_commit_mode()");
  auto by_id = claim_all_due(db);
  if (by_id.size() != 2) throw std::runtime_error("two claims expected");
  const auto& ca = by_id.at(a);
  const auto& cb = by_id.at(b);
  const auto doc = make_feed(2);
  auto batched = storage::finish_fetched(db, ca, doc, ok_meta(), 1h);
  auto adaptive = storage::finish_fetched(db, cb, doc, ok_meta(),
                                          storage::next_check{1h, [](const storage::arrivals&) { return 2h; }});
  if (!batched || !adaptive) throw std::runtime_error("a document was not stored");
  t.exec("UPDATE feeds SET next_check_at = now() WHERE id = " + std::to_string(a));
  t.exec("DELETE FROM commit_modes WHERE mode LIKE 'feeds:%' AND n = (SELECT max(n) FROM commit_modes)");
  const auto again = claim_feed(db, a);
  if (again.feed_id != a) throw std::runtime_error("not claimed again");
  if (!storage::finish_not_modified(db, again, storage::http_meta{304, "\"v1\"", "", "", ""}, 1h)) {
    throw std::runtime_error("304 not finished");
  }
  return t.scalar("SELECT string_agg(mode, ' ' ORDER BY n) FROM commit_modes");
}

TEST(StorageEntries, StoredDocumentsCommitDurablyAndClaimsAnd304sAsynchronously) {
  EXPECT_EQ(commit_modes(true), "feeds:off feeds:on entries:on entries:on feeds:on feeds:off feeds:off");
}

TEST(StorageEntries, WithSynchronousCommitOffNothingWaitsForTheDisk) {
  EXPECT_EQ(commit_modes(false), "feeds:off feeds:off entries:off entries:off feeds:off feeds:off feeds:off");
}

}  // namespace
}  // namespace feedd::test
