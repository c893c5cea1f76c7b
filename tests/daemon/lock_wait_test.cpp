// RELIABILITY D7 against the real daemon: another session holds a lock
// on entries for longer than database.lock_timeout.
#include <csignal>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "daemon_harness.hpp"
#include "feed_fixtures.hpp"
#include "support/fake_server.hpp"
#include "support/paths.hpp"

namespace feedd::test {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

// What an operator's `LOCK TABLE entries IN ACCESS EXCLUSIVE MODE` in an
// open transaction does: every statement touching entries waits.
class exclusive_lock {
 public:
  explicit exclusive_lock(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    PQclear(PQexec(conn_, "BEGIN"));
    PGresult* r = PQexec(conn_, "LOCK TABLE entries IN ACCESS EXCLUSIVE MODE");
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(conn_);
    PQclear(r);
  }
  exclusive_lock(const exclusive_lock&) = delete;
  exclusive_lock& operator=(const exclusive_lock&) = delete;
  void release() {
    if (conn_ == nullptr) return;
    PQclear(PQexec(conn_, "COMMIT"));
    PQfinish(conn_);
    conn_ = nullptr;
  }
  ~exclusive_lock() { release(); }

 private:
  PGconn* conn_;
};

int requested(const fake_server& server) {
  int n = 0;
  for (const auto& [path, count] : hits(server)) n += path.starts_with("/feeds/") ? count : 0;
  return n;
}

int occurrences(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// RELIABILITY D7: the store waits at most database.lock_timeout (1 s here)
// for the lock, gets 55P03, logs it and retries with backoff; meanwhile the
// queue fills and no new fetch starts; once the lock goes every fetched
// document is stored, each feed fetched once.
TEST(LockWait, ALockHeldPastLockTimeoutIsRetriedWhileTheQueueHoldsTheFetchersBack) {
  daemon_harness harness("lock_wait_d7");
  temp_dir root;
  const auto fixtures = write_feed_fixtures(root.path(), 20);
  auto fake = serve_directory(root.path());
  std::vector<std::string> urls;
  for (const auto& f : fixtures) urls.push_back(fake->url("/feeds/" + f.file));
  harness.set_database_options("  lock_timeout: 1s\n");
  harness.write_config("  max_concurrent: 2\n  max_per_host: 2\n", "queue:\n  capacity: 2\n");
  harness.add_feeds(urls);
  ASSERT_EQ(harness.feedd({"migrate"}).exit_code, 0);

  exclusive_lock lock(harness.db().conninfo());
  const auto log = harness.dir() / "feedd.log";
  auto daemon = harness.start({"run"}, log);
  const auto timed_out = [&] { return occurrences(read_file(log), "sqlstate=55P03"); };
  for (const auto until = clock::now() + 30s; timed_out() < 2 && clock::now() < until;) std::this_thread::sleep_for(100ms);
  ASSERT_GE(timed_out(), 2) << read_file(log);
  // Settled: no new fetch while the store is stuck. What the store thread
  // took into its batch, the queue (2) and the two fetch slots bound what is
  // served; 20 feeds are due.
  const int served = requested(*fake);
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(requested(*fake), served) << "a full queue must stop new fetches";
  EXPECT_LE(served, 10) << read_file(log);
  EXPECT_EQ(harness.db().scalar("SELECT count(*) FROM feeds WHERE last_checked_at IS NOT NULL"), "0");
  const int tries = timed_out();
  // Backoff doubles from 0.5 s: 4+ s of lock waits and backoffs give a few
  // tries, not one per lock_timeout.
  EXPECT_GE(tries, 3) << read_file(log);
  EXPECT_LE(tries, 8) << read_file(log);

  lock.release();
  const auto stored = [&] {
    return harness.db().scalar("SELECT count(*) FROM feeds WHERE last_status = 200 AND error_count = 0") == "20";
  };
  for (const auto until = clock::now() + 60s; !stored() && clock::now() < until;) std::this_thread::sleep_for(200ms);
  ASSERT_TRUE(stored()) << read_file(log);
  for (const auto& f : fixtures) {
    const auto entries = harness.db().scalar("SELECT count(*) FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE f.url = '" +
                                             fake->url("/feeds/" + f.file) + "'");
    EXPECT_EQ(entries, std::to_string(f.entries.size())) << f.file;
  }
  for (const auto& [path, count] : hits(*fake)) EXPECT_EQ(count, 1) << path;
  const auto text = read_file(log);
  EXPECT_NE(text.find("canceling statement due to lock timeout"), std::string::npos) << text;
  EXPECT_NE(text.find("try=2 sqlstate=55P03"), std::string::npos) << text;
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_for(10s), 0) << text;
}

}  // namespace
}  // namespace feedd::test
