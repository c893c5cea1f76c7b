#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

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

// The forms nearly every feed writes, by position: "2024-01-02T03:04:05Z"
// or with "+01:00"; "Tue, 02 Jan 2024 03:04:05 +0000" or "GMT". What the
// general readers above make of the same text, or nullopt for anything
// else (including what they would refuse), which they then read.
std::optional<date_fields> parse_common_iso8601(std::string_view text);
std::optional<date_fields> parse_common_rfc822(std::string_view text);

// A layout for matches_layout, as a template argument.
template <std::size_t N>
struct layout {
  char chars[N];
  constexpr layout(const char (&text)[N]) {  // implicit: a string literal is the argument
    for (std::size_t i = 0; i < N; ++i) chars[i] = text[i];
  }
  static constexpr std::size_t size() { return N - 1; }  // without the '\0'
};

template <char want>
bool matches_layout_char(char c) {
  if constexpr (want == 'd') {
    return static_cast<unsigned char>(c - '0') < 10;
  } else if constexpr (want == 'a') {
    return static_cast<unsigned char>((c | 0x20) - 'a') < 26;
  } else if constexpr (want == '+') {
    return (c == '+') | (c == '-');
  } else {
    return c == want;
  }
}

template <layout shape, std::size_t... i>
bool matches_layout(std::string_view text, std::index_sequence<i...>) {
  // Bitwise, without an early exit: a few instructions per byte and one
  // branch for the whole layout.
  return text.size() == shape.size() && (matches_layout_char<shape.chars[i]>(text[i]) & ...);
}

// Whether text has the shape: 'd' a digit, 'a' an ASCII letter, '+' a
// sign, anything else itself.
template <layout shape>
bool matches_layout(std::string_view text) {
  return matches_layout<shape>(text, std::make_index_sequence<shape.size()>{});
}

// The number text[at, at + count) spells; matches_layout checked the digits.
inline int digits_value(std::string_view text, std::size_t at, std::size_t count) {
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) value = value * 10 + (text[i] - '0');
  return value;
}

// A numeric zone laid out at fixed positions ("+hh:mm" or "+hhmm"): the sign
// at text[sign], the hours after it, the minutes at text[minutes]. nullopt
// for an hour above 23 or a minute above 59, which the general readers
// refuse as well.
inline std::optional<int> fixed_zone_offset(std::string_view text, std::size_t sign, std::size_t minutes) {
  const int hh = digits_value(text, sign + 1, 2);
  const int mm = digits_value(text, minutes, 2);
  if (hh > 23 || mm > 59) return std::nullopt;
  return (text[sign] == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
}

// The time and zone of a common layout: "hh:mm:ss" at text[at], then
// unless utc a numeric zone as fixed_zone_offset reads it. false for a zone
// the general readers refuse, which then decide.
inline bool read_fixed_time(std::string_view text, std::size_t at, bool utc, std::size_t zone_sign,
                            std::size_t zone_minutes, date_fields& fields) {
  fields.hour = digits_value(text, at, 2);
  fields.minute = digits_value(text, at + 3, 2);
  fields.second = digits_value(text, at + 6, 2);
  if (utc) return true;
  const auto offset = fixed_zone_offset(text, zone_sign, zone_minutes);
  if (!offset) return false;
  fields.offset_seconds = *offset;
  return true;
}

// A zone abbreviation, case-insensitive, in seconds east of UTC.
std::optional<int> named_zone_offset(std::string_view name);

}  // namespace feedd::parsers::detail
