#include "metrics.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "connection_counters.hpp"
#include "live_metrics.hpp"
#include "purge_counters.hpp"
#include "version.hpp"

namespace feedd::daemon {
namespace {

using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

metrics_snapshot sample_snapshot() {
  metrics_snapshot s;
  s.counters.fetched = 12;
  s.counters.not_modified = 30;
  s.counters.failed = 2;
  s.counters.released = 1;
  s.counters.entries_new = 40;
  s.counters.entries_updated = 3;
  s.queue_depth = 5;
  s.queue_capacity = 32;
  s.outstanding = 9;
  s.counters.database_errors = 4;
  s.connections_reused = 6;
  s.entries_purged = 7;
  s.started_at_unix = 1700000000.25;
  return s;
}

// Up to the live families (live_metrics.hpp), which the server reads at
// each scrape and which move on their own (resident memory).
std::string published_part(const std::string& text) {
  const auto start = text.find("\nprocess_start_time_seconds ");
  if (start == std::string::npos) return text;
  return text.substr(0, text.find('\n', start + 1) + 1);
}

TEST(RenderPrometheus, WritesEveryFamilyWithHelpAndTypeInTextFormat004) {
  EXPECT_EQ(published_part(render_prometheus(sample_snapshot(), "1.2.3")),
            "# HELP feedd_build_info Version of the running feedd; the value is always 1.\n"
            "# TYPE feedd_build_info gauge\n"
            "feedd_build_info{version=\"1.2.3\"} 1\n"
            "# HELP feedd_fetches_total Feed fetches finished, by result (released: claim given back unfetched at "
            "shutdown).\n"
            "# TYPE feedd_fetches_total counter\n"
            "feedd_fetches_total{result=\"fetched\"} 12\n"
            "feedd_fetches_total{result=\"not_modified\"} 30\n"
            "feedd_fetches_total{result=\"failed\"} 2\n"
            "feedd_fetches_total{result=\"released\"} 1\n"
            "# HELP feedd_entries_total Entries written to the database, by change.\n"
            "# TYPE feedd_entries_total counter\n"
            "feedd_entries_total{change=\"new\"} 40\n"
            "feedd_entries_total{change=\"updated\"} 3\n"
            "# HELP feedd_queue_depth Fetched documents waiting for the parse-and-store thread.\n"
            "# TYPE feedd_queue_depth gauge\n"
            "feedd_queue_depth 5\n"
            "# HELP feedd_queue_capacity Documents the queue holds at most (queue.capacity).\n"
            "# TYPE feedd_queue_capacity gauge\n"
            "feedd_queue_capacity 32\n"
            "# HELP feedd_claims_outstanding Feeds claimed by this instance and not yet stored or released.\n"
            "# TYPE feedd_claims_outstanding gauge\n"
            "feedd_claims_outstanding 9\n"
            "# HELP feedd_database_errors_total Database operations that failed.\n"
            "# TYPE feedd_database_errors_total counter\n"
            "feedd_database_errors_total 4\n"
            "# HELP feedd_connections_reused_total HTTP requests sent on a connection kept open from an earlier "
            "request.\n"
            "# TYPE feedd_connections_reused_total counter\n"
            "feedd_connections_reused_total 6\n"
            "# HELP feedd_entries_purged_total Entries deleted by retention (retention.*), each leaving a tombstone.\n"
            "# TYPE feedd_entries_purged_total counter\n"
            "feedd_entries_purged_total 7\n"
            "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"
            "# TYPE process_start_time_seconds gauge\n"
            "process_start_time_seconds 1700000000.25\n");
}

TEST(RenderPrometheus, EscapesQuoteBackslashAndLineFeedInTheVersionLabel) {
  const auto text = render_prometheus({}, "1.0\"x\\y\nz");
  EXPECT_NE(text.find("feedd_build_info{version=\"1.0\\\"x\\\\y\\nz\"} 1\n"), std::string::npos) << text;
}

TEST(RenderPrometheus, WritesStartTimeInFixedNotationThatReadsBackExactly) {
  metrics_snapshot s;
  s.started_at_unix = 1712345678.123456;
  EXPECT_NE(render_prometheus(s, "v").find("\nprocess_start_time_seconds 1712345678.123456\n"), std::string::npos);
  s.started_at_unix = 0;
  EXPECT_NE(render_prometheus(s, "v").find("\nprocess_start_time_seconds 0\n"), std::string::npos);
}

// A blocking HTTP client on plain sockets, independent of the code under test.
class client {
 public:
  explicit client(unsigned short port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    timeval limit{5, 0};  // bounds every read below
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  }
  client(const client&) = delete;
  client& operator=(const client&) = delete;
  ~client() { ::close(fd_); }

  bool connected() const { return connected_; }
  void send(std::string_view text) const { ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL); }

  // Everything until the server closes (closed_ true) or 5 s pass without a byte.
  std::string read_all() {
    std::string out;
    char buffer[4096];
    for (int reads = 0; reads < 10'000; ++reads) {
      const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        closed_ = n == 0 || errno == ECONNRESET;
        break;
      }
      out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
  }
  bool closed() const { return closed_; }

 private:
  int fd_;
  bool connected_ = false;
  bool closed_ = false;
};

struct reply {
  std::string status_line;
  std::string head;
  std::string body;
};

reply parse_reply(const std::string& text) {
  reply r;
  const auto line_end = text.find("\r\n");
  const auto head_end = text.find("\r\n\r\n");
  if (line_end == std::string::npos || head_end == std::string::npos) return r;
  r.status_line = text.substr(0, line_end);
  r.head = text.substr(0, head_end + 2);
  r.body = text.substr(head_end + 4);
  return r;
}

class MetricsServer : public ::testing::Test {
 protected:
  void start(const metrics_limits& limits = {}) {
    std::string error;
    server_ = metrics_server::start(io_, {"127.0.0.1", 0}, error, limits);
    ASSERT_NE(server_, nullptr) << error;
    ASSERT_NE(server_->port(), 0);
    runner_ = std::thread([this] {
      io_.run_for(std::chrono::seconds(60));
      finished_ = true;
    });
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (runner_.joinable()) runner_.join();
  }

  reply exchange(std::string_view request) {
    client c(server_->port());
    EXPECT_TRUE(c.connected());
    c.send(request);
    return parse_reply(c.read_all());
  }

  boost::asio::io_context io_;
  std::unique_ptr<metrics_server> server_;
  std::thread runner_;
  std::atomic<bool> finished_ = false;
};

TEST_F(MetricsServer, ServesThePublishedSnapshotAtMetrics) {
  start();
  const auto s = sample_snapshot();
  server_->publish(s);
  const auto r = exchange("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_EQ(r.status_line, "HTTP/1.1 200 OK");
  EXPECT_NE(r.head.find("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), std::string::npos) << r.head;
  auto served = s;
  served.connections_reused = connections_reused();  // the server's own reading, not the snapshot's
  served.entries_purged = entries_purged();
  served.counters.database_errors = read_live_state().database_errors;  // likewise
  EXPECT_EQ(published_part(r.body), published_part(render_prometheus(served, version())));
  EXPECT_NE(r.body.find("\n# TYPE feedd_database_up gauge\n"), std::string::npos) << r.body;
}

TEST_F(MetricsServer, ReadsTheReusedConnectionsCountAtEachScrape) {
  start();
  server_->publish(sample_snapshot());
  count_connection_reused();
  count_connection_reused();
  const auto r = exchange("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  const auto line = "\nfeedd_connections_reused_total " + std::to_string(connections_reused()) + "\n";
  EXPECT_GE(connections_reused(), 2);
  EXPECT_NE(r.body.find(line), std::string::npos) << r.body;
}

TEST_F(MetricsServer, ReadsThePurgedEntriesCountAtEachScrape) {
  start();
  server_->publish(sample_snapshot());
  count_entries_purged(500);
  count_entries_purged(12);
  const auto r = exchange("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_GE(entries_purged(), 512);
  EXPECT_NE(r.body.find("\nfeedd_entries_purged_total " + std::to_string(entries_purged()) + "\n"), std::string::npos)
      << r.body;
}

TEST_F(MetricsServer, ServesOnlyTheLatestSnapshot) {
  start();
  auto s = sample_snapshot();
  server_->publish(s);
  s.counters.fetched = 13;
  server_->publish(s);
  const auto r = exchange("GET /metrics?debug=1 HTTP/1.0\r\n\r\n");
  EXPECT_EQ(r.status_line, "HTTP/1.1 200 OK");
  EXPECT_NE(r.body.find("\nfeedd_fetches_total{result=\"fetched\"} 13\n"), std::string::npos) << r.body;
}

TEST_F(MetricsServer, AnswersHeadWithTheHeaderOfGetAndNoBody) {
  start();
  server_->publish(sample_snapshot());
  const auto r = exchange("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.status_line, "HTTP/1.1 200 OK");
  // The length of GET's body, which includes the resident memory of the
  // moment: only its presence can be checked.
  EXPECT_NE(r.head.find("\r\nContent-Length: "), std::string::npos) << r.head;
  EXPECT_EQ(r.head.find("\r\nContent-Length: 0\r\n"), std::string::npos) << r.head;
  EXPECT_EQ(r.body, "");
}

TEST_F(MetricsServer, AnswersOtherPathsWithNotFound) {
  start();
  EXPECT_EQ(exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n").status_line, "HTTP/1.1 404 Not Found");
  EXPECT_EQ(exchange("GET /metrics/x HTTP/1.1\r\nHost: x\r\n\r\n").status_line, "HTTP/1.1 404 Not Found");
}

TEST_F(MetricsServer, AnswersHealthzAndReadyzWithJsonFromTheLiveState) {
  start();
  const auto alive = exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(alive.status_line, "HTTP/1.1 200 OK");
  EXPECT_NE(alive.head.find("\r\nContent-Type: application/json\r\n"), std::string::npos) << alive.head;
  EXPECT_EQ(alive.body, "{\"status\":\"ok\"}\n");
  record_database_up(false);
  const auto down = exchange("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(down.status_line, "HTTP/1.1 503 Service Unavailable");
  EXPECT_NE(down.body.find("\"status\":\"not ready\",\"database\":\"down since 20"), std::string::npos) << down.body;
  record_store_step(std::chrono::milliseconds(1), false);
  const auto ready = exchange("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(ready.status_line, "HTTP/1.1 200 OK");
  EXPECT_NE(ready.body.find("{\"status\":\"ready\",\"database\":\"up\""), std::string::npos) << ready.body;
}

// Issue 14: errors are counted as they happen, not when the store thread
// next publishes its snapshot (after the outage).
TEST_F(MetricsServer, CountsDatabaseErrorsAtEachScrapeWithoutANewSnapshot) {
  start();
  server_->publish(sample_snapshot());
  record_database_error();
  record_database_error();
  record_database_up(false);
  const auto r = exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto errors = read_live_state().database_errors;
  EXPECT_GE(errors, 2);
  EXPECT_NE(r.body.find("\nfeedd_database_errors_total " + std::to_string(errors) + "\n"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\nfeedd_database_up 0\n"), std::string::npos) << r.body;
}

TEST_F(MetricsServer, AnswersOtherMethodsWithMethodNotAllowedAndAllow) {
  start();
  const auto r = exchange("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(r.status_line, "HTTP/1.1 405 Method Not Allowed");
  EXPECT_NE(r.head.find("\r\nAllow: GET, HEAD\r\n"), std::string::npos) << r.head;
  EXPECT_EQ(exchange("DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n").status_line, "HTTP/1.1 405 Method Not Allowed");
}

TEST_F(MetricsServer, RefusesRequestBodies) {
  start();
  const auto r = exchange("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(r.status_line, "HTTP/1.1 413 Payload Too Large");
}

TEST_F(MetricsServer, RefusesHeadersLargerThanTheLimit) {
  start();
  const auto r = exchange("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n");
  EXPECT_EQ(r.status_line, "HTTP/1.1 431 Request Header Fields Too Large");
}

TEST_F(MetricsServer, ClosesAClientThatNeverSendsARequestAtTheDeadline) {
  start({.deadline = milliseconds(300)});
  client idle(server_->port());
  ASSERT_TRUE(idle.connected());
  const auto begin = steady::now();
  EXPECT_EQ(idle.read_all(), "");
  const auto waited = steady::now() - begin;
  EXPECT_TRUE(idle.closed());
  EXPECT_GE(waited, milliseconds(200));
  EXPECT_LT(waited, milliseconds(3000));
}

TEST_F(MetricsServer, ClosesAClientThatSendsHalfARequestAtTheDeadline) {
  start({.deadline = milliseconds(300)});
  client slow(server_->port());
  ASSERT_TRUE(slow.connected());
  slow.send("GET /metr");
  const auto begin = steady::now();
  EXPECT_EQ(slow.read_all(), "");
  EXPECT_TRUE(slow.closed());
  EXPECT_LT(steady::now() - begin, milliseconds(3000));
}

TEST_F(MetricsServer, ClosesConnectionsBeyondSixteenAtOnce) {
  start({.deadline = milliseconds(10'000)});
  std::vector<std::unique_ptr<client>> open;
  for (int i = 0; i < 16; ++i) {
    open.push_back(std::make_unique<client>(server_->port()));
    ASSERT_TRUE(open.back()->connected());
  }
  client extra(server_->port());
  const auto begin = steady::now();
  EXPECT_EQ(extra.read_all(), "");
  EXPECT_TRUE(extra.closed());
  EXPECT_LT(steady::now() - begin, milliseconds(3000));  // well before the 10 s deadline

  open.front()->send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(parse_reply(open.front()->read_all()).status_line, "HTTP/1.1 200 OK");
}

TEST_F(MetricsServer, StopClosesOpenConnectionsAndLetsTheLoopEnd) {
  start({.deadline = milliseconds(10'000)});
  client idle(server_->port());
  ASSERT_TRUE(idle.connected());
  // Time to accept it, so that stop() finds a connection to close (before
  // that, closing the listener would reset it all the same).
  std::this_thread::sleep_for(milliseconds(100));
  server_->stop();
  EXPECT_EQ(idle.read_all(), "");
  EXPECT_TRUE(idle.closed());
  for (int i = 0; i < 300 && !finished_; ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_TRUE(finished_) << "io_context::run still had work after stop()";
}

TEST(MetricsServerStart, ReportsAnAddressAlreadyInUse) {
  boost::asio::io_context io;
  std::string error;
  const auto first = metrics_server::start(io, {"127.0.0.1", 0}, error);
  ASSERT_NE(first, nullptr) << error;
  EXPECT_EQ(metrics_server::start(io, {"127.0.0.1", first->port()}, error), nullptr);
  EXPECT_EQ(error, "metrics: listen 127.0.0.1:" + std::to_string(first->port()) + ": Address already in use");
}

TEST(MetricsServerStart, BindsNamesAndBracketedIPv6Literals) {
  boost::asio::io_context io;
  std::string error;
  const auto named = metrics_server::start(io, {"localhost", 0}, error);
  ASSERT_NE(named, nullptr) << error;
  EXPECT_NE(named->port(), 0);
  const auto v6 = metrics_server::start(io, {"::1", 0}, error);
  ASSERT_NE(v6, nullptr) << error;
  EXPECT_NE(v6->port(), 0);
}

}  // namespace
}  // namespace feedd::daemon
