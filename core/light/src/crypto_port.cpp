// The crypto port on OpenSSL's libcrypto (see crypto_port.hpp). libcrypto allocates its
// contexts on the heap; those are the only allocations under libitc-light on the host.
// The firmware build uses crypto_port_wolfcrypt.cpp instead, which allocates nothing.
#include "crypto_port.hpp"

#include <openssl/evp.h>

#include <new>

namespace itc::light::port {
namespace {

// The EVP_MD_CTX pointer kept at the start of Sha256's context bytes.
using ContextPointer = EVP_MD_CTX*;
static_assert(sizeof(ContextPointer) <= Sha256::kContextBytes);

EVP_MD_CTX* context_of(std::uint8_t* storage) {
  return *std::launder(reinterpret_cast<ContextPointer*>(storage));
}

}  // namespace

Sha256::Sha256() : ctx_{}, failed_(false) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  new (ctx_) ContextPointer(ctx);
  failed_ = ctx == nullptr || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1;
}

Sha256::~Sha256() { EVP_MD_CTX_free(context_of(ctx_)); }

void Sha256::update(const std::uint8_t* data, std::size_t size) {
  if (failed_ || size == 0) return;
  failed_ = EVP_DigestUpdate(context_of(ctx_), data, size) != 1;
}

bool Sha256::finish(std::uint8_t out[32]) {
  unsigned int len = 0;
  if (failed_ || EVP_DigestFinal_ex(context_of(ctx_), out, &len) != 1) return false;
  failed_ = true;  // finished: no more updates
  return len == 32;
}

bool ed25519_verify(const std::uint8_t public_key[32], const std::uint8_t* message,
                    std::size_t size, const std::uint8_t signature[64]) {
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key, 32);
  if (key == nullptr) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx != nullptr && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, signature, 64, message, size) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return ok;
}

}  // namespace itc::light::port
