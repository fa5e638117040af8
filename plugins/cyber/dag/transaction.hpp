// Device transactions of the DAG side chain: size limits, the canonical bytes that are
// signed, proof-of-work and ids, and the decoder every node runs on bytes from the wire.
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "itc/crypto.hpp"
#include "itc/status.hpp"
#include "itc/v1/dag.pb.h"

namespace itc::dag {

inline constexpr std::size_t kMaxTransactionBytes = 128 * 1024;
inline constexpr int kMinParents = 2;
inline constexpr int kMaxParents = 8;
inline constexpr int kMaxReadingsPerBundle = 1024;
inline constexpr std::size_t kIdSize = crypto::kSha256Size;

// "itc-dag-tx-v1" || deterministic bytes of `tx` with nonce and signature cleared.
std::string transaction_body(const v1::DeviceTransaction& tx);
// The bytes the issuer signs: transaction_body || nonce (8 bytes, big-endian).
std::string signed_bytes(const v1::DeviceTransaction& tx);
// SHA-256(SHA-256(body) || nonce big-endian): one compression per nonce tried.
std::string pow_hash(std::string_view body_digest, std::uint64_t nonce);
int leading_zero_bits(std::string_view hash);
// SHA-256(signed_bytes || signature).
std::string transaction_id(const v1::DeviceTransaction& tx);

// Searches nonces from `start` until pow_hash has `bits` leading zero bits; returns the
// nonce and adds the hashes evaluated to *tries (if given).
std::uint64_t solve_pow(std::string_view body_digest, int bits, std::uint64_t start = 0,
                        std::uint64_t* tries = nullptr);

// A well-formed transaction with the values every rule needs computed once.
struct DecodedTransaction {
  v1::DeviceTransaction tx;
  std::string id;           // transaction_id(tx)
  std::string body_digest;  // SHA-256(transaction_body(tx))
  std::size_t wire_size = 0;
};

// Parses and checks the form of a transaction (not its signature or PoW): at most
// kMaxTransactionBytes, the canonical (deterministic) encoding, a 32-byte issuer key,
// a 64-byte signature, a kind, 2..8 distinct 32-byte parents, at most
// kMaxReadingsPerBundle readings, a transfer to a 32-byte account other than the issuer
// of a positive amount. InvalidArgument naming the field otherwise.
Result<DecodedTransaction> decode_transaction(std::string_view bytes);
// The same checks on a message already parsed (unknown fields included).
Result<DecodedTransaction> check_transaction(v1::DeviceTransaction tx);

}  // namespace itc::dag
