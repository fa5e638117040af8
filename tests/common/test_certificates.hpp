// TestCertificates: a certificate authority made in a test with OpenSSL, and certificates
// it signs for 127.0.0.1 (server) or a client, written as PEM files, as an operator's PKI
// would hand them to a node. Not thread-safe; files go to the directory given.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace itc::testing {

struct PemPair {
  std::string cert_file;
  std::string key_file;
};

class TestCertificates {
 public:
  // A self-signed CA named `name`, written to `dir`/`name`.pem (and .key).
  TestCertificates(std::string dir, std::string name);
  ~TestCertificates();
  TestCertificates(const TestCertificates&) = delete;
  TestCertificates& operator=(const TestCertificates&) = delete;

  const std::string& ca_file() const { return ca_file_; }

  // A certificate for `name` (CN; SAN IP 127.0.0.1 and DNS localhost) valid from
  // `from_days` to `to_days` relative to now (to_days < 0: already expired), signed by this
  // CA, with a fresh P-256 key: `dir`/`name`.pem and `dir`/`name`.key. Aborts the test
  // process on an OpenSSL failure (a broken test set-up, not a result).
  PemPair issue(const std::string& name, int from_days = -1, int to_days = 365);

 private:
  std::string dir_;
  std::string ca_file_;
  EVP_PKEY* ca_key_ = nullptr;
  X509* ca_ = nullptr;
};

// The SHA-256 fingerprint of the certificate in a PEM file, 64 lowercase hex digits.
std::string pem_fingerprint(const std::string& cert_file);

}  // namespace itc::testing
