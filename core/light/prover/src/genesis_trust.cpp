// Genesis to light-client trust (see itc/light/genesis_trust.hpp).
#include "itc/light/genesis_trust.hpp"

#include <cstring>
#include <vector>

namespace itc::light {
namespace {

Status validators_of(const v1::Genesis& genesis, std::vector<Validator>* out) {
  if (genesis.validators_size() == 0 ||
      static_cast<std::size_t>(genesis.validators_size()) > kMaxValidators) {
    return Status::InvalidArgument(
        "genesis of " + genesis.chain_id() + " has " + std::to_string(genesis.validators_size()) +
        " validators; a light client holds 1 to " + std::to_string(kMaxValidators));
  }
  if (genesis.chain_id().empty() || genesis.chain_id().size() > kMaxChainId) {
    return Status::InvalidArgument(
        "genesis chain_id is " + std::to_string(genesis.chain_id().size()) +
        " bytes; a light client holds 1 to " + std::to_string(kMaxChainId));
  }
  for (int i = 0; i < genesis.validators_size(); ++i) {
    const std::string& key = genesis.validators(i).public_key();
    if (key.size() != kPublicKeySize) {
      return Status::InvalidArgument("validators[" + std::to_string(i) + "].public_key is " +
                                     std::to_string(key.size()) + " bytes, expected 32");
    }
    Validator v{};
    std::memcpy(v.public_key, key.data(), kPublicKeySize);
    v.power = 1;
    out->push_back(v);
  }
  return Status::Ok();
}

Status status_of(Outcome o) {
  if (o.ok()) return Status::Ok();
  return Status::InvalidArgument(std::string("light client refused the trust root: ") +
                                 verdict_text(o.verdict));
}

}  // namespace

Status trust_genesis(const v1::Genesis& genesis, State* state) {
  std::vector<Validator> validators;
  ITC_RETURN_IF_ERROR(validators_of(genesis, &validators));
  return status_of(init_from_genesis(state, genesis.chain_id().data(), genesis.chain_id().size(),
                                     validators.data(), validators.size()));
}

Status trust_checkpoint(const v1::Genesis& genesis, std::uint64_t height, const std::string& hash,
                        State* state) {
  if (hash.size() != kHashSize || height == 0) {
    return Status::InvalidArgument("a checkpoint is a height of at least 1 and a 32-byte hash");
  }
  std::vector<Validator> validators;
  ITC_RETURN_IF_ERROR(validators_of(genesis, &validators));
  return status_of(init_from_checkpoint(state, genesis.chain_id().data(), genesis.chain_id().size(),
                                        validators.data(), validators.size(), height,
                                        reinterpret_cast<const std::uint8_t*>(hash.data())));
}

}  // namespace itc::light
