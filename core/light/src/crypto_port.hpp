// The crypto port: the only two primitives libitc-light needs, SHA-256 (incremental) and
// Ed25519 verification. Two backends, chosen at build time: crypto_port.cpp on OpenSSL's
// libcrypto (EVP) for the host, crypto_port_wolfcrypt.cpp on wolfCrypt for the
// microcontroller firmware (core/light/firmware: no heap, the context lives in the object).
// Thread safety: a Sha256 object belongs to one caller; ed25519_verify is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace itc::light::port {

class Sha256 {
 public:
  // Room for the backend's context inside the object (wolfCrypt's wc_Sha256; OpenSSL keeps
  // a pointer to its EVP_MD_CTX here): a Sha256 on the stack needs no heap of its own.
  static constexpr std::size_t kContextBytes = 128;

  Sha256();   // begins a hash
  ~Sha256();  // releases what the backend holds
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const std::uint8_t* data, std::size_t size);
  void update_byte(std::uint8_t b) { update(&b, 1); }
  // Writes the 32-byte digest; false if the backend failed (then out is unspecified).
  bool finish(std::uint8_t out[32]);

 private:
  alignas(8) std::uint8_t ctx_[kContextBytes];  // the backend's context (see kContextBytes)
  bool failed_;
};

// True iff `signature` (64 bytes) is `public_key`'s (32 bytes) Ed25519 signature of
// message.
bool ed25519_verify(const std::uint8_t public_key[32], const std::uint8_t* message,
                    std::size_t size, const std::uint8_t signature[64]);

}  // namespace itc::light::port
