#include "drain_control.hpp"

#include <gtest/gtest.h>

namespace feedd::daemon {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

TEST(DrainControl, RunOnceClaimsUntilNothingIsDueAndAgainAfterABusyHostFrees) {
  drain_control d(true, 20s);
  EXPECT_TRUE(d.may_claim());
  d.host_busy();
  EXPECT_FALSE(d.may_claim()) << "a short claim with claims outstanding: nothing more until a fetch finishes";
  EXPECT_FALSE(d.finishing()) << "the hosts at their cap may have more due";
  d.fetch_finished();
  EXPECT_TRUE(d.may_claim());
  d.nothing_due();
  EXPECT_FALSE(d.may_claim());
  EXPECT_TRUE(d.finishing());
  d.host_busy();
  EXPECT_FALSE(d.finishing()) << "claims still outstanding may free room for more";
  d.fetch_finished();
  EXPECT_TRUE(d.may_claim());
}

TEST(DrainControl, TheDaemonKeepsClaimingWhenNothingIsDueOrAHostIsBusy) {
  drain_control d(false, 20s);
  d.nothing_due();
  d.host_busy();
  EXPECT_TRUE(d.may_claim());
  EXPECT_FALSE(d.finishing());
}

// RELIABILITY P1, P5.
TEST(DrainControl, ADrainGivesUpOnTheDatabaseAtItsDeadlineAndACancelAtOnce) {
  drain_control d(false, 20s);
  const auto signalled = clock::now();
  EXPECT_FALSE(d.give_up_on_database(signalled + 1h)) << "running: the database is waited for";
  EXPECT_EQ(d.wait_until(signalled + 1h), signalled + 1h);
  d.drain(signalled);
  EXPECT_FALSE(d.may_claim());
  EXPECT_TRUE(d.finishing());
  d.fetch_finished();
  EXPECT_FALSE(d.may_claim()) << "nothing is claimed while draining";
  EXPECT_FALSE(d.give_up_on_database(signalled + 19s));
  EXPECT_TRUE(d.give_up_on_database(signalled + 20s));
  EXPECT_EQ(d.wait_until(signalled + 1h), signalled + 20s);
  EXPECT_EQ(d.wait_until(signalled + 1s), signalled + 1s);
  d.drain(signalled + 5s);
  EXPECT_EQ(d.wait_until(signalled + 1h), signalled + 20s) << "the deadline counts from the first signal";
  d.cancel();
  EXPECT_TRUE(d.give_up_on_database(signalled));
  const auto end = d.wait_until(clock::now() + 1h);
  EXPECT_LE(end, clock::now()) << "a wait ends at once";
  d.drain(clock::now());
  EXPECT_TRUE(d.give_up_on_database(signalled)) << "a late drain message does not undo the cancel";
}

}  // namespace
}  // namespace feedd::daemon
