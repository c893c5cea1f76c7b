#include "dates_detail.hpp"

#include <array>
#include <charconv>
#include <string_view>

#include "ascii.hpp"

namespace feedd::parsers::detail {
namespace {

constexpr std::array<std::string_view, 12> month_names = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};
constexpr std::array<std::string_view, 7> weekday_names = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

// "Jan", "Sept", "January", "TUES": a prefix of at least three letters.
template <std::size_t N>
int find_name(std::string_view lowered, const std::array<std::string_view, N>& names) {
  if (lowered.size() < 3) return -1;
  for (std::size_t i = 0; i < N; ++i) {
    // By hand: starts_with calls memcmp, which costs more than these few
    // bytes, and most names differ in the first.
    const std::string_view name = names[i];
    if (name.size() < lowered.size()) continue;
    std::size_t k = 0;
    while (k < lowered.size() && name[k] == lowered[k]) ++k;
    if (k == lowered.size()) return static_cast<int>(i);
  }
  return -1;
}

struct number_token {
  int value = 0;
  std::size_t digits = 0;
};

// What the tokens said, before deciding which number is the day and which
// the year.
struct date_tokens {
  int month = 0;  // 1-12 once seen
  std::array<number_token, 2> numbers{};
  std::size_t number_count = 0;
  bool has_time = false;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int meridiem = 0;  // 0: none, 1: am, 2: pm
  bool has_zone = false;
  bool has_numeric_zone = false;
  int offset_seconds = 0;
};

// After a word: a weekday (ignored: it is often wrong and adds nothing), a
// month, am/pm, or after the time a zone. RFC 2822 §4.3: military zone
// letters were defined backwards in RFC 822, so they mean nothing, i.e. UTC,
// and so does any other zone we do not know.
bool take_word(std::string_view word, date_tokens& tokens) {
  std::array<char, 16> buffer{};
  if (word.size() > buffer.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) buffer[i] = ascii::lower(word[i]);
  const std::string_view lowered(buffer.data(), word.size());

  if (find_name(lowered, weekday_names) >= 0) return true;
  if (const int month = find_name(lowered, month_names); month >= 0) {
    if (tokens.month != 0) return false;
    tokens.month = month + 1;
    return true;
  }
  if (lowered == "am" || lowered == "pm") {
    if (!tokens.has_time || tokens.meridiem != 0) return false;
    tokens.meridiem = lowered == "am" ? 1 : 2;
    return true;
  }
  if (lowered == "at") return true;  // "January 2, 2024 at 3:04 PM"
  if (tokens.has_numeric_zone) return true;  // "+0000 GMT": the name only repeats it
  if (!tokens.has_time || tokens.has_zone) return false;
  tokens.has_zone = true;
  tokens.offset_seconds = named_zone_offset(lowered).value_or(0);
  return true;
}

// h:m[:s][.fff], one or two digits each.
bool take_time(std::string_view text, std::size_t& pos, date_tokens& tokens) {
  std::array<int, 3> parts{};
  std::size_t count = 0;
  while (count < 3) {
    std::size_t n = 0;
    while (pos + n < text.size() && ascii::is_digit(text[pos + n])) ++n;
    if (n == 0 || n > 2) return false;
    std::from_chars(text.data() + pos, text.data() + pos + n, parts[count]);
    pos += n;
    ++count;
    if (pos >= text.size() || text[pos] != ':') break;
    ++pos;
  }
  if (count < 2 || tokens.has_time) return false;
  if (count == 3 && pos + 1 < text.size() && text[pos] == '.' && ascii::is_digit(text[pos + 1])) {
    ++pos;
    while (pos < text.size() && ascii::is_digit(text[pos])) ++pos;  // fractions are truncated
  }
  tokens.has_time = true;
  tokens.hour = parts[0];
  tokens.minute = parts[1];
  tokens.second = parts[2];
  return true;
}

// +hhmm, +hh:mm or +hh after the time (RFC 2822 §3.3); a numeric zone after
// a named one ("GMT+0100", JavaScript's Date.toString) is the real one.
bool take_numeric_zone(std::string_view text, std::size_t& pos, date_tokens& tokens) {
  const int sign = text[pos] == '-' ? -1 : 1;
  ++pos;
  std::size_t n = 0;
  while (pos + n < text.size() && ascii::is_digit(text[pos + n])) ++n;
  int hours = 0;
  int minutes = 0;
  if (n == 4) {
    std::from_chars(text.data() + pos, text.data() + pos + 2, hours);
    std::from_chars(text.data() + pos + 2, text.data() + pos + 4, minutes);
    pos += 4;
  } else if (n == 2) {
    std::from_chars(text.data() + pos, text.data() + pos + 2, hours);
    pos += 2;
    if (pos + 2 < text.size() && text[pos] == ':' && ascii::is_digit(text[pos + 1]) && ascii::is_digit(text[pos + 2])) {
      std::from_chars(text.data() + pos + 1, text.data() + pos + 3, minutes);
      pos += 3;
    }
  } else {
    return false;
  }
  if (hours > 23 || minutes > 59) return false;
  tokens.has_zone = true;
  tokens.has_numeric_zone = true;
  tokens.offset_seconds = sign * (hours * 3600 + minutes * 60);
  return true;
}

bool tokenize(std::string_view text, date_tokens& tokens) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const char c = text[pos];
    if (ascii::is_xml_space(c) || c == ',' || c == '.') {
      ++pos;
    } else if (c == '(') {
      // RFC 2822 §3.2.3 comments, possibly nested: "(UTC)".
      int depth = 0;
      for (; pos < text.size(); ++pos) {
        if (text[pos] == '(') ++depth;
        if (text[pos] == ')' && --depth == 0) break;
      }
      ++pos;
    } else if (ascii::is_alpha(c)) {
      const std::size_t start = pos;
      while (pos < text.size() && ascii::is_alpha(text[pos])) ++pos;
      if (!take_word(text.substr(start, pos - start), tokens)) return false;
    } else if ((c == '+' || c == '-') && tokens.has_time && pos + 1 < text.size() && ascii::is_digit(text[pos + 1])) {
      if (tokens.has_numeric_zone || !take_numeric_zone(text, pos, tokens)) return false;
    } else if (c == '-' && !tokens.has_time) {
      ++pos;  // RFC 850: "Tuesday, 02-Jan-24"
    } else if (ascii::is_digit(c)) {
      std::size_t n = 0;
      while (pos + n < text.size() && ascii::is_digit(text[pos + n])) ++n;
      if (pos + n < text.size() && text[pos + n] == ':') {
        if (!take_time(text, pos, tokens)) return false;
        continue;
      }
      if (n > 4 || tokens.number_count == tokens.numbers.size()) return false;
      number_token& number = tokens.numbers[tokens.number_count++];
      std::from_chars(text.data() + pos, text.data() + pos + n, number.value);
      number.digits = n;
      pos += n;
    } else {
      return false;
    }
  }
  return true;
}

// RFC 2822 §4.3: 00-49 are 2000-2049, 50-99 and three-digit years are 19xx.
int full_year(const number_token& year) {
  if (year.digits == 2) return year.value < 50 ? 2000 + year.value : 1900 + year.value;
  if (year.digits == 3) return 1900 + year.value;
  return year.value;
}

}  // namespace

std::optional<date_fields> parse_common_rfc822(std::string_view text) {
  const bool gmt = matches_layout<"aaa, dd aaa dddd dd:dd:dd GMT">(text);
  if (!gmt && !matches_layout<"aaa, dd aaa dddd dd:dd:dd +dddd">(text)) return std::nullopt;
  const auto lowered = [text](std::size_t at) {
    return std::array<char, 3>{ascii::lower(text[at]), ascii::lower(text[at + 1]), ascii::lower(text[at + 2])};
  };
  const auto weekday = lowered(0);
  const auto month = lowered(8);
  const std::string_view month_name(month.data(), month.size());
  // take_word tries weekdays first: a month word that named a weekday would
  // fail there.
  if (find_name(std::string_view(weekday.data(), weekday.size()), weekday_names) < 0 ||
      find_name(month_name, weekday_names) >= 0) {
    return std::nullopt;
  }
  const int month_index = find_name(month_name, month_names);
  if (month_index < 0) return std::nullopt;
  date_fields fields;
  fields.day = digits_value(text, 5, 2);
  fields.month = month_index + 1;
  fields.year = digits_value(text, 12, 4);
  if (!read_fixed_time(text, 17, gmt, 26, 29, fields)) return std::nullopt;  // so will take_numeric_zone
  return fields;
}

std::optional<date_fields> parse_rfc822(std::string_view text) {
  date_tokens tokens;
  if (!tokenize(text, tokens) || tokens.month == 0 || tokens.number_count == 0) return std::nullopt;

  date_fields fields;
  fields.month = tokens.month;
  const number_token& first = tokens.numbers[0];
  const number_token& second = tokens.numbers[1];
  if (tokens.number_count == 1) {
    if (first.digits != 4) return std::nullopt;  // "Jan 2024"; a lone day has no year
    fields.year = first.value;
  } else if (first.digits <= 2) {
    // "02 Jan 2024", "Jan 2, 2024", "Jan  2 03:04:05 2024", "02-Jan-24".
    fields.day = first.value;
    fields.year = full_year(second);
  } else if (second.digits <= 2) {
    fields.year = full_year(first);  // "2024 Jan 02"
    fields.day = second.value;
  } else {
    return std::nullopt;
  }

  if (tokens.has_time) {
    fields.hour = tokens.hour;
    fields.minute = tokens.minute;
    fields.second = tokens.second;
    if (tokens.meridiem != 0) {
      if (fields.hour < 1 || fields.hour > 12) return std::nullopt;
      fields.hour = fields.hour % 12 + (tokens.meridiem == 2 ? 12 : 0);
    }
  }
  fields.offset_seconds = tokens.offset_seconds;
  return fields;
}

}  // namespace feedd::parsers::detail
