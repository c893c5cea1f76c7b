// /healthz, /readyz and the live families of /metrics against the real
// daemon while its PostgreSQL server stops and starts again (issue 14:
// metrics showed 0 errors until the database came back), and what
// metrics.listen does with a port another process holds.
#include <csignal>
#include <cstdint>
#include <string>
#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "daemon_harness.hpp"
#include "support/paths.hpp"
#include "support/private_cluster.hpp"

namespace feedd::test {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

template <class F>
bool eventually(F done, std::chrono::milliseconds limit) {
  for (auto deadline = clock::now() + limit; clock::now() < deadline; std::this_thread::sleep_for(100ms)) {
    if (done()) return true;
  }
  return done();
}

// The value of an unlabelled sample in a scrape, or -1.
std::int64_t sample(const std::string& scrape, const std::string& name) {
  const auto at = scrape.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stoll(scrape.substr(at + name.size() + 2));
}

TEST(Health, ReadyzAndMetricsFollowADatabaseOutageAsItHappens) {
  private_cluster cluster;
  daemon_harness harness("health_outage", cluster.conninfo());
  const int port = free_port();
  harness.write_config("", "metrics:\n  listen: \"127.0.0.1:" + std::to_string(port) + "\"\n");
  const auto log = harness.dir() / "feedd.log";
  auto daemon = harness.start({"run"}, log);
  std::string ready;
  ASSERT_TRUE(eventually([&] { return (ready = http_get(port, "/readyz")).starts_with("{\"status\":\"ready\""); }, 20s))
      << ready << read_file(log);
  EXPECT_EQ(sample(http_get(port, "/metrics"), "feedd_database_up"), 1);
  // The store thread counts feeds by state on its first turn.
  EXPECT_TRUE(eventually([&] { return http_get(port, "/metrics").find("\nfeedd_feeds{state=\"ok\"} 0\n") != std::string::npos; }, 5s));

  ASSERT_TRUE(cluster.stop());
  std::string scrape;
  ASSERT_TRUE(eventually([&] { return sample(scrape = http_get(port, "/metrics"), "feedd_database_up") == 0; }, 15s))
      << scrape << read_file(log);
  const auto errors = sample(scrape, "feedd_database_errors_total");
  EXPECT_GE(errors, 1) << scrape;
  // The retries go on with backoff (0.5 s, 1 s, 2 s): each counts at once.
  EXPECT_TRUE(eventually([&] { return sample(http_get(port, "/metrics"), "feedd_database_errors_total") > errors; }, 10s))
      << read_file(log);
  const auto not_ready = http_get(port, "/readyz");
  EXPECT_NE(not_ready.find("{\"status\":\"not ready\",\"database\":\"down since 20"), std::string::npos) << not_ready;
  EXPECT_EQ(http_get(port, "/healthz"), "{\"status\":\"ok\"}\n");

  ASSERT_TRUE(cluster.start());
  EXPECT_TRUE(eventually([&] { return (ready = http_get(port, "/readyz")).starts_with("{\"status\":\"ready\""); }, 40s))
      << ready << read_file(log);
  scrape = http_get(port, "/metrics");
  EXPECT_EQ(sample(scrape, "feedd_database_up"), 1) << scrape;
  EXPECT_GE(sample(scrape, "feedd_database_reconnects_total"), 1) << scrape;
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_for(10s), 0) << read_file(log);
}

// While `run` waits for the database at start-up the endpoints answer
// already: alive, not ready, the database down.
TEST(Health, EndpointsAnswerWhileTheDaemonWaitsForTheDatabaseAtStartUp) {
  temp_dir dir;
  const auto config = dir.path() / "feedd.yaml";
  const int port = free_port();
  write_file(config, "database:\n  url: \"host=" + (dir.path() / "nowhere").string() +
                         " user=postgres dbname=feedd\"\nmetrics:\n  listen: \"127.0.0.1:" + std::to_string(port) + "\"\n");
  const auto log = dir.path() / "feedd.log";
  process daemon({{feedd_binary().string(), "--config", config.string(), "run"}, {}, {"NOTIFY_SOCKET"}, "", log});
  std::string alive;
  ASSERT_TRUE(eventually([&] { return (alive = http_get(port, "/healthz")) == "{\"status\":\"ok\"}\n"; }, 10s))
      << alive << read_file(log);
  const auto not_ready = http_get(port, "/readyz");
  EXPECT_NE(not_ready.find("{\"status\":\"not ready\",\"database\":\"down since 20"), std::string::npos) << not_ready;
  EXPECT_EQ(sample(http_get(port, "/metrics"), "feedd_database_up"), 0);
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_for(5s), 0) << read_file(log);
}

// A port held by another process may be freed later: exit 1, which the
// unit's Restart=on-failure retries, not 78, which it never does.
TEST(Health, AMetricsPortInUseExitsOneSoThatSystemdRetries) {
  daemon_harness harness("metrics_port_in_use");
  const int holder = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(holder, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(holder, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(holder, 1), 0);
  socklen_t length = sizeof address;
  ::getsockname(holder, reinterpret_cast<sockaddr*>(&address), &length);
  const int port = ntohs(address.sin_port);
  harness.write_config("", "metrics:\n  listen: \"127.0.0.1:" + std::to_string(port) + "\"\n");
  const auto log = harness.dir() / "feedd.log";
  auto daemon = harness.start({"run"}, log);
  EXPECT_EQ(daemon.wait_for(30s), 1) << read_file(log);
  EXPECT_NE(read_file(log).find("Address already in use"), std::string::npos) << read_file(log);
  ::close(holder);
}

}  // namespace
}  // namespace feedd::test
