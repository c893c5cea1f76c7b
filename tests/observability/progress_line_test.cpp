// The progress summary `run --once` and `feeds import` redraw on a terminal
// and the daemon sends as STATUS=: what it says, and that it never wraps.
#include "progress_line.hpp"

#include <gtest/gtest.h>

namespace feedd::daemon {
namespace {

using namespace std::chrono_literals;

TEST(ProgressLine, WithATotalShowsPercentQueueRateAndEta) {
  progress_snapshot s;
  s.done = 12;
  s.failed = 1;
  s.total = 40;
  s.queue_depth = 3;
  s.per_second = 4.0;
  EXPECT_EQ(format_progress(s), "checked 12/40 feeds (30%), 1 failed, queue 3, 4.0/s, ETA 7s");
}

TEST(ProgressLine, WithoutATotalItIsTheDaemonsStatus) {
  progress_snapshot s;
  s.done = 120;
  s.failed = 3;
  s.queue_depth = 0;
  s.entries_new = 57;
  s.per_second = 0.25;
  EXPECT_EQ(format_progress(s), "checked 120 feeds, 3 failed, queue 0, 0.2/s, 57 new entries");
}

TEST(ProgressLine, NoEtaWithoutARateOrWhenDoneAndATotalNeverBelowDone) {
  progress_snapshot s;
  s.verb = "import";
  s.failed_word = "refused";
  s.total = 10;
  EXPECT_EQ(format_progress(s), "import 0/10 feeds (0%), 0 refused, 0.0/s");
  s.done = 12;  // more came due than were counted at start
  s.per_second = 150;
  EXPECT_EQ(format_progress(s), "import 12/12 feeds (100%), 0 refused, 150/s");
}

TEST(ProgressLine, EtaUsesTwoUnitsAtMost) {
  EXPECT_EQ(format_eta(0s), "0s");
  EXPECT_EQ(format_eta(59s), "59s");
  EXPECT_EQ(format_eta(185s), "3m05s");
  EXPECT_EQ(format_eta(7800s), "2h10m");
  EXPECT_EQ(format_eta(-5s), "0s");
}

// A line as wide as the terminal wraps, and \r then redraws only its last
// row: the line is cut one short of the width, never inside a character.
TEST(ProgressLine, FitsOneShortOfTheWidthWithoutSplittingACharacter) {
  EXPECT_EQ(fit_to_width("abcdef", 10), "abcdef");
  EXPECT_EQ(fit_to_width("abcdef", 6), "abcde");
  EXPECT_EQ(fit_to_width("ab\xc3\xa9" "cd", 4), "ab");  // é is two bytes
  EXPECT_EQ(fit_to_width("abc", 0), "abc");
}

TEST(RateMeter, MeasuresOverTheWindowOnly) {
  const auto t0 = rate_meter::clock::time_point{} + 1h;
  rate_meter rate(10s);
  EXPECT_EQ(rate.per_second(), 0);
  rate.add(t0, 0);
  rate.add(t0 + 5s, 100);  // 20/s
  EXPECT_DOUBLE_EQ(rate.per_second(), 20);
  for (int i = 1; i <= 30; ++i) rate.add(t0 + 5s + std::chrono::seconds(i), 100 + i);  // then 1/s
  EXPECT_NEAR(rate.per_second(), 1.0, 0.01);
}

}  // namespace
}  // namespace feedd::daemon
