// RELIABILITY T1-T3 through the real daemon: our own CA and certificates,
// HTTPS feeds served on 127.0.0.1, `feedd run --once`, and what each feed's
// row and the log say afterwards.
#include <chrono>
#include <list>
#include <optional>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon_harness.hpp"
#include "support/fake_server.hpp"
#include "support/test_pki.hpp"

namespace feedd::test {
namespace {

using namespace std::chrono_literals;

const std::string feed_xml =
    "<rss version=\"2.0\"><channel><title>TLS</title><item><guid>tls-1</guid><title>one</title></item>"
    "</channel></rss>\n";

// Accepts TCP connections (the kernel does, from the backlog) and never
// says a word: a server that does not speak TLS (RELIABILITY T2).
class silent_listener {
 public:
  silent_listener() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("silent_listener: cannot listen");
    }
    port_ = ntohs(address.sin_port);
  }
  silent_listener(const silent_listener&) = delete;
  silent_listener& operator=(const silent_listener&) = delete;
  ~silent_listener() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

class TlsEndToEnd : public ::testing::Test {
 protected:
  TlsEndToEnd() { write_file(root_.path() / "feed.xml", feed_xml); }

  fake_server& serve(const test_ca::issued& leaf, bool legacy_only = false, const std::string& sni = {}) {
    fake_server::options o{root_.path(), leaf.cert, leaf.key, {}};
    o.tls_legacy_only = legacy_only;
    o.require_sni = sni;
    return servers_.emplace_back(o);
  }

  static std::string at(const std::string& host, int port) {
    return "https://" + host + ":" + std::to_string(port) + "/feeds/feed.xml";
  }

  std::string last_error(const std::string& url) {
    return harness_.db().scalar("SELECT coalesce(last_error, '') FROM feeds WHERE url = '" + url + "'");
  }
  int entries(const std::string& url) {
    return std::stoi(harness_.db().scalar(
        "SELECT count(*) FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE f.url = '" + url + "'"));
  }

  run_result run_once() {
    auto r = harness_.feedd({"run", "--once"}, 60s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r;
  }

  daemon_harness harness_{"tls"};
  temp_dir root_;
  temp_dir certs_;
  test_ca ca_{certs_.path()};
  std::list<fake_server> servers_;
};

// T1: a feed with a certificate of our CA is stored once fetch.ca_file names
// the CA; expired, wrong-name and self-signed certificates, and a server
// that speaks nothing newer than TLS 1.1, each fail saying which.
TEST_F(TlsEndToEnd, EachCertificateProblemFailsItsFeedSayingWhich) {
  const auto good = at("127.0.0.1", serve(ca_.issue("good", {})).port());
  cert_spec expired_spec;
  expired_spec.not_before = -48h;
  expired_spec.not_after = -24h;
  const auto expired = at("localhost", serve(ca_.issue("expired", expired_spec)).port());
  cert_spec other_name;
  other_name.dns_names = {"feeds.example.org"};
  other_name.ip_addresses = {"192.0.2.7"};
  auto& wrong_server = serve(ca_.issue("wrong", other_name));
  const auto wrong_name = at("localhost", wrong_server.port());
  const auto wrong_address = at("127.0.0.1", wrong_server.port());
  cert_spec self_spec;
  self_spec.self_signed = true;
  const auto self_signed = at("localhost", serve(ca_.issue("self", self_spec)).port());
  const auto legacy = at("localhost", serve(ca_.issue("legacy", {}), true).port());
  harness_.write_config("  ca_file: \"" + ca_.cert().string() + "\"\n  timeout: 5s\n");
  harness_.add_feeds({good, expired, wrong_name, wrong_address, self_signed, legacy});

  const auto r = run_once();
  EXPECT_EQ(entries(good), 1) << last_error(good);
  EXPECT_EQ(last_error(good), "");
  const std::string verify = "fetch: tls: certificate verify failed: ";
  EXPECT_EQ(last_error(expired), verify + "certificate has expired");
  EXPECT_EQ(last_error(wrong_name), verify + "hostname mismatch");
  EXPECT_EQ(last_error(wrong_address), verify + "IP address mismatch");
  EXPECT_EQ(last_error(self_signed), verify + "self-signed certificate");
  // Our hello offers nothing below TLS 1.2, so the server gives up before
  // any certificate is sent: its alert names the version.
  EXPECT_EQ(last_error(legacy), "fetch: tls: tlsv1 alert protocol version (SSL routines)");
  for (const auto& url : {expired, wrong_name, wrong_address, self_signed, legacy}) EXPECT_EQ(entries(url), 0) << url;
  EXPECT_NE(r.err.find("error=\"" + verify + "certificate has expired\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("event=stopped fetched=1 not_modified=0 failed=5"), std::string::npos) << r.err;
}

// T1: fetch.ca_file is what makes our CA trusted; the system store alone
// does not know it.
TEST_F(TlsEndToEnd, WithoutCaFileACertificateOfAnUnknownCaIsRefused) {
  const auto good = at("localhost", serve(ca_.issue("good", {})).port());
  harness_.add_feeds({good});
  run_once();
  EXPECT_EQ(entries(good), 0);
  EXPECT_EQ(last_error(good), "fetch: tls: certificate verify failed: unable to get local issuer certificate");
}

// T2: the handshake waits no longer than what is left of fetch.timeout.
TEST_F(TlsEndToEnd, AListenerThatNeverSpeaksTlsFailsAtTheRequestDeadline) {
  silent_listener silent;
  const auto url = at("127.0.0.1", silent.port());
  harness_.write_config("  timeout: 2s\n");
  harness_.add_feeds({url});
  const auto started = std::chrono::steady_clock::now();
  run_once();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 15s);
  EXPECT_EQ(last_error(url), "fetch: tls: timed out after 2s");
}

// T3: a server that refuses a handshake without its name serves us when the
// feed's URL names the host, and refuses us for an address literal, for
// which no SNI is sent (RFC 6066 3).
TEST_F(TlsEndToEnd, SniIsSentForHostNamesAndNotForAddressLiterals) {
  const auto& server = serve(ca_.issue("sni", {}), false, "localhost");
  const auto by_name = at("localhost", server.port());
  const auto by_address = at("127.0.0.1", server.port());
  harness_.write_config("  ca_file: \"" + ca_.cert().string() + "\"\n");
  harness_.add_feeds({by_name, by_address});
  run_once();
  EXPECT_EQ(entries(by_name), 1) << last_error(by_name);
  EXPECT_EQ(entries(by_address), 0);
  EXPECT_NE(last_error(by_address).find("unrecognized name"), std::string::npos) << last_error(by_address);
}

}  // namespace
}  // namespace feedd::test
