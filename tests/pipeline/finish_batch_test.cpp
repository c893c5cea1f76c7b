// finisher::finish_batch against a real PostgreSQL: many results finished
// in few transactions, and each feed's promises kept inside a batch (lease
// per feed, one bad feed costs no other, a repeated finish is harmless).
// A transaction is counted by the xmin it leaves on the rows it wrote.
#include <gtest/gtest.h>

#include "bounded_queue.hpp"
#include "drain_control.hpp"
#include "feedd/storage/claims.hpp"
#include "feedd/storage/feeds.hpp"
#include "finisher.hpp"
#include "support/test_database.hpp"

namespace feedd::daemon {
namespace {

using namespace std::chrono_literals;
using outcome = fetch_response::outcome;

std::string rss(const std::string& title, const std::string& guid) {
  return "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><link>http://example.com/</link>"
         "<item><guid>" + guid + "</guid><title>" + title + "</title><link>http://example.com/" + guid +
         "</link></item></channel></rss>";
}

fetch_response answer(outcome what, int status, std::string body = {}) {
  fetch_response r;
  r.what = what;
  r.status = status;
  r.body = std::move(body);
  if (what == outcome::ok) r.content_type = "application/rss+xml";
  if (what == outcome::failed) r.error = "fetch: connect: Connection refused";
  return r;
}

class FinishBatch : public ::testing::Test {
 protected:
  FinishBatch() : db_(::testing::UnitTest::GetInstance()->current_test_info()->name()) {
    auto opened = storage::database::open({db_.conninfo(), "", "feedd-test-batch"});
    if (!opened) throw std::runtime_error(opened.error().message);
    database_.emplace(std::move(*opened));
    if (auto v = storage::migrate(*database_); !v) throw std::runtime_error(v.error().message);
    retry_.emplace(*database_, drain_, log_, counters_,
                   database_retry::waiting{queue_, [](const message&) {}, {}, std::chrono::milliseconds(0)});
    finisher_.emplace(*retry_, log_, counters_);
  }

  // n feeds, all claimed.
  std::vector<storage::claim> claimed(int n) {
    for (int i = 0; i < n; ++i) {
      auto added = storage::add_feed(*database_, "http://h" + std::to_string(i) + ".example/feed", std::nullopt);
      if (!added || added->already_exists) throw std::runtime_error("cannot add a feed");
    }
    auto claims = storage::claim_due(*database_, {n, n, 300s, "test"});
    if (!claims || static_cast<int>(claims->size()) != n) throw std::runtime_error("cannot claim");
    return std::move(*claims);
  }

  std::string scalar(const std::string& sql) { return db_.scalar(sql); }
  std::string transactions(const std::string& where) {
    return scalar("SELECT count(DISTINCT xmin::text) FROM feeds WHERE " + where);
  }

  test::test_database db_;
  std::optional<storage::database> database_;
  bounded_queue<message> queue_{4};
  drain_control drain_{true, 10s};
  logger log_{log_level::error, log_style::text};
  run_counters counters_;
  std::optional<database_retry> retry_;
  std::optional<finisher> finisher_;
  schedule_limits limits_{};
};

// Ten 304s, ten new feeds and ten failures: three statements' worth of
// transactions, not thirty; every feed's entries in its feed's transaction.
TEST_F(FinishBatch, ThirtyFeedsOfThreeOutcomesAreFinishedInThreeTransactions) {
  limits_ = {1800s, 300s, 86400s, 86400s, false};
  std::vector<fetched> results;
  for (const auto& c : claimed(30)) {
    const auto i = results.size();
    const auto id = std::to_string(c.feed_id);
    if (i % 3 == 0) results.push_back({c, answer(outcome::not_modified, 304)});
    if (i % 3 == 1) results.push_back({c, answer(outcome::ok, 200, rss("One", "g" + id))});
    if (i % 3 == 2) results.push_back({c, answer(outcome::failed, 0)});
  }
  finisher_->finish_batch(results, limits_);
  EXPECT_EQ(scalar("SELECT count(*) FROM feeds WHERE lease_until IS NULL AND last_checked_at IS NOT NULL"), "30");
  EXPECT_EQ(scalar("SELECT count(*) FROM feeds WHERE last_status = 304"), "10");
  EXPECT_EQ(scalar("SELECT count(*) FROM feeds WHERE last_status = 200 AND etag IS NULL"), "10");
  EXPECT_EQ(scalar("SELECT count(*) FROM feeds WHERE error_count = 1 AND last_status IS NULL"), "10");
  EXPECT_EQ(transactions("last_status = 304"), "1");
  EXPECT_EQ(transactions("last_status = 200"), "1");
  EXPECT_EQ(transactions("error_count = 1"), "1");
  EXPECT_EQ(scalar("SELECT count(*) FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE e.xmin = f.xmin"), "10")
      << "a feed's entries belong in its feed's transaction";
  EXPECT_EQ(counters_.not_modified, 10);
  EXPECT_EQ(counters_.fetched, 10);
  EXPECT_EQ(counters_.failed, 10);
  EXPECT_EQ(counters_.entries_new, 10);
}

// Another instance took one feed of each kind over (its lease token
// changed): those are skipped, the rest of the batch is finished.
TEST_F(FinishBatch, AFeedWhoseLeaseWasTakenOverIsSkippedAndTheOthersAreFinished) {
  limits_ = {1800s, 300s, 86400s, 86400s, false};
  const auto claims = claimed(6);
  std::vector<fetched> results;
  for (std::size_t i = 0; i < claims.size(); ++i) {
    const auto id = std::to_string(claims[i].feed_id);
    if (i < 3) results.push_back({claims[i], answer(outcome::ok, 200, rss("One", "g" + id))});
    if (i >= 3) results.push_back({claims[i], answer(outcome::not_modified, 304)});
  }
  const auto stolen_200 = std::to_string(claims[0].feed_id);
  const auto stolen_304 = std::to_string(claims[3].feed_id);
  db_.exec("UPDATE feeds SET lease_token = lease_token + 1000, claimed_by = 'other' WHERE id IN (" + stolen_200 +
           ", " + stolen_304 + ")");
  finisher_->finish_batch(results, limits_);
  EXPECT_EQ(scalar("SELECT count(*) FROM entries WHERE feed_id = " + stolen_200), "0");
  EXPECT_EQ(scalar("SELECT concat_ws('|', last_status, claimed_by, lease_until IS NOT NULL) FROM feeds WHERE id IN (" +
                   stolen_200 + ", " + stolen_304 + ") GROUP BY 1"),
            "other|t");
  EXPECT_EQ(scalar("SELECT count(*) FROM feeds WHERE last_status IN (200, 304) AND lease_until IS NULL"), "4");
  EXPECT_EQ(scalar("SELECT count(*) FROM entries"), "2");
}

// The database refuses one feed's entry (a data exception, SQLSTATE 22xxx):
// the batch's transaction is rolled back and its feeds stored one by one,
// so that feed alone is marked failing and the others are stored.
TEST_F(FinishBatch, AnEntryTheDatabaseRefusesFailsOnlyItsFeed) {
  limits_ = {1800s, 300s, 86400s, 86400s, false};
  db_.exec("CREATE FUNCTION refuse_bad() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
           " IF NEW.title = 'bad' THEN RAISE EXCEPTION 'bad entry' USING ERRCODE = '22023'; END IF;"
           " RETURN NEW; END $$");
  db_.exec("CREATE TRIGGER refuse_bad BEFORE INSERT ON entries FOR EACH ROW EXECUTE FUNCTION refuse_bad()");
  const auto claims = claimed(5);
  std::vector<fetched> results;
  for (std::size_t i = 0; i < claims.size(); ++i) {
    results.push_back({claims[i], answer(outcome::ok, 200, rss(i == 2 ? "bad" : "good", "g" + std::to_string(i)))});
  }
  finisher_->finish_batch(results, limits_);
  const auto bad = std::to_string(claims[2].feed_id);
  EXPECT_EQ(scalar("SELECT concat_ws('|', error_count, last_error, lease_until IS NULL) FROM feeds WHERE id = " + bad),
            "1|store: the database refused this feed's entries|t");
  EXPECT_EQ(scalar("SELECT count(*) FROM feeds WHERE last_status = 200 AND error_count = 0 AND lease_until IS NULL"), "4");
  EXPECT_EQ(scalar("SELECT count(*) FROM entries WHERE title = 'good'"), "4");
  EXPECT_EQ(counters_.fetched, 4);
  EXPECT_EQ(counters_.failed, 1);
}

// A batch finished twice (its COMMIT landed but the answer was lost, and
// database_retry ran it again): the second time finds every feed finished
// and writes nothing.
TEST_F(FinishBatch, ABatchFinishedAgainFindsItsFeedsFinishedAndWritesNothing) {
  limits_ = {1800s, 300s, 86400s, 86400s, false};
  std::vector<fetched> results;
  for (const auto& c : claimed(4)) {
    const bool changed = results.size() % 2 == 0;
    if (changed) results.push_back({c, answer(outcome::ok, 200, rss("One", "g" + std::to_string(c.feed_id)))});
    if (!changed) results.push_back({c, answer(outcome::not_modified, 304)});
  }
  finisher_->finish_batch(results, limits_);
  const auto before = scalar("SELECT string_agg(concat_ws(':', id, xmin, next_check_at), ',' ORDER BY id) FROM feeds");
  finisher_->finish_batch(results, limits_);
  EXPECT_EQ(scalar("SELECT string_agg(concat_ws(':', id, xmin, next_check_at), ',' ORDER BY id) FROM feeds"), before);
  EXPECT_EQ(scalar("SELECT count(*) FROM entries"), "2");
  EXPECT_EQ(counters_.entries_new, 2);
}

}  // namespace
}  // namespace feedd::daemon
