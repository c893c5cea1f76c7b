#include "schedule_policy.hpp"

#include <vector>

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

// A controllable clock: fixed instants, UTC (the RSS spec's GMT, no DST).
// 2024-01-01 was a Monday.
std::chrono::sys_seconds at(int day, int hour, int minute = 0) {
  using namespace std::chrono;
  return sys_days{year{2024} / January / day} + hours(hour) + minutes(minute);
}

constexpr std::uint32_t hour_bit(int h) { return 1u << h; }
constexpr std::uint8_t day_bit(std::chrono::weekday d) { return static_cast<std::uint8_t>(1u << d.c_encoding()); }

TEST(SkipHints, ACheckOutsideSkippedHoursStaysWhereItIs) {
  const skip_hints skip{hour_bit(3) | hour_bit(4), 0};
  EXPECT_EQ(skip_to_allowed(minutes(30), skip, at(1, 1), hours(24)), minutes(30));
  EXPECT_EQ(skip_to_allowed(minutes(30), skip_hints{}, at(1, 3), hours(24)), minutes(30));
}

TEST(SkipHints, ACheckInSkippedHoursMovesPastMidnightToTheFirstAllowedHour) {
  const skip_hints skip{hour_bit(22) | hour_bit(23) | hour_bit(0) | hour_bit(1), 0};
  // Monday 21:30 + 1 h = 22:30, skipped through 01:59: Tuesday 02:00.
  EXPECT_EQ(skip_to_allowed(hours(1), skip, at(1, 21, 30), hours(24)), hours(4) + minutes(30));
  // Landing on the first allowed second is allowed.
  EXPECT_EQ(skip_to_allowed(minutes(30), skip, at(1, 1, 30), hours(24)), minutes(30));
}

TEST(SkipHints, SkippedDaysWrapTheWeek) {
  using std::chrono::Saturday;
  using std::chrono::Sunday;
  const skip_hints weekend{0, static_cast<std::uint8_t>(day_bit(Saturday) | day_bit(Sunday))};
  // Friday 23:00 + 2 h = Saturday 01:00: Monday 00:00, 49 h on.
  EXPECT_EQ(skip_to_allowed(hours(2), weekend, at(5, 23), hours(72)), hours(49));
  // Sunday 7 Jan to Monday 8 Jan: the week's last day wraps to its first.
  const skip_hints sunday{0, day_bit(Sunday)};
  EXPECT_EQ(skip_to_allowed(hours(1), sunday, at(7, 22), hours(72)), hours(2));
}

TEST(SkipHints, HoursAndDaysTogetherFindTheFirstInstantAllowedByBoth) {
  std::uint32_t night = 0;
  for (int h = 0; h < 6; ++h) night |= hour_bit(h);
  const skip_hints skip{night, day_bit(std::chrono::Sunday)};
  // Saturday 23:30 + 1 h = Sunday 00:30: Sunday is skipped, then Monday's
  // night hours too: Monday 06:00.
  EXPECT_EQ(skip_to_allowed(hours(1), skip, at(6, 23, 30), hours(72)),
            hours(30) + minutes(30));
}

TEST(SkipHints, PublishersCannotPushACheckBeyondMaxInterval) {
  using std::chrono::Saturday;
  using std::chrono::Sunday;
  const skip_hints weekend{0, static_cast<std::uint8_t>(day_bit(Saturday) | day_bit(Sunday))};
  EXPECT_EQ(skip_to_allowed(hours(2), weekend, at(5, 23), hours(24)), hours(24));
  // A next check already past max_interval (a feed's own long interval) is
  // never shortened.
  EXPECT_EQ(skip_to_allowed(hours(30), weekend, at(5, 23), hours(24)), hours(30));
}

// `count` arrivals `gap` apart, the newest at `newest`.
std::vector<timestamp> every(seconds gap, int count, std::chrono::sys_seconds newest) {
  std::vector<timestamp> out;
  for (int i = 0; i < count; ++i) out.push_back(newest - gap * i);
  return out;
}

TEST(AdaptiveInterval, IsHalfTheMedianGapBetweenArrivals) {
  const auto now = at(10, 12);
  EXPECT_EQ(adaptive_interval(limits, minutes(30), every(hours(2), 6, now - minutes(10)), now), hours(1));
  EXPECT_EQ(adaptive_interval(limits, minutes(30), every(hours(8), 6, now), now), hours(4));
}

TEST(AdaptiveInterval, OneOutlierGapDoesNotMoveTheMedian) {
  const auto now = at(10, 12);
  auto arrivals = every(hours(2), 5, now);
  arrivals.push_back(arrivals.back() - std::chrono::days(30));
  EXPECT_EQ(adaptive_interval(limits, minutes(30), arrivals, now), hours(1));
}

TEST(AdaptiveInterval, EntriesOfOneFetchCountAsOneArrival) {
  const auto now = at(10, 12);
  // Twenty entries at each of three fetches 6 h apart: gaps of 6 h, not 0.
  std::vector<timestamp> arrivals;
  for (const auto t : every(hours(6), 3, now)) arrivals.insert(arrivals.end(), 20, t);
  EXPECT_EQ(adaptive_interval(limits, minutes(30), arrivals, now), hours(3));
}

TEST(AdaptiveInterval, IsClampedToMinAndMaxInterval) {
  const auto now = at(10, 12);
  EXPECT_EQ(adaptive_interval(limits, minutes(30), every(minutes(1), 10, now), now), minutes(5));
  EXPECT_EQ(adaptive_interval(limits, minutes(30), every(std::chrono::days(7), 10, now), now), hours(24));
}

TEST(AdaptiveInterval, AFeedGoneQuietBacksOffTowardMaxInterval) {
  const auto newest = at(10, 12);
  const auto arrivals = every(hours(1), 10, newest);
  EXPECT_EQ(adaptive_interval(limits, minutes(30), arrivals, newest + minutes(20)), minutes(30));
  EXPECT_EQ(adaptive_interval(limits, minutes(30), arrivals, newest + hours(10)), hours(5));
  EXPECT_EQ(adaptive_interval(limits, minutes(30), arrivals, newest + std::chrono::days(3)), hours(24));
}

TEST(AdaptiveInterval, WithoutARateTheBaseIntervalHolds) {
  const auto now = at(10, 12);
  EXPECT_EQ(adaptive_interval(limits, minutes(30), {}, now), minutes(30));
  const std::vector<timestamp> once{now - minutes(40)};
  EXPECT_EQ(adaptive_interval(limits, minutes(30), once, now), minutes(30));
  const std::vector<timestamp> long_ago{now - std::chrono::days(10)};
  EXPECT_EQ(adaptive_interval(limits, minutes(30), long_ago, now), hours(24));
}

TEST(SchedulePolicy, FeedIntervalWinsOverAdaptiveAndHintsStillOnlyLengthen) {
  EXPECT_EQ(next_after_success(limits, std::nullopt, std::nullopt, std::nullopt, minutes(7)), minutes(7));
  EXPECT_EQ(next_after_success(limits, minutes(10), std::nullopt, std::nullopt, minutes(7)), minutes(10));
  EXPECT_EQ(next_after_success(limits, std::nullopt, hours(1), std::nullopt, minutes(7)), hours(1));
  EXPECT_EQ(next_after_success(limits, std::nullopt, std::nullopt, minutes(6), hours(3)), hours(3));
}

}  // namespace
}  // namespace feedd::daemon
