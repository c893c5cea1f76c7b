#include <algorithm>
#include <set>

#include "session.hpp"
#include "storage_fixture.hpp"

namespace feedd::test {
namespace {

std::vector<std::int64_t> ids(const std::vector<storage::claim>& claims) {
  std::vector<std::int64_t> out;
  for (const auto& c : claims) out.push_back(c.feed_id);
  return out;
}

TEST(StorageClaims, ClaimsOnlyDueEnabledUnleasedFeeds) {
  test_database t{"claim due"};
  auto db = open_migrated(t);
  const auto due = add(db, "https://example.com/due");
  const auto later = add(db, "https://example.com/later");
  const auto disabled = add(db, "https://example.com/disabled");
  const auto leased = add(db, "https://example.com/leased");
  t.exec("UPDATE feeds SET next_check_at = now() + interval '1 hour' WHERE id = " + std::to_string(later));
  t.exec("UPDATE feeds SET disabled = true WHERE id = " + std::to_string(disabled));
  t.exec("UPDATE feeds SET lease_until = now() + interval '1 hour', lease_token = 1 WHERE id = " +
         std::to_string(leased));

  auto claims = storage::claim_due(db, {10, 10, 300s, "instance-a"});
  ASSERT_TRUE(claims.has_value()) << claims.error().message;
  EXPECT_EQ(ids(*claims), std::vector<std::int64_t>{due});
  EXPECT_EQ(t.scalar("SELECT claimed_by FROM feeds WHERE id = " + std::to_string(due)), "instance-a");
  // The lease length is server time: 300 s from the server's now().
  EXPECT_EQ(t.scalar("SELECT extract(epoch FROM lease_until - now())::int BETWEEN 290 AND 300 FROM feeds WHERE id = " +
                     std::to_string(due)),
            "t");

  auto again = storage::claim_due(db, {10, 10, 300s, "instance-a"});
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->empty());
}

TEST(StorageClaims, ClaimCarriesWhatTheFetchNeeds) {
  test_database t{"claim fields"};
  auto db = open_migrated(t);
  auto added = storage::add_feed(db, "https://example.com/feed", 45min);
  ASSERT_TRUE(added.has_value());
  t.exec("UPDATE feeds SET etag = '\"abc\"', last_modified = 'Mon, 01 Jan 2024 00:00:00 GMT', error_count = 3");
  auto c = claim_feed(db, added->row.id);
  EXPECT_EQ(c.url, "https://example.com/feed");
  EXPECT_EQ(c.etag, "\"abc\"");
  EXPECT_EQ(c.last_modified, "Mon, 01 Jan 2024 00:00:00 GMT");
  EXPECT_EQ(c.interval, std::chrono::seconds(45min));
  EXPECT_EQ(c.error_count, 3);
  EXPECT_GT(c.lease_token, 0);
}

TEST(StorageClaims, HonoursTheLimitLongestWaitingFirst) {
  test_database t{"claim limit"};
  auto db = open_migrated(t);
  std::vector<std::int64_t> feeds;
  for (int i = 0; i < 5; ++i) feeds.push_back(add(db, "https://example.com/" + std::to_string(i)));
  // Feed 4 has waited longest, then 3, ...
  for (int i = 0; i < 5; ++i) {
    t.exec("UPDATE feeds SET next_check_at = now() - interval '" + std::to_string(i) + " minutes' WHERE id = " +
           std::to_string(feeds[static_cast<std::size_t>(i)]));
  }
  auto claims = storage::claim_due(db, {3, 3, 300s, "a"});
  ASSERT_TRUE(claims.has_value());
  EXPECT_EQ(ids(*claims), (std::vector<std::int64_t>{feeds[4], feeds[3], feeds[2]}));
  std::set<std::int64_t> tokens;
  for (const auto& c : *claims) tokens.insert(c.lease_token);
  EXPECT_EQ(tokens.size(), 3u);
}

TEST(StorageClaims, ExpiredLeaseIsClaimableAgainWithANewToken) {
  test_database t{"expired lease"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  auto first = claim_feed(db, id);
  ASSERT_EQ(first.feed_id, id);
  EXPECT_EQ(claim_feed(db, id).feed_id, 0);
  t.exec("UPDATE feeds SET lease_until = now() - interval '1 second'");
  auto second = claim_feed(db, id);
  ASSERT_EQ(second.feed_id, id);
  EXPECT_GT(second.lease_token, first.lease_token);
}

// RELIABILITY C1: instances claiming side by side never share a feed, and
// never wait for each other. Each round B claims while A's claim is not yet
// committed, so that A's rows are locked and still look due to B: only SKIP
// LOCKED lets B past them at once to other feeds. Without it B waits for
// A's locks (and fails at its short lock_timeout), and without the row locks
// both would claim the same feeds once A commits.
TEST(StorageClaims, ConcurrentClaimersNeverGetTheSameFeed) {
  test_database t{"concurrent claims"};
  auto a = open_migrated(t);
  auto b = open_database(t);
  t.exec("INSERT INTO feeds (url) SELECT 'https://example.com/' || n FROM generate_series(1, 200) AS n");
  ASSERT_TRUE(b.internals().exec("lock timeout", "SET lock_timeout = '2s'").has_value());
  std::vector<std::int64_t> all;
  // 200 feeds in batches of 7 + 7 take 15 rounds.
  for (int round = 0; round < 20 && all.size() < 200; ++round) {
    ASSERT_TRUE(a.internals().exec("begin", "BEGIN").has_value());
    auto from_a = storage::claim_due(a, {7, 200, 300s, "claimer-a"});
    ASSERT_TRUE(from_a.has_value()) << from_a.error().message;
    auto from_b = storage::claim_due(b, {7, 200, 300s, "claimer-b"});
    ASSERT_TRUE(a.internals().exec("commit", "COMMIT").has_value());
    ASSERT_TRUE(from_b.has_value()) << "B waited for the rows A holds: " << from_b.error().message;
    EXPECT_EQ(from_a->size(), std::min<std::size_t>(7, 200 - all.size()));
    for (const auto& c : *from_a) all.push_back(c.feed_id);
    for (const auto& c : *from_b) all.push_back(c.feed_id);
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end()) << "a feed was claimed twice";
  EXPECT_EQ(all.size(), 200u);
  EXPECT_EQ(t.scalar("SELECT count(DISTINCT lease_token) FROM feeds WHERE lease_until > now()"), "200");
}

TEST(StorageClaims, ReleasedFeedStaysDue) {
  test_database t{"release"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  const std::string before = t.scalar("SELECT next_check_at FROM feeds");
  auto c = claim_feed(db, id);
  ASSERT_TRUE(storage::release(db, c).has_value());
  EXPECT_EQ(t.scalar("SELECT next_check_at FROM feeds"), before);
  EXPECT_EQ(t.scalar("SELECT lease_until IS NULL AND claimed_by IS NULL FROM feeds"), "t");
  EXPECT_EQ(claim_feed(db, id).feed_id, id);
  // A released claim can no longer finish.
  auto late = storage::finish_failed(db, c, 500, "late", 1h, false);
  ASSERT_TRUE(late.has_value());
  EXPECT_TRUE(late->lease_lost);
}

// RELIABILITY G9 at the storage level: only the lease holder disables, and
// a disabled feed is never claimed again.
TEST(StorageClaims, AnUnfetchableFeedIsDisabledByItsHolderAndNotClaimedAgain) {
  test_database t{"unfetchable"};
  auto db = open_migrated(t);
  t.exec("INSERT INTO feeds (url) VALUES ('file:///etc/passwd'), ('exec:true')");
  auto claimed = storage::claim_due(db, {10, 10, 300s, "test"});
  ASSERT_TRUE(claimed.has_value());
  ASSERT_EQ(claimed->size(), 2u);
  auto stale = (*claimed)[1];
  stale.lease_token += 1000;  // taken over meanwhile
  auto lost = storage::disable_unfetchable(db, stale, "bad");
  ASSERT_TRUE(lost.has_value());
  EXPECT_TRUE(lost->lease_lost);
  auto done = storage::disable_unfetchable(db, (*claimed)[0], "not an http URL");
  ASSERT_TRUE(done.has_value());
  EXPECT_TRUE(done->disabled);
  EXPECT_FALSE(done->lease_lost);
  EXPECT_EQ(t.scalar("SELECT concat_ws('|', disabled, last_status IS NULL, last_error, error_count, lease_until IS NULL,"
                     " last_checked_at IS NOT NULL) FROM feeds WHERE url = 'file:///etc/passwd'"),
            "t|t|not an http URL|1|t|t");
  EXPECT_EQ(t.scalar("SELECT concat_ws('|', disabled, error_count, lease_until IS NULL) FROM feeds WHERE url = 'exec:true'"),
            "f|0|f");
  // The retry of a disable whose answer was lost finds it done, not lost.
  auto again = storage::disable_unfetchable(db, (*claimed)[0], "not an http URL");
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->already_finished);
  EXPECT_EQ(t.scalar("SELECT error_count FROM feeds WHERE url = 'file:///etc/passwd'"), "1");
  t.exec("UPDATE feeds SET lease_until = NULL, next_check_at = now() - interval '1 hour'");
  auto next = storage::claim_due(db, {10, 10, 300s, "test"});
  ASSERT_TRUE(next.has_value());
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ((*next)[0].url, "exec:true");
}

TEST(StorageClaims, FinishFailedCountsErrorsAndBacksOff) {
  test_database t{"failed"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  auto c = claim_feed(db, id);
  auto r = storage::finish_failed(db, c, std::nullopt, "fetch: connect: Connection refused", 10min, false);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_FALSE(r->lease_lost);
  EXPECT_EQ(t.scalar("SELECT concat_ws('|', error_count, last_status IS NULL, last_error, lease_until IS NULL, "
                     "last_checked_at IS NOT NULL, "
                     "extract(epoch FROM next_check_at - now())::int BETWEEN 590 AND 600) FROM feeds"),
            "1|t|fetch: connect: Connection refused|t|t|t");

  t.exec("UPDATE feeds SET next_check_at = now()");
  c = claim_feed(db, id);
  ASSERT_TRUE(storage::finish_failed(db, c, 503, std::string(5000, 'x') + "\xff", 10min, false).has_value());
  EXPECT_EQ(t.scalar("SELECT concat_ws('|', error_count, last_status, length(last_error)) FROM feeds"), "2|503|1000");
}

// RELIABILITY S9: only an uninterrupted run of answers the caller calls
// gone counts, whatever their status, and only once it is
// disable_gone_after old does it disable the feed. Which answers are gone
// is the daemon's to say (StoreWorker.GoneIs404Or410OrAHostThatDoesNotExist).
TEST(StorageClaims, AFeedGoneForThirtyDaysIsDisabled) {
  test_database t{"gone"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  const auto fail = [&](std::optional<int> status, bool gone) {
    t.exec("UPDATE feeds SET next_check_at = now()");
    auto r = storage::finish_failed(db, claim_feed(db, id), status, "gone", 1h, gone);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return r.has_value() && r->disabled;
  };
  const auto gone_since = [&] { return t.scalar("SELECT coalesce(gone_since::text, 'null') FROM feeds"); };

  EXPECT_FALSE(fail(410, true));
  EXPECT_NE(gone_since(), "null");
  const std::string first = gone_since();
  EXPECT_FALSE(fail(404, true));
  EXPECT_EQ(gone_since(), first) << "a gone answer continues the run";
  EXPECT_FALSE(fail(404, false));
  EXPECT_EQ(gone_since(), "null") << "the flag decides, not the status";
  EXPECT_FALSE(fail(503, true));
  EXPECT_NE(gone_since(), "null") << "the flag decides, not the status";
  EXPECT_FALSE(fail(std::nullopt, false));
  EXPECT_EQ(gone_since(), "null") << "any other outcome ends the run";

  EXPECT_FALSE(fail(410, true));
  t.exec("UPDATE feeds SET gone_since = now() - interval '29 days 23 hours'");
  EXPECT_FALSE(fail(410, true));
  EXPECT_EQ(t.scalar("SELECT disabled FROM feeds"), "f");
  t.exec("UPDATE feeds SET gone_since = now() - interval '30 days 1 minute'");
  EXPECT_TRUE(fail(404, true));
  EXPECT_EQ(t.scalar("SELECT disabled FROM feeds"), "t");
  auto claimed = storage::claim_due(db, {10, 10, 60s, "test"});
  ASSERT_TRUE(claimed.has_value());
  EXPECT_TRUE(claimed->empty()) << "a disabled feed is not claimed";
}

// RELIABILITY N4: a gone answer without a status (a host that does not
// exist) continues a run like a 404, and a run may mix the two.
TEST(StorageClaims, AHostThatDoesNotExistForThirtyDaysIsDisabled) {
  test_database t{"no such host"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://gone.example/feed");
  const auto fail = [&](std::optional<int> status, bool gone) {
    t.exec("UPDATE feeds SET next_check_at = now()");
    auto r = storage::finish_failed(db, claim_feed(db, id), status, "fetch: resolve: x", 1h, gone);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return r.has_value() && r->disabled;
  };
  const auto gone_since = [&] { return t.scalar("SELECT coalesce(gone_since::text, 'null') FROM feeds"); };

  EXPECT_FALSE(fail(std::nullopt, true));
  const std::string first = gone_since();
  EXPECT_NE(first, "null");
  EXPECT_FALSE(fail(404, true));
  EXPECT_EQ(gone_since(), first) << "a 404 continues the run";
  EXPECT_FALSE(fail(std::nullopt, false));
  EXPECT_EQ(gone_since(), "null") << "a lookup that could not be answered ends it";

  EXPECT_FALSE(fail(std::nullopt, true));
  t.exec("UPDATE feeds SET gone_since = now() - interval '29 days 23 hours'");
  EXPECT_FALSE(fail(std::nullopt, true));
  t.exec("UPDATE feeds SET gone_since = now() - interval '30 days 1 minute'");
  EXPECT_TRUE(fail(std::nullopt, true));
  EXPECT_EQ(t.scalar("SELECT concat_ws('|', disabled, last_status IS NULL) FROM feeds"), "t|t");
}

TEST(StorageClaims, SuccessEndsARunOfGoneAnswers) {
  test_database t{"gone then back"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  ASSERT_TRUE(storage::finish_failed(db, claim_feed(db, id), 410, "gone", 0s, true).has_value());
  t.exec("UPDATE feeds SET gone_since = now() - interval '40 days'");
  ASSERT_TRUE(storage::finish_not_modified(db, claim_feed(db, id), {304, "", "", "", ""}, 0s).has_value());
  EXPECT_EQ(t.scalar("SELECT gone_since IS NULL FROM feeds"), "t");
  ASSERT_TRUE(storage::finish_failed(db, claim_feed(db, id), 410, "gone", 0s, true).has_value());
  t.exec("UPDATE feeds SET gone_since = now() - interval '40 days'");
  ASSERT_TRUE(storage::finish_fetched(db, claim_feed(db, id), make_feed(1), ok_meta(), 0s).has_value());
  EXPECT_EQ(t.scalar("SELECT concat_ws('|', gone_since IS NULL, disabled) FROM feeds"), "t|f");
}

// RELIABILITY S3: a 301/308 target is remembered, and the URL follows it
// when the next fetch is led there again, unless another feed has it.
TEST(StorageClaims, APermanentMoveSeenTwiceInARowMovesTheFeed) {
  test_database t{"moved"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://old.example/feed");
  const std::string target = "https://new.example/feed";
  auto meta_to = [](std::string moved_to) {
    auto meta = ok_meta();
    meta.moved_to = std::move(moved_to);
    return meta;
  };
  const auto row = [&] { return t.scalar("SELECT concat_ws('|', url, coalesce(moved_to, 'null')) FROM feeds"); };

  auto first = storage::finish_fetched(db, claim_feed(db, id), make_feed(1), meta_to(target), 0s);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_FALSE(first->moved);
  EXPECT_EQ(row(), "https://old.example/feed|" + target);

  // Interrupted by a fetch that was not moved: start again.
  ASSERT_TRUE(storage::finish_not_modified(db, claim_feed(db, id), {304, "", "", "", ""}, 0s).has_value());
  EXPECT_EQ(row(), "https://old.example/feed|null");
  ASSERT_TRUE(storage::finish_fetched(db, claim_feed(db, id), make_feed(1), meta_to(target), 0s).has_value());
  // Another target: remembered instead.
  ASSERT_TRUE(storage::finish_fetched(db, claim_feed(db, id), make_feed(1), meta_to(target + "2"), 0s).has_value());
  EXPECT_EQ(row(), "https://old.example/feed|" + target + "2");

  ASSERT_TRUE(storage::finish_fetched(db, claim_feed(db, id), make_feed(1), meta_to(target), 0s).has_value());
  storage::http_meta not_modified{304, "", "", "", target};
  auto second = storage::finish_not_modified(db, claim_feed(db, id), not_modified, 0s);
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_TRUE(second->moved);
  EXPECT_FALSE(second->move_refused);
  EXPECT_EQ(row(), target + "|null");
  EXPECT_EQ(t.scalar("SELECT count(*) FROM entries WHERE feed_id = " + std::to_string(id)), "1") << "entries stay";
}

TEST(StorageClaims, AMoveOntoAnotherFeedsUrlIsRefused) {
  test_database t{"move refused"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://old.example/feed");
  add(db, "https://new.example/feed");
  auto meta = ok_meta();
  meta.moved_to = "https://new.example/feed";
  ASSERT_TRUE(storage::finish_fetched(db, claim_feed(db, id), make_feed(1), meta, 0s).has_value());
  auto second = storage::finish_fetched(db, claim_feed(db, id), make_feed(1), meta, 0s);
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_FALSE(second->moved);
  EXPECT_TRUE(second->move_refused);
  EXPECT_EQ(t.scalar("SELECT concat_ws('|', url, moved_to IS NULL) FROM feeds WHERE id = " + std::to_string(id)),
            "https://old.example/feed|t");
}

TEST(StorageClaims, FinishFailedStoresBrokenTextReadably) {
  test_database t{"failed text"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  auto c = claim_feed(db, id);
  const char raw[] = "bad \xff\xfe byte\0nul";
  auto r = storage::finish_failed(db, c, 500, std::string(raw, sizeof raw - 1), 1h, false);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(t.scalar("SELECT last_error FROM feeds"), "bad \xEF\xBF\xBD\xEF\xBF\xBD bytenul");
}

// RELIABILITY D4: the answer to COMMIT was lost and the caller retries.
TEST(StorageClaims, RetriedFinishChangesNothingTwice) {
  test_database t{"retried finish"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  auto c = claim_feed(db, id);
  ASSERT_TRUE(storage::finish_failed(db, c, 500, "boom", 1h, false).has_value());
  auto retry = storage::finish_failed(db, c, 500, "boom", 1h, false);
  ASSERT_TRUE(retry.has_value());
  EXPECT_TRUE(retry->already_finished);
  EXPECT_FALSE(retry->lease_lost);
  EXPECT_EQ(t.scalar("SELECT error_count FROM feeds"), "1");
}

TEST(StorageClaims, NotModifiedKeepsEntriesAndValidators) {
  test_database t{"not modified"};
  auto db = open_migrated(t);
  const auto id = add(db, "https://example.com/feed");
  auto c = claim_feed(db, id);
  ASSERT_TRUE(storage::finish_fetched(db, c, make_feed(3), ok_meta(), 0s).has_value());
  t.exec("UPDATE feeds SET error_count = 2, last_error = 'old'");
  const std::string entries_before = t.scalar("SELECT string_agg(xmin::text || id, ',' ORDER BY id) FROM entries");

  c = claim_feed(db, id);
  auto r = storage::finish_not_modified(db, c, {304, "", "", "", ""}, 2h);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_FALSE(r->lease_lost);
  EXPECT_EQ(t.scalar("SELECT string_agg(xmin::text || id, ',' ORDER BY id) FROM entries"), entries_before);
  EXPECT_EQ(t.scalar("SELECT concat_ws('|', last_status, etag, last_modified, error_count, last_error IS NULL, "
                     "lease_until IS NULL, extract(epoch FROM next_check_at - now())::int BETWEEN 7190 AND 7200) "
                     "FROM feeds"),
            "304|\"v1\"|Tue, 14 Nov 2023 22:13:20 GMT|0|t|t|t");

  t.exec("UPDATE feeds SET next_check_at = now()");
  c = claim_feed(db, id);
  ASSERT_TRUE(storage::finish_not_modified(db, c, {304, "\"v2\"", "", "", ""}, 2h).has_value());
  EXPECT_EQ(t.scalar("SELECT etag FROM feeds"), "\"v2\"");
}

}  // namespace
}  // namespace feedd::test
