#include "units.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <string>

namespace feedd::config {
namespace {

struct unit {
  std::string_view suffix;
  std::uint64_t factor;
};

// Longest suffix first within a shared prefix: "ms" must be tried before "m".
constexpr std::array<unit, 5> duration_units{{
    {"d", 86'400'000},
    {"h", 3'600'000},
    {"ms", 1},
    {"m", 60'000},
    {"s", 1'000},
}};

// Descending magnitude, for format_duration and for the "1h30m" order rule.
constexpr std::array<unit, 5> duration_units_by_size{{
    {"d", 86'400'000},
    {"h", 3'600'000},
    {"m", 60'000},
    {"s", 1'000},
    {"ms", 1},
}};

constexpr std::array<unit, 7> size_units{{
    {"GiB", std::uint64_t{1} << 30},
    {"MiB", std::uint64_t{1} << 20},
    {"KiB", std::uint64_t{1} << 10},
    {"GB", 1'000'000'000},
    {"MB", 1'000'000},
    {"KB", 1'000},
    {"B", 1},
}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads the leading digits of text into value; false on overflow.
bool take_number(std::string_view& text, std::uint64_t& value) {
  value = 0;
  while (!text.empty() && is_digit(text.front())) {
    const auto digit = static_cast<std::uint64_t>(text.front() - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
    value = value * 10 + digit;
    text.remove_prefix(1);
  }
  return true;
}

bool multiply(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
  if (b != 0 && a > std::numeric_limits<std::uint64_t>::max() / b) return false;
  out = a * b;
  return true;
}

}  // namespace

expected<duration, unit_error> parse_duration_checked(std::string_view text) {
  if (text.empty()) return unexpected{unit_error::empty};
  if (text.front() == '-') return unexpected{unit_error::negative};
  constexpr auto limit = static_cast<std::uint64_t>(std::numeric_limits<duration::rep>::max());
  std::uint64_t total = 0;
  // Units must appear largest first and at most once ("1h30m", not "30m1h"
  // or "1h1h"), so every accepted spelling has one obvious meaning.
  std::size_t next_allowed = 0;
  while (!text.empty()) {
    if (!is_digit(text.front())) return unexpected{unit_error::malformed};
    std::uint64_t count = 0;
    if (!take_number(text, count)) return unexpected{unit_error::overflow};
    if (text.empty()) return unexpected{unit_error::missing_unit};
    const unit* found = nullptr;
    for (const auto& u : duration_units) {
      if (text.starts_with(u.suffix)) {
        found = &u;
        break;
      }
    }
    if (found == nullptr) return unexpected{unit_error::malformed};
    text.remove_prefix(found->suffix.size());
    std::size_t rank = 0;
    while (duration_units_by_size[rank].suffix != found->suffix) ++rank;
    if (rank < next_allowed) return unexpected{unit_error::malformed};
    next_allowed = rank + 1;
    std::uint64_t part = 0;
    if (!multiply(count, found->factor, part) || part > limit - total) return unexpected{unit_error::overflow};
    total += part;
  }
  return duration{static_cast<duration::rep>(total)};
}

expected<std::size_t, unit_error> parse_size_checked(std::string_view text) {
  if (text.empty()) return unexpected{unit_error::empty};
  if (text.front() == '-') return unexpected{unit_error::negative};
  if (!is_digit(text.front())) return unexpected{unit_error::malformed};
  std::uint64_t count = 0;
  if (!take_number(text, count)) return unexpected{unit_error::overflow};
  std::uint64_t factor = 1;  // a bare number is bytes
  if (!text.empty()) {
    const unit* found = nullptr;
    for (const auto& u : size_units) {
      if (text == u.suffix) {
        found = &u;
        break;
      }
    }
    if (found == nullptr) return unexpected{unit_error::malformed};
    factor = found->factor;
  }
  std::uint64_t bytes = 0;
  if (!multiply(count, factor, bytes) || bytes > std::numeric_limits<std::size_t>::max()) {
    return unexpected{unit_error::overflow};
  }
  return static_cast<std::size_t>(bytes);
}

std::optional<duration> parse_duration(std::string_view text) {
  auto parsed = parse_duration_checked(text);
  if (!parsed) return std::nullopt;
  return *parsed;
}

std::string format_duration(duration d) {
  if (d.count() == 0) return "0s";
  std::string out;
  // Negative durations never come out of a config, but keep this total.
  auto rest = static_cast<std::uint64_t>(d.count());
  if (d.count() < 0) {
    out = "-";
    rest = ~rest + 1;  // magnitude, well defined even for the minimum value
  }
  for (const auto& u : duration_units_by_size) {
    if (rest >= u.factor) {
      out += std::to_string(rest / u.factor);
      out += u.suffix;
      rest %= u.factor;
    }
  }
  return out;
}

std::string format_size(std::size_t bytes) {
  if (bytes != 0) {
    for (const auto& u : size_units) {
      if (u.factor > 1 && bytes % u.factor == 0) return std::to_string(bytes / u.factor) + std::string(u.suffix);
    }
  }
  return std::to_string(bytes) + "B";
}

}  // namespace feedd::config
