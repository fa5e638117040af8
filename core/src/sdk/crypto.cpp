// SHA-256 and Ed25519 on OpenSSL 3 (EVP). See itc/crypto.hpp for the contracts.
#include "itc/crypto.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/openssl_error.hpp"
#include "itc/file_io.hpp"

namespace itc::crypto {
namespace {

// The SHA-256 implementation, fetched once: EVP_sha256() would fetch it on every call.
const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

// ---- SHA-256 -------------------------------------------------------------------------

std::string sha256(std::string_view data) {
  std::string out(kSha256Size, '\0');
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len,
             sha256_md(), nullptr);
  return out;
}

struct Sha256::Impl {
  MdCtxPtr ctx{EVP_MD_CTX_new()};
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  EVP_DigestInit_ex(impl_->ctx.get(), sha256_md(), nullptr);
}
Sha256::~Sha256() = default;

void Sha256::update(std::string_view data) {
  EVP_DigestUpdate(impl_->ctx.get(), data.data(), data.size());
}

std::string Sha256::finish() {
  std::string out(kSha256Size, '\0');
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len);
  return out;
}

// ---- Hex -----------------------------------------------------------------------------

std::string to_hex(std::string_view data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(data.size() * 2, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) {
    auto b = static_cast<unsigned char>(data[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 0x0f];
  }
  return out;
}

Result<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return Status::InvalidArgument("hex string has odd length " + std::to_string(hex.size()));
  }
  std::string out(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_value(hex[i]);
    int lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      std::size_t bad = hi < 0 ? i : i + 1;
      return Status::InvalidArgument("hex string has a non-hex character '" +
                                     std::string(1, hex[bad]) + "' at position " +
                                     std::to_string(bad));
    }
    out[i / 2] = static_cast<char>((hi << 4) | lo);
  }
  return out;
}

// ---- Ed25519 private key -------------------------------------------------------------

// Immutable after construction, so copies of the key share it.
struct Ed25519PrivateKey::Impl {
  PkeyPtr pkey;
  std::string public_key;  // cached raw 32 bytes
};

namespace {

struct CheckedPrivateKey {
  PkeyPtr pkey;
  std::string public_key;
};

// Takes ownership of `raw` and checks it is an Ed25519 private key; `what` names the source.
Result<CheckedPrivateKey> check_private(EVP_PKEY* raw, std::string_view what) {
  CheckedPrivateKey out{PkeyPtr(raw), std::string(kEd25519PublicKeySize, '\0')};
  if (!out.pkey) return Status::InvalidArgument(std::string(what) + ": " + openssl_error());
  if (EVP_PKEY_get_id(out.pkey.get()) != EVP_PKEY_ED25519) {
    return Status::InvalidArgument(std::string(what) + ": not an Ed25519 key (type " +
                                   EVP_PKEY_get0_type_name(out.pkey.get()) + ")");
  }
  std::size_t len = kEd25519PublicKeySize;
  if (EVP_PKEY_get_raw_public_key(
          out.pkey.get(), reinterpret_cast<unsigned char*>(out.public_key.data()), &len) != 1 ||
      len != kEd25519PublicKeySize) {
    return Status::Internal(std::string(what) + ": cannot read the public key: " + openssl_error());
  }
  return out;
}

}  // namespace

Ed25519PrivateKey::Ed25519PrivateKey() = default;
Ed25519PrivateKey::~Ed25519PrivateKey() = default;
Ed25519PrivateKey::Ed25519PrivateKey(Ed25519PrivateKey&&) noexcept = default;
Ed25519PrivateKey& Ed25519PrivateKey::operator=(Ed25519PrivateKey&&) noexcept = default;
Ed25519PrivateKey::Ed25519PrivateKey(const Ed25519PrivateKey&) = default;
Ed25519PrivateKey& Ed25519PrivateKey::operator=(const Ed25519PrivateKey&) = default;

// Builds a key object from a checked EVP_PKEY (a static member, so it may set impl_).
#define ITC_RETURN_KEY(checked)                               \
  do {                                                        \
    if (!(checked).ok()) return (checked).status();           \
    Ed25519PrivateKey key;                                    \
    key.impl_ = std::make_shared<Impl>();                     \
    key.impl_->pkey = std::move((checked)->pkey);             \
    key.impl_->public_key = std::move((checked)->public_key); \
    return key;                                               \
  } while (0)

Result<Ed25519PrivateKey> Ed25519PrivateKey::generate() {
  auto checked =
      check_private(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), "generating an Ed25519 key");
  ITC_RETURN_KEY(checked);
}

Result<Ed25519PrivateKey> Ed25519PrivateKey::from_seed(std::string_view seed) {
  if (seed.size() != 32) {
    return Status::InvalidArgument("Ed25519 seed must be 32 bytes, got " +
                                   std::to_string(seed.size()));
  }
  auto checked = check_private(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes(seed), seed.size()),
      "Ed25519 key from seed");
  ITC_RETURN_KEY(checked);
}

Result<Ed25519PrivateKey> Ed25519PrivateKey::from_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Status::Internal("BIO_new_mem_buf failed");
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (raw == nullptr) {
    ERR_clear_error();
    return Status::InvalidArgument(
        "not a PEM private key (expected \"-----BEGIN PRIVATE KEY-----\")");
  }
  auto checked = check_private(raw, "PEM private key");
  ITC_RETURN_KEY(checked);
}

Result<Ed25519PrivateKey> Ed25519PrivateKey::load_pem_file(const std::string& path) {
  auto text = read_file(path);
  if (!text.ok()) return text.status();
  auto key = from_pem(*text);
  if (!key.ok()) return key.status().WithContext("key file " + path);
  return key;
}

#undef ITC_RETURN_KEY

bool Ed25519PrivateKey::valid() const { return impl_ && impl_->pkey; }

std::string Ed25519PrivateKey::to_pem() const {
  if (!valid()) return {};
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    ERR_clear_error();
    return {};
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

Status Ed25519PrivateKey::save_pem_file(const std::string& path) const {
  if (!valid()) return Status::FailedPrecondition("cannot save an empty key to " + path);
  std::string pem = to_pem();
  if (pem.empty()) return Status::Internal("cannot encode the key as PEM: " + openssl_error());
  return write_file_atomically(path, pem, 0600);
}

std::string Ed25519PrivateKey::public_key() const { return valid() ? impl_->public_key : ""; }

std::string Ed25519PrivateKey::sign(std::string_view message) const {
  if (!valid()) return {};
  // One context per thread, reused: sign() may run on many threads with one key.
  thread_local MdCtxPtr ctx{EVP_MD_CTX_new()};
  std::string sig(kEd25519SignatureSize, '\0');
  std::size_t len = sig.size();
  EVP_MD_CTX_reset(ctx.get());
  if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, bytes(message),
                     message.size()) != 1 ||
      len != kEd25519SignatureSize) {
    ERR_clear_error();
    return {};
  }
  return sig;
}

// ---- Verification and public keys -----------------------------------------------------

namespace {

bool verify_with(EVP_PKEY* pkey, std::string_view message, std::string_view signature) {
  if (signature.size() != kEd25519SignatureSize) return false;
  thread_local MdCtxPtr ctx{EVP_MD_CTX_new()};
  EVP_MD_CTX_reset(ctx.get());
  bool ok = EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey) == 1 &&
            EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(message),
                             message.size()) == 1;
  if (!ok) ERR_clear_error();
  EVP_MD_CTX_reset(ctx.get());  // drop the context's reference to pkey before it is freed
  return ok;
}

}  // namespace

bool ed25519_verify(std::string_view public_key, std::string_view message,
                    std::string_view signature) {
  if (public_key.size() != kEd25519PublicKeySize || signature.size() != kEd25519SignatureSize) {
    return false;
  }
  PkeyPtr pkey(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(public_key), public_key.size()));
  if (!pkey) {
    ERR_clear_error();
    return false;
  }
  return verify_with(pkey.get(), message, signature);
}

struct Ed25519PublicKey::Impl {
  PkeyPtr pkey;
  std::string raw;
};

Ed25519PublicKey::Ed25519PublicKey() = default;
Ed25519PublicKey::~Ed25519PublicKey() = default;
Ed25519PublicKey::Ed25519PublicKey(const Ed25519PublicKey&) = default;
Ed25519PublicKey& Ed25519PublicKey::operator=(const Ed25519PublicKey&) = default;

Result<Ed25519PublicKey> Ed25519PublicKey::from_raw(std::string_view raw) {
  if (raw.size() != kEd25519PublicKeySize) {
    return Status::InvalidArgument("Ed25519 public key is " + std::to_string(raw.size()) +
                                   " bytes, expected 32");
  }
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(raw), raw.size()));
  if (!pkey) {
    ERR_clear_error();
    return Status::InvalidArgument("not a valid Ed25519 public key");
  }
  Ed25519PublicKey key;
  key.impl_ = std::make_shared<const Impl>(Impl{std::move(pkey), std::string(raw)});
  return key;
}

bool Ed25519PublicKey::valid() const { return impl_ != nullptr; }

const std::string& Ed25519PublicKey::raw() const {
  static const std::string kNone;
  return impl_ ? impl_->raw : kNone;
}

bool Ed25519PublicKey::verify(std::string_view message, std::string_view signature) const {
  return impl_ && verify_with(impl_->pkey.get(), message, signature);
}

Result<std::string> load_public_key(std::string_view hex_or_path) {
  if (hex_or_path.size() == 2 * kEd25519PublicKeySize) {
    auto raw = from_hex(hex_or_path);
    if (raw.ok()) return raw;
  }
  std::string path(hex_or_path);
  auto text = read_file(path);
  if (!text.ok()) {
    return Status::InvalidArgument("'" + path +
                                   "' is neither 64 hex digits of an Ed25519 public key nor a "
                                   "readable PEM key file");
  }
  BioPtr bio(BIO_new_mem_buf(text->data(), static_cast<int>(text->size())));
  PkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!pkey) {
    ERR_clear_error();
    BIO_reset(bio.get());
    pkey.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  }
  if (!pkey) {
    ERR_clear_error();
    return Status::InvalidArgument("key file " + path + " holds no PEM public or private key");
  }
  if (EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519) {
    return Status::InvalidArgument("key file " + path + " holds a " +
                                   EVP_PKEY_get0_type_name(pkey.get()) +
                                   " key, not an Ed25519 key");
  }
  std::string out(kEd25519PublicKeySize, '\0');
  std::size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), reinterpret_cast<unsigned char*>(out.data()), &len) !=
      1) {
    return Status::Internal("key file " + path + ": " + openssl_error());
  }
  return out;
}

}  // namespace itc::crypto
