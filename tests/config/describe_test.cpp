#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "feedd/config/config.hpp"

namespace feedd::config {
namespace {

using namespace std::chrono_literals;

config defaults() { return load_string("", "1.0").value(); }

TEST(DescribeChanges, SameConfigGivesNoLines) { EXPECT_TRUE(describe_changes(defaults(), defaults()).empty()); }

TEST(DescribeChanges, OneLinePerChangedKeyInFileOrder) {
  const config before = defaults();
  config after = before;
  after.fetch.timeout = 10s;
  after.fetch.threads = 4;
  after.fetch.max_body = std::size_t{8} << 20;
  after.fetch.tls_verify = false;
  after.fetch.user_agent = "bot/2";
  after.schedule.interval = 90min;
  after.log.level = log_level::debug;
  after.log.format = log_format::json;
  after.metrics.listen = listen_address{"127.0.0.1", 9118};
  const std::vector<std::string> expected_lines{
      "fetch.threads: 2 -> 4",
      "fetch.timeout: 30s -> 10s",
      "fetch.max_body: 16MiB -> 8MiB",
      "fetch.user_agent: \"feedd/1.0\" -> \"bot/2\"",
      "fetch.tls_verify: true -> false",
      "schedule.interval: 30m -> 1h30m",
      "log.level: info -> debug",
      "log.format: auto -> json",
      "metrics.listen: \"\" -> \"127.0.0.1:9118\"",
  };
  EXPECT_EQ(describe_changes(before, after), expected_lines);
}

TEST(DescribeChanges, DatabaseUrlIsNeverPrinted) {
  config before = defaults();
  config after = before;
  before.database.url = "postgresql://feedd:hunter2@db/feeds";
  after.database.url = "postgresql://feedd:swordfish@db/feeds";
  const auto lines = describe_changes(before, after);
  ASSERT_EQ(lines, std::vector<std::string>{"database.url: changed"});
}

TEST(DescribeChanges, ProxyCredentialsAreMasked) {
  config before = defaults();
  config after = before;
  before.fetch.proxy = "http://proxy.example:3128";
  after.fetch.proxy = "http://feedd:hunter2@proxy.example:3128";
  EXPECT_EQ(describe_changes(before, after),
            std::vector<std::string>{"fetch.proxy: \"http://proxy.example:3128\" -> \"http://***@proxy.example:3128\""});
}

TEST(DescribeChanges, ComparesTwoLoadedFiles) {
  auto before = load_string("fetch:\n  timeout: 30s\n", "1.0");
  auto after = load_string("fetch:\n  timeout: 10s\nqueue:\n  capacity: 64\n", "1.0");
  ASSERT_TRUE(before && after);
  EXPECT_EQ(describe_changes(*before, *after),
            (std::vector<std::string>{"fetch.timeout: 30s -> 10s", "queue.capacity: 32 -> 64"}));
}

}  // namespace
}  // namespace feedd::config
