#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace feedd::test {

// What one leaf certificate says (RELIABILITY T1: valid, expired, wrong
// name, self-signed are each one of these).
struct cert_spec {
  std::vector<std::string> dns_names = {"localhost"};
  std::vector<std::string> ip_addresses = {"127.0.0.1"};
  // Validity relative to now; an expired certificate ends in the past.
  std::chrono::seconds not_before = -std::chrono::hours(1);
  std::chrono::seconds not_after = std::chrono::hours(24);
  bool self_signed = false;  // its own issuer, not our CA's
};

// A certificate authority of the test's own, made with OpenSSL's API in
// `dir`: EC P-256 keys, SHA-256 signatures, PEM files. Nothing outside the
// directory trusts it; fetch.ca_file = cert() makes feedd trust it.
class test_ca {
 public:
  struct issued {
    std::filesystem::path cert;
    std::filesystem::path key;
  };

  // Throws std::runtime_error when OpenSSL fails.
  explicit test_ca(std::filesystem::path dir);
  const std::filesystem::path& cert() const { return cert_; }
  // <dir>/<name>.pem and <name>.key.
  issued issue(const std::string& name, const cert_spec& spec) const;

 private:
  std::filesystem::path dir_;
  std::filesystem::path cert_;
  std::filesystem::path key_;
};

}  // namespace feedd::test
