// Fetches through fakeproxy.py on 127.0.0.1: absolute-form requests for
// http, CONNECT tunnels for https, Proxy-Authorization, NO_PROXY, and the
// private-address policy judging the feed's host rather than the proxy.
#include "proxy.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "fetcher.hpp"
#include "support/fake_server.hpp"
#include "support/process.hpp"
#include "support/test_pki.hpp"

namespace feedd::daemon {
namespace {

using namespace std::chrono_literals;
using outcome = fetch_response::outcome;
using test::fake_proxy;
using test::fake_server;

const std::string feed_xml = "<rss version=\"2.0\"><channel><title>Proxied</title></channel></rss>\n";

parsers::http_url url_of(const std::string& text) { return parsers::parse_http_url(text).value(); }

TEST(ProxyRoutes, NoProxyMatchesHostSuffixesAtLabelBoundariesPortsAndLiterals) {
  bool all = false;
  const auto list = parse_no_proxy(" .example.org, intranet:8080,192.168.1.5, [::1],LOCALHOST", all);
  EXPECT_FALSE(all);
  EXPECT_TRUE(bypasses(list, "example.org", "80"));
  EXPECT_TRUE(bypasses(list, "feeds.Example.org", "443"));
  EXPECT_FALSE(bypasses(list, "badexample.org", "80"));
  EXPECT_TRUE(bypasses(list, "intranet", "8080"));
  EXPECT_FALSE(bypasses(list, "intranet", "80"));
  EXPECT_TRUE(bypasses(list, "192.168.1.5", "80"));
  EXPECT_FALSE(bypasses(list, "10.192.168.1.5", "80"));
  EXPECT_FALSE(bypasses(list, "192.168.1.50", "80"));
  EXPECT_TRUE(bypasses(list, "::1", "80"));
  EXPECT_TRUE(bypasses(list, "localhost", "80"));
  parse_no_proxy("*", all);
  EXPECT_TRUE(all);
}

TEST(ProxyRoutes, ChoosesByScheme) {
  const auto routes = proxy_routes::create("http://u:p@plain.example:3128", "secure.example:8080", "skip.example");
  ASSERT_TRUE(routes) << routes.error();
  const auto* plain = routes->route(url_of("http://feed.example/rss"));
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(plain->label(), "proxy plain.example:3128");
  EXPECT_EQ(plain->authorization, "Basic dTpw");
  const auto* secure = routes->route(url_of("https://feed.example/rss"));
  ASSERT_NE(secure, nullptr);
  EXPECT_EQ(secure->label(), "proxy secure.example:8080");
  EXPECT_TRUE(secure->authorization.empty());
  EXPECT_EQ(routes->route(url_of("https://a.skip.example/rss")), nullptr);
  const auto direct = proxy_routes::create("", "", "");
  ASSERT_TRUE(direct);
  EXPECT_EQ(direct->route(url_of("http://feed.example/")), nullptr);
}

TEST(ProxyRoutes, RefusesWhatItCannotSpeakWithoutRepeatingThePassword) {
  for (const char* bad : {"https://u:hunter2@p:3128", "socks5://u:hunter2@p:1080", "http://u:hunter2@p:3128/x"}) {
    const auto routes = proxy_routes::create(bad, "", "");
    ASSERT_FALSE(routes) << bad;
    EXPECT_EQ(routes.error().find("hunter2"), std::string::npos) << routes.error();
  }
}

// The real fetcher on two I/O threads; a feed server (plain and TLS with a
// certificate of our own CA for localhost and 127.0.0.1) and a proxy that
// wants user:pass.
class FetcherProxy : public ::testing::Test {
 protected:
  FetcherProxy() {
    test::write_file(root_.path() / "feed.xml", feed_xml);
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~FetcherProxy() override {
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
  }

  fetch_options with_proxy(const std::string& credentials = "user:pass") const {
    fetch_options o;
    o.connect_timeout = 5s;
    o.timeout = 10s;
    o.block_private_addresses = false;
    o.ca_file = ca_.cert().string();
    const std::string url = "http://" + (credentials.empty() ? "" : credentials + "@") + "127.0.0.1:" +
                            std::to_string(proxy_.port());
    o.http_proxy = url;
    o.https_proxy = url;
    return o;
  }

  // Runs `urls` one after another on one fetcher.
  std::vector<fetch_response> fetch_all(const fetch_options& o, const std::vector<std::string>& urls) {
    std::string error;
    auto client = fetcher::create(io_, o, error);
    std::vector<fetch_response> out;
    if (!client) {
      ADD_FAILURE() << error;
      return out;
    }
    for (const auto& url : urls) {
      std::promise<fetch_response> result;
      fetch_request request;
      request.url = url;
      auto handle = client->start(request, [&](fetch_response r) { result.set_value(std::move(r)); });
      auto future = result.get_future();
      if (future.wait_for(20s) != std::future_status::ready) {
        ADD_FAILURE() << "fetch did not complete";
        return out;
      }
      out.push_back(future.get());
    }
    return out;
  }
  fetch_response fetch(const fetch_options& o, const std::string& url) {
    auto all = fetch_all(o, {url});
    return all.empty() ? fetch_response{} : all.front();
  }

  nlohmann::json stats() const { return nlohmann::json::parse(proxy_.stats()); }

  std::string https_url(const std::string& host) const {
    return "https://" + host + ":" + std::to_string(tls_server_.port()) + "/feeds/feed.xml";
  }

  test::temp_dir root_;
  test::temp_dir certs_;
  test::test_ca ca_{certs_.path()};
  test::test_ca::issued leaf_ = ca_.issue("localhost", {});
  fake_server server_{fake_server::options{root_.path(), {}, {}, {}}};
  fake_server tls_server_{fake_server::options{root_.path(), leaf_.cert, leaf_.key, {}}};
  fake_proxy proxy_{fake_proxy::options{"user:pass", {}}};
  boost::asio::io_context io_{2};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::vector<std::thread> threads_;
};

TEST_F(FetcherProxy, PlainHttpGoesAsAnAbsoluteFormRequestWithProxyCredentials) {
  const auto r = fetch(with_proxy(), server_.url("/feeds/feed.xml"));
  ASSERT_EQ(r.what, outcome::ok) << r.error;
  EXPECT_EQ(r.body, feed_xml);
  const auto s = stats();
  EXPECT_EQ(s["forward"], 1);
  EXPECT_EQ(s["connect"], 0);
  EXPECT_EQ(s["targets"].at(0), "GET " + server_.url("/feeds/feed.xml"));
  EXPECT_EQ(s["authorizations"].at(0), "Basic dXNlcjpwYXNz");
}

TEST_F(FetcherProxy, HttpsGoesThroughAConnectTunnelAndIsVerifiedAgainstTheOrigin) {
  const auto results = fetch_all(with_proxy(), {https_url("localhost"), https_url("localhost")});
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) ASSERT_EQ(r.what, outcome::ok) << r.error;
  EXPECT_EQ(results[0].body, feed_xml);
  // The tunnel is kept like any connection: one CONNECT for both.
  EXPECT_TRUE(results[1].reused_connection);
  const auto s = stats();
  EXPECT_EQ(s["connect"], 1);
  EXPECT_EQ(s["forward"], 0);
  EXPECT_EQ(s["targets"].at(0), "CONNECT localhost:" + std::to_string(tls_server_.port()));
  EXPECT_EQ(s["authorizations"].at(0), "Basic dXNlcjpwYXNz");
}

TEST_F(FetcherProxy, TheOriginsCertificateIsCheckedThroughTheTunnel) {
  // The proxy sends every tunnel to our server, whose certificate names
  // localhost and 127.0.0.1 only: a feed named otherwise must not be
  // accepted through it. With the policy off the name is not looked up
  // here (it would not resolve): only the proxy needs to know it.
  fake_proxy relay{fake_proxy::options{"", "127.0.0.1:" + std::to_string(tls_server_.port())}};
  auto o = with_proxy("");
  o.https_proxy = "http://127.0.0.1:" + std::to_string(relay.port());
  const auto r = fetch(o, "https://feeds.invalid:443/feeds/feed.xml");
  EXPECT_EQ(r.what, outcome::failed);
  EXPECT_EQ(r.error, "fetch: tls: certificate verify failed: hostname mismatch") << r.error;
  EXPECT_EQ(nlohmann::json::parse(relay.stats())["targets"].at(0), "CONNECT feeds.invalid:443");
}

TEST_F(FetcherProxy, RefusedCredentialsAreReportedWithoutThem) {
  const auto o = with_proxy("user:hunter2");
  const auto tunnelled = fetch(o, https_url("localhost"));
  EXPECT_EQ(tunnelled.what, outcome::failed);
  EXPECT_EQ(tunnelled.error, "fetch: proxy: CONNECT localhost:" + std::to_string(tls_server_.port()) +
                                 " answered 407 Proxy Authentication Required (proxy 127.0.0.1:" +
                                 std::to_string(proxy_.port()) + ")");
  const auto forwarded = fetch(o, server_.url("/feeds/feed.xml"));
  EXPECT_EQ(forwarded.what, outcome::http_error);
  EXPECT_EQ(forwarded.status, 407);
  EXPECT_EQ(forwarded.error.find("hunter2"), std::string::npos) << forwarded.error;
  EXPECT_EQ(stats()["refused"], 2);
}

TEST_F(FetcherProxy, NoProxyHostsAreFetchedDirectly) {
  auto o = with_proxy();
  o.no_proxy = "example.org, 127.0.0.1:" + std::to_string(server_.port());
  const auto r = fetch(o, server_.url("/feeds/feed.xml"));
  ASSERT_EQ(r.what, outcome::ok) << r.error;
  EXPECT_EQ(stats()["forward"], 0);
}

TEST_F(FetcherProxy, AProxyThatIsNotThereFailsTheFetchNamingIt) {
  auto o = with_proxy("");
  o.http_proxy = "http://127.0.0.1:1";
  const auto r = fetch(o, server_.url("/feeds/feed.xml"));
  EXPECT_EQ(r.what, outcome::failed);
  EXPECT_EQ(r.error, "fetch: connect to proxy 127.0.0.1:1: Connection refused");
}

// The policy judges the feed's host before anything goes to the proxy; the
// proxy on loopback is allowed because it was configured.
TEST_F(FetcherProxy, ThePrivateAddressPolicyJudgesTheFeedsHostNotTheProxy) {
  auto o = with_proxy();
  o.block_private_addresses = true;
  o.lookup = [](const std::string& host) {
    if (host == "feeds.example.com") return lookup_answer{{"93.184.216.34"}, {}, false};
    if (host == "intranet.example.com") return lookup_answer{{"10.1.2.3"}, {}, false};
    return lookup_answer{{"127.0.0.1"}, {}, false};
  };
  const auto literal = fetch(o, server_.url("/feeds/feed.xml"));
  EXPECT_EQ(literal.what, outcome::failed);
  EXPECT_EQ(literal.error, "fetch: policy: address 127.0.0.1 is not allowed (fetch.block_private_addresses)");
  const auto named = fetch(o, "http://intranet.example.com/feed.xml");
  EXPECT_EQ(named.what, outcome::failed);
  EXPECT_EQ(named.error, "fetch: policy: address 10.1.2.3 is not allowed (fetch.block_private_addresses)");
  EXPECT_EQ(stats()["forward"], 0);

  // A public name goes to the proxy, here sent on to our server.
  fake_proxy relay{fake_proxy::options{"", "127.0.0.1:" + std::to_string(server_.port())}};
  o.http_proxy = "http://127.0.0.1:" + std::to_string(relay.port());
  const auto allowed = fetch(o, "http://feeds.example.com/feeds/feed.xml");
  ASSERT_EQ(allowed.what, outcome::ok) << allowed.error;
  EXPECT_EQ(allowed.body, feed_xml);
  EXPECT_EQ(nlohmann::json::parse(relay.stats())["targets"].at(0), "GET http://feeds.example.com:80/feeds/feed.xml");
}

}  // namespace
}  // namespace feedd::daemon
