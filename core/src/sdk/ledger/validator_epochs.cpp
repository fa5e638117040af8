// What a validator-set change is signed and committed over (see itc/ledger/validators.hpp).
#include "common/ledger_encoding.hpp"
#include "common/validator_set_bytes.hpp"
#include "itc/ledger/validators.hpp"

namespace itc::ledger {
namespace {

constexpr std::string_view kReconfigureDomain = "itc-reconfigure-v1";

}  // namespace

std::string validator_set_hash(
    const google::protobuf::RepeatedPtrField<v1::Validator>& validators) {
  std::string bytes;
  auto sink = [&bytes](const std::uint8_t* data, std::size_t size) {
    bytes.append(reinterpret_cast<const char*>(data), size);
  };
  validator_set_bytes::put_prefix(static_cast<std::uint32_t>(validators.size()), sink);
  for (const v1::Validator& v : validators) {
    // Keys are checked to be 32 bytes where sets come in (genesis, Reconfigure); a key of
    // another length is hashed zero-padded or cut, never read out of bounds.
    std::string key = v.public_key();
    key.resize(validator_set_bytes::kKeySize, '\0');
    validator_set_bytes::put_entry(reinterpret_cast<const std::uint8_t*>(key.data()), 1, sink);
  }
  return crypto::sha256(bytes);
}

std::string reconfigure_signing_bytes(
    std::string_view chain_id, std::uint64_t epoch,
    const google::protobuf::RepeatedPtrField<v1::Validator>& validators) {
  std::string out(kReconfigureDomain);
  internal::put_len_prefixed(chain_id, &out);
  internal::put_be(epoch, 8, &out);
  internal::put_be(static_cast<std::uint64_t>(validators.size()), 4, &out);
  for (const v1::Validator& v : validators) {
    internal::put_len_prefixed(v.name(), &out);
    internal::put_len_prefixed(v.public_key(), &out);
    internal::put_len_prefixed(v.address(), &out);
  }
  return out;
}

}  // namespace itc::ledger
