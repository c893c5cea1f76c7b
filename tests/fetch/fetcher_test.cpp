#include "fetcher.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "connection_counters.hpp"
#include "support/fake_server.hpp"
#include "support/process.hpp"

namespace feedd::daemon {

// Readable outcomes in failure messages; found by GoogleTest through ADL.
void PrintTo(fetch_response::outcome what, std::ostream* os) {
  constexpr const char* names[] = {"ok", "not_modified", "http_error", "failed", "cancelled"};
  *os << names[static_cast<int>(what)];
}

namespace {

using namespace std::chrono_literals;
using outcome = fetch_response::outcome;
using test::fake_server;

const std::string feed_xml =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>Fixture</title>"
    "<link>http://example.com/</link><item><guid>a</guid><title>first entry, long enough to be worth gzip: "
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</title>"
    "</item></channel></rss>\n";

// Counts completions, so that "done is called exactly once" can be checked.
struct completion {
  std::promise<fetch_response> result;
  std::atomic<int> calls{0};
};

// The real fetcher on a real io_context with two threads, against
// fakefeed.py on 127.0.0.1. block_private_addresses is off unless a test
// is about it: the server lives on loopback.
class Fetcher : public ::testing::Test {
 protected:
  Fetcher() {
    test::write_file(root_.path() / "feed.xml", feed_xml);
    test::write_file(root_.path() / "feed.rss", feed_xml);
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  ~Fetcher() override {
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
  }

  static fetch_options defaults() {
    fetch_options o;
    o.connect_timeout = 5s;
    o.timeout = 10s;
    o.user_agent = "feedd-test/1.0 (+https://example.com/feedd)";
    o.block_private_addresses = false;
    return o;
  }

  std::shared_ptr<fetch_handle> start(const fetch_options& o, fetch_request request,
                                      std::shared_ptr<completion>& state) {
    std::string error;
    fetcher_ = fetcher::create(io_, o, error);
    if (!fetcher_) {
      ADD_FAILURE() << error;
      return nullptr;
    }
    state = std::make_shared<completion>();
    return fetcher_->start(std::move(request), [state](fetch_response r) {
      if (state->calls.fetch_add(1) == 0) state->result.set_value(std::move(r));
    });
  }

  static fetch_response wait(const std::shared_ptr<completion>& state, std::chrono::seconds limit = 30s) {
    auto future = state->result.get_future();
    if (future.wait_for(limit) != std::future_status::ready) {
      ADD_FAILURE() << "fetch did not complete within " << limit.count() << "s";
      return {};
    }
    return future.get();
  }

  fetch_response fetch(const std::string& url, const fetch_options& o = defaults(), fetch_request request = {}) {
    request.url = url;
    std::shared_ptr<completion> state;
    if (!start(o, std::move(request), state)) return {};
    return wait(state);
  }

  nlohmann::json json_of(const std::string& text) { return nlohmann::json::parse(text, nullptr, false); }

  test::temp_dir root_;
  fake_server server_{fake_server::options{root_.path(), {}, {}, {}}};
  boost::asio::io_context io_{2};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::vector<std::thread> threads_;
  std::unique_ptr<fetcher> fetcher_;
};

// A port on 127.0.0.1 where nothing listens (bound once, then closed).
std::uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

fetch_request request_for(std::string url, std::string etag = {}, std::string last_modified = {}) {
  fetch_request request;
  request.url = std::move(url);
  request.etag = std::move(etag);
  request.last_modified = std::move(last_modified);
  return request;
}

std::string http_date(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buffer;
}

TEST_F(Fetcher, ReturnsTheBodyOfA200) {
  const auto r = fetch(server_.url("/feeds/feed.xml"));
  ASSERT_EQ(r.what, outcome::ok) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, feed_xml);
  EXPECT_EQ(r.content_type, "application/xml");
  EXPECT_EQ(r.charset, "");
  EXPECT_FALSE(r.etag.empty());
  EXPECT_FALSE(r.last_modified.empty());
  EXPECT_EQ(r.final_url, server_.url("/feeds/feed.xml"));
  EXPECT_EQ(r.wire_bytes, feed_xml.size());
  EXPECT_EQ(r.error, "");
  EXPECT_LT(r.elapsed, 5s);
}

TEST_F(Fetcher, ReportsMediaTypeAndCharsetInLowerCase) {
  const auto r = fetch(server_.url("/feeds/feed.rss?charset=ISO-8859-1"));
  ASSERT_EQ(r.what, outcome::ok) << r.error;
  EXPECT_EQ(r.content_type, "application/rss+xml");
  EXPECT_EQ(r.charset, "iso-8859-1");
}

TEST_F(Fetcher, DecodesGzip) {
  const auto r = fetch(server_.url("/feeds/feed.xml?gzip=1"));
  ASSERT_EQ(r.what, outcome::ok) << r.error;
  EXPECT_EQ(r.body, feed_xml);
  EXPECT_LT(r.wire_bytes, feed_xml.size());
}

TEST_F(Fetcher, DecodesZlibWrappedAndRawDeflate) {
  for (const char* path : {"/encoding/deflate", "/encoding/deflate?raw=1", "/encoding/x-gzip"}) {
    SCOPED_TRACE(path);
    const auto r = fetch(server_.url(path));
    ASSERT_EQ(r.what, outcome::ok) << r.error;
    EXPECT_NE(r.body.find("<title>fake</title>"), std::string::npos);
  }
}

TEST_F(Fetcher, SendsUserAgentAcceptAndGzipOnly) {
  const auto r = fetch(server_.url("/headers"));
  ASSERT_EQ(r.what, outcome::ok) << r.error;
  const auto headers = json_of(r.body);
  EXPECT_EQ(headers.value("User-Agent", ""), "feedd-test/1.0 (+https://example.com/feedd)");
  EXPECT_EQ(headers.value("Accept-Encoding", ""), "gzip");
  EXPECT_EQ(headers.value("Host", ""), "127.0.0.1:" + std::to_string(server_.port()));
  EXPECT_FALSE(headers.contains("Connection")) << "HTTP/1.1 keeps the connection open by default";
  EXPECT_NE(headers.value("Accept", "").find("application/rss+xml"), std::string::npos);
  EXPECT_FALSE(headers.contains("Authorization"));
}

TEST_F(Fetcher, AsksForCloseWhenItKeepsNoConnection) {
  auto o = defaults();
  o.max_idle_connections = 0;
  const auto r = fetch(server_.url("/headers"), o);
  ASSERT_EQ(r.what, outcome::ok) << r.error;
  EXPECT_EQ(json_of(r.body).value("Connection", ""), "close");
}

TEST_F(Fetcher, ReportsNotModifiedForAMatchingEtag) {
  const auto first = fetch(server_.url("/feeds/feed.xml?max_age=60"));
  ASSERT_EQ(first.what, outcome::ok) << first.error;
  const auto second = fetch(server_.url("/feeds/feed.xml?max_age=60"), defaults(), request_for("", first.etag));
  EXPECT_EQ(second.what, outcome::not_modified) << second.error;
  EXPECT_EQ(second.status, 304);
  EXPECT_EQ(second.body, "");
  EXPECT_EQ(second.etag, first.etag);
  EXPECT_EQ(second.max_age, 60s);
  EXPECT_EQ(second.error, "");
}

TEST_F(Fetcher, ReportsNotModifiedForIfModifiedSince) {
  const auto first = fetch(server_.url("/feeds/feed.xml"));
  ASSERT_EQ(first.what, outcome::ok) << first.error;
  const auto second = fetch(server_.url("/feeds/feed.xml"), defaults(), request_for("", "", first.last_modified));
  EXPECT_EQ(second.what, outcome::not_modified) << second.error;
}

TEST_F(Fetcher, FetchesAgainWhenTheEtagChanged) {
  const auto r = fetch(server_.url("/feeds/feed.xml"), defaults(), request_for("", "\"stale\""));
  EXPECT_EQ(r.what, outcome::ok) << r.error;
}

TEST_F(Fetcher, NeverSendsValidatorsWithLineBreaks) {
  const auto r = fetch(server_.url("/headers"), defaults(),
                       request_for("", "\"x\"\r\nX-Injected: 1", "Mon\r\nX-Injected: 2"));
  ASSERT_EQ(r.what, outcome::ok) << r.error;
  const auto headers = json_of(r.body);
  EXPECT_FALSE(headers.contains("X-Injected"));
  EXPECT_FALSE(headers.contains("If-None-Match"));
  EXPECT_FALSE(headers.contains("If-Modified-Since"));
}

TEST_F(Fetcher, ReportsA404AsHttpError) {
  const auto r = fetch(server_.url("/status/404"));
  EXPECT_EQ(r.what, outcome::http_error);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.error, "fetch: http: 404 Not Found");
  EXPECT_EQ(r.body, "");
}

TEST_F(Fetcher, ReadsRetryAfterSecondsOn429) {
  const auto r = fetch(server_.url("/status/429?retry_after=120"));
  EXPECT_EQ(r.what, outcome::http_error);
  EXPECT_EQ(r.error, "fetch: http: 429 Too Many Requests");
  ASSERT_TRUE(r.retry_after.has_value());
  EXPECT_EQ(*r.retry_after, 120s);
}

TEST_F(Fetcher, ReadsRetryAfterDateOn503) {
  const std::string when = http_date(std::chrono::system_clock::now() + 300s);
  std::string encoded;
  for (const char c : when) encoded += c == ' ' ? "%20" : c == ',' ? "%2C" : std::string(1, c);
  const auto r = fetch(server_.url("/status/503?retry_after=" + encoded));
  EXPECT_EQ(r.what, outcome::http_error);
  ASSERT_TRUE(r.retry_after.has_value()) << when;
  EXPECT_GE(*r.retry_after, 298s);
  EXPECT_LE(*r.retry_after, 302s);
}

TEST_F(Fetcher, ReadsMaxAgeOfA200) {
  const auto r = fetch(server_.url("/feeds/feed.xml?max_age=600"));
  ASSERT_EQ(r.what, outcome::ok) << r.error;
  ASSERT_TRUE(r.max_age.has_value());
  EXPECT_EQ(*r.max_age, 600s);
}

TEST_F(Fetcher, FailsQuicklyOnARefusedConnection) {
  const auto r = fetch("http://127.0.0.1:" + std::to_string(closed_port()) + "/feed.xml");
  EXPECT_EQ(r.what, outcome::failed);
  EXPECT_EQ(r.error, "fetch: connect: Connection refused");
  EXPECT_EQ(r.status, 0);
  EXPECT_LT(r.elapsed, 2s);
}

TEST_F(Fetcher, CutsAServerThatNeverAnswersAtTheTotalTimeout) {
  auto o = defaults();
  o.timeout = 1s;
  const auto r = fetch(server_.url("/hang"), o);
  EXPECT_EQ(r.what, outcome::failed);
  EXPECT_EQ(r.error, "fetch: read: timed out after 1s");
  EXPECT_GE(r.elapsed, 900ms);
  EXPECT_LE(r.elapsed, 2s);
}

TEST_F(Fetcher, CutsADripAtTheTotalTimeoutNotAnIdleTimeout) {
  auto o = defaults();
  o.timeout = 1s;
  const auto started = std::chrono::steady_clock::now();
  const auto r = fetch(server_.url("/drip?bytes_per_sec=20"), o);
  EXPECT_EQ(r.what, outcome::failed);
  EXPECT_EQ(r.error, "fetch: read: timed out after 1s");
  EXPECT_LE(std::chrono::steady_clock::now() - started, 2s);
}

TEST_F(Fetcher, CutsSlowHeadersAtTheTotalTimeout) {
  auto o = defaults();
  o.timeout = 1500ms;
  const auto r = fetch(server_.url("/slow-headers"), o);
  EXPECT_EQ(r.what, outcome::failed);
  EXPECT_EQ(r.error, "fetch: read: timed out after 1s500ms");
  EXPECT_LE(r.elapsed, 2500ms);
}

TEST_F(Fetcher, FollowsARedirectChainWithinTheLimit) {
  const auto r = fetch(server_.url("/redirect/5?to=/feeds/feed.xml"));
  ASSERT_EQ(r.what, outcome::ok) << r.error;
  EXPECT_EQ(r.body, feed_xml);
  EXPECT_EQ(r.final_url, server_.url("/feeds/feed.xml"));
}

TEST_F(Fetcher, FollowsEveryRedirectStatus) {
  for (const char* code : {"301", "302", "303", "307", "308"}) {
    SCOPED_TRACE(code);
    const auto r = fetch(server_.url("/redirect/1?to=/feeds/feed.xml&code=" + std::string(code)));
    EXPECT_EQ(r.what, outcome::ok) << r.error;
  }
}

TEST_F(Fetcher, StopsAfterTooManyRedirects) {
  const auto r = fetch(server_.url("/redirect/6?to=/feeds/feed.xml"));
  EXPECT_EQ(r.what, outcome::failed);
  EXPECT_EQ(r.error, "fetch: redirect: too many redirects (more than 5)");
  EXPECT_EQ(json_of(server_.get("/hits")).value("/feeds/feed.xml", 0), 0);
}

TEST_F(Fetcher, DetectsARedirectLoop) {
  const auto r = fetch(server_.url("/loop/a"));
  EXPECT_EQ(r.what, outcome::failed);
  EXPECT_EQ(r.error.rfind("fetch: redirect: redirect loop at ", 0), 0u) << r.error;
  EXPECT_EQ(json_of(server_.get("/hits")).value("/loop/a", 0), 1);
}

TEST_F(Fetcher, RejectsARedirectToAFileUrl) {
  const auto r = fetch(server_.url("/redirect-to?url=file:///etc/passwd"));
  EXPECT_EQ(r.what, outcome::failed);
  EXPECT_EQ(r.error.rfind("fetch: redirect: location file:", 0), 0u) << r.error;
  EXPECT_NE(r.error.find("is not an http or https URL"), std::string::npos) << r.error;
}

TEST_F(Fetcher, RejectsAContentLengthOverMaxBodyBeforeReadingIt) {
  auto o = defaults();
  o.max_body = 1024 * 1024;
  const auto r = fetch(server_.url("/huge?mib=100"), o);
  EXPECT_EQ(r.what, outcome::failed);
  EXPECT_EQ(r.error, "fetch: body: Content-Length 104857600 exceeds 1048576 bytes");
  EXPECT_LT(r.elapsed, 3s);
}

TEST_F(Fetcher, ReportsAnErrorStatusWhateverLengthItAnnounces) {
  auto o = defaults();
  o.max_body = 1024 * 1024;
  const auto r = fetch(server_.url("/status/404?declared_length=104857600"), o);
  EXPECT_EQ(r.what, outcome::http_error);
  EXPECT_EQ(r.error, "fetch: http: 404 Not Found");
}

TEST_F(Fetcher, ReadsABodyEndedByClosingTheConnection) {
  const auto r = fetch(server_.url("/close-delimited"));
  ASSERT_EQ(r.what, outcome::ok) << r.error;
  EXPECT_NE(r.body.find("<title>fake</title>"), std::string::npos);
}

TEST_F(Fetcher, RejectsAChunkedBodyOverMaxBody) {
  auto o = defaults();
  o.max_body = 1024 * 1024;
  const auto r = fetch(server_.url("/chunked?mib=8"), o);
  EXPECT_EQ(r.what, outcome::failed);
  EXPECT_EQ(r.error, "fetch: body: body exceeds 1048576 bytes");
}

// RELIABILITY S11, S12, S14, S15, S20, S21: responses that break HTTP/1.1
// framing fail the fetch, quickly, with Beast's reason; none is read as a
// body.
TEST_F(Fetcher, RejectsResponsesThatBreakHttpFraming) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"length-and-chunked", "fetch: read: bad Transfer-Encoding"},
      {"two-lengths", "fetch: read: multiple Content-Length"},
      {"big-header", "fetch: read: header limit exceeded"},
      {"many-headers", "fetch: read: header limit exceeded"},
      {"cookie-flood", "fetch: read: header limit exceeded"},
      {"long-chunk-line", "fetch: read: buffer overflow"},
      {"huge-chunk", "fetch: body: body exceeds 16777216 bytes"},
      {"not-http", "fetch: read: bad version"},
      {"http09", "fetch: read: bad version"},
  };
  for (const auto& [name, error] : cases) {
    const auto r = fetch(server_.url("/raw/" + name));
    EXPECT_EQ(r.what, outcome::failed) << name << ": " << r.error;
    EXPECT_EQ(r.error, error) << name;
    EXPECT_EQ(r.body, "") << name;
    EXPECT_LT(r.elapsed, 5s) << name;
  }
  // A status Beast can parse is the server's answer, failing as any other.
  const auto r = fetch(server_.url("/raw/status-999"));
  EXPECT_EQ(r.what, outcome::http_error) << r.error;
  EXPECT_EQ(r.status, 999);
}

TEST_F(Fetcher, StopsAGzipBombAtTheDecompressedCap) {
  const auto r = fetch(server_.url("/bomb?mib=64"));
  EXPECT_EQ(r.what, outcome::failed);
  EXPECT_EQ(r.error, "fetch: body: decompressed body exceeds 16777216 bytes");
  EXPECT_EQ(r.body, "");
}

TEST_F(Fetcher, RejectsCorruptAndTruncatedGzip) {
  const auto corrupt = fetch(server_.url("/gzip-corrupt"));
  EXPECT_EQ(corrupt.what, outcome::failed);
  EXPECT_EQ(corrupt.error.rfind("fetch: body: corrupt gzip data: ", 0), 0u) << corrupt.error;
  const auto truncated = fetch(server_.url("/gzip-corrupt?truncated=1"));
  EXPECT_EQ(truncated.what, outcome::failed);
  EXPECT_EQ(truncated.error, "fetch: body: truncated gzip data");
}

TEST_F(Fetcher, RejectsUnsupportedAndStackedEncodings) {
  const auto br = fetch(server_.url("/encoding/br"));
  EXPECT_EQ(br.what, outcome::failed);
  EXPECT_EQ(br.error, "fetch: body: unsupported content-encoding br");
  const auto stacked = fetch(server_.url("/encoding/gzip,%20gzip"));
  EXPECT_EQ(stacked.what, outcome::failed);
  EXPECT_EQ(stacked.error, "fetch: body: unsupported content-encoding gzip, gzip");
}

TEST_F(Fetcher, RejectsAnEmptyBody) {
  const auto r = fetch(server_.url("/empty"));
  EXPECT_EQ(r.what, outcome::failed);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.error, "fetch: body: empty response body");
}

TEST_F(Fetcher, RejectsABodyCutShortByTheServer) {
  const auto r = fetch(server_.url("/close-early"));
  EXPECT_EQ(r.what, outcome::failed);
  EXPECT_EQ(r.error, "fetch: read: partial message");
}

TEST(NameLookup, FindsLocalhostAndAnswersOnItsOwnThread) {
  const auto answer = system_lookup("localhost");
  EXPECT_TRUE(answer.error.empty()) << answer.error;
  EXPECT_TRUE(std::find(answer.addresses.begin(), answer.addresses.end(), "127.0.0.1") != answer.addresses.end() ||
              std::find(answer.addresses.begin(), answer.addresses.end(), "::1") != answer.addresses.end());

  name_lookup names(2, [](const std::string& host) { return lookup_answer{{host == "a.test" ? "192.0.2.1" : "192.0.2.2"}, {}, false}; });
  std::promise<lookup_answer> found;
  const auto caller = std::this_thread::get_id();
  std::atomic<bool> on_caller{true};
  names.lookup("a.test", [&](lookup_answer a) {
    on_caller = std::this_thread::get_id() == caller;
    found.set_value(std::move(a));
  }, std::make_shared<std::atomic<bool>>(false));
  auto future = found.get_future();
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(future.get().addresses, std::vector<std::string>{"192.0.2.1"});
  EXPECT_FALSE(on_caller);
  // An abandoned lookup calls nobody.
  std::atomic<int> calls{0};
  auto abandoned = std::make_shared<std::atomic<bool>>(true);
  names.lookup("b.test", [&](lookup_answer) { ++calls; }, abandoned);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(calls, 0);
}

// RELIABILITY N3: a name whose DNS server never answers is given up at the
// deadline, and lookups of other names meanwhile are not held up behind it
// (Asio alone runs them all on one thread).
TEST_F(Fetcher, AHangingLookupHoldsUpNoOtherName) {
  struct gate {
    std::mutex mutex;
    std::condition_variable opened;
    bool open = false;
  };
  auto hang = std::make_shared<gate>();
  auto o = defaults();
  o.connect_timeout = 1s;
  o.lookup = [hang](const std::string& host) -> lookup_answer {
    if (host == "feed.test") return {{"127.0.0.1"}, {}, false};
    std::unique_lock lock(hang->mutex);
    hang->opened.wait_for(lock, 20s, [&] { return hang->open; });
    return {{}, "never answered", false};
  };
  std::string error;
  auto client = fetcher::create(io_, o, error);
  ASSERT_TRUE(client) << error;
  const auto port = std::to_string(server_.port());
  std::promise<fetch_response> stuck_result;
  std::promise<fetch_response> other_result;
  const auto started = std::chrono::steady_clock::now();
  auto stuck = client->start(request_for("http://hang.test:" + port + "/feeds/feed.xml"),
                             [&](fetch_response r) { stuck_result.set_value(std::move(r)); });
  std::this_thread::sleep_for(100ms);  // the hanging lookup is under way
  auto other = client->start(request_for("http://feed.test:" + port + "/feeds/feed.xml"),
                             [&](fetch_response r) { other_result.set_value(std::move(r)); });
  auto other_future = other_result.get_future();
  ASSERT_EQ(other_future.wait_for(10s), std::future_status::ready);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 900ms);
  EXPECT_EQ(other_future.get().what, outcome::ok);
  auto stuck_future = stuck_result.get_future();
  ASSERT_EQ(stuck_future.wait_for(10s), std::future_status::ready);
  const auto r = stuck_future.get();
  EXPECT_EQ(r.what, outcome::failed);
  EXPECT_EQ(r.error, "fetch: resolve: timed out after 1s");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  {
    std::lock_guard lock(hang->mutex);
    hang->open = true;
  }
  hang->opened.notify_all();
}

// RELIABILITY N4: a name the DNS says does not exist is told apart from a
// DNS that could not be asked, also when a redirect leads to it; only the
// first counts toward disabling the feed.
TEST_F(Fetcher, ANameThatDoesNotExistIsToldApartFromALookupThatFailed) {
  auto o = defaults();
  o.lookup = [](const std::string& host) -> lookup_answer {
    if (host == "feed.test") return {{"127.0.0.1"}, {}, false};
    if (host == "gone.test") return {{}, "Name or service not known", true};
    return {{}, "Temporary failure in name resolution", false};
  };
  std::string error;
  auto client = fetcher::create(io_, o, error);
  ASSERT_TRUE(client) << error;
  const auto port = std::to_string(server_.port());
  const auto fetch = [&](const std::string& url) {
    std::promise<fetch_response> result;
    auto handle = client->start(request_for(url), [&](fetch_response r) { result.set_value(std::move(r)); });
    auto future = result.get_future();
    EXPECT_EQ(future.wait_for(10s), std::future_status::ready) << url;
    return future.get();
  };
  const auto gone = fetch("http://gone.test:" + port + "/feeds/feed.xml");
  EXPECT_EQ(gone.what, outcome::failed);
  EXPECT_TRUE(gone.no_such_host);
  EXPECT_EQ(gone.error, "fetch: resolve: Name or service not known");
  const auto unsure = fetch("http://dns-down.test:" + port + "/feeds/feed.xml");
  EXPECT_EQ(unsure.what, outcome::failed);
  EXPECT_FALSE(unsure.no_such_host);
  const auto redirected = fetch("http://feed.test:" + port + "/redirect-to?url=http://gone.test:" + port + "/feeds/feed.xml");
  EXPECT_EQ(redirected.what, outcome::failed);
  EXPECT_TRUE(redirected.no_such_host) << redirected.error;
  const auto found = fetch("http://feed.test:" + port + "/feeds/feed.xml");
  EXPECT_EQ(found.what, outcome::ok) << found.error;
  EXPECT_FALSE(found.no_such_host);
}

TEST_F(Fetcher, BlocksLoopbackWithoutSendingAnything) {
  auto o = defaults();
  o.block_private_addresses = true;
  const auto r = fetch(server_.url("/feeds/feed.xml"), o);
  EXPECT_EQ(r.what, outcome::failed);
  EXPECT_EQ(r.error, "fetch: policy: address 127.0.0.1 is not allowed (fetch.block_private_addresses)");
  EXPECT_EQ(server_.get("/hits"), "{}");
}

TEST_F(Fetcher, BlocksLoopbackReachedThroughAName) {
  auto o = defaults();
  o.block_private_addresses = true;
  const auto r = fetch("http://localhost:" + std::to_string(server_.port()) + "/feeds/feed.xml", o);
  EXPECT_EQ(r.what, outcome::failed);
  EXPECT_EQ(r.error.rfind("fetch: policy: address ", 0), 0u) << r.error;
  EXPECT_EQ(server_.get("/hits"), "{}");
}

// RELIABILITY X2: whatever a name resolves to is judged as the address the
// fetcher would connect to, in each of the forms that reach a private host.
TEST_F(Fetcher, RefusesEveryPrivateFormANameResolvesTo) {
  const struct {
    const char* form;
    const char* address;
  } forms[] = {
      {"loopback", "127.0.0.1"},
      {"unspecified", "0.0.0.0"},
      {"private", "10.1.2.3"},
      {"private", "172.16.0.1"},
      {"private", "192.168.1.1"},
      {"carrier-grade NAT", "100.64.0.1"},
      {"link-local, cloud metadata", "169.254.169.254"},
      {"multicast", "224.0.0.1"},
      {"IPv6 loopback", "::1"},
      {"IPv6 unique local", "fd00::1"},
      {"IPv6 link-local", "fe80::1"},
      {"IPv4-mapped loopback", "::ffff:127.0.0.1"},
      {"NAT64 of a private address", "64:ff9b::a00:1"},
      {"6to4 of cloud metadata", "2002:a9fe:a9fe::1"},
  };
  for (const auto& f : forms) {
    SCOPED_TRACE(std::string(f.form) + " " + f.address);
    auto o = defaults();
    o.block_private_addresses = true;
    o.lookup = [&f](const std::string&) { return lookup_answer{{f.address}, {}, false}; };
    const auto r = fetch("http://feed.test:" + std::to_string(server_.port()) + "/feeds/feed.xml", o);
    EXPECT_EQ(r.what, outcome::failed);
    EXPECT_EQ(r.error.rfind("fetch: policy: address ", 0), 0u) << r.error;
  }
  EXPECT_EQ(server_.get("/hits"), "{}");
}

// RELIABILITY X2: glibc reads these as 127.0.0.1; the policy never reads the
// host string, only what it resolved to.
TEST_F(Fetcher, RefusesOddSpellingsOfLoopback) {
  for (const char* host : {"2130706433", "0x7f.1", "127.1", "0177.0.0.1"}) {
    SCOPED_TRACE(host);
    auto o = defaults();
    o.block_private_addresses = true;
    const auto r = fetch("http://" + std::string(host) + ":" + std::to_string(server_.port()) + "/feeds/feed.xml", o);
    EXPECT_EQ(r.what, outcome::failed);
    EXPECT_EQ(r.error, "fetch: policy: address 127.0.0.1 is not allowed (fetch.block_private_addresses)");
  }
  EXPECT_EQ(server_.get("/hits"), "{}");
}

TEST_F(Fetcher, RejectsAUrlWithALineBreak) {
  const auto r = fetch(server_.url("/feeds/feed.xml\r\nX-Injected: 1"));
  EXPECT_EQ(r.what, outcome::failed);
  EXPECT_EQ(r.error.rfind("fetch: policy: ", 0), 0u) << r.error;
  EXPECT_EQ(server_.get("/hits"), "{}");
}

TEST_F(Fetcher, RejectsSchemesOtherThanHttp) {
  for (const char* url : {"file:///etc/passwd", "ftp://127.0.0.1/feed.xml", "feed.xml"}) {
    SCOPED_TRACE(url);
    const auto r = fetch(url);
    EXPECT_EQ(r.what, outcome::failed);
    EXPECT_EQ(r.error.rfind("fetch: policy: ", 0), 0u) << r.error;
  }
}

TEST_F(Fetcher, SendsCredentialsToTheOriginOnly) {
  const std::string base = "http://user:pa%3Ass@127.0.0.1:" + std::to_string(server_.port());
  const auto direct = fetch(base + "/headers");
  ASSERT_EQ(direct.what, outcome::ok) << direct.error;
  EXPECT_EQ(json_of(direct.body).value("Authorization", ""), "Basic dXNlcjpwYTpzcw==");

  const auto same_origin = fetch(base + "/redirect/1?to=/headers");
  ASSERT_EQ(same_origin.what, outcome::ok) << same_origin.error;
  EXPECT_EQ(json_of(same_origin.body).value("Authorization", ""), "Basic dXNlcjpwYTpzcw==");

  fake_server other;
  const auto cross = fetch(base + "/redirect-to?url=" + other.url("/headers"));
  ASSERT_EQ(cross.what, outcome::ok) << cross.error;
  EXPECT_FALSE(json_of(cross.body).contains("Authorization")) << cross.body;
}

TEST_F(Fetcher, CancelEndsAHangingFetchQuickly) {
  std::shared_ptr<completion> state;
  const auto handle = start(defaults(), request_for(server_.url("/hang")), state);
  ASSERT_TRUE(handle);
  std::this_thread::sleep_for(300ms);
  handle->cancel();
  handle->cancel();
  const auto r = wait(state, 5s);
  EXPECT_EQ(r.what, outcome::cancelled);
  EXPECT_LT(r.elapsed, 2s);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(state->calls.load(), 1);
}

TEST_F(Fetcher, CancelRightAfterStartReportsCancelled) {
  std::shared_ptr<completion> state;
  const auto handle = start(defaults(), request_for(server_.url("/feeds/feed.xml?delay_ms=500")), state);
  ASSERT_TRUE(handle);
  handle->cancel();
  EXPECT_EQ(wait(state, 5s).what, outcome::cancelled);
}

TEST_F(Fetcher, CancelAfterCompletionChangesNothing) {
  std::shared_ptr<completion> state;
  const auto handle = start(defaults(), request_for(server_.url("/feeds/feed.xml")), state);
  ASSERT_TRUE(handle);
  EXPECT_EQ(wait(state).what, outcome::ok);
  handle->cancel();
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(state->calls.load(), 1);
}

// fakefeed.py answers /barrier only once all `parallel` requests are open at
// the same time, and 504 to every one of them after 5 s: fetches that ran
// one after another would not get a single feed.
TEST_F(Fetcher, RunsManyFetchesAtOnce) {
  constexpr int parallel = 20;
  std::string error;
  auto f = fetcher::create(io_, defaults(), error);
  ASSERT_TRUE(f) << error;
  const auto url = server_.url("/barrier?name=many&n=" + std::to_string(parallel));
  std::vector<std::shared_ptr<completion>> states;
  std::vector<std::shared_ptr<fetch_handle>> handles;
  for (int i = 0; i < parallel; ++i) {
    auto state = std::make_shared<completion>();
    states.push_back(state);
    handles.push_back(f->start(request_for(url), [state](fetch_response r) {
      if (state->calls.fetch_add(1) == 0) state->result.set_value(std::move(r));
    }));
  }
  for (auto& state : states) {
    const auto r = wait(state);
    EXPECT_EQ(r.what, outcome::ok) << r.status << " " << r.error;
  }
}

// Keep-alive: requests to one origin share a connection while nothing casts
// doubt on it. fakefeed.py counts the connections that carried a request.
class FetcherKeepAlive : public Fetcher {
 protected:
  // One fetcher, so one pool, for every fetch of a test; one after another.
  fetch_response fetch_again(const std::string& url, const fetch_options& o = defaults()) {
    if (!shared_) {
      std::string error;
      shared_ = fetcher::create(io_, o, error);
      if (!shared_) ADD_FAILURE() << error;
    }
    auto state = std::make_shared<completion>();
    handles_.push_back(shared_->start(request_for(url), [state](fetch_response r) {
      if (state->calls.fetch_add(1) == 0) state->result.set_value(std::move(r));
    }));
    return wait(state);
  }

  // Fetches `first`, waits `pause`, then fetches a feed, which must succeed
  // over a second connection: the first one was not fit to keep.
  fetch_response first_then_feed(const std::string& first, std::chrono::milliseconds pause = 0ms,
                                 const fetch_options& o = defaults()) {
    auto r = fetch_again(server_.url(first), o);
    std::this_thread::sleep_for(pause);
    const auto feed = fetch_again(server_.url("/feeds/feed.xml"));
    EXPECT_EQ(feed.what, outcome::ok) << feed.error;
    EXPECT_FALSE(feed.reused_connection);
    EXPECT_EQ(server_.get("/connections"), "2");
    return r;
  }

  std::unique_ptr<fetcher> shared_;
  std::vector<std::shared_ptr<fetch_handle>> handles_;
};

TEST_F(FetcherKeepAlive, SendsFetchesOfOneOriginOverOneConnection) {
  const auto before = connections_reused();
  const auto first = fetch_again(server_.url("/feeds/feed.xml"));
  const auto second = fetch_again(server_.url("/feeds/feed.xml"));
  // Each hop of a chain on one origin goes over the same connection too.
  const auto redirected = fetch_again(server_.url("/redirect/2?to=/feeds/feed.xml"));
  for (const auto* r : {&first, &second, &redirected}) EXPECT_EQ(r->what, outcome::ok) << r->error;
  EXPECT_FALSE(first.reused_connection);
  EXPECT_TRUE(second.reused_connection);
  EXPECT_TRUE(redirected.reused_connection);
  EXPECT_EQ(server_.get("/connections"), "1");
  EXPECT_EQ(connections_reused() - before, 4);  // second, and the three hops of the chain
}

TEST_F(FetcherKeepAlive, DoesNotReuseAConnectionTheServerSaidToClose) {
  EXPECT_EQ(first_then_feed("/feeds/feed.xml?close=1").what, outcome::ok);
}

TEST_F(FetcherKeepAlive, OpensANewConnectionWhenTheServerClosedTheIdleOne) {
  EXPECT_EQ(first_then_feed("/feeds/feed.xml?idle_close_ms=100", 500ms).what, outcome::ok);
}

TEST_F(FetcherKeepAlive, ClosesAConnectionIdleForTheIdleTimeout) {
  auto o = defaults();
  o.idle_timeout = 200ms;
  EXPECT_EQ(first_then_feed("/feeds/feed.xml", 600ms, o).what, outcome::ok);
}

TEST_F(FetcherKeepAlive, DoesNotReuseAConnectionWhoseAnswerWasNotReadToTheEnd) {
  // An error status's body is left unread.
  EXPECT_EQ(first_then_feed("/status/404").what, outcome::http_error);
}

TEST_F(FetcherKeepAlive, DropsTheConnectionOfARedirectToAnotherOrigin) {
  fake_server other({root_.path(), {}, {}, {}});
  const auto moved = fetch_again(server_.url("/redirect-to?url=" + other.url("/feeds/feed.xml")));
  EXPECT_EQ(moved.what, outcome::ok) << moved.error;
  const auto back = fetch_again(server_.url("/feeds/feed.xml"));
  EXPECT_EQ(back.what, outcome::ok) << back.error;
  EXPECT_FALSE(back.reused_connection);
  EXPECT_EQ(server_.get("/connections"), "2");
  // The other origin's connection was fine to keep.
  EXPECT_TRUE(fetch_again(other.url("/feeds/feed.xml")).reused_connection);
}

TEST(FetcherCreate, RefusesAUserAgentWithALineBreak) {
  boost::asio::io_context io;
  fetch_options o;
  o.user_agent = "feedd\r\nX-Injected: 1";
  std::string error;
  EXPECT_EQ(fetcher::create(io, o, error), nullptr);
  EXPECT_EQ(error, "fetch: user_agent contains control characters");
}

TEST(FetcherCreate, RefusesAnUnreadableCaFile) {
  boost::asio::io_context io;
  fetch_options o;
  o.ca_file = "/nonexistent/ca.pem";
  std::string error;
  EXPECT_EQ(fetcher::create(io, o, error), nullptr);
  EXPECT_EQ(error.rfind("fetch: tls: cannot load ca_file /nonexistent/ca.pem", 0), 0u) << error;
}

// A self-signed certificate for localhost and 127.0.0.1, made fresh for each test.
class FetcherTls : public Fetcher {
 protected:
  FetcherTls() {
    const auto made = test::run({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                                 key_.string(), "-out", cert_.string(), "-subj", "/CN=localhost", "-addext",
                                 "subjectAltName=DNS:localhost,IP:127.0.0.1", "-days", "1"});
    if (made.exit_code != 0) throw std::runtime_error("openssl req failed: " + made.err);
    tls_server_.emplace(fake_server::options{root_.path(), cert_, key_, {}});
  }

  test::temp_dir certs_;
  std::filesystem::path cert_ = certs_.path() / "cert.pem";
  std::filesystem::path key_ = certs_.path() / "key.pem";
  std::optional<fake_server> tls_server_;
};

TEST_F(FetcherTls, RefusesASelfSignedCertificate) {
  const auto r = fetch(tls_server_->url("/feeds/feed.xml"));
  EXPECT_EQ(r.what, outcome::failed);
  EXPECT_EQ(r.error.rfind("fetch: tls: ", 0), 0u) << r.error;
  EXPECT_NE(r.error.find("certificate verify failed"), std::string::npos) << r.error;
}

TEST_F(FetcherTls, AcceptsTheCertificateFromCaFile) {
  auto o = defaults();
  o.ca_file = cert_.string();
  const auto r = fetch(tls_server_->url("/feeds/feed.xml?gzip=1"), o);
  ASSERT_EQ(r.what, outcome::ok) << r.error;
  EXPECT_EQ(r.body, feed_xml);
}

TEST_F(FetcherTls, VerifiesTheHostNameSentAsSni) {
  auto o = defaults();
  o.ca_file = cert_.string();
  const auto r = fetch("https://localhost:" + std::to_string(tls_server_->port()) + "/feeds/feed.xml", o);
  ASSERT_EQ(r.what, outcome::ok) << r.error;
  EXPECT_EQ(r.body, feed_xml);
}

TEST_F(FetcherTls, SkipsVerificationOnlyWhenToldTo) {
  auto o = defaults();
  o.tls_verify = false;
  const auto r = fetch(tls_server_->url("/feeds/feed.xml"), o);
  EXPECT_EQ(r.what, outcome::ok) << r.error;
}

TEST_F(FetcherTls, ReadsABodyEndedByATruncatedTlsStream) {
  auto o = defaults();
  o.ca_file = cert_.string();
  const auto r = fetch(tls_server_->url("/close-delimited"), o);
  ASSERT_EQ(r.what, outcome::ok) << r.error;
  EXPECT_NE(r.body.find("<title>fake</title>"), std::string::npos);
}

TEST_F(FetcherTls, KeepsATlsConnectionForTheNextRequest) {
  auto o = defaults();
  o.ca_file = cert_.string();
  std::string error;
  const auto client = fetcher::create(io_, o, error);
  ASSERT_TRUE(client) << error;
  std::vector<fetch_response> results;
  for (int i = 0; i < 2; ++i) {
    std::promise<fetch_response> result;
    auto handle = client->start(request_for(tls_server_->url("/feeds/feed.xml")),
                                [&](fetch_response r) { result.set_value(std::move(r)); });
    auto future = result.get_future();
    ASSERT_EQ(future.wait_for(10s), std::future_status::ready);
    results.push_back(future.get());
    EXPECT_EQ(results.back().what, outcome::ok) << results.back().error;
  }
  EXPECT_FALSE(results[0].reused_connection);
  EXPECT_TRUE(results[1].reused_connection);
}

TEST_F(FetcherTls, CutsAServerThatNeverAnswersAtTheTotalTimeout) {
  auto o = defaults();
  o.ca_file = cert_.string();
  o.timeout = 1s;
  const auto r = fetch(tls_server_->url("/hang"), o);
  EXPECT_EQ(r.what, outcome::failed);
  EXPECT_EQ(r.error, "fetch: read: timed out after 1s");
  EXPECT_LE(r.elapsed, 2s);
}

}  // namespace
}  // namespace feedd::daemon
