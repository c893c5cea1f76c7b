// Proxies through the real daemon: HTTP_PROXY / HTTPS_PROXY from the
// environment, fetch.proxy winning over them, and the proxy's password
// kept out of everything the daemon writes.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon_harness.hpp"
#include "support/fake_server.hpp"
#include "support/paths.hpp"
#include "support/test_pki.hpp"

namespace feedd::test {
namespace {

using namespace std::chrono_literals;

const std::string feed_xml =
    "<rss version=\"2.0\"><channel><title>Proxied</title><item><guid>p-1</guid><title>one</title></item>"
    "</channel></rss>\n";

class ProxyEndToEnd : public ::testing::Test {
 protected:
  ProxyEndToEnd() { write_file(root_.path() / "feed.xml", feed_xml); }

  std::string proxy_url(const fake_proxy& proxy) const {
    return "http://feedd:s3cret@127.0.0.1:" + std::to_string(proxy.port());
  }

  run_result run_once(const std::map<std::string, std::string>& env) {
    const std::vector<std::string> argv = {feedd_binary().string(), "--config", harness_.config_path().string(),
                                           "run", "--once"};
    auto r = run(argv, 60s, env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r;
  }

  int entries() { return std::stoi(harness_.db().scalar("SELECT count(*) FROM entries")); }
  std::string errors() { return harness_.db().scalar("SELECT string_agg(coalesce(last_error, ''), ';') FROM feeds"); }

  daemon_harness harness_{"proxy"};
  temp_dir root_;
  temp_dir certs_;
  test_ca ca_{certs_.path()};
  test_ca::issued leaf_ = ca_.issue("localhost", {});
  fake_server plain_{fake_server::options{root_.path(), {}, {}, {}}};
  fake_server tls_{fake_server::options{root_.path(), leaf_.cert, leaf_.key, {}}};
  fake_proxy proxy_{fake_proxy::options{"feedd:s3cret", {}}};
};

TEST_F(ProxyEndToEnd, FeedsGoThroughTheEnvironmentsProxyAndItsPasswordIsNeverWritten) {
  const std::string https = "https://localhost:" + std::to_string(tls_.port()) + "/feeds/feed.xml";
  harness_.write_config("  ca_file: \"" + ca_.cert().string() + "\"\n");
  harness_.add_feeds({plain_.url("/feeds/feed.xml"), https});
  const auto r = run_once({{"http_proxy", proxy_url(proxy_)}, {"HTTPS_PROXY", proxy_url(proxy_)},
                           {"NO_PROXY", "example.org"}});
  EXPECT_EQ(entries(), 2) << errors();
  const auto stats = nlohmann::json::parse(proxy_.stats());
  EXPECT_EQ(stats["forward"], 1);
  EXPECT_EQ(stats["connect"], 1);
  EXPECT_EQ(stats["refused"], 0);
  const std::string masked = "http://***@127.0.0.1:" + std::to_string(proxy_.port());
  EXPECT_NE(r.err.find("event=proxy http=" + masked + " https=" + masked + " no_proxy=example.org from=environment"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
}

TEST_F(ProxyEndToEnd, FetchProxyWinsOverTheEnvironment) {
  fake_proxy configured{fake_proxy::options{"feedd:s3cret", {}}};
  harness_.write_config("  proxy: \"" + proxy_url(configured) + "\"\n");
  harness_.add_feeds({plain_.url("/feeds/feed.xml")});
  const auto r = run_once({{"http_proxy", proxy_url(proxy_)}});
  EXPECT_EQ(entries(), 1) << errors();
  EXPECT_EQ(nlohmann::json::parse(configured.stats())["forward"], 1);
  EXPECT_EQ(nlohmann::json::parse(proxy_.stats())["forward"], 0);
  EXPECT_NE(r.err.find("from=fetch.proxy"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
}

TEST_F(ProxyEndToEnd, ARefusedPasswordFailsTheFeedWithoutShowingIt) {
  const std::string https = "https://localhost:" + std::to_string(tls_.port()) + "/feeds/feed.xml";
  harness_.write_config("  ca_file: \"" + ca_.cert().string() + "\"\n  proxy: \"http://feedd:wrong-s3cret@127.0.0.1:" +
                        std::to_string(proxy_.port()) + "\"\n");
  harness_.add_feeds({https});
  const auto r = run_once({});
  EXPECT_EQ(entries(), 0);
  EXPECT_EQ(errors(), "fetch: proxy: CONNECT localhost:" + std::to_string(tls_.port()) +
                          " answered 407 Proxy Authentication Required (proxy 127.0.0.1:" +
                          std::to_string(proxy_.port()) + ")");
  EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
  const auto check = harness_.feedd({"check-config"});
  EXPECT_EQ((check.out + check.err).find("s3cret"), std::string::npos) << check.out << check.err;
}

}  // namespace
}  // namespace feedd::test
