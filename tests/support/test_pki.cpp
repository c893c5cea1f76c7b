#include "test_pki.hpp"

#include <cstdio>
#include <ctime>
#include <memory>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace feedd::test {
namespace {

using key_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using cert_ptr = std::unique_ptr<X509, decltype(&X509_free)>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test_pki: ") + what);
}

key_ptr new_key() {
  key_ptr key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  check(key != nullptr, "EC key generation failed");
  return key;
}

key_ptr read_key(const std::filesystem::path& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  check(f != nullptr, "cannot open the CA key");
  key_ptr key(PEM_read_PrivateKey(f, nullptr, nullptr, nullptr), &EVP_PKEY_free);
  std::fclose(f);
  check(key != nullptr, "cannot read the CA key");
  return key;
}

cert_ptr read_cert(const std::filesystem::path& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  check(f != nullptr, "cannot open the CA certificate");
  cert_ptr cert(PEM_read_X509(f, nullptr, nullptr, nullptr), &X509_free);
  std::fclose(f);
  check(cert != nullptr, "cannot read the CA certificate");
  return cert;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  check(ext != nullptr, "bad extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A certificate for `key` named `common_name`, issued by `issuer` (itself
// when that is null); signed afterwards, once its extensions are in.
cert_ptr make_cert(EVP_PKEY* key, const std::string& common_name, X509* issuer, std::chrono::seconds not_before,
                   std::chrono::seconds not_after) {
  static long serial = 1;
  cert_ptr cert(X509_new(), &X509_free);
  check(cert != nullptr, "X509_new failed");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), ++serial + std::time(nullptr));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(not_before.count()));
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(not_after.count()));
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  return cert;
}

void sign(X509* cert, EVP_PKEY* key) { check(X509_sign(cert, key, EVP_sha256()) > 0, "signing failed"); }

void write_pem(const std::filesystem::path& cert_path, X509* cert, const std::filesystem::path& key_path,
               EVP_PKEY* key) {
  FILE* c = std::fopen(cert_path.c_str(), "w");
  check(c != nullptr, "cannot write a certificate");
  const bool cert_ok = PEM_write_X509(c, cert) == 1;
  std::fclose(c);
  FILE* k = std::fopen(key_path.c_str(), "w");
  check(k != nullptr, "cannot write a key");
  const bool key_ok = PEM_write_PrivateKey(k, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(k);
  check(cert_ok && key_ok, "PEM output failed");
}

std::string subject_alt_names(const cert_spec& spec) {
  std::string out;
  for (const auto& n : spec.dns_names) out += (out.empty() ? "" : ",") + std::string("DNS:") + n;
  for (const auto& a : spec.ip_addresses) out += (out.empty() ? "" : ",") + std::string("IP:") + a;
  return out;
}

}  // namespace

test_ca::test_ca(std::filesystem::path dir)
    : dir_(std::move(dir)), cert_(dir_ / "ca.pem"), key_(dir_ / "ca.key") {
  auto key = new_key();
  auto cert = make_cert(key.get(), "feedd test CA", nullptr, -std::chrono::hours(1),
                        std::chrono::hours(24 * 30));
  add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  sign(cert.get(), key.get());
  write_pem(cert_, cert.get(), key_, key.get());
}

test_ca::issued test_ca::issue(const std::string& name, const cert_spec& spec) const {
  auto key = new_key();
  const std::string common_name = spec.dns_names.empty() ? name : spec.dns_names.front();
  cert_ptr issuer = spec.self_signed ? cert_ptr(nullptr, &X509_free) : read_cert(cert_);
  key_ptr issuer_key = spec.self_signed ? key_ptr(nullptr, &EVP_PKEY_free) : read_key(key_);
  auto cert = make_cert(key.get(), common_name, issuer.get(), spec.not_before, spec.not_after);
  X509* signer = spec.self_signed ? cert.get() : issuer.get();
  add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
  const auto names = subject_alt_names(spec);
  if (!names.empty()) add_extension(cert.get(), signer, NID_subject_alt_name, names);
  sign(cert.get(), spec.self_signed ? key.get() : issuer_key.get());
  const issued out{dir_ / (name + ".pem"), dir_ / (name + ".key")};
  write_pem(out.cert, cert.get(), out.key, key.get());
  return out;
}

}  // namespace feedd::test
