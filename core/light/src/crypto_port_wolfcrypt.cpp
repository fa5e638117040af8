// The crypto port on wolfCrypt (wolfSSL's crypto for microcontrollers), used by the
// firmware build (core/light/firmware): SHA-256 with its context inside the Sha256
// object, Ed25519 verification with the key on the stack. wolfCrypt is configured there
// (user_settings.h) so that any allocation it tried would fail and be counted: these two
// operations allocate nothing.
#include <wolfssl/wolfcrypt/ed25519.h>
#include <wolfssl/wolfcrypt/sha256.h>

#include <new>

#include "crypto_port.hpp"

namespace itc::light::port {
namespace {

static_assert(sizeof(wc_Sha256) <= Sha256::kContextBytes, "raise Sha256::kContextBytes");
static_assert(alignof(wc_Sha256) <= 8, "Sha256::ctx_ is 8-aligned");

wc_Sha256* context_of(std::uint8_t* storage) {
  return std::launder(reinterpret_cast<wc_Sha256*>(storage));
}

}  // namespace

Sha256::Sha256() : ctx_{}, failed_(false) {
  auto* sha = new (ctx_) wc_Sha256;
  failed_ = wc_InitSha256(sha) != 0;
}

Sha256::~Sha256() { wc_Sha256Free(context_of(ctx_)); }

void Sha256::update(const std::uint8_t* data, std::size_t size) {
  if (failed_ || size == 0) return;
  failed_ = wc_Sha256Update(context_of(ctx_), data, static_cast<word32>(size)) != 0;
}

bool Sha256::finish(std::uint8_t out[32]) {
  if (failed_ || wc_Sha256Final(context_of(ctx_), out) != 0) return false;
  failed_ = true;  // finished: no more updates
  return true;
}

bool ed25519_verify(const std::uint8_t public_key[32], const std::uint8_t* message,
                    std::size_t size, const std::uint8_t signature[64]) {
  ed25519_key key;
  if (wc_ed25519_init(&key) != 0) return false;
  int verified = 0;
  const bool ok = wc_ed25519_import_public(public_key, ED25519_PUB_KEY_SIZE, &key) == 0 &&
                  wc_ed25519_verify_msg(signature, ED25519_SIG_SIZE, message,
                                        static_cast<word32>(size), &verified, &key) == 0 &&
                  verified == 1;
  wc_ed25519_free(&key);
  return ok;
}

}  // namespace itc::light::port
