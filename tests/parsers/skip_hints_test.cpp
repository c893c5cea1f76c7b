#include <gtest/gtest.h>

#include "feed_testing.hpp"

namespace feedd::parsers {
namespace {

using namespace testkit;

skip_hints skip_of(std::string_view channel) { return parse_feed(rss("", "", channel)).skip; }

TEST(SkipHints, ReadsHoursAsGmtBitsAndDaysSundayFirst) {
  const auto s = skip_of(
      "<skipHours><hour>0</hour><hour>7</hour><hour>23</hour></skipHours>"
      "<skipDays><day>Sunday</day><day>Saturday</day></skipDays>");
  EXPECT_EQ(s.hours, (1u << 0) | (1u << 7) | (1u << 23));
  EXPECT_EQ(s.days, (1u << 0) | (1u << 6));
}

TEST(SkipHints, IgnoresJunkOutOfRangeAndDuplicatesWithoutAWarning) {
  const auto f = parse_feed(rss("", "",
                                "<skipHours><hour> 5 </hour><hour>24</hour><hour>-1</hour><hour>noon</hour>"
                                "<hour></hour><hour>5</hour><hour>3.5</hour><minute>4</minute></skipHours>"
                                "<skipDays><day>monday</day><day>Funday</day><day>Monday</day><day/></skipDays>"));
  EXPECT_EQ(f.skip.hours, 1u << 5);
  EXPECT_EQ(f.skip.days, 1u << 1);
  EXPECT_TRUE(f.warnings.empty()) << f.warnings.front();
}

TEST(SkipHints, EveryHourOrEveryDayListedIsNoHintAtAll) {
  std::string hours = "<skipHours>";
  for (int h = 23; h >= 0; --h) hours += "<hour>" + std::to_string(h) + "</hour>";
  hours += "</skipHours>";
  const std::string days =
      "<skipDays><day>Monday</day><day>Tuesday</day><day>Wednesday</day><day>Thursday</day><day>Friday</day>"
      "<day>Saturday</day><day>Sunday</day></skipDays>";
  EXPECT_EQ(skip_of(hours + days), skip_hints{});
  // One day left open keeps the day hint; the hour hint still goes.
  EXPECT_EQ(skip_of(hours + "<skipDays><day>Monday</day></skipDays>"), (skip_hints{0, 1u << 1}));
}

TEST(SkipHints, NoElementsNoHint) {
  EXPECT_TRUE(skip_of("").empty());
  EXPECT_TRUE(skip_of("<skipHours/><skipDays></skipDays>").empty());
}

TEST(SkipHints, ElementsOfAnotherNamespaceAreNotRss) {
  const auto f = parse_feed(rss("", R"(xmlns:x="urn:x")",
                                "<x:skipHours><x:hour>3</x:hour></x:skipHours><skipHours><x:hour>4</x:hour>"
                                "<hour>6</hour></skipHours>"));
  EXPECT_EQ(f.skip.hours, 1u << 6);
}

}  // namespace
}  // namespace feedd::parsers
