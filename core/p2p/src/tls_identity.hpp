// TLS for validator links: each node presents an in-memory self-signed X.509 certificate
// over its Ed25519 identity key, and accepts a peer only if the certificate's key is a
// validator key of the set (and, when dialling, exactly the key of the validator dialled).
// There is no CA: the validator set is the trust anchor, so the chain, names and validity
// dates are not checked (nodes' clocks need not agree); TLS 1.3's CertificateVerify proves
// the peer holds the private key.
//
// Thread safety: configure_tls() once before any link; the context is then shared by all
// links. A HandshakeCheck belongs to one link.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "itc/crypto.hpp"
#include "itc/status.hpp"

namespace itc::net {

// The validator set as the handshake sees it.
struct ValidatorKeys {
  std::vector<std::string> names;
  std::vector<std::string> keys;  // raw 32-byte Ed25519 public keys
  std::uint32_t self = 0;

  std::optional<std::uint32_t> index_of(std::string_view key) const;
  // "validator 2 (C)"
  std::string describe(std::uint32_t index) const;
};

// What one handshake must prove, and what it learned. Attached to the link's SSL object
// with attach(); the certificate check fills `peer` or `refusal`.
struct HandshakeCheck {
  const ValidatorKeys* validators = nullptr;
  std::optional<std::uint32_t> expected;  // dialling: the validator we dialled
  std::optional<std::uint32_t> peer;      // the validator whose key the peer proved
  std::string refusal;                    // why the peer's certificate was refused

  void attach(SSL* ssl);
};

// TLS 1.3 only, Ed25519 signatures only, a certificate required from both sides, no
// session resumption (every link proves its key afresh). The private key reaches OpenSSL
// through its PEM form, which is wiped from memory afterwards.
Status configure_tls(boost::asio::ssl::context& tls, const crypto::Ed25519PrivateKey& identity);

// Why a handshake failed, for logs and PeerStats::last_error: the certificate check's
// refusal if there was one, else the TLS error in words ("not TLS 1.3 (...)", "the peer
// refused this node's certificate (...)", ...).
std::string describe_tls_error(const boost::system::error_code& ec, const HandshakeCheck& check);

// True if `ec` is the peer's TLS alert refusing this node's certificate.
bool refused_by_peer(const boost::system::error_code& ec);

// "TLSv1.3 TLS_AES_256_GCM_SHA384, peer signature ed25519", for the link-up log line.
std::string describe_session(SSL* ssl);

}  // namespace itc::net
