#include "schedule_policy.hpp"

#include <gtest/gtest.h>

namespace feedd::daemon {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const schedule_limits limits{minutes(30), minutes(5), hours(24), hours(24)};

TEST(SchedulePolicy, UsesConfiguredIntervalWithoutHints) {
  EXPECT_EQ(next_after_success(limits, std::nullopt, std::nullopt, std::nullopt), minutes(30));
}

TEST(SchedulePolicy, FeedIntervalWinsOverDefault) {
  EXPECT_EQ(next_after_success(limits, minutes(10), std::nullopt, std::nullopt), minutes(10));
}

TEST(SchedulePolicy, TtlLengthensButNeverShortens) {
  EXPECT_EQ(next_after_success(limits, std::nullopt, hours(2), std::nullopt), hours(2));
  EXPECT_EQ(next_after_success(limits, std::nullopt, minutes(1), std::nullopt), minutes(30));
}

TEST(SchedulePolicy, HostileHintsAreClampedToMaxInterval) {
  EXPECT_EQ(next_after_success(limits, std::nullopt, hours(24 * 365), std::nullopt), hours(24));
  EXPECT_EQ(next_after_success(limits, std::nullopt, std::nullopt, hours(24 * 365)), hours(24));
}

TEST(SchedulePolicy, BackoffDoublesPerFailure) {
  EXPECT_EQ(next_after_failure(limits, std::nullopt, 1, std::nullopt, 0.0), minutes(30));
  EXPECT_EQ(next_after_failure(limits, std::nullopt, 2, std::nullopt, 0.0), minutes(60));
  EXPECT_EQ(next_after_failure(limits, std::nullopt, 3, std::nullopt, 0.0), minutes(120));
}

TEST(SchedulePolicy, BackoffIsCappedEvenWithJitter) {
  EXPECT_EQ(next_after_failure(limits, std::nullopt, 30, std::nullopt, 1.0), hours(24));
  EXPECT_EQ(next_after_failure(limits, std::nullopt, 1000, std::nullopt, 0.0), hours(24));
}

TEST(SchedulePolicy, JitterStaysWithinTenPercent) {
  EXPECT_EQ(next_after_failure(limits, std::nullopt, 1, std::nullopt, 1.0), minutes(33));
  EXPECT_EQ(next_after_failure(limits, std::nullopt, 1, std::nullopt, -1.0), minutes(27));
}

TEST(SchedulePolicy, RetryAfterHonouredButClamped) {
  EXPECT_EQ(next_after_failure(limits, std::nullopt, 1, hours(3), 0.0), hours(3));
  EXPECT_EQ(next_after_failure(limits, std::nullopt, 1, seconds(999999999), 0.0), hours(24));
  EXPECT_EQ(next_after_failure(limits, std::nullopt, 1, seconds(0), 0.0), minutes(30));
}

}  // namespace
}  // namespace feedd::daemon
