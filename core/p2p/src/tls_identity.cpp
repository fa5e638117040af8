#include "tls_identity.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <memory>

#include "common/openssl_error.hpp"

namespace itc::net {
namespace {

namespace ssl = boost::asio::ssl;

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* c) const { X509_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

// The SSL object's slot for its link's HandshakeCheck.
int check_slot() {
  static const int slot = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return slot;
}

// Ed25519PrivateKey keeps its EVP_PKEY to itself; its PEM form is the one way out, and the
// copy is wiped as soon as OpenSSL has parsed it.
PkeyPtr private_key_of(const crypto::Ed25519PrivateKey& identity) {
  std::string pem = identity.to_pem();
  EVP_PKEY* key = nullptr;
  {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (bio) key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  }
  OPENSSL_cleanse(pem.data(), pem.size());
  return PkeyPtr(key);
}

Result<X509Ptr> self_signed_certificate(EVP_PKEY* key) {
  X509Ptr cert(X509_new());
  std::uint64_t serial = 0;
  if (!cert || RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial) != 1) {
    return Status::Internal("creating the TLS certificate: " + openssl_error());
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  constexpr long kHundredYearsInDays = 36525;
  bool ok = X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
            ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial >> 1) == 1 &&
            X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24 * 3600) != nullptr &&
            X509_time_adj_ex(X509_getm_notAfter(cert.get()), kHundredYearsInDays, 0, nullptr) !=
                nullptr &&
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>("itc-validator"), -1,
                                       -1, 0) == 1 &&
            X509_set_issuer_name(cert.get(), name) == 1 && X509_set_pubkey(cert.get(), key) == 1 &&
            X509_sign(cert.get(), key, nullptr) > 0;  // Ed25519 signs without a digest
  if (!ok) return Status::Internal("creating the TLS certificate: " + openssl_error());
  return cert;
}

std::string key_prefix(std::string_view raw) { return crypto::to_hex(raw.substr(0, 8)) + "..."; }

// Replaces OpenSSL's chain verification: the validator set, not a CA, decides who may link.
int verify_validator_certificate(X509_STORE_CTX* store, void* /*unused*/) {
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* check =
      ssl != nullptr ? static_cast<HandshakeCheck*>(SSL_get_ex_data(ssl, check_slot())) : nullptr;
  auto refuse = [&](std::string why) {
    if (check != nullptr) check->refusal = std::move(why);
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);  // sent as "bad certificate"
    return 0;
  };
  if (check == nullptr || check->validators == nullptr) {
    return refuse("internal error: the link has no handshake check");
  }
  X509* cert = X509_STORE_CTX_get0_cert(store);
  EVP_PKEY* key = cert != nullptr ? X509_get0_pubkey(cert) : nullptr;
  if (key == nullptr) {
    ERR_clear_error();
    return refuse("the peer's certificate has no readable public key");
  }
  if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    const char* type = EVP_PKEY_get0_type_name(key);
    return refuse(std::string("the peer's certificate key is ") +
                  (type ? type : "of unknown type") + ", not Ed25519");
  }
  std::string raw(crypto::kEd25519PublicKeySize, '\0');
  std::size_t len = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &len) != 1 ||
      len != raw.size()) {
    ERR_clear_error();
    return refuse("the peer's Ed25519 key cannot be read");
  }
  if (X509_verify(cert, key) != 1) {
    ERR_clear_error();
    return refuse("the peer's certificate is not signed by its own key");
  }
  const ValidatorKeys& set = *check->validators;
  auto index = set.index_of(raw);
  if (!index) return refuse("the peer's key " + key_prefix(raw) + " is not a validator key");
  if (*index == set.self) return refuse("the peer presented this node's own key");
  if (check->expected && *index != *check->expected) {
    return refuse("the peer presented the key of " + set.describe(*index) + ", not of " +
                  set.describe(*check->expected));
  }
  check->peer = *index;
  return 1;
}

}  // namespace

std::optional<std::uint32_t> ValidatorKeys::index_of(std::string_view key) const {
  for (std::uint32_t i = 0; i < keys.size(); ++i) {
    if (keys[i] == key) return i;
  }
  return std::nullopt;
}

std::string ValidatorKeys::describe(std::uint32_t index) const {
  return "validator " + std::to_string(index) + " (" + names.at(index) + ")";
}

void HandshakeCheck::attach(SSL* ssl) { SSL_set_ex_data(ssl, check_slot(), this); }

Status configure_tls(ssl::context& tls, const crypto::Ed25519PrivateKey& identity) {
  if (!identity.valid()) return Status::InvalidArgument("identity: no Ed25519 key");
  PkeyPtr key = private_key_of(identity);
  if (!key) return Status::Internal("identity key: " + openssl_error());
  auto cert = self_signed_certificate(key.get());
  if (!cert.ok()) return cert.status();

  SSL_CTX* ctx = tls.native_handle();
  bool ok = SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) == 1 &&
            SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) == 1 &&
            SSL_CTX_set1_sigalgs_list(ctx, "ed25519") == 1 &&
            SSL_CTX_set1_client_sigalgs_list(ctx, "ed25519") == 1 &&
            SSL_CTX_set_num_tickets(ctx, 0) == 1 &&
            SSL_CTX_use_certificate(ctx, cert->get()) == 1 &&
            SSL_CTX_use_PrivateKey(ctx, key.get()) == 1 && SSL_CTX_check_private_key(ctx) == 1;
  if (!ok) return Status::Internal("configuring TLS: " + openssl_error());
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  SSL_CTX_set_cert_verify_callback(ctx, verify_validator_certificate, nullptr);
  return Status::Ok();
}

bool refused_by_peer(const boost::system::error_code& ec) {
  if (ec.category() != boost::asio::error::get_ssl_category()) return false;
  switch (ERR_GET_REASON(static_cast<unsigned long>(ec.value()))) {
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
      return true;
    default:
      return false;
  }
}

std::string describe_tls_error(const boost::system::error_code& ec, const HandshakeCheck& check) {
  namespace asio = boost::asio;
  if (!check.refusal.empty()) return check.refusal;
  if (ec == asio::error::operation_aborted) return "cancelled";
  if (ec == asio::ssl::error::stream_truncated || ec == asio::error::eof) {
    return "the peer closed the connection during the TLS handshake";
  }
  if (ec.category() != asio::error::get_ssl_category()) return ec.message();
  std::string text = ec.message();
  if (refused_by_peer(ec)) return "the peer refused this node's certificate (" + text + ")";
  switch (ERR_GET_REASON(static_cast<unsigned long>(ec.value()))) {
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_VERSION_TOO_LOW:
    case SSL_R_HTTP_REQUEST:
      return "not TLS 1.3 (" + text + ")";
    default:
      return "TLS handshake failed: " + text;
  }
}

std::string describe_session(SSL* ssl) {
  std::string out = SSL_get_version(ssl);
  if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl)) {
    out += std::string(" ") + SSL_CIPHER_get_name(cipher);
  }
  int nid = NID_undef;
  if (SSL_get_peer_signature_type_nid(ssl, &nid) == 1) {
    out += std::string(", peer signature ") + OBJ_nid2sn(nid);
  }
  return out;
}

}  // namespace itc::net
