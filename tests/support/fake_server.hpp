#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

#include "support/process.hpp"

namespace feedd::test {

// tests/support/fakefeed.py on 127.0.0.1 (or options.bind) for the lifetime of the object
// (SIGTERM, then SIGKILL by the process guard). See that file for the modes.
class fake_server {
 public:
  struct options {
    // Not an aggregate, so that {root, cert, key, log[, bind]} leaves the
    // later members to their defaults without a warning.
    options(std::filesystem::path root_dir = {}, std::filesystem::path cert = {}, std::filesystem::path key = {},
            std::filesystem::path log_file = {}, std::string bind_address = "127.0.0.1")
        : root(std::move(root_dir)),
          tls_cert(std::move(cert)),
          tls_key(std::move(key)),
          log(std::move(log_file)),
          bind(std::move(bind_address)) {}
    std::filesystem::path root;      // served under /feeds/
    std::filesystem::path tls_cert;  // HTTPS when set (PEM)
    std::filesystem::path tls_key;
    std::filesystem::path log;       // one JSON line per request when set
    // The IPv4 loopback address to listen on: 127.0.0.2, 127.0.0.3, ... are
    // hosts of their own to feedd (its host key is address and port).
    std::string bind;
    bool tls_legacy_only = false;    // TLS 1.0 and 1.1 only
    std::string require_sni;         // refuse handshakes without this server name
  };

  // Throws std::runtime_error when the server does not come up within 10 s.
  fake_server();
  explicit fake_server(const options& opts);
  fake_server(const fake_server&) = delete;
  fake_server& operator=(const fake_server&) = delete;
  ~fake_server();

  std::uint16_t port() const { return port_; }
  // "http://<bind>:<port><path>" (https when TLS is on).
  std::string url(std::string_view path) const;
  // Body of a plain HTTP/1.0 GET, independent of the code under test; for
  // /hits and /headers on a server without TLS. Empty on failure.
  std::string get(std::string_view path) const;

 private:
  temp_dir dir_;
  bool tls_ = false;
  std::string bind_;
  std::uint16_t port_ = 0;
  process server_;
};

// Body of a plain HTTP/1.0 GET of `path` from host:port (an IPv4 loopback
// address), bounded by 5 s socket timeouts; empty on failure.
std::string loopback_get(std::uint16_t port, std::string_view path, const std::string& host = "127.0.0.1");

// tests/support/fakeproxy.py on 127.0.0.1 (see that file): counts CONNECT
// tunnels and absolute-form requests, checks Proxy-Authorization.
class fake_proxy {
 public:
  struct options {
    std::string auth;      // "user:pass": 407 without it
    std::string upstream;  // "127.0.0.1:port": every target goes there
  };
  explicit fake_proxy(const options& opts);
  fake_proxy(const fake_proxy&) = delete;
  fake_proxy& operator=(const fake_proxy&) = delete;
  ~fake_proxy();

  std::uint16_t port() const { return port_; }
  // The JSON of GET /stats: connect, forward, refused, targets, authorizations.
  std::string stats() const { return loopback_get(port_, "/stats"); }

 private:
  temp_dir dir_;
  std::uint16_t port_ = 0;
  process server_;
};

}  // namespace feedd::test
