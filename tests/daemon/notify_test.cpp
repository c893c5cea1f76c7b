// sd_notify(3) against the real daemon: systemd's side of the socket is
// played here, so that what SPEC promises under NOTIFY_SOCKET is checked
// message by message (READY, WATCHDOG, RELOADING, STATUS, STOPPING).
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "daemon_harness.hpp"
#include "feed_fixtures.hpp"
#include "support/fake_server.hpp"
#include "support/paths.hpp"
#include "support/private_cluster.hpp"

namespace feedd::test {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

// A datagram socket where systemd would listen, collecting every message.
class notify_socket {
 public:
  explicit notify_socket(std::filesystem::path path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string name = path_.string();
    EXPECT_LT(name.size(), sizeof address.sun_path);
    name.copy(address.sun_path, sizeof address.sun_path - 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0) << name;
    const timeval tick{0, 50'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
  }
  notify_socket(const notify_socket&) = delete;
  notify_socket& operator=(const notify_socket&) = delete;
  ~notify_socket() { ::close(fd_); }

  const std::filesystem::path& path() const { return path_; }

  // Receives for `limit`; each datagram may hold several lines.
  void collect(std::chrono::milliseconds limit) {
    for (const auto deadline = clock::now() + limit; clock::now() < deadline;) receive_one();
  }

  // Receives until a message equal to `line` arrives after the first
  // `from` messages, for at most `limit`.
  bool wait_for(const std::string& line, std::chrono::milliseconds limit, std::size_t from = 0) {
    for (const auto deadline = clock::now() + limit;; receive_one()) {
      for (std::size_t i = from; i < messages_.size(); ++i) {
        if (messages_[i].second == line) return true;
      }
      if (clock::now() >= deadline) return false;
    }
  }

  const std::vector<std::pair<clock::time_point, std::string>>& messages() const { return messages_; }

  std::string transcript() const {
    std::string out;
    for (const auto& m : messages_) out += m.second + "\n";
    return out;
  }

 private:
  void receive_one() {
    char buffer[4096];
    const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) return;
    const auto now = clock::now();
    std::string datagram(buffer, static_cast<std::size_t>(n));
    for (std::size_t start = 0; start < datagram.size();) {
      auto end = datagram.find('\n', start);
      if (end == std::string::npos) end = datagram.size();
      if (end > start) messages_.emplace_back(now, datagram.substr(start, end - start));
      start = end + 1;
    }
  }

  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<std::pair<clock::time_point, std::string>> messages_;
};

TEST(SystemdNotify, ReadyWatchdogReloadingStatusAndStopping) {
  daemon_harness harness("systemd_notify");
  harness.write_config();
  notify_socket systemd(harness.dir() / "notify");
  const auto log = harness.dir() / "feedd.log";
  // WatchdogSec=1: systemd kills a service that stays silent for 1 s.
  auto daemon = harness.start({"run"}, log, {{"NOTIFY_SOCKET", systemd.path().string()}, {"WATCHDOG_USEC", "1000000"}});
  ASSERT_TRUE(systemd.wait_for("READY=1", 20s)) << systemd.transcript() << read_file(log);

  // Idle, with nothing to fetch: the pings must still come within the
  // timeout, with room to spare, whatever the store thread's polling
  // interval (one second).
  const std::size_t idle_from = systemd.messages().size();
  systemd.collect(5s);
  std::vector<clock::time_point> pings;
  for (std::size_t i = idle_from; i < systemd.messages().size(); ++i) {
    if (systemd.messages()[i].second == "WATCHDOG=1") pings.push_back(systemd.messages()[i].first);
  }
  ASSERT_GE(pings.size(), 6u) << systemd.transcript();
  for (std::size_t i = 1; i < pings.size(); ++i) {
    EXPECT_LT(pings[i] - pings[i - 1], 900ms) << "ping " << i << "\n" << systemd.transcript();
  }

  const std::size_t before_reload = systemd.messages().size();
  daemon.signal(SIGHUP);
  ASSERT_TRUE(systemd.wait_for("RELOADING=1", 10s, before_reload)) << systemd.transcript();
  std::size_t reloading = before_reload;
  while (systemd.messages()[reloading].second != "RELOADING=1") ++reloading;
  EXPECT_TRUE(systemd.wait_for("READY=1", 10s, reloading + 1)) << systemd.transcript();

  const std::size_t before_stop = systemd.messages().size();
  daemon.signal(SIGTERM);
  EXPECT_TRUE(systemd.wait_for("STOPPING=1", 10s, before_stop)) << systemd.transcript();
  EXPECT_EQ(daemon.wait_for(10s), 0) << read_file(log);
  systemd.collect(200ms);
  bool status = false;
  for (std::size_t i = before_stop; i < systemd.messages().size(); ++i) {
    status = status || systemd.messages()[i].second.starts_with("STATUS=checked 0 feeds, 0 failed, queue 0, ");
  }
  EXPECT_TRUE(status) << "the summary at shutdown reaches systemd's status line\n" << systemd.transcript();
}

// RELIABILITY P8/D5: a backend that stops answering (here SIGSTOP) is the
// store's to abandon at its answer deadline; meanwhile the store thread is
// waiting within a deadline, not stuck, and the pings go on.
TEST(SystemdNotify, PingsGoOnWhileAStatementWaitsForAStoppedBackend) {
  if (::geteuid() != 0) GTEST_SKIP() << "stopping a backend of the postgres user needs root";
  daemon_harness harness("notify_stopped_backend");
  harness.write_config();
  notify_socket systemd(harness.dir() / "notify");
  const auto log = harness.dir() / "feedd.log";
  auto daemon = harness.start({"run"}, log, {{"NOTIFY_SOCKET", systemd.path().string()}, {"WATCHDOG_USEC", "2000000"}});
  ASSERT_TRUE(systemd.wait_for("READY=1", 20s)) << systemd.transcript() << read_file(log);
  const std::string pid = harness.db().scalar(
      "SELECT pid FROM pg_stat_activity WHERE application_name = 'feedd-store' AND datname = current_database()");
  ASSERT_FALSE(pid.empty()) << read_file(log);
  ASSERT_EQ(::kill(std::stoi(pid), SIGSTOP), 0);
  // The store polls for due feeds every second or so: within the 4 s its
  // next statement is waiting on the stopped backend.
  const std::size_t stopped_from = systemd.messages().size();
  systemd.collect(4s);
  ::kill(std::stoi(pid), SIGCONT);
  std::vector<clock::time_point> pings;
  for (std::size_t i = stopped_from; i < systemd.messages().size(); ++i) {
    if (systemd.messages()[i].second == "WATCHDOG=1") pings.push_back(systemd.messages()[i].first);
  }
  ASSERT_GE(pings.size(), 3u) << systemd.transcript();
  for (std::size_t i = 1; i < pings.size(); ++i) {
    EXPECT_LT(pings[i] - pings[i - 1], 1800ms) << "ping " << i << "\n" << systemd.transcript();
  }
  EXPECT_TRUE(daemon.running());
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_for(10s), 0) << read_file(log);
}

// The longest gap between two WATCHDOG=1 messages from the `from`th message
// on (the whole span when fewer than two came).
clock::duration longest_ping_gap(const notify_socket& systemd, std::size_t from) {
  std::optional<clock::time_point> last;
  clock::duration longest{};
  for (std::size_t i = from; i < systemd.messages().size(); ++i) {
    if (systemd.messages()[i].second != "WATCHDOG=1") continue;
    if (last) longest = std::max(longest, systemd.messages()[i].first - *last);
    last = systemd.messages()[i].first;
  }
  return last ? longest : clock::duration::max();
}

// RELIABILITY D5: the store's backend hangs (SIGSTOP) while fetched documents
// wait to be stored. The daemon gives up on the answer at 1.5 x
// database.statement_timeout (3 s here), abandons the connection, reconnects
// (to a new backend: the server still accepts) and stores every document it
// fetched without fetching any again; the watchdog pings never stop. The
// cluster is the test's own, so that a stopped backend holds up no other test.
TEST(SystemdNotify, AHungBackendIsAbandonedAtTheAnswerDeadlineAndNothingFetchedIsLost) {
  if (::geteuid() != 0) GTEST_SKIP() << "stopping a backend of the postgres user needs root";
  private_cluster cluster;
  daemon_harness harness("notify_hung_backend", cluster.conninfo());
  temp_dir root;
  const auto fixtures = write_feed_fixtures(root.path(), 12);
  auto fake = serve_directory(root.path());
  std::vector<std::string> urls;
  int expected_entries = 0;
  // Answered 1.5 s after the request arrives: the backend is stopped between
  // the claim and the first store.
  for (const auto& f : fixtures) {
    urls.push_back(fake->url("/feeds/" + f.file + "?delay_ms=1500"));
    expected_entries += static_cast<int>(f.entries.size());
  }
  harness.set_database_options("  statement_timeout: 2s\n  lock_timeout: 1s\n");
  harness.write_config();
  harness.add_feeds(urls);
  notify_socket systemd(harness.dir() / "notify");
  const auto log = harness.dir() / "feedd.log";
  auto daemon = harness.start({"run"}, log, {{"NOTIFY_SOCKET", systemd.path().string()}, {"WATCHDOG_USEC", "2000000"}});
  ASSERT_TRUE(systemd.wait_for("READY=1", 20s)) << systemd.transcript() << read_file(log);
  const auto requested = [&] {
    int n = 0;
    for (const auto& [path, count] : hits(*fake)) n += path.starts_with("/feeds/") ? count : 0;
    return n;
  };
  for (const auto until = clock::now() + 20s; requested() < 12 && clock::now() < until;) systemd.collect(100ms);
  ASSERT_EQ(requested(), 12) << read_file(log);
  const auto backend_sql =
      "SELECT pid FROM pg_stat_activity WHERE application_name = 'feedd-store' AND datname = current_database()";
  const std::string stopped = harness.db().scalar(backend_sql);
  ASSERT_FALSE(stopped.empty()) << read_file(log);
  ASSERT_EQ(::kill(std::stoi(stopped), SIGSTOP), 0);
  const std::size_t stopped_from = systemd.messages().size();
  const auto stopped_at = clock::now();
  const auto count_entries = [&] { return std::stoi(harness.db().scalar("SELECT count(*) FROM entries")); };
  // 1.5 s until the answers, 3 s of waiting, a reconnect: generous for a loaded machine.
  for (const auto until = stopped_at + 40s; count_entries() < expected_entries && clock::now() < until;) {
    systemd.collect(200ms);
  }
  const auto stored_after = clock::now() - stopped_at;
  const int stored = count_entries();
  // The stopped backend stays listed until it runs again and sees its client gone.
  const std::string replaced_by = harness.db().scalar(std::string(backend_sql) + " AND pid <> " + stopped);
  ::kill(std::stoi(stopped), SIGCONT);
  std::printf("D5: %d of %d entries stored %lld ms after the backend was stopped\n", stored, expected_entries,
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(stored_after).count()));
  EXPECT_EQ(stored, expected_entries) << read_file(log);
  EXPECT_GE(stored_after, 3s) << "stored before the answer deadline: was the backend stopped at all?";
  EXPECT_FALSE(replaced_by.empty()) << "the store should be on a new backend";
  const auto text = read_file(log);
  EXPECT_NE(text.find("no answer from the server within 3000 ms; connection abandoned"), std::string::npos) << text;
  EXPECT_NE(text.find("event=database_reconnected"), std::string::npos) << text;
  EXPECT_LT(longest_ping_gap(systemd, stopped_from), 1800ms) << systemd.transcript();
  // Nothing fetched was lost: no feed fetched twice, each stored once.
  for (const auto& [path, count] : hits(*fake)) EXPECT_EQ(count, 1) << path;
  EXPECT_EQ(harness.db().scalar("SELECT count(*) FROM feeds WHERE last_status = 200 AND error_count = 0"), "12");
  systemd.collect(1s);  // the resumed backend finds its client gone; the daemon goes on
  EXPECT_TRUE(daemon.running()) << read_file(log);
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_for(10s), 0) << read_file(log);
}

// RELIABILITY D1: not ready while the database is down, so that systemd
// holds back what depends on feedd (and TimeoutStartSec= applies).
TEST(SystemdNotify, NotReadyWhileTheDatabaseIsDown) {
  temp_dir dir;
  const auto config = dir.path() / "feedd.yaml";
  write_file(config, "database:\n  url: \"host=" + (dir.path() / "nowhere").string() + " user=postgres dbname=feedd\"\n");
  notify_socket systemd(dir.path() / "notify");
  const auto log = dir.path() / "feedd.log";
  process daemon({{feedd_binary().string(), "--config", config.string(), "run"},
                  {{"NOTIFY_SOCKET", systemd.path().string()}},
                  {"JOURNAL_STREAM", "WATCHDOG_USEC", "WATCHDOG_PID"},
                  "",
                  log});
  EXPECT_FALSE(systemd.wait_for("READY=1", 3s)) << systemd.transcript() << read_file(log);
  EXPECT_NE(read_file(log).find("step=connect"), std::string::npos) << read_file(log);
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_for(5s), 0) << read_file(log);
}

// Issue 14: while it waits for the database at start-up, systemd is told
// why (STATUS=) and that the start goes on (EXTEND_TIMEOUT_USEC= longer
// than the next backoff), so that TimeoutStartSec= neither ends the wait
// nor starts a restart loop; each try is logged with its backoff.
TEST(SystemdNotify, WaitingForTheDatabaseSaysWhyAndExtendsTheStartTimeout) {
  temp_dir dir;
  const auto config = dir.path() / "feedd.yaml";
  write_file(config, "database:\n  url: \"host=" + (dir.path() / "nowhere").string() + " user=postgres dbname=feedd\"\n");
  notify_socket systemd(dir.path() / "notify");
  const auto log = dir.path() / "feedd.log";
  process daemon({{feedd_binary().string(), "--config", config.string(), "run"},
                  {{"NOTIFY_SOCKET", systemd.path().string()}},
                  {"JOURNAL_STREAM", "WATCHDOG_USEC", "WATCHDOG_PID"},
                  "",
                  log});
  systemd.collect(2500ms);  // tries at 0, 0.5 s and 1.5 s
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_for(5s), 0) << read_file(log);
  std::vector<std::int64_t> extensions;
  int statuses = 0;
  for (const auto& [at, line] : systemd.messages()) {
    if (line.starts_with("EXTEND_TIMEOUT_USEC=")) extensions.push_back(std::stoll(line.substr(20)));
    if (line.starts_with("STATUS=waiting for database: storage: connect: ")) ++statuses;
  }
  ASSERT_GE(extensions.size(), 2u) << systemd.transcript();
  EXPECT_GE(statuses, 2) << systemd.transcript();
  // Each covers its backoff (0.5 s, then 1 s) and the next try.
  EXPECT_GT(extensions[0], 500'000) << systemd.transcript();
  EXPECT_GT(extensions[1], extensions[0]) << systemd.transcript();
  const auto text = read_file(log);
  EXPECT_NE(text.find("event=database_wait try=1 backoff_ms=500"), std::string::npos) << text;
  EXPECT_NE(text.find("event=database_wait try=2 backoff_ms=1000"), std::string::npos) << text;
}

}  // namespace
}  // namespace feedd::test
