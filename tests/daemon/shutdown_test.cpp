// Signals against the real daemon: drain on the first SIGTERM/SIGINT,
// cancel on the second, reload on SIGHUP.
#include <csignal>
#include <cstdlib>
#include <string_view>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "daemon_harness.hpp"
#include "support/fake_server.hpp"
#include "feed_fixtures.hpp"
#include "support/paths.hpp"
#include "support/private_cluster.hpp"

namespace feedd::test {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

// Polls `done` every 100 ms for at most `limit`.
template <class F>
bool eventually(F done, std::chrono::milliseconds limit) {
  for (auto deadline = clock::now() + limit; clock::now() < deadline; std::this_thread::sleep_for(100ms)) {
    if (done()) return true;
  }
  return done();
}

int sum_hits(const std::map<std::string, int>& h, const std::string& prefix) {
  int n = 0;
  for (const auto& [path, count] : h)
    if (path.rfind(prefix, 0) == 0) n += count;
  return n;
}

// Holds a lock that makes every INSERT into entries wait, so that fetched
// documents pile up in the queue behind a stuck store.
class entries_lock {
 public:
  explicit entries_lock(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    PQclear(PQexec(conn_, "BEGIN"));
    PGresult* r = PQexec(conn_, "LOCK TABLE entries IN SHARE ROW EXCLUSIVE MODE");
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(conn_);
    PQclear(r);
  }
  void release() {
    if (conn_ == nullptr) return;
    PQclear(PQexec(conn_, "COMMIT"));
    PQfinish(conn_);
    conn_ = nullptr;
  }
  ~entries_lock() { release(); }

 private:
  PGconn* conn_;
};

class Shutdown : public ::testing::Test {
 protected:
  Shutdown() : harness_(::testing::UnitTest::GetInstance()->current_test_info()->name()) {}
  daemon_harness harness_;
  temp_dir root_;
};

TEST_F(Shutdown, SigtermStoresEveryFetchedDocumentAndReleasesTheRest) {
  auto fixtures = write_feed_fixtures(root_.path(), 20);
  auto fake = serve_directory(root_.path());
  auto& server = *fake;
  // Hanging feeds first: claims are started in id order, and once the queue
  // is full nothing else starts.
  std::vector<std::string> urls;
  for (int i = 0; i < 5; ++i) urls.push_back(server.url("/hang?n=" + std::to_string(i)));
  for (const auto& f : fixtures) urls.push_back(server.url("/feeds/" + f.file));
  harness_.write_config("  timeout: 60s\n", "queue:\n  capacity: 2\nshutdown:\n  drain_timeout: 2s\nlog:\n  level: debug\n");
  harness_.add_feeds(urls);
  harness_.feedd({"migrate"});

  entries_lock lock(harness_.db().conninfo());
  const auto log = harness_.dir() / "feedd.log";
  auto daemon = harness_.start({"run"}, log);
  // The queue (2) fills behind the locked store; the hanging fetches stay in flight.
  ASSERT_TRUE(eventually([&] {
    auto h = hits(server);
    return sum_hits(h, "/feeds/") >= 3 && sum_hits(h, "/hang") >= 5;
  }, 20s)) << read_file(log);
  // Settled: the server has seen every request that will come before the signal.
  int served = -1;
  ASSERT_TRUE(eventually([&] {
    std::this_thread::sleep_for(300ms);
    const int now = sum_hits(hits(server), "/feeds/");
    return std::exchange(served, now) == now;
  }, 10s));
  EXPECT_LT(served, 20) << "backpressure: a full queue must stop new fetches";

  const auto signalled = clock::now();
  daemon.signal(SIGTERM);
  std::this_thread::sleep_for(500ms);
  lock.release();
  auto code = daemon.wait_for(15s);
  ASSERT_TRUE(code.has_value()) << read_file(log);
  EXPECT_EQ(*code, 0) << read_file(log);
  EXPECT_LT(clock::now() - signalled, 2s + 5s);

  auto& db = harness_.db();
  // Every document served before the signal was stored, with its entries;
  // no fetch started after it.
  EXPECT_EQ(sum_hits(hits(server), "/feeds/"), served) << read_file(log);
  EXPECT_EQ(std::stoi(db.scalar("SELECT count(*) FROM feeds WHERE last_status = 200")), served);
  for (const auto& f : fixtures) {
    const std::string url = server.url("/feeds/" + f.file);
    const bool checked = db.scalar("SELECT last_checked_at IS NOT NULL FROM feeds WHERE url = '" + url + "'") == "t";
    const int entries = std::stoi(db.scalar("SELECT count(*) FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE f.url = '" + url + "'"));
    EXPECT_EQ(entries, checked ? static_cast<int>(f.entries.size()) : 0) << f.file;
  }
  // Cancelled and never-started claims were released untouched: still due.
  EXPECT_EQ(db.scalar("SELECT count(*) FROM feeds WHERE lease_until IS NOT NULL"), "0");
  EXPECT_EQ(std::stoi(db.scalar("SELECT count(*) FROM feeds WHERE last_checked_at IS NULL AND next_check_at <= now()")), 25 - served);
  EXPECT_NE(read_file(log).find("event=shutdown signal=SIGTERM"), std::string::npos);
}

TEST_F(Shutdown, SecondSignalCancelsInFlightFetchesAtOnce) {
  auto fake = serve_directory(root_.path());
  auto& server = *fake;
  std::vector<std::string> urls;
  for (int i = 0; i < 5; ++i) urls.push_back(server.url("/hang?n=" + std::to_string(i)));
  harness_.write_config("  timeout: 60s\n", "shutdown:\n  drain_timeout: 30s\n");
  harness_.add_feeds(urls);
  const auto log = harness_.dir() / "feedd.log";
  auto daemon = harness_.start({"run"}, log);
  ASSERT_TRUE(eventually([&] { return sum_hits(hits(server), "/hang") >= 5; }, 20s)) << read_file(log);

  daemon.signal(SIGTERM);
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(daemon.running()) << "the first signal drains: fetches in flight get drain_timeout";
  const auto second = clock::now();
  daemon.signal(SIGTERM);
  auto code = daemon.wait_for(10s);
  ASSERT_TRUE(code.has_value()) << read_file(log);
  EXPECT_EQ(*code, 0) << read_file(log);
  EXPECT_LT(clock::now() - second, 3s);
  EXPECT_EQ(harness_.db().scalar("SELECT count(*) FROM feeds WHERE lease_until IS NULL AND last_checked_at IS NULL"), "5");
}

TEST_F(Shutdown, SigintDrainsLikeSigterm) {
  auto fixtures = write_feed_fixtures(root_.path(), 3);
  auto fake = serve_directory(root_.path());
  auto& server = *fake;
  std::vector<std::string> urls;
  for (const auto& f : fixtures) urls.push_back(server.url("/feeds/" + f.file));
  harness_.add_feeds(urls);
  const auto log = harness_.dir() / "feedd.log";
  auto daemon = harness_.start({"run"}, log);
  ASSERT_TRUE(eventually([&] { return harness_.db().scalar("SELECT count(*) FROM feeds WHERE last_status = 200") == "3"; }, 20s))
      << read_file(log);
  daemon.signal(SIGINT);
  auto code = daemon.wait_for(10s);
  ASSERT_TRUE(code.has_value()) << read_file(log);
  EXPECT_EQ(*code, 0);
  const std::string text = read_file(log);
  EXPECT_NE(text.find("event=shutdown signal=SIGINT"), std::string::npos) << text;
  EXPECT_NE(text.find("event=stopped fetched=3"), std::string::npos) << text;
}

// RELIABILITY P7: the reader of the daemon's stderr goes away (a log
// collector that crashed). Every later log line meets a closed pipe; the
// daemon must carry on storing and still stop cleanly, not die of SIGPIPE.
TEST_F(Shutdown, ALogReaderThatGoesAwayKillsNothing) {
  auto fixtures = write_feed_fixtures(root_.path(), 3);
  auto fake = serve_directory(root_.path());
  std::vector<std::string> urls;
  for (const auto& f : fixtures) urls.push_back(fake->url("/feeds/" + f.file));
  harness_.add_feeds(urls);
  const auto fifo = harness_.dir() / "stderr.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Open before the daemon does, so that its open for writing finds a
  // reader; close-on-exec, or the daemon would hold a reader of its own.
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  auto daemon = harness_.start({"run"}, fifo);
  std::string seen;
  ASSERT_TRUE(eventually([&] {
    char buffer[4096];
    const ssize_t n = ::read(reader, buffer, sizeof buffer);
    if (n > 0) seen.append(buffer, static_cast<std::size_t>(n));
    return seen.find("event=start") != std::string::npos;
  }, 10s)) << seen;
  ::close(reader);
  EXPECT_TRUE(eventually([&] { return harness_.db().scalar("SELECT count(*) FROM feeds WHERE last_status = 200") == "3"; }, 20s));
  ASSERT_TRUE(daemon.running());
  daemon.signal(SIGTERM);
  const auto code = daemon.wait_for(10s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);  // 141 is death by SIGPIPE
}

TEST_F(Shutdown, MetricsEndpointServesTheCountersOfTheRun) {
  auto fixtures = write_feed_fixtures(root_.path(), 3);
  auto fake = serve_directory(root_.path());
  std::vector<std::string> urls;
  for (const auto& f : fixtures) urls.push_back(fake->url("/feeds/" + f.file));
  urls.push_back(fake->url("/status/500"));
  const int port = free_port();
  harness_.write_config("", "metrics:\n  listen: \"127.0.0.1:" + std::to_string(port) + "\"\n");
  harness_.add_feeds(urls);
  const auto log = harness_.dir() / "feedd.log";
  auto daemon = harness_.start({"run"}, log);
  std::string body;
  ASSERT_TRUE(eventually([&] {
    body = http_get(port, "/metrics");
    return body.find("feedd_fetches_total{result=\"fetched\"} 3") != std::string::npos;
  }, 20s)) << body << read_file(log);
  EXPECT_NE(body.find("feedd_fetches_total{result=\"failed\"} 1"), std::string::npos) << body;
  EXPECT_NE(body.find("feedd_queue_capacity 32"), std::string::npos) << body;
  // Counted on the I/O threads as each fetch ends (live_metrics.hpp).
  EXPECT_NE(body.find("\nfeedd_fetch_responses_total{class=\"2xx\"} 3\n"), std::string::npos) << body;
  EXPECT_NE(body.find("\nfeedd_fetch_responses_total{class=\"5xx\"} 1\n"), std::string::npos) << body;
  EXPECT_NE(body.find("\nfeedd_fetch_duration_seconds_count 4\n"), std::string::npos) << body;
  // One step per write transaction: the four results in one to four
  // batches, depending on how many waited in the queue together.
  const auto steps = body.find("\nfeedd_store_step_duration_seconds_count ");
  ASSERT_NE(steps, std::string::npos) << body;
  const int step_count = std::atoi(body.c_str() + steps + std::string_view("\nfeedd_store_step_duration_seconds_count ").size());
  EXPECT_GE(step_count, 1) << body;
  EXPECT_LE(step_count, 4) << body;
  EXPECT_EQ(body.find("\nfeedd_fetch_wire_bytes_total 0\n"), std::string::npos) << body;
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_for(10s), 0) << read_file(log);
}

TEST_F(Shutdown, SighupReloadsAValidConfigAndKeepsTheOldOneOnError) {
  const auto log = harness_.dir() / "feedd.log";
  auto daemon = harness_.start({"run"}, log);
  ASSERT_TRUE(eventually([&] { return read_file(log).find("event=start") != std::string::npos; }, 20s)) << read_file(log);
  std::this_thread::sleep_for(300ms);

  harness_.write_config("", "schedule:\n  interval: 2h\n");
  daemon.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return read_file(log).find("schedule.interval: 30m -> 2h") != std::string::npos; }, 10s))
      << read_file(log);

  write_file(harness_.config_path(), "fetch:\n  threads: eight\n");
  daemon.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return read_file(log).find("kept the previous configuration") != std::string::npos; }, 10s))
      << read_file(log);
  EXPECT_NE(read_file(log).find("fetch.threads"), std::string::npos);
  EXPECT_TRUE(daemon.running());

  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_for(10s), 0) << read_file(log);
}

}  // namespace
}  // namespace feedd::test

namespace feedd::test {
namespace {

// RELIABILITY D1: the database is not up yet when the daemon starts.
TEST(Startup, WaitsForTheDatabaseAndStopsCleanlyOnSigterm) {
  temp_dir dir;
  const auto config = dir.path() / "feedd.yaml";
  write_file(config, "database:\n  url: \"host=" + (dir.path() / "nowhere").string() + " user=postgres dbname=feedd\"\n");
  const auto log = dir.path() / "feedd.log";
  process daemon({{feedd_binary().string(), "--config", config.string(), "run"}, {}, {"NOTIFY_SOCKET"}, "", log});
  ASSERT_TRUE(eventually([&] { return read_file(log).find("step=connect try=2") != std::string::npos; }, 10s)) << read_file(log);
  EXPECT_TRUE(daemon.running());
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_for(5s), 0) << read_file(log);
}

TEST(Startup, RunOnceFailsAtOnceWithoutADatabase) {
  temp_dir dir;
  const auto config = dir.path() / "feedd.yaml";
  write_file(config, "database:\n  url: \"host=" + (dir.path() / "nowhere").string() + " user=postgres dbname=feedd\"\n");
  auto r = run({feedd_binary().string(), "--config", config.string(), "run", "--once"}, 20s);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("event=database step=connect"), std::string::npos) << r.err;
}

// RELIABILITY D9: a database that refuses the credentials is a
// configuration error (exit 78, no restart loop under systemd), not a
// server to wait for; the password never reaches the log.
TEST(Startup, RefusedCredentialsExit78WithoutThePassword) {
  private_cluster cluster;
  test_database db{"credentials", cluster.conninfo()};
  db.exec("CREATE ROLE feedd_d9 LOGIN PASSWORD 'the-right-one'");
  db.exec("GRANT ALL ON DATABASE " + db.name() + " TO feedd_d9");
  db.exec("ALTER DATABASE " + db.name() + " OWNER TO feedd_d9");
  const auto hba = cluster.dir() / "data" / "pg_hba.conf";
  write_file(hba, "local all feedd_d9 scram-sha-256\n" + read_file(hba));
  db.exec("SELECT pg_reload_conf()");

  temp_dir dir;
  const auto config = dir.path() / "feedd.yaml";
  const auto secret = dir.path() / "password";
  const auto configure = [&](const std::string& password) {
    std::string yaml = "database:\n  url: \"host=" + (cluster.dir() / "run").string() +
                       " port=5432 user=feedd_d9 dbname=" + db.name() + "\"\n";
    if (!password.empty()) {
      write_file(secret, password + "\n");
      yaml += "  password_file: " + secret.string() + "\n";
    }
    write_file(config, yaml);
  };
  for (const std::string password : {"hunter2-wrong", ""}) {
    SCOPED_TRACE(password.empty() ? "no password" : password);
    configure(password);
    const auto r = run({feedd_binary().string(), "--config", config.string(), "run"}, 20s);
    EXPECT_EQ(r.exit_code, 78) << r.err;
    EXPECT_NE(r.err.find("refused the credentials"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
    const auto listed = run({feedd_binary().string(), "--config", config.string(), "feeds", "list"}, 20s);
    EXPECT_EQ(listed.exit_code, 78) << listed.err;
  }
  // The right password gets in: what was refused above was the credentials.
  configure("the-right-one");
  const auto r = run({feedd_binary().string(), "--config", config.string(), "run", "--once"}, 20s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace feedd::test
