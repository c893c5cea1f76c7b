// The scheduler against a fake fetcher, driven on the test's own thread:
// io.poll() runs whatever the strand has to do now and returns, so every
// step is deterministic and nothing waits on a clock.
#include "scheduler.hpp"

#include <map>
#include <string>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "fake_fetcher.hpp"

namespace feedd::daemon {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

storage::claim claim_on(const std::string& host, std::int64_t id) {
  storage::claim c;
  c.feed_id = id;
  c.lease_token = id;
  c.url = "http://" + host + "/feed/" + std::to_string(id);
  c.host = host;
  return c;
}

fetch_response ok() {
  fetch_response r;
  r.what = fetch_response::outcome::ok;
  r.status = 200;
  r.body = "<rss/>";
  return r;
}

class Scheduler : public ::testing::Test {
 protected:
  void make(std::size_t capacity, scheduler_limits limits) {
    queue_ = std::make_unique<bounded_queue<message>>(capacity);
    scheduler_ = std::make_unique<scheduler>(io_, fetcher_, *queue_, limits);
  }
  // A fetch the test left unfinished holds its completion, which holds the
  // scheduler's state: cancel it so that the state is freed (LeakSanitizer).
  void TearDown() override {
    if (!scheduler_) return;
    scheduler_->cancel_in_flight();
    settle();
  }
  // Runs what the strand has to do until nothing is left.
  void settle() { io_.poll(); }
  void submit(std::vector<storage::claim> claims) {
    scheduler_->submit(std::move(claims));
    settle();
  }
  void complete(std::int64_t id, fetch_response r = ok()) {
    ASSERT_TRUE(fetcher_.complete(id, std::move(r))) << "feed " << id << " is not in flight";
    settle();
  }
  // What the store thread does: pop one message and say a slot is free.
  std::optional<message> pop() {
    auto m = queue_->pop_for(0ms);
    scheduler_->slot_freed();
    settle();
    return m;
  }
  std::vector<std::int64_t> started_ids() const {
    std::vector<std::int64_t> ids;
    for (const auto& r : fetcher_.started()) ids.push_back(r.feed_id);
    return ids;
  }
  std::map<std::string, int> in_flight_per_host() const {
    std::map<std::string, int> out;
    for (const auto& r : fetcher_.in_flight()) ++out[r.url.substr(7, r.url.find('/', 7) - 7)];
    return out;
  }

  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> work_ = net::make_work_guard(io_);
  fake_fetcher fetcher_;
  std::unique_ptr<bounded_queue<message>> queue_;
  std::unique_ptr<scheduler> scheduler_;
};

std::int64_t fetched_id(const std::optional<message>& m) {
  if (!m || !std::holds_alternative<fetched>(*m)) return -1;
  return std::get<fetched>(*m).claim.feed_id;
}

TEST_F(Scheduler, AFullQueueStartsNoFetchUntilASlotFrees) {
  make(1, {10, 10, 30s});
  submit({claim_on("a:80", 1), claim_on("b:80", 2), claim_on("c:80", 3)});
  ASSERT_EQ(started_ids(), (std::vector<std::int64_t>{1, 2, 3}));
  complete(1);  // fills the queue
  complete(2);  // waits beside it
  submit({claim_on("d:80", 4), claim_on("e:80", 5)});
  EXPECT_EQ(started_ids().size(), 3u) << "a full queue must stop new fetches";

  EXPECT_EQ(fetched_id(pop()), 1);
  EXPECT_EQ(started_ids().size(), 3u) << "the freed slot went to the waiting result";
  EXPECT_EQ(fetched_id(pop()), 2);
  EXPECT_EQ(started_ids(), (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
}

TEST_F(Scheduler, ResultsThatDidNotFitAreDeliveredFirstAndInOrder) {
  make(1, {10, 10, 30s});
  submit({claim_on("a:80", 1), claim_on("b:80", 2), claim_on("c:80", 3), claim_on("d:80", 4)});
  for (std::int64_t id : {2, 4, 1, 3}) complete(id);
  submit({claim_on("e:80", 5)});
  std::vector<std::int64_t> order;
  while (auto m = pop()) order.push_back(fetched_id(m));
  EXPECT_EQ(order, (std::vector<std::int64_t>{2, 4, 1, 3}));
  EXPECT_EQ(started_ids().back(), 5) << "started once the overflow was delivered";
}

// RELIABILITY C8: per host, per instance.
TEST_F(Scheduler, NeverMoreThanMaxPerHostInFlightToOneHostWhileOtherHostsGoOn) {
  make(32, {10, 2, 30s});
  std::vector<storage::claim> claims;
  for (std::int64_t id = 1; id <= 6; ++id) claims.push_back(claim_on("busy:80", id));
  claims.push_back(claim_on("other:80", 7));
  submit(std::move(claims));
  EXPECT_EQ(started_ids(), (std::vector<std::int64_t>{1, 2, 7})) << "the other host does not wait behind the busy one";
  for (std::int64_t next = 3; next <= 6; ++next) {
    complete(next - 2);
    EXPECT_EQ(in_flight_per_host()["busy:80"], 2);
    EXPECT_EQ(started_ids().back(), next);
  }
  complete(5);
  complete(6);
  EXPECT_EQ(in_flight_per_host()["busy:80"], 0);
  EXPECT_EQ(started_ids().size(), 7u);
}

// The scheduler counts by claim.host, the key the store thread caps its
// claims by, not by anything it works out from the URL: both sides agree by
// construction. It takes every claim (the store thread bounds them) and
// starts each as its host frees.
// A host with a backlog keeps its connections busy: when its fetch
// finishes, its next claim starts before claims of other hosts claimed
// earlier (claim order alone gave a 2,000-feed host 5 of its 40 feeds/s
// while 100 small hosts were served: bench/README.md).
TEST_F(Scheduler, AHostWhoseFetchFinishedStartsItsNextClaimBeforeOlderClaimsOfOtherHosts) {
  make(32, {3, 2, 30s});
  submit({claim_on("big:80", 1), claim_on("big:80", 2), claim_on("a:80", 11), claim_on("b:80", 12),
          claim_on("c:80", 13), claim_on("big:80", 3)});
  EXPECT_EQ(started_ids(), (std::vector<std::int64_t>{1, 2, 11}));
  complete(1);
  EXPECT_EQ(started_ids().back(), 3) << "the big host's connection went to an older claim of another host";
  complete(11);
  EXPECT_EQ(started_ids().back(), 12) << "without a backlog of its own, claim order decides";
  complete(2);
  EXPECT_EQ(started_ids().back(), 13);
}

TEST_F(Scheduler, HostsAreCountedByTheClaimsHostAndEveryClaimIsTaken) {
  make(32, {10, 1, 30s});
  std::vector<storage::claim> claims;
  for (std::int64_t id = 1; id <= 5; ++id) {
    auto c = claim_on("busy:80", id);
    if (id % 2 == 0) c.url = "http://alias-" + std::to_string(id) + ":80/feed";  // another URL, the same key
    claims.push_back(std::move(c));
  }
  claims.push_back(claim_on("other:80", 6));
  submit(std::move(claims));
  EXPECT_EQ(started_ids(), (std::vector<std::int64_t>{1, 6}));
  EXPECT_TRUE(queue_->empty()) << "nothing comes back unfetched";
  for (std::int64_t next = 2; next <= 5; ++next) {
    complete(next - 1);
    EXPECT_EQ(started_ids().back(), next);
    EXPECT_EQ(fetcher_.in_flight().size(), 2u) << "one of busy:80, one of other:80";
  }
}

// A 429 or 503 with Retry-After: the host's claims not started come back
// in one `held`, right after the answer, and none of them starts; other
// hosts' claims are left as they are.
TEST_F(Scheduler, RetryAfterGivesTheHostsWaitingClaimsBackRightAfterTheAnswer) {
  make(32, {10, 1, 30s});
  submit({claim_on("busy:80", 1), claim_on("busy:80", 2), claim_on("busy:80", 3), claim_on("other:80", 4),
          claim_on("other:80", 5)});
  ASSERT_EQ(started_ids(), (std::vector<std::int64_t>{1, 4}));
  auto wait = ok();
  wait.what = fetch_response::outcome::http_error;
  wait.status = 429;
  wait.retry_after = std::chrono::seconds(60);
  complete(1, wait);
  EXPECT_EQ(started_ids(), (std::vector<std::int64_t>{1, 4})) << "nothing more starts on the paused host";
  EXPECT_EQ(fetched_id(queue_->pop_for(0ms)), 1);
  auto back = queue_->pop_for(0ms);
  ASSERT_TRUE(back && std::holds_alternative<held>(*back));
  EXPECT_EQ(std::get<held>(*back).host, "busy:80");
  std::vector<std::int64_t> ids;
  for (const auto& c : std::get<held>(*back).claims) ids.push_back(c.feed_id);
  EXPECT_EQ(ids, (std::vector<std::int64_t>{2, 3}));
  complete(4);
  EXPECT_EQ(started_ids().back(), 5) << "the other host goes on";
}

// fetch.host_delay: a host's next fetch starts host_delay after its last
// start, woken by a timer on the strand (the test runs the I/O loop for a
// bounded time), while another host's claim behind it starts at once.
// Lower bounds only: a loaded machine may run the timer late, never early.
TEST_F(Scheduler, HostDelaySpacesStartsToOneHostWhileOtherHostsGoOn) {
  make(32, {10, 10, 30s, 150ms});
  submit({claim_on("spaced:80", 1), claim_on("spaced:80", 2), claim_on("spaced:80", 3), claim_on("other:80", 4)});
  EXPECT_EQ(started_ids(), (std::vector<std::int64_t>{1, 4})) << "the other host does not wait for the delay";
  for (const auto until = std::chrono::steady_clock::now() + 5s;
       started_ids().size() < 4 && std::chrono::steady_clock::now() < until;) {
    io_.run_one_for(50ms);
  }
  ASSERT_EQ(started_ids(), (std::vector<std::int64_t>{1, 4, 2, 3}));
  const auto at = fetcher_.started_at();
  EXPECT_GE(at[2] - at[0], 150ms);
  EXPECT_GE(at[3] - at[2], 150ms);
  EXPECT_EQ(in_flight_per_host()["spaced:80"], 3) << "spacing is not a cap: none had to finish";
}

TEST_F(Scheduler, StopStartingGivesWaitingClaimsBackAsCancelledAndLetsFetchesInFlightFinish) {
  make(8, {1, 1, 30s});
  submit({claim_on("a:80", 1), claim_on("b:80", 2), claim_on("c:80", 3)});
  ASSERT_EQ(started_ids(), std::vector<std::int64_t>{1});
  scheduler_->stop_starting();
  settle();
  for (std::int64_t id : {2, 3}) {
    auto m = queue_->pop_for(0ms);
    ASSERT_EQ(fetched_id(m), id);
    EXPECT_EQ(std::get<fetched>(*m).response.what, fetch_response::outcome::cancelled);
    EXPECT_EQ(std::get<fetched>(*m).response.error, cancelled_before_start);
  }
  EXPECT_FALSE(fetcher_.was_cancelled(1));
  complete(1);
  auto last = pop();
  ASSERT_EQ(fetched_id(last), 1);
  EXPECT_EQ(std::get<fetched>(*last).response.what, fetch_response::outcome::ok);

  submit({claim_on("d:80", 4)});
  EXPECT_EQ(fetched_id(pop()), 4) << "a claim submitted after the stop comes back at once";
  EXPECT_EQ(started_ids(), std::vector<std::int64_t>{1}) << "no fetch starts after the stop";
}

TEST_F(Scheduler, CancelInFlightCancelsEveryFetchAndGivesBackTheWaitingClaims) {
  make(8, {2, 2, 30s});
  submit({claim_on("a:80", 1), claim_on("b:80", 2), claim_on("c:80", 3)});
  ASSERT_EQ(started_ids(), (std::vector<std::int64_t>{1, 2}));
  scheduler_->cancel_in_flight();
  settle();
  EXPECT_TRUE(fetcher_.was_cancelled(1));
  EXPECT_TRUE(fetcher_.was_cancelled(2));
  std::map<std::int64_t, std::string> errors;
  while (auto m = queue_->pop_for(0ms)) {
    ASSERT_EQ(std::get<fetched>(*m).response.what, fetch_response::outcome::cancelled);
    errors[fetched_id(m)] = std::get<fetched>(*m).response.error;
  }
  EXPECT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[3], cancelled_before_start);
  EXPECT_TRUE(fetcher_.in_flight().empty());
  EXPECT_EQ(started_ids().size(), 2u);
}

}  // namespace
}  // namespace feedd::daemon
