#include <string>

#include <gtest/gtest.h>

#include "feedd/config/config.hpp"

namespace feedd::config {
namespace {

TEST(ListenAddress, ReadsHostAndPortOnceForTheMetricsServer) {
  const struct {
    const char* text;
    listen_address expected;
  } rows[] = {
      {"127.0.0.1:9118", {"127.0.0.1", 9118}},
      {"localhost:1", {"localhost", 1}},
      {"[::1]:9118", {"::1", 9118}},
      {"[fe80::1%eth0]:65535", {"fe80::1%eth0", 65535}},
  };
  for (const auto& row : rows) {
    const auto parsed = parse_listen_address(row.text);
    ASSERT_TRUE(parsed.has_value()) << row.text << ": " << parsed.error();
    EXPECT_EQ(*parsed, row.expected) << row.text;
    EXPECT_EQ(to_string(*parsed), row.text);
  }
}

TEST(ListenAddress, RejectsWhatIsNotHostAndPort) {
  for (const char* bad : {"", "localhost", "127.0.0.1", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:65536",
                          "127.0.0.1:0", "127.0.0.1:-1", ":9118", "::1:9118", "[::1]9118", "[::1", "[]:9118",
                          "host name:80"}) {
    const auto parsed = parse_listen_address(bad);
    EXPECT_FALSE(parsed.has_value()) << bad;
    if (!parsed) {
      EXPECT_NE(parsed.error().find(bad), std::string::npos) << parsed.error();
    }
  }
}

}  // namespace
}  // namespace feedd::config
