// Validator-set changes (see reconfiguration.hpp).
#include "reconfiguration.hpp"

#include <set>
#include <string>

#include "common/ledger_encoding.hpp"
#include "itc/ledger/validators.hpp"

namespace itc::ledger::internal {
namespace {

Status check_new_set(const google::protobuf::RepeatedPtrField<v1::Validator>& validators) {
  const int n = validators.size();
  if (n < kMinValidators) {
    return Status::InvalidArgument("reconfigure: the new set has " + std::to_string(n) +
                                   " validators; at least " + std::to_string(kMinValidators) +
                                   " (n = 3f+1, f >= 1)");
  }
  if (n > kMaxValidators) {
    return Status::InvalidArgument("reconfigure: the new set has " + std::to_string(n) +
                                   " validators; at most " + std::to_string(kMaxValidators) +
                                   " (what a light client holds)");
  }
  std::set<std::string> keys;
  std::set<std::string> names;
  std::set<std::string> addresses;
  for (int i = 0; i < n; ++i) {
    const v1::Validator& v = validators.Get(i);
    const std::string at = "reconfigure: validators[" + std::to_string(i) + "]";
    if (v.name().empty()) return Status::InvalidArgument(at + ".name is empty");
    if (v.address().empty()) return Status::InvalidArgument(at + ".address is empty");
    if (auto key = crypto::Ed25519PublicKey::from_raw(v.public_key()); !key.ok()) {
      return Status::InvalidArgument(at + ".public_key (" + v.name() +
                                     "): " + key.status().message());
    }
    if (!keys.insert(v.public_key()).second) {
      return Status::InvalidArgument(at + " (" + v.name() + "): duplicate key " +
                                     short_hex(v.public_key()));
    }
    if (!names.insert(v.name()).second) {
      return Status::InvalidArgument(at + ": duplicate name " + v.name());
    }
    if (!addresses.insert(v.address()).second) {
      return Status::InvalidArgument(at + " (" + v.name() + "): duplicate address " + v.address());
    }
  }
  return Status::Ok();
}

bool same_set(const google::protobuf::RepeatedPtrField<v1::Validator>& a,
              const google::protobuf::RepeatedPtrField<v1::Validator>& b) {
  if (a.size() != b.size()) return false;
  for (int i = 0; i < a.size(); ++i) {
    if (a.Get(i).name() != b.Get(i).name() || a.Get(i).public_key() != b.Get(i).public_key() ||
        a.Get(i).address() != b.Get(i).address()) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::uint64_t epoch_blocks_of(const v1::Genesis& genesis) {
  return genesis.epoch_blocks() == 0 ? kDefaultEpochBlocks : genesis.epoch_blocks();
}

std::uint64_t epoch_boundary_after(std::uint64_t height, std::uint64_t epoch_blocks) {
  // b - 1 must be a multiple of epoch_blocks and b - 1 >= height + 1.
  const std::uint64_t last_before = height + 1;
  const std::uint64_t k = (last_before + epoch_blocks - 1) / epoch_blocks;
  return k * epoch_blocks + 1;
}

Result<v1::ValidatorEpoch> check_reconfigure(std::string_view chain_id,
                                             const v1::ValidatorEpoch& current,
                                             const v1::ValidatorEpoch* pending,
                                             const v1::Reconfigure& change, std::uint64_t height,
                                             std::uint64_t epoch_blocks) {
  if (pending != nullptr) {
    return Status::FailedPrecondition("reconfigure: a change to epoch " +
                                      std::to_string(pending->epoch()) +
                                      " is already pending (it takes effect at height " +
                                      std::to_string(pending->first_height()) + ")");
  }
  if (change.epoch() != current.epoch() + 1) {
    return Status::FailedPrecondition("reconfigure: epoch " + std::to_string(change.epoch()) +
                                      ", but the current epoch is " +
                                      std::to_string(current.epoch()) + " (a change names " +
                                      std::to_string(current.epoch() + 1) + ")");
  }
  ITC_RETURN_IF_ERROR(check_new_set(change.validators()));
  if (same_set(change.validators(), current.validators())) {
    return Status::InvalidArgument("reconfigure: the new set is the current set");
  }
  auto set = ValidatorSet::from_validators(chain_id, current.validators());
  if (!set.ok()) return Status::Corruption("the current validator set: " + set.status().message());
  const std::string signed_bytes =
      reconfigure_signing_bytes(chain_id, change.epoch(), change.validators());
  std::set<std::uint32_t> approvers;
  for (int i = 0; i < change.approvals_size(); ++i) {
    const v1::ValidatorSignature& a = change.approvals(i);
    const std::string at = "reconfigure: approval " + std::to_string(i);
    if (a.validator() >= set->size()) {
      return Status::PermissionDenied(
          at + " names validator " + std::to_string(a.validator()) + ", not a validator of epoch " +
          std::to_string(current.epoch()) + " (it has " + std::to_string(set->size()) + ")");
    }
    const std::string& name = set->validator(a.validator()).name();
    if (!approvers.insert(a.validator()).second) {
      return Status::InvalidArgument(at + ": validator " + std::to_string(a.validator()) + " (" +
                                     name + ") approved twice");
    }
    if (!set->key(a.validator()).verify(signed_bytes, a.signature())) {
      return Status::PermissionDenied(
          at + ": the signature of validator " + std::to_string(a.validator()) + " (" + name +
          ") does not verify over epoch " + std::to_string(change.epoch()) + " and this set");
    }
  }
  if (approvers.size() < set->quorum()) {
    return Status::PermissionDenied("reconfigure: " + std::to_string(approvers.size()) +
                                    " approvals of epoch " + std::to_string(current.epoch()) +
                                    "'s validators; it needs " + std::to_string(set->quorum()) +
                                    " (2f+1 of " + std::to_string(set->size()) + ")");
  }
  v1::ValidatorEpoch next;
  next.set_epoch(change.epoch());
  *next.mutable_validators() = change.validators();
  next.set_first_height(epoch_boundary_after(height, epoch_blocks));
  return next;
}

}  // namespace itc::ledger::internal
