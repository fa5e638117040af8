// The main chain's state machine (see itc/chain/state.hpp): the rules a transaction must
// pass, pending overlays, commit and restore.
#include "itc/chain/state.hpp"

#include <cassert>
#include <functional>
#include <set>

#include "analytics_rules.hpp"
#include "common/ledger_encoding.hpp"
#include "itc/canonical_bytes.hpp"
#include "itc/ledger/transactions.hpp"
#include "itc/ledger/validators.hpp"
#include "reconfiguration.hpp"
#include "state_buckets.hpp"

namespace itc::ledger {

std::string account_key(std::string_view account) { return "a/" + std::string(account); }
std::string device_key(std::string_view device_id) { return "d/" + std::string(device_id); }
std::string anchor_nonce_key(std::string_view sender) { return "n/" + std::string(sender); }
std::string current_validators_key() { return "v/current"; }
std::string pending_validators_key() { return "v/pending"; }
std::string job_key(std::string_view job_id) { return "j/" + std::string(job_id); }
std::string committed_period_key(std::string_view device_id, std::string_view metric) {
  std::string key = "cp/" + std::string(device_id);
  key.push_back('\0');  // device ids and metrics are free text: a separator neither holds
  key.append(metric);
  return key;
}
std::string epoch_validators_key(std::uint64_t epoch) {
  std::string digits = std::to_string(epoch);
  return "v/epoch/" + std::string(20 - digits.size(), '0') + digits;
}

namespace {

using internal::short_hex;
using internal::StateMap;

struct PendingBlock {
  std::uint64_t height = 0;
  StateMap writes;
};

// An account's or device's stored bytes that do not parse: the state is damaged.
Status unreadable(const std::string& key) {
  return Status::Corruption("state entry " + short_hex(key) + " does not parse");
}

// The state as one transaction sees it: its own writes over the draft's view. Merged into
// the draft only when every rule passed, so a refused transaction changes nothing.
class TxView {
 public:
  using Below = std::function<std::optional<std::string>(const std::string&)>;
  explicit TxView(Below below) : below_(std::move(below)) {}

  // nullopt if absent; Corruption if the stored bytes do not parse.
  Result<std::optional<v1::Account>> account_at(const std::string& key) const {
    return read<v1::Account>(key);
  }
  Result<std::optional<v1::DeviceRecord>> device(const std::string& id) const {
    return read<v1::DeviceRecord>(device_key(id));
  }
  Result<std::optional<v1::ValidatorEpoch>> epoch(const std::string& key) const {
    return read<v1::ValidatorEpoch>(key);
  }
  template <typename Message>
  Result<std::optional<Message>> read_as(const std::string& key) const {
    return read<Message>(key);
  }
  // An all-zero account has no bytes, so it is not stored: zero balance and no nonce used
  // is the same as never having existed.
  void put(const std::string& key, const google::protobuf::MessageLite& value) {
    writes_.insert_or_assign(key, deterministic_bytes(value));
  }
  StateMap take() { return std::move(writes_); }

 private:
  template <typename Message>
  Result<std::optional<Message>> read(const std::string& key) const {
    std::optional<std::string> bytes;
    if (auto it = writes_.find(key); it != writes_.end()) {
      if (!it->second.empty()) bytes = it->second;
    } else {
      bytes = below_(key);
    }
    if (!bytes) return std::optional<Message>();
    Message m;
    if (!m.ParseFromString(*bytes)) return unreadable(key);
    return std::optional<Message>(std::move(m));
  }

  Below below_;
  StateMap writes_;
};

Status credit(TxView& view, std::string_view account, std::uint64_t amount) {
  const std::string key = account_key(account);
  auto acct = view.account_at(key);
  if (!acct.ok()) return acct.status();
  v1::Account a = acct->value_or(v1::Account());
  std::uint64_t balance = 0;
  if (__builtin_add_overflow(a.balance(), amount, &balance)) {
    return Status::InvalidArgument("balance of " + short_hex(account) + " would overflow");
  }
  a.set_balance(balance);
  view.put(key, a);
  return Status::Ok();
}

Status check_key_field(std::string_view field, const std::string& raw) {
  if (raw.size() == crypto::kEd25519PublicKeySize) return Status::Ok();
  return Status::InvalidArgument(std::string(field) + " is " + std::to_string(raw.size()) +
                                 " bytes, expected a 32-byte Ed25519 public key");
}

// Checks what a transaction's body says on its own, before any state is read.
Status check_body_format(const v1::Transaction& tx, std::uint32_t commitment_period_s) {
  switch (tx.body_case()) {
    case v1::Transaction::kTransfer:
      ITC_RETURN_IF_ERROR(check_key_field("transfer.to", tx.transfer().to()));
      if (tx.transfer().to() == tx.sender()) {
        return Status::InvalidArgument("self transfer: transfer.to is the sender");
      }
      if (tx.transfer().amount() == 0) return Status::InvalidArgument("transfer.amount is 0");
      return Status::Ok();
    case v1::Transaction::kRegisterDevice:
      if (tx.register_device().device_id().empty()) {
        return Status::InvalidArgument("register_device.device_id is empty");
      }
      return check_key_field("register_device.device_public_key",
                             tx.register_device().device_public_key());
    case v1::Transaction::kTransferDevice:
      if (tx.transfer_device().device_id().empty()) {
        return Status::InvalidArgument("transfer_device.device_id is empty");
      }
      return check_key_field("transfer_device.new_owner", tx.transfer_device().new_owner());
    case v1::Transaction::kAnchor:
    case v1::Transaction::kReconfigure:  // checked against the current set when applied
      return Status::Ok();
    case v1::Transaction::kCommitReadings:
      return internal::check_commit_readings(tx.commit_readings(), commitment_period_s);
    case v1::Transaction::kAnalyticsJob:
      return internal::check_analytics_job(tx.analytics_job());
    case v1::Transaction::BODY_NOT_SET:
      break;
  }
  return Status::InvalidArgument(
      "no body (transfer, register_device, transfer_device, anchor, reconfigure, "
      "commit_readings or analytics_job)");
}

// The owner's commitments: each device must be the sender's, and each (device, metric)
// must move to a later period (so no period is committed twice). The commitments
// themselves stay in the block; the state keeps the last period of each.
Status apply_commitments(const v1::Transaction& tx, TxView& view) {
  const auto& list = tx.commit_readings().commitments();
  for (int i = 0; i < list.size(); ++i) {
    const v1::ReadingCommitment& c = list[i];
    const std::string where = "commit_readings.commitments[" + std::to_string(i) + "]: ";
    auto device = view.device(c.device_id());
    if (!device.ok()) return device.status();
    if (!device->has_value()) return Status::NotFound(where + "unknown device " + c.device_id());
    if ((*device)->owner() != tx.sender()) {
      return Status::PermissionDenied(where + "not the owner of device " + c.device_id() +
                                      " (its owner is " + short_hex((*device)->owner()) + ")");
    }
    const std::string key = committed_period_key(c.device_id(), c.metric());
    auto last = view.read_as<v1::CommittedPeriod>(key);
    if (!last.ok()) return last.status();
    if (last->has_value() && (*last)->period_start_us() >= c.period_start_us()) {
      return Status::FailedPrecondition(where + c.device_id() + " " + c.metric() + " period " +
                                        std::to_string(c.period_start_us()) +
                                        " is not after the last one committed (" +
                                        std::to_string((*last)->period_start_us()) + ")");
    }
    v1::CommittedPeriod period;
    period.set_period_start_us(c.period_start_us());
    view.put(key, period);
  }
  return Status::Ok();
}

// The escrow (already taken from the buyer with the fee) moves into the job's record,
// so the state root covers it; a selection of fewer than k registered devices is refused.
Status open_job(const v1::Transaction& tx, std::uint32_t matched, std::uint64_t height,
                TxView& view) {
  const v1::AnalyticsJob& job = tx.analytics_job();
  if (matched < job.min_devices()) {
    return Status::FailedPrecondition(
        "analytics_job: the selection matches " + std::to_string(matched) + " registered device" +
        (matched == 1 ? "" : "s") + ", fewer than k = " + std::to_string(job.min_devices()) +
        ": the job would reveal less than k devices' data");
  }
  v1::AnalyticsJobRecord record;
  record.set_job_id(tx_id(tx));
  record.set_buyer(tx.sender());
  *record.mutable_job() = job;
  record.set_escrow(job.escrow());
  record.set_matched_devices(matched);
  record.set_submitted_height(height);
  record.set_state(v1::JOB_STATE_OPEN);
  view.put(job_key(record.job_id()), record);
  return Status::Ok();
}

// What the body does to devices and the recipient; the sender's own account is settled
// by the caller.
Status apply_body(const v1::Transaction& tx, std::uint64_t height, TxView& view) {
  if (tx.has_transfer()) return credit(view, tx.transfer().to(), tx.transfer().amount());
  if (tx.has_register_device()) {
    const v1::RegisterDevice& reg = tx.register_device();
    auto existing = view.device(reg.device_id());
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) {
      return Status::AlreadyExists("device " + reg.device_id() + " already registered (owner " +
                                   short_hex((*existing)->owner()) + ")");
    }
    v1::DeviceRecord record;
    record.set_device_id(reg.device_id());
    record.set_profile(reg.profile());
    record.set_device_public_key(reg.device_public_key());
    record.set_owner(tx.sender());
    record.set_registered_height(height);
    record.set_site(reg.site());
    view.put(device_key(reg.device_id()), record);
    return Status::Ok();
  }
  if (tx.has_transfer_device()) {
    const v1::TransferDevice& move = tx.transfer_device();
    auto existing = view.device(move.device_id());
    if (!existing.ok()) return existing.status();
    if (!existing->has_value()) return Status::NotFound("unknown device " + move.device_id());
    v1::DeviceRecord record = std::move(**existing);
    if (record.owner() != tx.sender()) {
      return Status::PermissionDenied("not the owner of device " + move.device_id() +
                                      " (its owner is " + short_hex(record.owner()) + ")");
    }
    if (move.new_owner() == record.owner()) {
      return Status::InvalidArgument("device " + move.device_id() +
                                     " already belongs to the new owner");
    }
    record.set_owner(move.new_owner());
    view.put(device_key(move.device_id()), record);
  }
  if (tx.has_commit_readings()) return apply_commitments(tx, view);
  return Status::Ok();  // a signed anchor only records its data in the block
}

// An anchor without signature: no account, no fee; only the client's nonce sequence.
Status apply_unsigned_anchor(const v1::Transaction& tx, bool allowed, TxView& view) {
  if (!allowed) return Status::PermissionDenied("unsigned anchors are not allowed on this chain");
  if (tx.sender().empty()) {
    return Status::InvalidArgument("an unsigned anchor needs a sender id (its nonce sequence)");
  }
  if (tx.fee() != 0) {
    return Status::InvalidArgument("an unsigned anchor pays no fee; fee must be 0, got " +
                                   std::to_string(tx.fee()));
  }
  // Always its own sequence, never an account's: an unsigned anchor naming a funded
  // account's key must not be able to push that account's nonce (and lock it).
  const std::string key = anchor_nonce_key(tx.sender());
  auto acct = view.account_at(key);
  if (!acct.ok()) return acct.status();
  v1::Account a = acct->value_or(v1::Account());
  if (tx.nonce() <= a.nonce()) {
    return Status::FailedPrecondition("nonce " + std::to_string(tx.nonce()) +
                                      " already used (last used " + std::to_string(a.nonce()) +
                                      ")");
  }
  a.set_nonce(tx.nonce());
  view.put(key, a);
  return Status::Ok();
}

}  // namespace

struct LedgerState::Impl {
  std::uint64_t min_fee = 0;
  bool allow_unsigned_anchors = false;
  std::string chain_id;
  std::uint64_t epoch_blocks = internal::kDefaultEpochBlocks;
  std::uint32_t commitment_period_s = internal::kDefaultCommitmentPeriodS;
  v1::ValidatorEpoch genesis_validators;  // epoch 0, from height 1
  internal::BucketedState base;
  StateMap genesis;  // the height-0 state; block 1's delta carries it to the store
  std::uint64_t height = 0;
  std::deque<PendingBlock> pending;  // oldest first

  // The newest value of `key` across the pending blocks and the base.
  std::optional<std::string> get(const std::string& key) const {
    for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
      if (auto w = it->writes.find(key); w != it->writes.end()) {
        if (w->second.empty()) return std::nullopt;
        return w->second;
      }
    }
    if (const std::string* v = base.find(key)) return *v;
    return std::nullopt;
  }
};

LedgerState::LedgerState(const v1::Genesis& genesis) : impl_(std::make_unique<Impl>()) {
  impl_->min_fee = genesis.min_fee();
  impl_->allow_unsigned_anchors = genesis.allow_unsigned_anchors();
  impl_->chain_id = genesis.chain_id();
  impl_->epoch_blocks = internal::epoch_blocks_of(genesis);
  impl_->commitment_period_s = internal::commitment_period_of(genesis);
  *impl_->genesis_validators.mutable_validators() = genesis.validators();
  impl_->genesis_validators.set_first_height(1);
  // parse_genesis() refuses duplicate accounts and devices and an overflowing total.
  StateMap entries;
  for (const v1::Allocation& a : genesis.allocations()) {
    if (a.balance() == 0) continue;
    v1::Account account;
    account.set_balance(a.balance());
    entries[account_key(a.account())] = deterministic_bytes(account);
  }
  for (const v1::DeviceRecord& d : genesis.devices()) {
    v1::DeviceRecord record = d;
    record.set_registered_height(0);
    entries[device_key(d.device_id())] = deterministic_bytes(record);
  }
  impl_->base.assign(entries);
  impl_->genesis = std::move(entries);
}

LedgerState::~LedgerState() = default;

Status LedgerState::restore(const std::vector<v1::StateEntry>& entries, std::uint64_t height,
                            std::string_view expected_root) {
  StateMap map;
  for (const v1::StateEntry& e : entries) map.insert_or_assign(e.key(), e.value());
  internal::BucketedState restored;
  restored.assign(map);
  if (restored.root() != expected_root) {
    return Status::Corruption("stored state at height " + std::to_string(height) + " (" +
                              std::to_string(restored.size()) + " entries) has root " +
                              short_hex(restored.root()) + ", but the block says " +
                              short_hex(expected_root));
  }
  impl_->base = std::move(restored);
  impl_->height = height;
  impl_->pending.clear();
  return Status::Ok();
}

std::uint64_t LedgerState::committed_height() const { return impl_->height; }
std::string LedgerState::committed_root() const { return impl_->base.root(); }
std::size_t LedgerState::pending_blocks() const { return impl_->pending.size(); }

LedgerState::BlockDraft LedgerState::begin_block(std::string fee_recipient) const {
  return BlockDraft(*this, impl_->height + impl_->pending.size() + 1, std::move(fee_recipient));
}

void LedgerState::push_pending(BlockDraft draft) {
  assert(draft.state_ == this && draft.height_ == impl_->height + impl_->pending.size() + 1);
  impl_->pending.push_back(PendingBlock{draft.height_, std::move(draft.writes_)});
}

v1::StateDelta LedgerState::commit_oldest() {
  v1::StateDelta delta;
  if (impl_->pending.empty()) return delta;
  PendingBlock block = std::move(impl_->pending.front());
  impl_->pending.pop_front();
  impl_->base.apply(block.writes);
  impl_->height = block.height;
  if (block.height == 1) {
    // The store starts empty: block 1 also writes the genesis entries it did not change,
    // so the stored state is always the whole state (restore() needs nothing else).
    for (const auto& [key, value] : impl_->genesis) block.writes.try_emplace(key, value);
    impl_->genesis.clear();
  }
  delta.mutable_entries()->Reserve(static_cast<int>(block.writes.size()));
  for (auto& [key, value] : block.writes) {
    v1::StateEntry* e = delta.add_entries();
    e->set_key(key);
    e->set_value(std::move(value));
  }
  return delta;
}

void LedgerState::discard_pending() { impl_->pending.clear(); }

LedgerState::StateProof LedgerState::prove(std::string_view key) const {
  StateProof proof;
  proof.bucket = internal::bucket_of(key);
  const StateMap& bucket = impl_->base.bucket(proof.bucket);
  proof.entries.assign(bucket.begin(), bucket.end());
  proof.path = impl_->base.audit_path(proof.bucket);
  return proof;
}

std::optional<v1::Account> LedgerState::account(std::string_view account) const {
  const std::string* bytes = impl_->base.find(account_key(account));
  v1::Account a;
  if (!bytes || !a.ParseFromString(*bytes)) return std::nullopt;
  return a;
}

v1::ValidatorEpoch LedgerState::validators() const {
  const std::string* bytes = impl_->base.find(current_validators_key());
  v1::ValidatorEpoch e;
  if (!bytes || !e.ParseFromString(*bytes)) return impl_->genesis_validators;
  return e;
}

std::optional<v1::ValidatorEpoch> LedgerState::pending_validators() const {
  const std::string* bytes = impl_->base.find(pending_validators_key());
  v1::ValidatorEpoch e;
  if (!bytes || !e.ParseFromString(*bytes)) return std::nullopt;
  return e;
}

std::uint64_t LedgerState::epoch_blocks() const { return impl_->epoch_blocks; }

std::optional<v1::AnalyticsJobRecord> LedgerState::job(std::string_view job_id) const {
  const std::string* bytes = impl_->base.find(job_key(job_id));
  v1::AnalyticsJobRecord j;
  if (!bytes || !j.ParseFromString(*bytes)) return std::nullopt;
  return j;
}

std::optional<v1::DeviceRecord> LedgerState::device(std::string_view device_id) const {
  const std::string* bytes = impl_->base.find(device_key(device_id));
  v1::DeviceRecord d;
  if (!bytes || !d.ParseFromString(*bytes)) return std::nullopt;
  return d;
}

// ---- BlockDraft ----------------------------------------------------------------------

LedgerState::BlockDraft::BlockDraft(const LedgerState& state, std::uint64_t height,
                                    std::string fee_recipient)
    : state_(&state), height_(height), fee_recipient_(std::move(fee_recipient)) {
  // The epoch boundary: a pending set starts signing at its first height.
  if (auto bytes = get(pending_validators_key())) {
    v1::ValidatorEpoch pending;
    if (pending.ParseFromString(*bytes) && pending.first_height() == height_) {
      writes_[current_validators_key()] = *bytes;
      writes_[epoch_validators_key(pending.epoch())] = *bytes;
      writes_[pending_validators_key()] = "";
    }
  }
}

v1::ValidatorEpoch LedgerState::BlockDraft::signers() const {
  v1::ValidatorEpoch e;
  if (auto bytes = get(current_validators_key()); bytes && e.ParseFromString(*bytes)) return e;
  return state_->impl_->genesis_validators;
}

v1::ValidatorEpoch LedgerState::BlockDraft::next_signers() const {
  v1::ValidatorEpoch e;
  if (auto bytes = get(pending_validators_key());
      bytes && e.ParseFromString(*bytes) && e.first_height() == height_ + 1) {
    return e;
  }
  return signers();
}

void LedgerState::BlockDraft::commit_to_validators(v1::BlockHeader* header) const {
  const v1::ValidatorEpoch now = signers();
  header->set_epoch(now.epoch());
  header->set_validators_hash(validator_set_hash(now.validators()));
  header->set_next_validators_hash(validator_set_hash(next_signers().validators()));
}

std::optional<std::string> LedgerState::BlockDraft::get(const std::string& key) const {
  if (auto it = writes_.find(key); it != writes_.end()) {
    if (it->second.empty()) return std::nullopt;
    return it->second;
  }
  return state_->impl_->get(key);
}

Status LedgerState::BlockDraft::apply(const v1::Transaction& tx) {
  const Impl& state = *state_->impl_;
  TxView view([this](const std::string& key) { return get(key); });

  if (tx.signature().empty()) {
    if (!tx.has_anchor()) return Status::PermissionDenied("not signed");
    ITC_RETURN_IF_ERROR(apply_unsigned_anchor(tx, state.allow_unsigned_anchors, view));
    for (auto& [key, value] : view.take()) writes_.insert_or_assign(key, std::move(value));
    return Status::Ok();
  }

  ITC_RETURN_IF_ERROR(check_key_field("sender", tx.sender()));
  ITC_RETURN_IF_ERROR(check_body_format(tx, state.commitment_period_s));
  const std::string sender_key = account_key(tx.sender());
  auto found = view.account_at(sender_key);
  if (!found.ok()) return found.status();
  if (!found->has_value()) {
    return Status::FailedPrecondition("unknown account " + short_hex(tx.sender()) +
                                      ": it has never been credited");
  }
  v1::Account sender = std::move(**found);
  if (tx.nonce() <= sender.nonce()) {
    return Status::FailedPrecondition("nonce " + std::to_string(tx.nonce()) +
                                      " already used (last used " + std::to_string(sender.nonce()) +
                                      ")");
  }
  if (tx.fee() < state.min_fee) {
    return Status::InvalidArgument("fee " + std::to_string(tx.fee()) + " below minimum " +
                                   std::to_string(state.min_fee));
  }
  std::uint64_t needs = tx.fee();
  if (tx.has_transfer() && __builtin_add_overflow(needs, tx.transfer().amount(), &needs)) {
    return Status::InvalidArgument("transfer.amount plus fee exceeds 2^64-1");
  }
  if (tx.has_analytics_job() &&
      __builtin_add_overflow(needs, tx.analytics_job().escrow(), &needs)) {
    return Status::InvalidArgument("analytics_job.escrow plus fee exceeds 2^64-1");
  }
  if (needs > sender.balance()) {
    return Status::FailedPrecondition("overdraft: balance " + std::to_string(sender.balance()) +
                                      ", needs " + std::to_string(needs));
  }
  sender.set_balance(sender.balance() - needs);
  sender.set_nonce(tx.nonce());
  view.put(sender_key, sender);
  ITC_RETURN_IF_ERROR(apply_body(tx, height_, view));
  if (tx.has_reconfigure()) {
    auto current = view.epoch(current_validators_key());
    auto pending = view.epoch(pending_validators_key());
    if (!current.ok()) return current.status();
    if (!pending.ok()) return pending.status();
    auto next = internal::check_reconfigure(
        state.chain_id, current->value_or(state.genesis_validators),
        pending->has_value() ? &**pending : nullptr, tx.reconfigure(), height_, state.epoch_blocks);
    if (!next.ok()) return next.status();
    view.put(pending_validators_key(), *next);
  }
  if (tx.has_analytics_job()) {
    ITC_RETURN_IF_ERROR(open_job(tx, count_devices(tx.analytics_job().selection()), height_, view));
  }
  // Fees go to the block's proposer; with no recipient (tests) they are burnt.
  if (tx.fee() > 0 && !fee_recipient_.empty()) {
    ITC_RETURN_IF_ERROR(credit(view, fee_recipient_, tx.fee()));
  }
  for (auto& [key, value] : view.take()) writes_.insert_or_assign(key, std::move(value));
  return Status::Ok();
}

// Every device key in the base, the pending blocks and this draft, read at its newest
// value. A full pass over the devices: a job is rare beside readings.
std::uint32_t LedgerState::BlockDraft::count_devices(const v1::DeviceSelection& selection) const {
  const Impl& state = *state_->impl_;
  std::set<std::string> keys;
  auto collect = [&keys](const StateMap& map) {
    for (auto it = map.lower_bound("d/"); it != map.end() && it->first.starts_with("d/"); ++it) {
      keys.insert(it->first);
    }
  };
  for (std::size_t b = 0; b < internal::kStateBuckets; ++b) collect(state.base.bucket(b));
  for (const PendingBlock& p : state.pending) collect(p.writes);
  collect(writes_);
  std::uint32_t matched = 0;
  for (const std::string& key : keys) {
    v1::DeviceRecord device;
    auto bytes = get(key);
    if (bytes && device.ParseFromString(*bytes) && internal::selection_matches(selection, device)) {
      ++matched;
    }
  }
  return matched;
}

std::optional<std::string> LedgerState::BlockDraft::move_balance(const std::string& from,
                                                                 const std::string& to,
                                                                 std::uint64_t amount) {
  TxView view([this](const std::string& key) { return get(key); });
  const std::string from_key = account_key(from);
  auto found = view.account_at(from_key);
  if (!found.ok()) return found.status().message();
  v1::Account payer = found->value_or(v1::Account());
  if (payer.balance() < amount) {
    return "insufficient balance: " + std::to_string(payer.balance()) + " held, " +
           std::to_string(amount) + " sent";
  }
  payer.set_balance(payer.balance() - amount);
  view.put(from_key, payer);
  if (Status s = credit(view, to, amount); !s.ok()) return std::string("balance overflow");
  for (auto& [key, value] : view.take()) writes_.insert_or_assign(key, std::move(value));
  return std::nullopt;
}

std::string LedgerState::BlockDraft::state_root() const {
  std::vector<const StateMap*> overlays;
  overlays.reserve(state_->impl_->pending.size() + 1);
  for (const PendingBlock& p : state_->impl_->pending) overlays.push_back(&p.writes);
  overlays.push_back(&writes_);
  return state_->impl_->base.root_with(overlays);
}

}  // namespace itc::ledger
