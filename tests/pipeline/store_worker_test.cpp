// The store thread against a real PostgreSQL and the real scheduler, with a
// fake fetcher whose fetches finish when the test says so. Waits are on
// conditions with bounded deadlines, never on a clock.
#include "store_worker.hpp"

#include <array>
#include <future>
#include <set>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "fake_fetcher.hpp"
#include "feedd/storage/feeds.hpp"
#include "support/test_database.hpp"

namespace feedd::daemon {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using outcome = fetch_response::outcome;

constexpr auto deadline = 30s;

const std::string rss =
    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><link>http://example.com/</link>"
    "<item><guid>g1</guid><title>One</title><link>http://example.com/1</link></item></channel></rss>";

fetch_response answer(outcome what, int status, std::string error = {}) {
  fetch_response r;
  r.what = what;
  r.status = status;
  r.error = std::move(error);
  if (what == outcome::ok) {
    r.body = rss;
    r.content_type = "application/rss+xml";
    r.etag = "\"v1\"";
  }
  return r;
}

// One store thread, its scheduler on an I/O thread, and a database of its own.
class StoreWorker : public ::testing::Test {
 protected:
  StoreWorker() : db_(::testing::UnitTest::GetInstance()->current_test_info()->name()) {
    settings_.shutdown.drain_timeout = 10s;
    auto opened = storage::database::open({db_.conninfo(), "", "feedd-test-store"});
    if (!opened) throw std::runtime_error(opened.error().message);
    database_.emplace(std::move(*opened));
    if (auto v = storage::migrate(*database_); !v) throw std::runtime_error(v.error().message);
  }
  ~StoreWorker() override {
    // A test that failed half-way: stop the store thread as a second signal would.
    if (result_.valid() && result_.wait_for(0s) != std::future_status::ready) {
      scheduler_->cancel_in_flight();
      queue_->push_control(cancel_requested{});
      result_.wait();
    }
    work_.reset();
    io_.stop();
    if (io_thread_.joinable()) io_thread_.join();
  }

  std::int64_t add(const std::string& url) {
    auto added = storage::add_feed(*database_, url, std::nullopt);
    if (!added || added->already_exists) throw std::runtime_error("cannot add " + url);
    return added->row.id;
  }

  // N feeds on hosts of their own, and the store thread started in `once`
  // mode with every fetch started.
  template <std::size_t N>
  std::array<std::int64_t, N> fetching_one_per_host(bool once) {
    std::array<std::int64_t, N> ids{};
    for (std::size_t i = 0; i < N; ++i) ids[i] = add("http://host" + std::to_string(i) + ".example/feed");
    start(once);
    EXPECT_TRUE(fetcher_.wait_started(N));
    return ids;
  }

  // Starts the store thread (and the scheduler's), as `run` or `run --once`.
  void start(bool once) {
    queue_.emplace(static_cast<std::size_t>(settings_.queue.capacity));
    scheduler_.emplace(io_, fetcher_, *queue_,
                       scheduler_limits{settings_.fetch.max_concurrent, settings_.fetch.max_per_host, settings_.fetch.timeout,
                                        settings_.fetch.host_delay});
    store_worker::hooks h;
    h.now = now_;
    worker_.emplace(*database_, *queue_, *scheduler_, log_, settings_, once, std::move(h));
    io_thread_ = std::thread([this] { io_.run(); });
    result_ = std::async(std::launch::async, [this] { return worker_->run(); });
  }

  // What `run` does on the first SIGTERM.
  void drain() {
    scheduler_->stop_starting();
    queue_->push_control(drain_requested{});
  }

  // The store thread's exit code; a run that does not end is cancelled.
  int finished() {
    if (result_.wait_for(deadline) != std::future_status::ready) {
      ADD_FAILURE() << "the store thread did not finish";
      scheduler_->cancel_in_flight();
      queue_->push_control(cancel_requested{});
    }
    return result_.get();
  }

  void complete(std::int64_t id, fetch_response r) {
    ASSERT_TRUE(fetcher_.complete(id, std::move(r))) << "feed " << id << " is not in flight";
  }

  std::string row(std::int64_t id, const std::string& columns) {
    return db_.scalar("SELECT concat_ws('|', " + columns + ") FROM feeds WHERE id = " + std::to_string(id));
  }

  // Polls the database until `sql` answers `expected`, at most `deadline`.
  bool eventually(const std::string& sql, const std::string& expected) {
    for (const auto until = std::chrono::steady_clock::now() + deadline; std::chrono::steady_clock::now() < until;
         std::this_thread::sleep_for(20ms)) {
      if (db_.scalar(sql) == expected) return true;
    }
    return false;
  }

  test::test_database db_;
  std::optional<storage::database> database_;
  config::config settings_;
  logger log_{log_level::error, log_style::text};
  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> work_ = net::make_work_guard(io_);
  std::thread io_thread_;
  fake_fetcher fetcher_;
  std::optional<bounded_queue<message>> queue_;
  std::optional<scheduler> scheduler_;
  std::optional<store_worker> worker_;
  std::future<int> result_;
  finisher::clock_fn now_;
};

TEST_F(StoreWorker, FinishesEachOutcomeInTheDatabaseAndEndsARunOnce) {
  const auto [stored, unchanged, server_error, refused, cancelled] = fetching_one_per_host<5>(true);
  complete(stored, answer(outcome::ok, 200));
  complete(unchanged, answer(outcome::not_modified, 304));
  complete(server_error, answer(outcome::http_error, 503, "fetch: status 503"));
  complete(refused, answer(outcome::failed, 0, "fetch: connect: Connection refused"));
  complete(cancelled, answer(outcome::cancelled, 0, "fetch: cancelled"));
  ASSERT_EQ(finished(), 0);

  const std::string bookkeeping = "last_status, error_count, etag, last_error, lease_until IS NULL, next_check_at > now()";
  EXPECT_EQ(row(stored, bookkeeping), "200|0|\"v1\"|t|t");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM entries WHERE feed_id = " + std::to_string(stored)), "1");
  EXPECT_EQ(row(unchanged, bookkeeping), "304|0|t|t");
  EXPECT_EQ(row(server_error, bookkeeping), "503|1|fetch: status 503|t|t");
  EXPECT_EQ(row(refused, bookkeeping), "1|fetch: connect: Connection refused|t|t");
  // Released untouched: never checked, still due.
  EXPECT_EQ(row(cancelled, "last_checked_at IS NULL, lease_until IS NULL, next_check_at <= now()"), "t|t|t");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM entries"), "1");
}

// Seconds from a feed's last check to its next one.
std::string next_after_check(const test::test_database& db, std::int64_t id) {
  return db.scalar("SELECT round(extract(epoch FROM next_check_at - last_checked_at)) FROM feeds WHERE id = " +
                   std::to_string(id));
}

// The clock says Monday 2024-01-01 23:10 UTC; the feed skips 23:00 and
// midnight to 01:59, so the 30 minute interval (23:40) moves to Tuesday
// 02:00. Its 304 an hour later (the clock says 00:30) moves too: the hint
// kept from the 200 is the one the 304 obeys.
TEST_F(StoreWorker, SkipHoursOfTheFeedMoveTheNextCheckAcrossMidnight) {
  using namespace std::chrono;
  auto clock = std::make_shared<sys_seconds>(sys_days{year{2024} / January / 1} + 23h + 10min);
  now_ = [clock] { return *clock; };
  const auto id = add("http://skip.example/feed");
  start(false);
  ASSERT_TRUE(fetcher_.wait_started(1));
  auto r = answer(outcome::ok, 200);
  r.body = "<rss version=\"2.0\"><channel><title>T</title><skipHours><hour>23</hour><hour>0</hour><hour>1</hour>"
           "</skipHours><item><guid>g1</guid></item></channel></rss>";
  complete(id, r);
  ASSERT_TRUE(eventually("SELECT last_status FROM feeds WHERE id = " + std::to_string(id), "200"));
  EXPECT_EQ(next_after_check(db_, id), std::to_string(2 * 3600 + 50 * 60));
  EXPECT_EQ(row(id, "skip_hours"), std::to_string((1 << 23) | 3));

  *clock = sys_days{year{2024} / January / 2} + 30min;
  db_.exec("UPDATE feeds SET next_check_at = now() WHERE id = " + std::to_string(id));
  ASSERT_TRUE(fetcher_.wait_started(2));
  complete(id, answer(outcome::not_modified, 304));
  ASSERT_TRUE(eventually("SELECT last_status FROM feeds WHERE id = " + std::to_string(id), "304"));
  EXPECT_EQ(next_after_check(db_, id), std::to_string(90 * 60));
  drain();
  EXPECT_EQ(finished(), 0);
}

// schedule.adaptive: earlier fetches brought entries every 2 hours (planted
// first_seen_at: the database's clock, no waiting); a 304 now sets the next
// check an hour on, not the configured 30 minutes. A feed with its own
// interval keeps it.
TEST_F(StoreWorker, AdaptiveIntervalFollowsThePublishingRateUnlessTheFeedHasItsOwn) {
  settings_.schedule.adaptive = true;
  const auto rated = add("http://rated.example/feed");
  const auto own = add("http://own.example/feed");
  db_.exec("UPDATE feeds SET \"interval\" = interval '45 minutes' WHERE id = " + std::to_string(own));
  for (const auto id : {rated, own}) {
    db_.exec("INSERT INTO entries (feed_id, guid, fingerprint, first_seen_at) SELECT " + std::to_string(id) +
             ", 'g' || i, '', now() - i * interval '2 hours' - interval '10 minutes' FROM generate_series(0, 5) i");
  }
  start(true);
  ASSERT_TRUE(fetcher_.wait_started(2));
  complete(rated, answer(outcome::not_modified, 304));
  complete(own, answer(outcome::not_modified, 304));
  ASSERT_EQ(finished(), 0);
  EXPECT_EQ(next_after_check(db_, rated), "3600");
  EXPECT_EQ(next_after_check(db_, own), "2700");
}

// RELIABILITY S9, N4: the daemon says which failures mean "gone";
// storage only keeps the run of them (StorageClaims.AFeedGoneForThirtyDaysIsDisabled).
TEST_F(StoreWorker, GoneIs404Or410OrAHostThatDoesNotExist) {
  const auto [not_found, gone, no_host, unavailable, lookup_failed] = fetching_one_per_host<5>(true);
  complete(not_found, answer(outcome::http_error, 404, "fetch: status 404"));
  complete(gone, answer(outcome::http_error, 410, "fetch: status 410"));
  auto nxdomain = answer(outcome::failed, 0, "fetch: resolve: no such host");
  nxdomain.no_such_host = true;
  complete(no_host, nxdomain);
  complete(unavailable, answer(outcome::http_error, 503, "fetch: status 503"));
  complete(lookup_failed, answer(outcome::failed, 0, "fetch: resolve: timed out"));
  ASSERT_EQ(finished(), 0);
  EXPECT_EQ(db_.scalar("SELECT string_agg((gone_since IS NOT NULL)::text, ',' ORDER BY id) FROM feeds"),
            "true,true,true,false,false");
}

// RELIABILITY P1: the first signal stores what is in flight when it comes
// back and gives the claims not started back untouched.
TEST_F(StoreWorker, ADrainStoresWhatIsInFlightAndReleasesWhatWaits) {
  settings_.fetch.max_concurrent = 1;
  const auto first = add("http://a.example/feed");
  add("http://b.example/feed");
  add("http://c.example/feed");
  start(false);
  ASSERT_TRUE(fetcher_.wait_started(1));
  drain();
  complete(first, answer(outcome::ok, 200));
  ASSERT_EQ(finished(), 0);
  EXPECT_EQ(fetcher_.started().size(), 1u);
  EXPECT_EQ(db_.scalar("SELECT string_agg(concat_ws(':', last_status, last_checked_at IS NULL, lease_until IS NULL),"
                       " ',' ORDER BY id) FROM feeds"),
            "200:f:t,t:t,t:t");
}

// A host serves one fetch at a time here, and holds one claim (30 s
// fetches, 30 s lease): --once claims its feeds again as each fetch
// finishes, and fetches each exactly once.
TEST_F(StoreWorker, RunOnceFetchesEveryFeedOfABusyHostExactlyOnce) {
  settings_.fetch.max_per_host = 1;
  settings_.fetch.timeout = 30s;
  settings_.schedule.lease = 30s;
  for (int i = 0; i < 4; ++i) add("http://busy.example/feed" + std::to_string(i));
  start(true);
  for (std::size_t n = 1; n <= 4; ++n) {
    ASSERT_TRUE(fetcher_.wait_started(n)) << fetcher_.started().size() << " of " << n;
    ASSERT_EQ(fetcher_.in_flight().size(), 1u);
    complete(fetcher_.in_flight().front().feed_id, answer(outcome::ok, 200));
  }
  ASSERT_EQ(finished(), 0);
  std::set<std::int64_t> ids;
  for (const auto& r : fetcher_.started()) ids.insert(r.feed_id);
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_EQ(fetcher_.started().size(), 4u);
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM feeds WHERE last_status = 200 AND lease_until IS NULL"), "4");
}

// RELIABILITY N10, C7: the daemon claims of a host at most twice what it
// fetches there at once (one in flight, one queued behind it); the rest
// stay unclaimed in the database, due as they were, and are claimed as the
// host frees.
TEST_F(StoreWorker, TheDaemonHoldsTwiceMaxPerHostPlusTheQueueOfABusyHostAndLeavesTheRestDue) {
  settings_.fetch.max_per_host = 1;
  settings_.queue.capacity = 2;  // the cap: 2 × 1 + 2
  settings_.fetch.timeout = 30s;
  settings_.schedule.lease = 60s;
  const auto first = add("http://busy.example/feed0");
  for (int i = 1; i < 6; ++i) add("http://busy.example/feed" + std::to_string(i));
  start(false);
  ASSERT_TRUE(fetcher_.wait_started(1));
  EXPECT_TRUE(eventually("SELECT count(*) FROM feeds WHERE lease_until IS NOT NULL", "4"));
  std::this_thread::sleep_for(300ms);  // a claim the store thread might still make
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM feeds WHERE lease_until IS NOT NULL"), "4");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM feeds WHERE lease_until IS NULL AND next_check_at <= now()"), "2")
      << "the feeds over the cap are left due, not deferred";
  complete(first, answer(outcome::ok, 200));
  ASSERT_TRUE(fetcher_.wait_started(2));
  EXPECT_TRUE(eventually("SELECT count(*) FROM feeds WHERE lease_until IS NOT NULL", "4"))
      << "the finish made room for one more claim";
  drain();
  complete(fetcher_.in_flight().front().feed_id, answer(outcome::ok, 200));
  ASSERT_EQ(finished(), 0);
  EXPECT_EQ(fetcher_.started().size(), 2u);
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM feeds WHERE lease_until IS NOT NULL"), "0");
}

// With fetch.host_delay a host starts one fetch per delay: the daemon holds
// of it only what it starts in a third of the lease (6 s lease, 1 s delay:
// 2), not twice max_per_host plus the queue, so no claim waits out its lease.
TEST_F(StoreWorker, TheDaemonHoldsOfASpacedHostOnlyWhatItStartsInAThirdOfTheLease) {
  settings_.fetch.max_per_host = 2;
  settings_.fetch.host_delay = 1s;
  settings_.schedule.lease = 6s;
  for (int i = 0; i < 6; ++i) add("http://spaced.example/feed" + std::to_string(i));
  start(false);
  ASSERT_TRUE(fetcher_.wait_started(1));
  EXPECT_TRUE(eventually("SELECT count(*) FROM feeds WHERE lease_until IS NOT NULL", "2"));
  std::this_thread::sleep_for(300ms);  // a claim the store thread might still make
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM feeds WHERE lease_until IS NOT NULL"), "2");
  drain();
  // The second claim may start on its timer before the drain reaches the
  // scheduler: finish whatever is in flight until the run ends.
  for (const auto until = std::chrono::steady_clock::now() + 10s;
       result_.wait_for(50ms) != std::future_status::ready && std::chrono::steady_clock::now() < until;) {
    for (const auto& r : fetcher_.in_flight()) fetcher_.complete(r.feed_id, answer(outcome::ok, 200));
  }
  ASSERT_EQ(finished(), 0);
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM feeds WHERE lease_until IS NOT NULL"), "0");
}

// At start-up, `run` spreads the feeds that came due while no daemon ran
// over min(first_check_spread, n × 100 ms), the most overdue first: here
// 20 feeds over 2 s, so they are not all started at once.
TEST_F(StoreWorker, TheDaemonSpreadsFeedsFoundOverdueAtStartUp) {
  settings_.schedule.first_check_spread = 1h;
  for (int i = 0; i < 20; ++i) add("http://host" + std::to_string(i) + ".example/feed");
  db_.exec("UPDATE feeds SET next_check_at = now() - (21 - id) * interval '1 hour'");
  start(false);
  ASSERT_TRUE(eventually("SELECT count(*) FROM feeds WHERE next_check_at > now() - interval '1 minute'", "20"));
  EXPECT_EQ(db_.scalar("SELECT string_agg(id::text, ',' ORDER BY next_check_at) = string_agg(id::text, ',' ORDER BY id)"
                       " FROM feeds"),
            "t")
      << "the most overdue first";
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM feeds WHERE next_check_at < now() + interval '2 seconds'"), "20");
  EXPECT_LT(fetcher_.started().size(), 20u) << "all started at once";
  drain();
  for (const auto& r : fetcher_.in_flight()) fetcher_.complete(r.feed_id, answer(outcome::ok, 200));
  for (const auto until = std::chrono::steady_clock::now() + 10s;
       result_.wait_for(50ms) != std::future_status::ready && std::chrono::steady_clock::now() < until;) {
    for (const auto& r : fetcher_.in_flight()) fetcher_.complete(r.feed_id, answer(outcome::ok, 200));
  }
  ASSERT_EQ(finished(), 0);
}

// --once fetches every feed due when it starts, at once: it spreads nothing.
TEST_F(StoreWorker, RunOnceSpreadsNothing) {
  settings_.schedule.first_check_spread = 1h;
  const auto ids = fetching_one_per_host<20>(true);
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM feeds WHERE next_check_at <= now()"), "20");
  for (const auto id : ids) complete(id, answer(outcome::ok, 200));
  ASSERT_EQ(finished(), 0);
  EXPECT_EQ(fetcher_.started().size(), 20u);
}

// RELIABILITY C7: a claim waiting for its host (or in flight) longer than
// its lease keeps it: the store thread renews the leases of what it holds
// every third of a lease, so no other instance takes the feed meanwhile.
TEST_F(StoreWorker, LeasesOfClaimsStillOutstandingAreRenewedBeforeTheyRunOut) {
  settings_.fetch.max_per_host = 1;
  settings_.schedule.lease = 3s;
  const auto first = add("http://slow.example/feed0");
  const auto second = add("http://slow.example/feed1");
  start(false);
  ASSERT_TRUE(fetcher_.wait_started(1));
  ASSERT_TRUE(eventually("SELECT count(*) FROM feeds WHERE lease_until IS NOT NULL", "2"));
  const auto tokens = db_.scalar("SELECT string_agg(lease_token::text, ',' ORDER BY id) FROM feeds");
  for (int i = 0; i < 10; ++i) {  // 5 s, well past the 3 s lease
    std::this_thread::sleep_for(500ms);
    ASSERT_EQ(db_.scalar("SELECT count(*) FROM feeds WHERE lease_until > now()"), "2") << "after " << i * 500 << " ms";
  }
  EXPECT_EQ(db_.scalar("SELECT string_agg(lease_token::text, ',' ORDER BY id) FROM feeds"), tokens)
      << "renewed, not claimed again";
  complete(first, answer(outcome::ok, 200));
  ASSERT_TRUE(fetcher_.wait_started(2));
  drain();
  complete(second, answer(outcome::ok, 200));
  ASSERT_EQ(finished(), 0);
  EXPECT_EQ(fetcher_.started().size(), 2u);
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM feeds WHERE last_status = 200 AND lease_until IS NULL"), "2");
}

// Results that queued together from a host at its cap are stored in one
// batch (issue 12: ending the batch at each of them cost two durable
// commits per 304 from a busy host), and the host's next feeds are claimed
// before that batch is stored (issue 11: a fast host's connections would
// otherwise idle while the store thread works). One connection and a queue
// of 2 (a cap of 4) on busy.example: A in flight, three waiting. The store
// thread is held on a lock storing another host's result while A and then
// B finish, so both wait in the queue.
TEST_F(StoreWorker, ResultsOfAHostAtItsCapAreStoredTogetherAfterItsNextFeedsAreClaimed) {
  settings_.fetch.max_per_host = 1;
  settings_.queue.capacity = 2;
  settings_.fetch.timeout = 30s;
  settings_.schedule.lease = 60s;
  for (int i = 0; i < 6; ++i) add("http://busy.example/feed" + std::to_string(i));
  const auto other = add("http://other.example/feed");
  start(false);
  ASSERT_TRUE(fetcher_.wait_started(2));
  ASSERT_TRUE(eventually("SELECT count(*) FROM feeds WHERE lease_until IS NOT NULL", "5"));
  auto on_busy = [this] {
    for (const auto& r : fetcher_.in_flight()) {
      if (r.url.find("busy.example") != std::string::npos) return r.feed_id;
    }
    return std::int64_t{0};
  };
  std::unique_ptr<PGconn, decltype(&PQfinish)> locker(PQconnectdb(db_.conninfo().c_str()), &PQfinish);
  ASSERT_EQ(PQstatus(locker.get()), CONNECTION_OK);
  PQclear(PQexec(locker.get(), "BEGIN"));
  PQclear(PQexec(locker.get(), "LOCK TABLE entries IN SHARE MODE"));
  complete(other, answer(outcome::ok, 200));
  ASSERT_TRUE(eventually("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'entries'::regclass", "1"));
  const auto a = on_busy();
  complete(a, answer(outcome::ok, 200));
  ASSERT_TRUE(fetcher_.wait_started(3));
  const auto b = on_busy();
  complete(b, answer(outcome::ok, 200));
  for (const auto until = std::chrono::steady_clock::now() + 5s;
       queue_->size() < 2 && std::chrono::steady_clock::now() < until;) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(queue_->size(), 2u);
  PQclear(PQexec(locker.get(), "COMMIT"));
  ASSERT_TRUE(eventually("SELECT count(*) FROM feeds WHERE last_status = 200 AND lease_until IS NULL", "3"));
  EXPECT_EQ(row(a, "xmin"), row(b, "xmin")) << "A and B were stored in transactions of their own";
  // A claim's time is its lease's end less the lease; a store's is
  // last_checked_at. C and D were claimed at the start, E and F after A and
  // B were let go, before their store.
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM feeds c WHERE c.lease_until - interval '60 seconds' <"
                       " (SELECT last_checked_at FROM feeds WHERE id = " + std::to_string(b) + ")"),
            "4")
      << "the host's next feeds were claimed only after A and B were stored";
  drain();
  for (const auto& r : fetcher_.in_flight()) complete(r.feed_id, answer(outcome::ok, 200));
  ASSERT_EQ(finished(), 0);
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM feeds WHERE lease_until IS NOT NULL"), "0");
}

}  // namespace
}  // namespace feedd::daemon

namespace feedd::daemon {
namespace {

// Results that queued while the store thread was busy are finished
// together (issue 12): a session holds entries locked while twenty results
// arrive; once it lets go they take a few transactions, not twenty (counted
// by the xmin each finish leaves on its feed row).
TEST_F(StoreWorker, ResultsThatQueuedWhileTheStoreWasBusyAreFinishedInFewTransactions) {
  const auto ids = fetching_one_per_host<20>(false);
  std::unique_ptr<PGconn, decltype(&PQfinish)> locker(PQconnectdb(db_.conninfo().c_str()), &PQfinish);
  ASSERT_EQ(PQstatus(locker.get()), CONNECTION_OK);
  PQclear(PQexec(locker.get(), "BEGIN"));
  PQclear(PQexec(locker.get(), "LOCK TABLE entries IN SHARE MODE"));
  for (const auto id : ids) complete(id, answer(outcome::ok, 200));
  // The store thread holds one result (or a first batch), waiting on the lock.
  for (const auto until = std::chrono::steady_clock::now() + 5s;
       queue_->size() < ids.size() - 1 && std::chrono::steady_clock::now() < until;) {
    std::this_thread::sleep_for(10ms);
  }
  PQclear(PQexec(locker.get(), "COMMIT"));
  ASSERT_TRUE(eventually("SELECT count(*) FROM feeds WHERE last_status = 200 AND lease_until IS NULL", "20"));
  EXPECT_LE(std::stoi(db_.scalar("SELECT count(DISTINCT xmin::text) FROM feeds")), 3);
  drain();
  ASSERT_EQ(finished(), 0);
}

// A drain that comes with a batch half gathered stores every result: the
// store thread never holds results back waiting for a fuller batch.
TEST_F(StoreWorker, ADrainWithResultsStillArrivingStoresEveryOne) {
  const auto ids = fetching_one_per_host<12>(false);
  for (std::size_t i = 0; i < 5; ++i) complete(ids[i], answer(outcome::ok, 200));
  drain();
  for (std::size_t i = 5; i < ids.size(); ++i) complete(ids[i], answer(i % 2 ? outcome::not_modified : outcome::ok, i % 2 ? 304 : 200));
  ASSERT_EQ(finished(), 0);
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM feeds WHERE last_status IN (200, 304) AND lease_until IS NULL"), "12");
  EXPECT_EQ(db_.scalar("SELECT count(*) FROM entries"), "8");
}

}  // namespace
}  // namespace feedd::daemon
