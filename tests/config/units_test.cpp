#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "feedd/config/config.hpp"
#include "units.hpp"

namespace feedd::config {
namespace {

using namespace std::chrono_literals;

TEST(ParseDuration, AcceptsIntegersWithUnits) {
  const struct {
    const char* text;
    duration expected;
  } rows[] = {
      {"500ms", 500ms}, {"30s", 30s},   {"5m", 5min},       {"2h", 2h},
      {"1d", 24h},      {"1h30m", 90min}, {"1m5ms", 60005ms}, {"1d2h3m4s5ms", 24h + 2h + 3min + 4s + 5ms},
      {"0s", 0ms},      {"0ms", 0ms},   {"007s", 7s},       {"106751991167d", duration{106751991167LL * 86400000}},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(parse_duration(row.text), std::optional<duration>(row.expected)) << row.text;
  }
}

TEST(ParseDuration, RejectsMalformedNegativeAndOverflowing) {
  for (const char* text : {"", "30", "1h30", "-5s", "+5s", "thirty", "1.5h", "30S", "30 s", " 30s", "30s ", "s",
                           "5sec", "30m1h", "1h1h", "1ms1s", "9223372036854775808ms", "106751991168d",
                           "99999999999999999999999d"}) {
    EXPECT_EQ(parse_duration(text), std::nullopt) << '"' << text << '"';
  }
}

TEST(FormatDuration, UsesLargestUnitsFirstAndOmitsZeros) {
  const struct {
    duration value;
    const char* expected;
  } rows[] = {
      {0ms, "0s"},       {500ms, "500ms"}, {30s, "30s"},           {90min, "1h30m"},
      {24h, "1d"},       {36h, "1d12h"},   {1500ms, "1s500ms"},     {-90s, "-1m30s"},
      {5min, "5m"},      {60005ms, "1m5ms"},
  };
  for (const auto& row : rows) EXPECT_EQ(format_duration(row.value), row.expected);
}

TEST(FormatDuration, ParsesBackToTheSameValue) {
  for (const duration d : std::initializer_list<duration>{1ms, 999ms, 1001ms, 59s, 61s, 3599s, 3601s, 86399999ms,
                                                          86400001ms, duration{1234567890123}}) {
    EXPECT_EQ(parse_duration(format_duration(d)), std::optional<duration>(d)) << d.count();
  }
}

TEST(ParseSize, AcceptsBytesAndBinaryAndDecimalUnits) {
  const struct {
    const char* text;
    std::size_t expected;
  } rows[] = {
      {"0", 0},           {"1024", 1024},         {"5B", 5},          {"512KiB", 512 * 1024},
      {"10MiB", 10 << 20}, {"1GiB", 1 << 30},       {"1KB", 1000},      {"10MB", 10'000'000},
      {"2GB", 2'000'000'000},
  };
  for (const auto& row : rows) {
    const auto parsed = parse_size_checked(row.text);
    ASSERT_TRUE(parsed.has_value()) << row.text;
    EXPECT_EQ(*parsed, row.expected) << row.text;
  }
}

TEST(ParseSize, RejectsMalformedNegativeAndOverflowing) {
  for (const char* text : {"", "-1", "16mb", "16 MiB", "1.5MiB", "MiB", "1TiB", "10Mib", "0x10", "18446744073709551616",
                           "17179869184GiB"}) {
    EXPECT_FALSE(parse_size_checked(text).has_value()) << '"' << text << '"';
  }
}

TEST(FormatSize, UsesTheLargestExactUnit) {
  EXPECT_EQ(format_size(0), "0B");
  EXPECT_EQ(format_size(1000), "1KB");
  EXPECT_EQ(format_size(1024), "1KiB");
  EXPECT_EQ(format_size(std::size_t{16} << 20), "16MiB");
  EXPECT_EQ(format_size(10'000'000), "10MB");
  EXPECT_EQ(format_size(1001), "1001B");
  for (const std::size_t n : {std::size_t{1}, std::size_t{1023}, std::size_t{1536}, std::size_t{3} << 30}) {
    const auto parsed = parse_size_checked(format_size(n));
    ASSERT_TRUE(parsed.has_value()) << n;
    EXPECT_EQ(*parsed, n);
  }
}

TEST(LogNames, SpellTheWordsOfTheFile) {
  EXPECT_EQ(to_string(log_level::warning), "warning");
  EXPECT_EQ(to_string(log_format::automatic), "auto");
  EXPECT_EQ(to_string(log_format::json), "json");
}

}  // namespace
}  // namespace feedd::config
