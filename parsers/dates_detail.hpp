#pragma once

#include <optional>
#include <string_view>

#include "feedd/model.hpp"

// The pieces of parse_date: one reader per date family, both producing the
// same broken-down fields, validated in one place.
namespace feedd::parsers::detail {

struct date_fields {
  int year = 0;
  int month = 1;
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int offset_seconds = 0;  // east of UTC
};

// Range checks (year 1000-9999, day of month with leap years, 24:00:00 as
// the next midnight, a leap second as :59), then UTC, which must be within
// years 1000-9999 too.
std::optional<timestamp> to_timestamp(const date_fields& fields);

// RFC 3339, W3C-DTF and the ISO 8601 forms feeds use: partial dates, basic
// format, space for 'T', slashes for '-', missing zone meaning UTC.
std::optional<date_fields> parse_iso8601(std::string_view text);

// RFC 822/1123/2822 and relatives (RFC 850, asctime, "January 2, 2024"),
// read token by token so that missing or extra commas, weekdays and seconds
// do not matter.
std::optional<date_fields> parse_rfc822(std::string_view text);

// A zone abbreviation, case-insensitive, in seconds east of UTC.
std::optional<int> named_zone_offset(std::string_view name);

}  // namespace feedd::parsers::detail
