#include "test_certificates.hpp"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>

namespace itc::testing {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "TestCertificates: %s failed\n", what);
  std::abort();
}

EVP_PKEY* new_key() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  require(key != nullptr, "EC key generation");
  return key;
}

void write_pem(const std::string& path, X509* cert, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  require(f != nullptr, "opening a PEM file");
  const bool ok = cert ? PEM_write_X509(f, cert) == 1
                       : PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(f);
  require(ok, "writing PEM");
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  require(ext != nullptr && X509_add_ext(cert, ext, -1) == 1, "adding an extension");
  X509_EXTENSION_free(ext);
}

X509* new_cert(const std::string& cn, EVP_PKEY* key, int from_days, int to_days) {
  static long serial = 1;
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert), static_cast<long>(from_days) * 86400);
  X509_gmtime_adj(X509_getm_notAfter(cert), static_cast<long>(to_days) * 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  return cert;
}

}  // namespace

TestCertificates::TestCertificates(std::string dir, std::string name)
    : dir_(std::move(dir)), ca_file_(dir_ + "/" + name + ".pem") {
  ca_key_ = new_key();
  ca_ = new_cert(name, ca_key_, -1, 3650);
  X509_set_issuer_name(ca_, X509_get_subject_name(ca_));
  add_ext(ca_, ca_, NID_basic_constraints, "critical,CA:TRUE");
  add_ext(ca_, ca_, NID_key_usage, "critical,keyCertSign,cRLSign");
  require(X509_sign(ca_, ca_key_, EVP_sha256()) > 0, "signing the CA");
  write_pem(ca_file_, ca_, nullptr);
  write_pem(dir_ + "/" + name + ".key", nullptr, ca_key_);
}

TestCertificates::~TestCertificates() {
  X509_free(ca_);
  EVP_PKEY_free(ca_key_);
}

PemPair TestCertificates::issue(const std::string& name, int from_days, int to_days) {
  EVP_PKEY* key = new_key();
  X509* cert = new_cert(name, key, from_days, to_days);
  X509_set_issuer_name(cert, X509_get_subject_name(ca_));
  add_ext(cert, ca_, NID_basic_constraints, "CA:FALSE");
  add_ext(cert, ca_, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  add_ext(cert, ca_, NID_ext_key_usage, "serverAuth,clientAuth");
  require(X509_sign(cert, ca_key_, EVP_sha256()) > 0, "signing a certificate");
  PemPair out{dir_ + "/" + name + ".pem", dir_ + "/" + name + ".key"};
  write_pem(out.cert_file, cert, nullptr);
  write_pem(out.key_file, nullptr, key);
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

std::string pem_fingerprint(const std::string& cert_file) {
  FILE* f = std::fopen(cert_file.c_str(), "r");
  require(f != nullptr, "opening a certificate");
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  require(cert != nullptr, "reading a certificate");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, EVP_sha256(), md, &len);
  X509_free(cert);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 0xf]);
  }
  return out;
}

}  // namespace itc::testing
