// The crypto port: the only two primitives libitc-light needs, SHA-256 (incremental) and
// Ed25519 verification. This build uses OpenSSL's libcrypto (EVP); a microcontroller
// port replaces crypto_port.cpp alone (e.g. with a fixed-memory SHA-256 and Ed25519).
// Thread safety: a Sha256 object belongs to one caller; ed25519_verify is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace itc::light::port {

class Sha256 {
 public:
  Sha256();   // begins a hash
  ~Sha256();  // releases what the backend holds
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const std::uint8_t* data, std::size_t size);
  void update_byte(std::uint8_t b) { update(&b, 1); }
  // Writes the 32-byte digest; false if the backend failed (then out is unspecified).
  bool finish(std::uint8_t out[32]);

 private:
  void* ctx_;  // the backend's context (OpenSSL: EVP_MD_CTX)
  bool failed_;
};

// True iff `signature` (64 bytes) is `public_key`'s (32 bytes) Ed25519 signature of
// message.
bool ed25519_verify(const std::uint8_t public_key[32], const std::uint8_t* message,
                    std::size_t size, const std::uint8_t signature[64]);

}  // namespace itc::light::port
