#include "feedd/parsers/dates.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <string>

#include "ascii.hpp"
#include "dates_detail.hpp"

namespace feedd::parsers {
namespace detail {
namespace {

constexpr std::size_t max_date_length = 256;  // real dates are under 64 bytes
// Four-digit years (RFC 3339 §5.6 date-fullyear); earlier ones in feeds
// are typos ("0213" for "2013"), so three-digit years are refused too.
constexpr int min_year = 1000;
constexpr int max_year = 9999;

struct named_zone {
  std::string_view name;
  int minutes_east;
};

// RFC 822 §5.1 names, plus abbreviations that mean one thing in practice.
// Ambiguous ones (IST: India, Ireland or Israel; AST: Atlantic or Arabia)
// are left out and, like any unknown zone, read as UTC (RFC 2822 §4.3).
constexpr std::array<named_zone, 38> named_zones = {{
    {"ut", 0},        {"utc", 0},       {"gmt", 0},       {"z", 0},         {"est", -300},
    {"edt", -240},    {"cst", -360},    {"cdt", -300},    {"mst", -420},    {"mdt", -360},
    {"pst", -480},    {"pdt", -420},    {"akst", -540},   {"akdt", -480},   {"hst", -600},
    {"nst", -210},    {"ndt", -150},    {"wet", 0},       {"west", 60},     {"bst", 60},
    {"cet", 60},      {"cest", 120},    {"met", 60},      {"mest", 120},    {"eet", 120},
    {"eest", 180},    {"msk", 180},     {"hkt", 480},     {"sgt", 480},     {"awst", 480},
    {"jst", 540},     {"kst", 540},     {"acst", 570},    {"acdt", 630},    {"aest", 600},
    {"aedt", 660},    {"nzst", 720},    {"nzdt", 780},
}};

// A cursor over ISO 8601 text; every read either advances or fails.
class cursor {
 public:
  // Digits that always fit an int.
  static constexpr std::size_t max_exact_digits = 9;

  explicit cursor(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  bool accept(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  void skip_spaces() {
    while (ascii::is_xml_space(peek())) ++pos_;
  }
  std::size_t digits_ahead() const {
    std::size_t n = 0;
    while (pos_ + n < text_.size() && ascii::is_digit(text_[pos_ + n])) ++n;
    return n;
  }
  // Reads between min and max digits (all that are there, up to max).
  std::optional<int> number(std::size_t min, std::size_t max) {
    const std::size_t n = std::min(digits_ahead(), max);
    if (n < min) return std::nullopt;
    int value = 0;
    if (n <= max_exact_digits) {
      for (std::size_t i = 0; i < n; ++i) value = value * 10 + (text_[pos_ + i] - '0');
    } else {
      std::from_chars(text_.data() + pos_, text_.data() + pos_ + n, value);  // 0 when out of range
    }
    pos_ += n;
    return value;
  }
  std::string_view word() {
    const std::size_t start = pos_;
    while (ascii::is_alpha(peek())) ++pos_;
    return text_.substr(start, pos_ - start);
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// "Z", "+hh:mm", "+hhmm", "+hh" (RFC 3339 §5.6, ISO 8601 §4.2.5.1), or a
// zone name after a space ("2024-01-02 03:04:05 UTC").
bool read_zone(cursor& in, date_fields& fields) {
  in.skip_spaces();
  if (in.at_end()) return true;  // no zone: UTC, as W3C-DTF readers assume
  if (in.accept('Z') || in.accept('z')) return true;
  const char sign = in.peek();
  if (sign == '+' || sign == '-') {
    in.accept(sign);
    const auto hours = in.number(2, 2);
    if (!hours) return false;
    in.accept(':');
    const auto minutes = in.digits_ahead() >= 2 ? in.number(2, 2) : std::optional<int>(0);
    if (*hours > 23 || !minutes || *minutes > 59) return false;
    fields.offset_seconds = (sign == '-' ? -1 : 1) * (*hours * 3600 + *minutes * 60);
    return true;
  }
  const auto offset = named_zone_offset(in.word());
  if (!offset) return false;
  fields.offset_seconds = *offset;
  return true;
}

// hh[:mm[:ss]][.fff] or hhmm[ss][.fff] (basic). With colons, one-digit
// minutes and seconds ("12:35:9") are unambiguous and written by some
// generators.
bool read_time(cursor& in, date_fields& fields) {
  const bool basic = in.digits_ahead() >= 4;
  const std::size_t min_digits = basic ? 2 : 1;
  const auto hour = in.number(min_digits, 2);
  if (!hour) return false;
  fields.hour = *hour;
  if (basic || in.accept(':')) {
    const auto minute = in.number(min_digits, 2);
    if (!minute) return false;
    fields.minute = *minute;
    if ((basic && in.digits_ahead() >= 2) || (!basic && in.accept(':'))) {
      const auto second = in.number(min_digits, 2);
      if (!second) return false;
      fields.second = *second;
      if (in.accept('.') || in.accept(',')) {
        if (in.digits_ahead() == 0) return false;
        in.number(1, in.digits_ahead());  // fractions are truncated (sys_seconds)
      }
    }
  }
  return true;
}

}  // namespace

std::optional<date_fields> parse_common_iso8601(std::string_view text) {
  const bool utc = matches_layout<"dddd-dd-ddTdd:dd:ddZ">(text);
  if (!utc && !matches_layout<"dddd-dd-ddTdd:dd:dd+dd:dd">(text)) return std::nullopt;
  date_fields fields;
  fields.year = digits_value(text, 0, 4);
  fields.month = digits_value(text, 5, 2);
  fields.day = digits_value(text, 8, 2);
  if (!read_fixed_time(text, 11, utc, 19, 23, fields)) return std::nullopt;  // read_zone refuses the zone
  return fields;
}

std::optional<int> named_zone_offset(std::string_view name) {
  if (name.empty() || name.size() > 4) return std::nullopt;
  std::array<char, 4> buffer{};
  for (std::size_t i = 0; i < name.size(); ++i) buffer[i] = ascii::lower(name[i]);
  const std::string_view lowered(buffer.data(), name.size());
  for (const named_zone& zone : named_zones) {
    if (zone.name == lowered) return zone.minutes_east * 60;
  }
  return std::nullopt;
}

std::optional<timestamp> to_timestamp(const date_fields& fields) {
  using namespace std::chrono;
  if (fields.year < min_year || fields.year > max_year || fields.month < 1 || fields.month > 12) return std::nullopt;
  const year_month_day date{year{fields.year}, month{static_cast<unsigned>(fields.month)},
                            day{static_cast<unsigned>(fields.day < 1 ? 0 : fields.day)}};
  if (!date.ok()) return std::nullopt;
  // ISO 8601 §4.2.3: 24:00:00 is the end of the day, i.e. the next midnight.
  const bool end_of_day = fields.hour == 24 && fields.minute == 0 && fields.second == 0;
  if ((fields.hour > 23 && !end_of_day) || fields.minute > 59 || fields.second > 60) return std::nullopt;
  if (fields.hour < 0 || fields.minute < 0 || fields.second < 0) return std::nullopt;
  // A leap second (RFC 3339 §5.7) has no sys_seconds value of its own.
  const int second = fields.second == 60 ? 59 : fields.second;
  const timestamp utc = sys_days{date} + hours{fields.hour} + minutes{fields.minute} + seconds{second} -
                        seconds{fields.offset_seconds};
  // The zone can carry a date across the range ("9999-12-31T12:00:00-12:00"
  // is in year 10000); what comes out must be what format_rfc3339 writes
  // and parse_date reads back. The zone and 24:00 move a date by less than
  // two days, so only the first and last year need looking at.
  constexpr int max_offset_seconds = 86400;
  if (fields.year > min_year && fields.year < max_year && fields.offset_seconds > -max_offset_seconds &&
      fields.offset_seconds < max_offset_seconds) {
    return utc;
  }
  const int utc_year = static_cast<int>(year_month_day{floor<days>(utc)}.year());
  if (utc_year < min_year || utc_year > max_year) return std::nullopt;
  return utc;
}

std::optional<date_fields> parse_iso8601(std::string_view text) {
  cursor in(text);
  date_fields fields;
  const bool basic = in.digits_ahead() == 8;
  const auto year = in.number(4, 4);
  if (!year) return std::nullopt;
  fields.year = *year;
  if (in.at_end()) return fields;

  if (basic) {
    fields.month = *in.number(2, 2);
    fields.day = *in.number(2, 2);
  } else {
    const char separator = in.peek();
    if (separator != '-' && separator != '/') return std::nullopt;
    in.accept(separator);
    const auto month = in.number(1, 2);
    if (!month) return std::nullopt;
    fields.month = *month;
    if (in.at_end()) return fields;
    if (!in.accept(separator)) return std::nullopt;
    const auto day = in.number(1, 2);
    if (!day) return std::nullopt;
    fields.day = *day;
  }
  if (in.at_end()) return fields;

  // 'T', a space instead (RFC 3339 §5.6 note), or both: "2003-07-01 T 01:55".
  const bool spaced = ascii::is_xml_space(in.peek());
  in.skip_spaces();
  const bool designator = in.accept('T') || in.accept('t');
  if (!spaced && !designator) return std::nullopt;
  in.skip_spaces();
  if (!read_time(in, fields) || !read_zone(in, fields)) return std::nullopt;
  if (!in.at_end()) return std::nullopt;
  return fields;
}

}  // namespace detail

std::optional<timestamp> parse_date(std::string_view text) {
  text = detail::ascii::trim(text);
  if (text.empty() || text.size() > detail::max_date_length) return std::nullopt;

  std::optional<detail::date_fields> fields;
  if (detail::ascii::is_digit(text[0])) {
    fields = detail::parse_common_iso8601(text);
    if (!fields) fields = detail::parse_iso8601(text);
  } else {
    fields = detail::parse_common_rfc822(text);
  }
  if (!fields) fields = detail::parse_rfc822(text);
  if (!fields) return std::nullopt;
  return detail::to_timestamp(*fields);
}

std::string format_rfc3339(timestamp t) {
  using namespace std::chrono;
  const sys_days day_point = floor<days>(t);
  const year_month_day date{day_point};
  const hh_mm_ss time{t - day_point};
  // Fixed-width digits by hand: no locale, no iostream state.
  std::string out = "0000-00-00T00:00:00Z";
  const auto put = [&out](std::size_t pos, std::size_t width, long long value) {
    for (std::size_t i = 0; i < width; ++i) {
      out[pos + width - 1 - i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(5, 2, static_cast<unsigned>(date.month()));
  put(8, 2, static_cast<unsigned>(date.day()));
  put(11, 2, time.hours().count());
  put(14, 2, time.minutes().count());
  put(17, 2, time.seconds().count());
  const int y = static_cast<int>(date.year());
  if (y >= 0 && y <= 9999) {
    put(0, 4, y);
  } else {
    // Not from parse_date; RFC 3339 cannot express it, so at least do not lie.
    std::array<char, 16> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), y);
    out.replace(0, 4, buffer.data(), static_cast<std::size_t>(result.ptr - buffer.data()));
  }
  return out;
}

}  // namespace feedd::parsers
