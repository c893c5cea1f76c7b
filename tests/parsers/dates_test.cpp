#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "feedd/parsers/dates.hpp"

namespace {

using feedd::parsers::format_rfc3339;
using feedd::parsers::parse_date;

struct date_case {
  std::string_view input;
  const char* expected;  // RFC 3339 UTC, or nullptr for "not a date"
};

std::string describe(const std::optional<feedd::timestamp>& t) {
  return t ? format_rfc3339(*t) : std::string("nullopt");
}

void check(const date_case& row) {
  const std::optional<feedd::timestamp> parsed = parse_date(row.input);
  EXPECT_EQ(describe(parsed), row.expected ? std::string(row.expected) : std::string("nullopt"))
      << "input: \"" << row.input << '"';
}

// RFC 822 §5, RFC 1123 §5.2.14, RFC 2822 §3.3 and §4.3, and what feeds
// actually send.
constexpr date_case rfc822_rows[] = {
    {"Tue, 02 Jan 2024 03:04:05 +0000", "2024-01-02T03:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 GMT", "2024-01-02T03:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 UT", "2024-01-02T03:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 UTC", "2024-01-02T03:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 Z", "2024-01-02T03:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 -0500", "2024-01-02T08:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 +0530", "2024-01-01T21:34:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 +05:30", "2024-01-01T21:34:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 -00:00", "2024-01-02T03:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 EST", "2024-01-02T08:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 EDT", "2024-01-02T07:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 CST", "2024-01-02T09:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 CDT", "2024-01-02T08:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 MST", "2024-01-02T10:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 MDT", "2024-01-02T09:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 PST", "2024-01-02T11:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 PDT", "2024-01-02T10:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 CET", "2024-01-02T02:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 CEST", "2024-01-02T01:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 BST", "2024-01-02T02:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 JST", "2024-01-01T18:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 AEST", "2024-01-01T17:04:05Z"},
    // RFC 2822 §4.3: military letters carry no information, so UTC.
    {"Tue, 02 Jan 2024 03:04:05 A", "2024-01-02T03:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 N", "2024-01-02T03:04:05Z"},
    // Unknown and ambiguous zone names are UTC too, not a failure.
    {"Tue, 02 Jan 2024 03:04:05 IST", "2024-01-02T03:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05", "2024-01-02T03:04:05Z"},
    {"Tue, 02 Jan 2024 03:04 GMT", "2024-01-02T03:04:00Z"},
    {"Tue, 02 Jan 24 03:04:05 GMT", "2024-01-02T03:04:05Z"},
    {"Sat, 02 Jan 99 03:04:05 GMT", "1999-01-02T03:04:05Z"},
    {"02 Jan 49 00:00:00 GMT", "2049-01-02T00:00:00Z"},
    {"02 Jan 50 00:00:00 GMT", "1950-01-02T00:00:00Z"},
    {"02 Jan 124 00:00:00 GMT", "2024-01-02T00:00:00Z"},
    {"Mon, 02 Jan 2024 03:04:05 GMT", "2024-01-02T03:04:05Z"},
    {"02 Jan 2024 03:04:05 GMT", "2024-01-02T03:04:05Z"},
    {"Tue 02 Jan 2024 03:04:05 GMT", "2024-01-02T03:04:05Z"},
    {"Tue,, 02 Jan, 2024, 03:04:05 GMT", "2024-01-02T03:04:05Z"},
    {"tue, 02 jan 2024 03:04:05 gmt", "2024-01-02T03:04:05Z"},
    {"TUE, 02 JAN 2024 03:04:05 GMT", "2024-01-02T03:04:05Z"},
    {"  Tue,  2  Jan  2024   03:04:05   GMT  ", "2024-01-02T03:04:05Z"},
    {"Tuesday, 02 January 2024 03:04:05 GMT", "2024-01-02T03:04:05Z"},
    {"Tues, 02 Jan. 2024 03:04:05 GMT", "2024-01-02T03:04:05Z"},
    {"02 Sept 2024 03:04:05 GMT", "2024-09-02T03:04:05Z"},
    {"Tue, 2 Jan 2024 3:4:5 GMT", "2024-01-02T03:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 +0000 (UTC)", "2024-01-02T03:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 +0000 GMT", "2024-01-02T03:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05.250 GMT", "2024-01-02T03:04:05Z"},
    {"02 Jan 2024", "2024-01-02T00:00:00Z"},
    {"January 2, 2024", "2024-01-02T00:00:00Z"},
    {"January 2, 2024 3:04 PM", "2024-01-02T15:04:00Z"},
    {"January 2, 2024 at 12:30 am", "2024-01-02T00:30:00Z"},
    {"Jan 2024", "2024-01-01T00:00:00Z"},
    {"2024 Jan 02", "2024-01-02T00:00:00Z"},
    {"Tue Jan  2 03:04:05 2024", "2024-01-02T03:04:05Z"},               // asctime
    {"Tue Jan  2 03:04:05 UTC 2024", "2024-01-02T03:04:05Z"},           // date(1)
    {"Tuesday, 02-Jan-24 03:04:05 GMT", "2024-01-02T03:04:05Z"},        // RFC 850
    {"Tue Jan 02 2024 03:04:05 GMT+0100 (Central European Standard Time)", "2024-01-02T02:04:05Z"},
    {"Thu, 29 Feb 2024 12:00:00 GMT", "2024-02-29T12:00:00Z"},
    {"Tue, 29 Feb 2000 12:00:00 GMT", "2000-02-29T12:00:00Z"},
    {"Sat, 31 Dec 2016 23:59:60 GMT", "2016-12-31T23:59:59Z"},
    {"Tue, 02 Jan 2024 24:00:00 GMT", "2024-01-03T00:00:00Z"},
    {"Wed, 31 Dec 2025 23:30:00 -0100", "2026-01-01T00:30:00Z"},
};

// RFC 3339 §5.6, W3C-DTF (W3C NOTE-datetime) and ISO 8601 forms.
constexpr date_case iso_rows[] = {
    {"2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"},
    {"2024-01-02T03:04:05+00:00", "2024-01-02T03:04:05Z"},
    {"2024-01-02T03:04:05-05:00", "2024-01-02T08:04:05Z"},
    {"2024-01-02T03:04:05+0530", "2024-01-01T21:34:05Z"},
    {"2024-01-02T03:04:05+05", "2024-01-01T22:04:05Z"},
    {"2024-01-02t03:04:05z", "2024-01-02T03:04:05Z"},
    {"2024-01-02T03:04:05.123456789Z", "2024-01-02T03:04:05Z"},
    {"2024-01-02T03:04:05,5Z", "2024-01-02T03:04:05Z"},
    {"2024-01-02T03:04Z", "2024-01-02T03:04:00Z"},
    {"1997-07-16T19:20+01:00", "1997-07-16T18:20:00Z"},
    {"2024-01-02T03:04:05", "2024-01-02T03:04:05Z"},
    {"2024-01-02 03:04:05", "2024-01-02T03:04:05Z"},
    {"2024-01-02 03:04:05 UTC", "2024-01-02T03:04:05Z"},
    {"2024-01-02 03:04:05 +0100", "2024-01-02T02:04:05Z"},
    {"2024/01/02 03:04:05", "2024-01-02T03:04:05Z"},
    {"2024/01/02", "2024-01-02T00:00:00Z"},
    {"2024", "2024-01-01T00:00:00Z"},
    {"2024-03", "2024-03-01T00:00:00Z"},
    {"2024-01-02", "2024-01-02T00:00:00Z"},
    {"2024-1-2", "2024-01-02T00:00:00Z"},
    {"20240102T030405Z", "2024-01-02T03:04:05Z"},
    {"20240102T0304+0100", "2024-01-02T02:04:00Z"},
    {"20240102", "2024-01-02T00:00:00Z"},
    {"2024-01-02T24:00:00Z", "2024-01-03T00:00:00Z"},
    {"2016-12-31T23:59:60Z", "2016-12-31T23:59:59Z"},
    {"2024-12-31T23:30:00-01:00", "2025-01-01T00:30:00Z"},
    {"1000-01-01T00:00:00Z", "1000-01-01T00:00:00Z"},
    {"9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"},
    {"1900-01-01", "1900-01-01T00:00:00Z"},
    // Unambiguous deviations seen in feeds: one-digit seconds or minutes
    // between colons, spaces around the 'T'.
    {"2006-01-17T12:35:9+01:00", "2006-01-17T11:35:09Z"},
    {"2006-01-17T12:5:09Z", "2006-01-17T12:05:09Z"},
    {"2003-07-01 T 01:55:07-05:00", "2003-07-01T06:55:07Z"},
    {"2003-07-01T 01:55:07Z", "2003-07-01T01:55:07Z"},
    // Zones that keep the instant inside years 1000-9999.
    {"9999-12-31T23:59:59+01:00", "9999-12-31T22:59:59Z"},
    {"1000-01-01T00:00:00-01:00", "1000-01-01T01:00:00Z"},
};

constexpr date_case invalid_rows[] = {
    {"", nullptr},
    {"   ", nullptr},
    {"garbage", nullptr},
    {"yesterday", nullptr},
    {"2024-13-01", nullptr},
    {"2024-00-10", nullptr},
    {"2024-02-30", nullptr},
    {"2023-02-29", nullptr},
    {"1900-02-29", nullptr},
    {"2024-01-32", nullptr},
    {"2024-01-00", nullptr},
    {"2024-01-02T25:00:00Z", nullptr},
    {"2024-01-02T23:60:00Z", nullptr},
    {"2024-01-02T23:59:61Z", nullptr},
    {"2024-01-02T24:00:01Z", nullptr},
    {"2024-01-02T03:04:05+25:00", nullptr},
    {"2024-01-02T03:04:05+01:60", nullptr},
    {"2024-01-02T", nullptr},
    {"2024-01-02Tfoo", nullptr},
    {"2024-01-02T03:04:05Z trailing", nullptr},
    {"2024-01-02T03:04:05.Z", nullptr},
    {"0999-12-31T00:00:00Z", nullptr},
    {"99999-01-01T00:00:00Z", nullptr},
    {"10000-01-01", nullptr},
    {"Sat, 02 Jan 0999 00:00:00 GMT", nullptr},
    {"Tue, 02 Foo 2024 03:04:05 GMT", nullptr},
    {"Tue, 32 Jan 2024 03:04:05 GMT", nullptr},
    {"Tue, 30 Feb 2024 03:04:05 GMT", nullptr},
    {"Fri, 29 Feb 2023 03:04:05 GMT", nullptr},
    {"Tue, 02 Jan 2024 03:04:05 +2500", nullptr},
    {"Tue, 02 Jan 2024 03:04:05 +123", nullptr},
    {"Tue, 02 Jan 2024 25:04:05 GMT", nullptr},
    {"Tue, 02 Jan 2024 13:04 PM", nullptr},
    {"Tue, 02 Jan 2024 03:04:05 GMT EST", nullptr},
    {"Tue, 02 Jan Feb 2024", nullptr},
    {"Jan 2", nullptr},
    {"12:00", nullptr},
    {"01/02/2024", nullptr},
    {"02.01.2024", nullptr},
    {"Tue, 02 Jan 2024 03:04:05 GMT\xE2\x80\x8B", nullptr},
    {"Janitor 2 2024", nullptr},
    {"20240102T03045Z", nullptr},
    {"2024-01-02 T", nullptr},
    {"2024-01-02TT03:04:05Z", nullptr},
    // In range as written, out of range in UTC: format_rfc3339 could not
    // write it so that parse_date reads it back.
    {"9999-12-31T12:00:00-12:00", nullptr},
    {"Fri, 31 Dec 9999 23:00:00 -0100", nullptr},
    {"1000-01-01T00:30:00+01:00", nullptr},
    {"Wed, 01 Jan 1000 00:00:00 +0100", nullptr},
};

TEST(ParseDate, ReadsRfc822AndItsDeviations) {
  for (const date_case& row : rfc822_rows) check(row);
}

TEST(ParseDate, ReadsRfc3339AndW3cDtfAndIso8601) {
  for (const date_case& row : iso_rows) check(row);
}

TEST(ParseDate, RejectsWhatIsNotADate) {
  for (const date_case& row : invalid_rows) check(row);
}

TEST(ParseDate, CoversAtLeastSixtyForms) {
  EXPECT_GE(std::size(rfc822_rows) + std::size(iso_rows) + std::size(invalid_rows), 60u);
}

TEST(ParseDate, RejectsAnEmbeddedNul) {
  EXPECT_FALSE(parse_date(std::string_view("2024-01-02\0T03:04:05Z", 21)).has_value());
}

TEST(ParseDate, RejectsOverlongInput) {
  const std::string padded = "Tue, 02 Jan 2024 03:04:05 GMT" + std::string(300, ' ') + "x";
  EXPECT_FALSE(parse_date(padded).has_value());
}

TEST(ParseDate, NeverThrowsOnArbitraryBytes) {
  std::string text;
  unsigned state = 12345;
  for (int round = 0; round < 2000; ++round) {
    text.clear();
    const int length = static_cast<int>(state % 40);
    for (int i = 0; i < length; ++i) {
      state = state * 1103515245u + 12345u;
      constexpr std::string_view alphabet = "0123456789-:+TZ ,.()/JanFebGMTESTamp\xC3\xA9";
      text += alphabet[(state >> 16) % alphabet.size()];
    }
    EXPECT_NO_THROW(static_cast<void>(parse_date(text))) << text;
  }
}

TEST(FormatRfc3339, WritesUtcWithZ) {
  using namespace std::chrono;
  EXPECT_EQ(format_rfc3339(feedd::timestamp{}), "1970-01-01T00:00:00Z");
  const feedd::timestamp t = sys_days{year{2024} / 1 / 2} + hours{3} + minutes{4} + seconds{5};
  EXPECT_EQ(format_rfc3339(t), "2024-01-02T03:04:05Z");
  const feedd::timestamp early = sys_days{year{1000} / 12 / 31} + hours{23} + minutes{59} + seconds{59};
  EXPECT_EQ(format_rfc3339(early), "1000-12-31T23:59:59Z");
}

TEST(FormatRfc3339, EveryParsedDateRoundTripsEvenAtTheEdgesOfTheRange) {
  // Found by the date fuzzer: "9999-12-31T12:00:00-12:00" became year
  // 10000, which format_rfc3339 wrote and parse_date then refused.
  constexpr std::string_view edges[] = {"9999-12-31T23:59:59Z",      "9999-12-31T12:00:00-12:00",
                                        "9999-12-31T12:00:00+12:00", "1000-01-01T00:00:00Z",
                                        "1000-01-01T00:00:00+14:00", "1000-01-01T00:00:00-14:00",
                                        "Fri, 31 Dec 9999 23:59:59 -2359"};
  for (const auto text : edges) {
    const auto parsed = parse_date(text);
    if (!parsed) continue;
    const auto again = parse_date(format_rfc3339(*parsed));
    ASSERT_TRUE(again.has_value()) << text << " -> " << format_rfc3339(*parsed);
    EXPECT_EQ(*again, *parsed) << text;
  }
}

TEST(FormatRfc3339, RoundTripsThroughParseDate) {
  using namespace std::chrono;
  const feedd::timestamp t = sys_days{year{2031} / 7 / 9} + hours{17} + minutes{0} + seconds{59};
  const auto parsed = parse_date(format_rfc3339(t));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, t);
}

}  // namespace

// The forms nearly every feed writes are read by position
// (parse_common_iso8601, parse_common_rfc822); each row's neighbours take
// the general readers, and both must agree.
namespace {

constexpr date_case common_rows[] = {
    {"2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"},
    {"2024-01-02T03:04:05+01:30", "2024-01-02T01:34:05Z"},
    {"2024-01-02T03:04:05-00:30", "2024-01-02T03:34:05Z"},
    {"2024-02-29T24:00:00Z", "2024-03-01T00:00:00Z"},
    {"2023-02-29T00:00:00Z", nullptr},
    {"2024-01-02T03:04:05+24:00", nullptr},
    {"2024-01-02T03:04:05+23:60", nullptr},
    {"1000-01-01T00:00:00Z", "1000-01-01T00:00:00Z"},
    {"1000-01-01T00:30:00+01:00", nullptr},
    {"9999-12-31T23:59:59-00:01", nullptr},
    {"0999-12-31T23:59:59Z", nullptr},
    // Neighbours: lower case, fractions, no zone, a space, other digits.
    {"2024-01-02t03:04:05z", "2024-01-02T03:04:05Z"},
    {"2024-01-02T03:04:05.123Z", "2024-01-02T03:04:05Z"},
    {"2024-01-02T03:04:05", "2024-01-02T03:04:05Z"},
    {"2024-01-02 03:04:05Z", "2024-01-02T03:04:05Z"},
    {"2024-01-02T03:04:05+0130", "2024-01-02T01:34:05Z"},
    {"2024-1-02T03:04:05Z", "2024-01-02T03:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 +0000", "2024-01-02T03:04:05Z"},
    {"tue, 02 JAN 2024 03:04:05 GMT", "2024-01-02T03:04:05Z"},
    {"Sun, 02 Sep 2024 23:59:60 -0130", "2024-09-03T01:29:59Z"},
    {"Tue, 30 Feb 2024 03:04:05 +0000", nullptr},
    {"Tue, 02 Jan 2024 03:04:05 +2400", nullptr},
    {"Tue, 02 Jan 2024 03:04:05 +0060", nullptr},
    {"Xyz, 02 Jan 2024 03:04:05 +0000", nullptr},
    {"Jan, 02 Feb 2024 03:04:05 +0000", nullptr},
    {"Tue, 02 Mon 2024 03:04:05 +0000", nullptr},
    {"Fri, 31 Dec 9999 23:00:00 -0100", nullptr},
    // Neighbours: one-digit day, other zones, no weekday, no seconds.
    {"Tue, 2 Jan 2024 03:04:05 +0000", "2024-01-02T03:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 EST", "2024-01-02T08:04:05Z"},
    {"Tue, 02 Jan 2024 03:04:05 UTC", "2024-01-02T03:04:05Z"},
    {"Tue,  02 Jan 2024 03:04:05 +0000", "2024-01-02T03:04:05Z"},
    {"02 Jan 2024 03:04:05 +0000", "2024-01-02T03:04:05Z"},
    {"Tue, 02 Jan 2024 03:04 +0000", "2024-01-02T03:04:00Z"},
};

TEST(ParseDate, ReadsTheCommonFormsAsTheGeneralReadersDo) {
  for (const date_case& row : common_rows) check(row);
}

}  // namespace
