#include "reference_dates.hpp"

#include <array>
#include <charconv>
#include <chrono>

namespace feedd::conformance {
namespace {

using namespace std::chrono;

// Reads exactly `digits` decimal digits at text[pos] and advances pos.
std::optional<int> number(std::string_view text, std::size_t& pos, std::size_t digits) {
  if (pos + digits > text.size()) return std::nullopt;
  int value = 0;
  const auto [end, error] = std::from_chars(text.data() + pos, text.data() + pos + digits, value);
  if (error != std::errc{} || end != text.data() + pos + digits) return std::nullopt;
  pos += digits;
  return value;
}

bool literal(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

std::optional<timestamp> at(int y, int mo, int d, int h, int mi, int s, int offset_minutes) {
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!date.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  return sys_days{date} + hours{h} + minutes{mi} + seconds{s} - minutes{offset_minutes};
}

// "Z", "+05:00", "-0500"; RFC 822 adds "GMT", "UT", "UTC" and the US zones.
std::optional<int> zone(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, int>, 12> names{
      {{"Z", 0}, {"GMT", 0}, {"UT", 0}, {"UTC", 0}, {"EST", -300}, {"EDT", -240}, {"CST", -360}, {"CDT", -300},
       {"MST", -420}, {"MDT", -360}, {"PST", -480}, {"PDT", -420}}};
  for (const auto& [name, offset] : names) {
    if (text == name) return offset;
  }
  if (text.size() < 5 || (text[0] != '+' && text[0] != '-')) return std::nullopt;
  std::size_t pos = 1;
  const auto h = number(text, pos, 2);
  literal(text, pos, ':');
  const auto m = number(text, pos, 2);
  if (!h || !m || pos != text.size()) return std::nullopt;
  return (text[0] == '-' ? -1 : 1) * (*h * 60 + *m);
}

std::optional<timestamp> iso_8601(std::string_view text) {
  std::size_t pos = 0;
  const auto y = number(text, pos, 4);
  if (!y || !literal(text, pos, '-')) return std::nullopt;
  const auto mo = number(text, pos, 2);
  if (!mo || !literal(text, pos, '-')) return std::nullopt;
  const auto d = number(text, pos, 2);
  if (!d || !literal(text, pos, 'T')) return std::nullopt;
  const auto h = number(text, pos, 2);
  if (!h || !literal(text, pos, ':')) return std::nullopt;
  const auto mi = number(text, pos, 2);
  if (!mi || !literal(text, pos, ':')) return std::nullopt;
  const auto s = number(text, pos, 2);
  if (!s) return std::nullopt;
  if (literal(text, pos, '.')) {
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
  }
  const auto offset = zone(text.substr(pos));
  if (!offset) return std::nullopt;
  return at(*y, *mo, *d, *h, *mi, *s, *offset);
}

std::optional<timestamp> rfc_822(std::string_view text) {
  static constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (const auto comma = text.find(", "); comma != std::string_view::npos) text.remove_prefix(comma + 2);
  std::size_t pos = 0;
  auto d = number(text, pos, 2);
  if (!d) {
    pos = 0;
    d = number(text, pos, 1);
  }
  if (!d || !literal(text, pos, ' ') || pos + 4 > text.size()) return std::nullopt;
  int mo = 0;
  for (std::size_t i = 0; i < months.size(); ++i) {
    if (text.substr(pos, 3) == months[i]) mo = static_cast<int>(i) + 1;
  }
  pos += 3;
  if (mo == 0 || !literal(text, pos, ' ')) return std::nullopt;
  const auto y = number(text, pos, 4);
  if (!y || !literal(text, pos, ' ')) return std::nullopt;
  const auto h = number(text, pos, 2);
  if (!h || !literal(text, pos, ':')) return std::nullopt;
  const auto mi = number(text, pos, 2);
  if (!mi) return std::nullopt;
  int s = 0;
  if (literal(text, pos, ':')) {
    const auto sec = number(text, pos, 2);
    if (!sec) return std::nullopt;
    s = *sec;
  }
  if (!literal(text, pos, ' ')) return std::nullopt;
  const auto offset = zone(text.substr(pos));
  if (!offset) return std::nullopt;
  return at(*y, mo, *d, *h, *mi, s, *offset);
}

}  // namespace

std::optional<timestamp> reference_instant(std::string_view text) {
  if (auto iso = iso_8601(text)) return iso;
  return rfc_822(text);
}

}  // namespace feedd::conformance
