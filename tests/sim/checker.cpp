#include "checker.hpp"

#include "itc/ledger/block_commitments.hpp"
#include "itc/ledger/transactions.hpp"

namespace itc::sim {

const ChainSetup& ChainSetup::of(std::uint32_t validators) {
  static std::map<std::uint32_t, std::unique_ptr<ChainSetup>> cache;
  auto& slot = cache[validators];
  if (slot) return *slot;
  slot = std::make_unique<ChainSetup>();
  slot->genesis.set_chain_id("itc-sim");
  slot->genesis.set_timestamp_us(1'767'225'600'000'000);
  slot->genesis.set_allow_unsigned_anchors(true);
  for (std::uint32_t i = 0; i < validators; ++i) {
    slot->keys.push_back(*crypto::Ed25519PrivateKey::from_seed(
        crypto::sha256("itc-sim validator " + std::to_string(i))));
    auto* v = slot->genesis.add_validators();
    v->set_name("validator-" + std::to_string(i));
    v->set_public_key(slot->keys.back().public_key());
    v->set_address("sim:" + std::to_string(i));
  }
  slot->validators = *ledger::ValidatorSet::from_genesis(slot->genesis);
  return *slot;
}

Checker::Checker(const ChainSetup& chain, const FaultPlan& plan)
    : chain_(chain),
      plan_(plan),
      reference_(std::make_unique<ledger::LedgerState>(chain.genesis)) {}

std::string Checker::who(std::uint32_t slot) const {
  return "slot " + std::to_string(slot) + " (validator " +
         std::to_string(plan_.validator_of(slot)) + ")";
}

void Checker::fail(std::string property, std::string detail) {
  if (!violation_) violation_ = Violation{std::move(property), std::move(detail)};
}

void Checker::sent(std::uint32_t slot, const v1::Envelope& envelope) {
  v1::ConsensusMessage msg;
  if (!msg.ParseFromString(envelope.payload())) return fail("no_equivocation", "unparsable");
  int kind = 0;
  std::uint64_t view = 0;
  std::uint64_t seq = 0;
  std::string digest;
  if (msg.has_pre_prepare()) {
    kind = 1, view = msg.pre_prepare().view(), seq = msg.pre_prepare().seq();
    digest = msg.pre_prepare().digest();
  } else if (msg.has_prepare()) {
    kind = 2, view = msg.prepare().view(), seq = msg.prepare().seq();
    digest = msg.prepare().digest();
  } else if (msg.has_commit()) {
    kind = 3, view = msg.commit().view(), seq = msg.commit().seq();
    digest = msg.commit().digest();
  } else {
    return;
  }
  if (kind == 3) certify(plan_.validator_of(slot), view, seq, digest);
  if (!plan_.honest(slot)) return;
  auto [it, fresh] = votes_.try_emplace({plan_.validator_of(slot), kind, view, seq}, digest);
  if (!fresh && it->second != digest) {
    static constexpr const char* kNames[] = {"", "pre-prepare", "prepare", "commit"};
    fail("no_equivocation", who(slot) + " signed two different " + kNames[kind] + "s at (v" +
                                std::to_string(view) + ", #" + std::to_string(seq) + ")");
  }
}

// Commits from 2f+1 distinct validators for one (view, seq, digest) are a quorum
// certificate: that block is committed at seq, whatever happens to the replicas after.
void Checker::certify(std::uint32_t validator, std::uint64_t view, std::uint64_t seq,
                      const std::string& digest) {
  auto& signers = commits_[{seq, view, digest}];
  if (!signers.insert(validator).second || signers.size() != chain_.validators.quorum()) return;
  auto [it, fresh] = certified_.try_emplace(seq, digest);
  if (!fresh && it->second != digest) {
    fail("certified", "two different blocks got 2f+1 commits at height " + std::to_string(seq) +
                          " (the second in view " + std::to_string(view) + ")");
  }
  if (auto h = hashes_.find(seq); h != hashes_.end() && h->second != digest) {
    fail("certified", "the block executed at height " + std::to_string(seq) +
                          " is not the one 2f+1 validators committed there (view " +
                          std::to_string(view) + ")");
  }
}

void Checker::executed(std::uint32_t slot, const v1::Block& block) {
  if (!plan_.honest(slot)) return;
  const std::uint64_t h = block.header().height();
  const std::string at = " at height " + std::to_string(h);
  if (Status s = verify_block(block); !s.ok()) {
    return fail("validity", who(slot) + " executed an invalid block" + at + ": " + s.message());
  }
  const std::string qc = block.qc().SerializeAsString();
  if (verified_qcs_.count(qc) == 0) {
    Status s = chain_.validators.verify_qc(block.header(), block.hash(), block.qc());
    if (!s.ok()) {
      return fail("validity", who(slot) + " executed a block without a valid quorum certificate" +
                                  at + ": " + s.message());
    }
    verified_qcs_.insert(qc);
  }
  if (auto c = certified_.find(h); c != certified_.end() && c->second != block.hash()) {
    return fail("certified", who(slot) + " executed a block" + at +
                                 " other than the one 2f+1 validators committed there");
  }
  auto [it, fresh] = hashes_.try_emplace(h, block.hash());
  if (!fresh) {
    if (it->second != block.hash()) {
      fail("agreement", who(slot) + " executed block " +
                            crypto::to_hex(block.hash()).substr(0, 12) + at +
                            " where another honest replica executed " +
                            crypto::to_hex(it->second).substr(0, 12));
    }
    return;
  }
  for (const auto& tx : block.transactions()) {
    auto [t, first] = tx_heights_.try_emplace(ledger::tx_id(tx), h);
    if (!first) {
      return fail("no_double_tx", "transaction " + crypto::to_hex(t->first).substr(0, 12) +
                                      " is in the blocks at heights " + std::to_string(t->second) +
                                      " and " + std::to_string(h));
    }
  }
  to_execute_.emplace(h, block);
  execute_reference();
}

// Re-executes the agreed blocks in height order on the reference state.
void Checker::execute_reference() {
  for (auto it = to_execute_.find(reference_height_ + 1); it != to_execute_.end();
       it = to_execute_.find(reference_height_ + 1)) {
    const v1::Block& block = it->second;
    const auto& header = block.header();
    auto draft = reference_->begin_block(
        chain_.validators.validator(chain_.validators.primary_of(header.view())).public_key());
    for (int i = 0; i < block.transactions_size(); ++i) {
      if (Status s = draft.apply(block.transactions(i)); !s.ok()) {
        return fail("execution", "transaction " + std::to_string(i) + " of the block at height " +
                                     std::to_string(header.height()) +
                                     " does not apply: " + s.message());
      }
    }
    if (draft.state_root() != header.state_root()) {
      return fail("execution", "the block at height " + std::to_string(header.height()) +
                                   " executes to another state root than its header's");
    }
    reference_->push_pending(std::move(draft));
    reference_->commit_oldest();
    reference_height_ = header.height();
    to_execute_.erase(it);
  }
}

void Checker::acknowledged(std::uint32_t slot, const v1::TxResult& result) {
  if (!plan_.honest(slot) || !result.committed()) return;
  acked_.emplace(result.tx_id(), result.height());
}

void Checker::restarted(std::uint32_t slot, const std::vector<std::string>& before,
                        const std::vector<std::string>& now) {
  for (std::size_t i = 0; i < before.size(); ++i) {
    if (i >= now.size() || now[i] != before[i]) {
      return fail("durability",
                  who(slot) + " lost stored block " + std::to_string(i + 1) + " across a crash");
    }
  }
}

void Checker::check_acknowledged(std::uint32_t slot, const std::vector<v1::Block>& chain) {
  for (const auto& [id, h] : acked_) {
    if (h == 0 || h > chain.size()) continue;  // above this store's head: liveness' part
    bool found = false;
    for (const auto& tx : chain[h - 1].transactions()) found = found || ledger::tx_id(tx) == id;
    if (!found) {
      return fail("durability", "an acknowledged transaction is not at height " +
                                    std::to_string(h) + " in the store of " + who(slot));
    }
  }
}

}  // namespace itc::sim
