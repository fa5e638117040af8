// Cryptography for the whole project, on OpenSSL 3: SHA-256 and Ed25519. Nothing else in
// the tree hand-rolls crypto. Bytes are carried in std::string (raw, not hex).
// Thread safety: free functions are thread-safe; a key object may be used from many
// threads at once for sign() (it is immutable after construction).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "itc/export.hpp"
#include "itc/status.hpp"

namespace itc::crypto {

inline constexpr std::size_t kSha256Size = 32;
inline constexpr std::size_t kEd25519PublicKeySize = 32;
inline constexpr std::size_t kEd25519SignatureSize = 64;

// SHA-256 of `data`, 32 raw bytes.
ITC_EXPORT std::string sha256(std::string_view data);

// Incremental SHA-256.
class ITC_EXPORT Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  std::string finish();  // 32 raw bytes; the object may not be updated afterwards

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

ITC_EXPORT std::string to_hex(std::string_view bytes);  // lower case
// Fails with InvalidArgument naming the offending position on odd length or a non-hex digit.
ITC_EXPORT Result<std::string> from_hex(std::string_view hex);

class ITC_EXPORT Ed25519PrivateKey {
 public:
  static Result<Ed25519PrivateKey> generate();
  // From a 32-byte seed (deterministic: the same seed gives the same key).
  static Result<Ed25519PrivateKey> from_seed(std::string_view seed);
  static Result<Ed25519PrivateKey> from_pem(std::string_view pem);
  static Result<Ed25519PrivateKey> load_pem_file(const std::string& path);

  Ed25519PrivateKey();
  ~Ed25519PrivateKey();
  Ed25519PrivateKey(Ed25519PrivateKey&&) noexcept;
  Ed25519PrivateKey& operator=(Ed25519PrivateKey&&) noexcept;
  Ed25519PrivateKey(const Ed25519PrivateKey&);
  Ed25519PrivateKey& operator=(const Ed25519PrivateKey&);

  // PKCS#8 PEM. The file is created with mode 0600 and written atomically.
  Status save_pem_file(const std::string& path) const;
  std::string to_pem() const;
  bool valid() const;
  std::string public_key() const;                    // 32 raw bytes
  std::string sign(std::string_view message) const;  // 64 raw bytes

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// A parsed Ed25519 public key, for checking many signatures of one signer (a device)
// without parsing its key each time. Copies share the key; verify() may be called from
// many threads at once.
class ITC_EXPORT Ed25519PublicKey {
 public:
  // InvalidArgument unless `raw` is 32 bytes of a valid key.
  static Result<Ed25519PublicKey> from_raw(std::string_view raw);
  Ed25519PublicKey();
  ~Ed25519PublicKey();
  Ed25519PublicKey(const Ed25519PublicKey&);
  Ed25519PublicKey& operator=(const Ed25519PublicKey&);
  bool valid() const;
  const std::string& raw() const;
  // True iff `signature` is a valid signature of `message` under this key.
  bool verify(std::string_view message, std::string_view signature) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

// True iff `signature` is a valid Ed25519 signature of `message` under `public_key` (raw
// 32 bytes). Wrong sizes verify false.
ITC_EXPORT bool ed25519_verify(std::string_view public_key, std::string_view message,
                               std::string_view signature);

// Reads a public key given as 64 hex digits, or as a path to a PEM file holding a public
// or private Ed25519 key. Returns the raw 32 bytes.
ITC_EXPORT Result<std::string> load_public_key(std::string_view hex_or_path);

}  // namespace itc::crypto
