#include "transaction.hpp"

#include <array>
#include <unordered_set>

#include "itc/canonical_bytes.hpp"

namespace itc::dag {
namespace {

constexpr std::string_view kDomain = "itc-dag-tx-v1";

std::string be64(std::uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

Status check_kind(const v1::DeviceTransaction& tx) {
  switch (tx.kind_case()) {
    case v1::DeviceTransaction::kReadings: {
      const int n = tx.readings().readings_size();
      if (n == 0) return Status::InvalidArgument("readings: a bundle needs at least one reading");
      if (n > kMaxReadingsPerBundle)
        return Status::InvalidArgument("readings: at most " +
                                       std::to_string(kMaxReadingsPerBundle) + ", got " +
                                       std::to_string(n));
      return Status::Ok();
    }
    case v1::DeviceTransaction::kTransfer: {
      const auto& t = tx.transfer();
      if (t.to().size() != crypto::kEd25519PublicKeySize)
        return Status::InvalidArgument("transfer.to: 32 bytes expected, got " +
                                       std::to_string(t.to().size()));
      if (t.to() == tx.issuer_public_key())
        return Status::InvalidArgument("transfer.to: the issuer's own account");
      if (t.amount() == 0) return Status::InvalidArgument("transfer.amount: must be positive");
      return Status::Ok();
    }
    case v1::DeviceTransaction::KIND_NOT_SET:
      break;
  }
  return Status::InvalidArgument("kind: not set (readings or transfer)");
}

}  // namespace

std::string transaction_body(const v1::DeviceTransaction& tx) {
  v1::DeviceTransaction body = tx;
  body.clear_nonce();
  body.clear_signature();
  return std::string(kDomain) + deterministic_bytes(body);
}

std::string signed_bytes(const v1::DeviceTransaction& tx) {
  return transaction_body(tx) + be64(tx.nonce());
}

std::string pow_hash(std::string_view body_digest, std::uint64_t nonce) {
  std::string input(body_digest);
  input += be64(nonce);
  return crypto::sha256(input);
}

int leading_zero_bits(std::string_view hash) {
  int bits = 0;
  for (const char c : hash) {
    const auto b = static_cast<unsigned char>(c);
    if (b == 0) {
      bits += 8;
      continue;
    }
    for (unsigned mask = 0x80; (b & mask) == 0; mask >>= 1) ++bits;
    break;
  }
  return bits;
}

std::string transaction_id(const v1::DeviceTransaction& tx) {
  return crypto::sha256(signed_bytes(tx) + tx.signature());
}

std::uint64_t solve_pow(std::string_view body_digest, int bits, std::uint64_t start,
                        std::uint64_t* tries) {
  std::uint64_t nonce = start;
  std::uint64_t n = 1;
  while (leading_zero_bits(pow_hash(body_digest, nonce)) < bits) {
    ++nonce;
    ++n;
  }
  if (tries != nullptr) *tries += n;
  return nonce;
}

Result<DecodedTransaction> decode_transaction(std::string_view bytes) {
  if (bytes.size() > kMaxTransactionBytes)
    return Status::InvalidArgument("transaction: " + std::to_string(bytes.size()) +
                                   " bytes, at most " + std::to_string(kMaxTransactionBytes));
  v1::DeviceTransaction tx;
  if (!tx.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return Status::InvalidArgument("transaction: not a valid DeviceTransaction message");
  if (deterministic_bytes(tx) != bytes)
    return Status::InvalidArgument(
        "transaction: not in canonical encoding (unknown fields, repeated or unordered fields)");
  auto decoded = check_transaction(std::move(tx));
  if (decoded.ok()) decoded->wire_size = bytes.size();
  return decoded;
}

Result<DecodedTransaction> check_transaction(v1::DeviceTransaction tx) {
  // Unknown fields would survive re-serialising into the id: a second encoding, refused.
  const std::size_t size = tx.ByteSizeLong();
  tx.DiscardUnknownFields();
  if (tx.ByteSizeLong() != size)
    return Status::InvalidArgument(
        "transaction: unknown fields (not in the canonical encoding of a DeviceTransaction)");
  if (tx.issuer_public_key().size() != crypto::kEd25519PublicKeySize)
    return Status::InvalidArgument("issuer_public_key: 32 bytes expected, got " +
                                   std::to_string(tx.issuer_public_key().size()));
  if (tx.signature().size() != crypto::kEd25519SignatureSize)
    return Status::InvalidArgument("signature: 64 bytes expected, got " +
                                   std::to_string(tx.signature().size()));
  const int parents = tx.parents_size();
  if (parents < kMinParents || parents > kMaxParents)
    return Status::InvalidArgument("parents: " + std::to_string(kMinParents) + " to " +
                                   std::to_string(kMaxParents) + " expected, got " +
                                   std::to_string(parents));
  std::unordered_set<std::string_view> seen;
  for (int i = 0; i < parents; ++i) {
    const std::string& p = tx.parents(i);
    if (p.size() != kIdSize)
      return Status::InvalidArgument("parents[" + std::to_string(i) + "]: 32 bytes expected, got " +
                                     std::to_string(p.size()));
    if (!seen.insert(p).second)
      return Status::InvalidArgument("parents[" + std::to_string(i) + "]: named twice");
  }
  ITC_RETURN_IF_ERROR(check_kind(tx));
  DecodedTransaction out;
  const std::string body = transaction_body(tx);
  out.body_digest = crypto::sha256(body);
  std::string signed_msg = body + be64(tx.nonce());
  out.id = crypto::sha256(signed_msg + tx.signature());
  out.wire_size = tx.ByteSizeLong();
  out.tx = std::move(tx);
  return out;
}

}  // namespace itc::dag
