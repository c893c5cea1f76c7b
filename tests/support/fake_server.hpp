#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "support/process.hpp"

namespace feedd::test {

// tests/support/fakefeed.py on 127.0.0.1 (or options.bind) for the lifetime of the object
// (SIGTERM, then SIGKILL by the process guard). See that file for the modes.
class fake_server {
 public:
  struct options {
    std::filesystem::path root;      // served under /feeds/
    std::filesystem::path tls_cert;  // HTTPS when set (PEM)
    std::filesystem::path tls_key;
    std::filesystem::path log;       // one JSON line per request when set
    // The IPv4 loopback address to listen on: 127.0.0.2, 127.0.0.3, ... are
    // hosts of their own to feedd (its host key is address and port).
    std::string bind = "127.0.0.1";
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

}  // namespace feedd::test
