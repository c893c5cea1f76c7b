#include "skip_hints.hpp"

#include <array>
#include <charconv>
#include <cstdint>

#include "ascii.hpp"

namespace feedd::parsers::detail {

namespace {

constexpr std::uint32_t every_hour = (1u << 24) - 1;
constexpr std::uint8_t every_day = (1u << 7) - 1;

// In std::chrono::weekday's order, Sunday first. The RSS 2.0 spec spells
// them capitalized; case is not worth refusing a hint over.
constexpr std::array<std::string_view, 7> day_names{"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                    "Thursday", "Friday", "Saturday"};

std::uint32_t hours_of(const std::vector<std::string_view>& values) {
  std::uint32_t bits = 0;
  for (auto text : values) {
    text = ascii::trim(text);
    unsigned hour = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), hour);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size() || hour > 23) continue;
    bits |= 1u << hour;
  }
  return bits;
}

std::uint8_t days_of(const std::vector<std::string_view>& values) {
  std::uint8_t bits = 0;
  for (auto text : values) {
    text = ascii::trim(text);
    for (std::size_t d = 0; d < day_names.size(); ++d) {
      if (ascii::iequals(text, day_names[d])) bits = static_cast<std::uint8_t>(bits | (1u << d));
    }
  }
  return bits;
}

}  // namespace

skip_hints skip_hints_of(const std::vector<std::string_view>& hours, const std::vector<std::string_view>& days) {
  skip_hints out{hours_of(hours), days_of(days)};
  // Every hour (or every day) skipped would mean "never check": taken
  // literally it silences the feed for good, which no publisher can mean
  // and none may impose, so such a list is no hint at all.
  if (out.hours == every_hour) out.hours = 0;
  if (out.days == every_day) out.days = 0;
  return out;
}

}  // namespace feedd::parsers::detail
