// contrib/: the Prometheus alert rules load and behave as their unit tests
// say (promtool, from Debian's prometheus package), and every metric they
// and the Grafana dashboard name is one a running feedd exports.
#include <cstdlib>
#include <csignal>
#include <regex>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "daemon_harness.hpp"
#include "support/paths.hpp"

namespace feedd::test {
namespace {

using namespace std::chrono_literals;

// CI (which runs scripts/install-deps) must have promtool; a developer's
// machine without it skips.
std::string promtool() {
  for (const char* path : {"/usr/bin/promtool", "/usr/local/bin/promtool"}) {
    if (std::filesystem::exists(path)) return path;
  }
  return {};
}

#define REQUIRE_PROMTOOL(tool)                                                                 \
  const auto tool = promtool();                                                                \
  if (tool.empty()) {                                                                          \
    const char* ci = std::getenv("CI");                                                        \
    if (ci == nullptr || *ci == '\0') GTEST_SKIP() << "promtool is missing (scripts/install-deps)"; \
    FAIL() << "promtool is missing in CI: scripts/install-deps installs prometheus";          \
  }

TEST(Contrib, AlertRulesPassPromtoolCheckAndTheirUnitTests) {
  REQUIRE_PROMTOOL(tool);
  const auto dir = source_dir() / "contrib";
  const auto checked = run({tool, "check", "rules", (dir / "feedd-alerts.yml").string()});
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  const auto tested = run({tool, "test", "rules", (dir / "feedd-alerts.test.yml").string()});
  EXPECT_EQ(tested.exit_code, 0) << tested.out << tested.err;
}

// feedd_* and process_* names anywhere in a file: expressions, and the
// descriptions that point at a metric.
std::set<std::string> names_in(const std::string& text) {
  static const std::regex name(R"(\b(?:feedd|process)_[a-z0-9_]+)");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), name); it != std::sregex_iterator(); ++it) {
    out.insert(it->str());
  }
  return out;
}

// The name of every sample in a scrape (histograms' _bucket, _sum, _count)
// and of every family.
std::set<std::string> exported(const std::string& scrape) {
  std::set<std::string> out;
  for (std::size_t at = 0; at < scrape.size();) {
    auto end = scrape.find('\n', at);
    if (end == std::string::npos) end = scrape.size();
    const auto line = scrape.substr(at, end - at);
    if (!line.empty() && line[0] != '#') out.insert(line.substr(0, line.find_first_of("{ ")));
    if (line.starts_with("# TYPE ")) out.insert(line.substr(7, line.find(' ', 7) - 7));  // a histogram's family
    at = end + 1;
  }
  return out;
}

TEST(Contrib, EveryMetricTheDashboardAndAlertsNameIsOneFeeddExports) {
  daemon_harness harness("contrib_names");
  const int port = free_port();
  harness.write_config("", "metrics:\n  listen: \"127.0.0.1:" + std::to_string(port) + "\"\n");
  const auto log = harness.dir() / "feedd.log";
  auto daemon = harness.start({"run"}, log);
  std::string scrape;
  // feedd_feeds appears with the store thread's first count.
  for (const auto deadline = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < deadline;
       std::this_thread::sleep_for(100ms)) {
    scrape = http_get(port, "/metrics");
    if (scrape.find("\nfeedd_feeds{") != std::string::npos) break;
  }
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_for(10s), 0) << read_file(log);
  const auto have = exported(scrape);
  ASSERT_TRUE(have.contains("feedd_feeds")) << scrape << read_file(log);
  for (const char* file : {"grafana-feedd.json", "feedd-alerts.yml"}) {
    const auto used = names_in(read_file(source_dir() / "contrib" / file));
    EXPECT_GE(used.size(), 5u) << file;
    for (const auto& name : used) EXPECT_TRUE(have.contains(name)) << file << " names " << name << ", not exported:\n" << scrape;
  }
}

}  // namespace
}  // namespace feedd::test
