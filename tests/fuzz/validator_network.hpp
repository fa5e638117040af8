// The validator network the PBFT fuzz targets and their seed writer share: 4 validators
// (f = 1) and one funded account whose keys come from fixed seeds, so the signatures in a
// committed input verify in every run; and a real Replica built over it, driven by a
// FakeClock (itc/testing/fake_env.hpp), whose outputs are kept in an Outbox.
// Thread safety: none; each fuzz process uses it from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "envelope.hpp"
#include "fixed_keys.hpp"
#include "itc/chain/state.hpp"
#include "itc/ledger/validators.hpp"
#include "itc/testing/fake_env.hpp"
#include "replica.hpp"

namespace itc::fuzz {

struct ValidatorNetwork {
  static constexpr std::uint32_t kValidators = 4;

  ValidatorNetwork() : account(key_from_name("account-0")) {
    genesis.set_chain_id("itc-fuzz");
    genesis.set_timestamp_us(1'700'000'000'000'000);
    for (std::uint32_t i = 0; i < kValidators; ++i) {
      keys.push_back(key_from_name("validator-" + std::to_string(i)));
      auto* v = genesis.add_validators();
      v->set_name("validator-" + std::to_string(i));
      v->set_public_key(keys.back().public_key());
      v->set_address("127.0.0.1:1");
    }
    auto* funds = genesis.add_allocations();
    funds->set_account(account.public_key());
    funds->set_balance(1'000'000);
    validators = *ledger::ValidatorSet::from_genesis(genesis);
  }
  // Built once per process: key derivation is the costly part.
  static const ValidatorNetwork& get() {
    static const ValidatorNetwork network;
    return network;
  }

  v1::Genesis genesis;
  std::vector<crypto::Ed25519PrivateKey> keys;
  crypto::Ed25519PrivateKey account;
  ledger::ValidatorSet validators;
};

class QuietLogger final : public Logger {
 public:
  void log(LogLevel, std::string_view) override {}
};

// What a replica sent: (peer, envelope), UINT32_MAX as peer for a broadcast; and the
// blocks it handed to the store.
class Outbox final : public pbft::ReplicaIo {
 public:
  void send(std::uint32_t peer, const v1::Envelope& e) override { sent.emplace_back(peer, e); }
  void broadcast(const v1::Envelope& e) override { sent.emplace_back(UINT32_MAX, e); }
  void record(const v1::VoteRecord&) override {}
  void commit_block(v1::Block block, v1::StateDelta) override {
    committed.push_back(std::move(block));
  }
  void tx_done(const std::string&, const v1::TxResult&) override {}
  void compact_journal(const std::vector<v1::VoteRecord>&) override {}

  std::vector<std::pair<std::uint32_t, v1::Envelope>> sent;
  std::vector<v1::Block> committed;
};

// Validator `self` of the network at genesis, with small batching and checkpoint settings
// so a short input reaches proposals, checkpoints and view changes.
struct ReplicaUnderTest {
  explicit ReplicaUnderTest(std::uint32_t self_index)
      : self(self_index % ValidatorNetwork::kValidators),
        replica(options(self), ValidatorNetwork::get().validators, ValidatorNetwork::get().genesis,
                ValidatorNetwork::get().keys[self],
                std::make_unique<ledger::LedgerState>(ValidatorNetwork::get().genesis),
                std::nullopt, outbox, log, clock) {}

  static pbft::ReplicaOptions options(std::uint32_t self) {
    pbft::ReplicaOptions o;
    o.self = self;
    o.node_name = "validator-" + std::to_string(self);
    o.batch_max_requests = 8;
    o.checkpoint_interval = 4;
    o.view_change_timeout = std::chrono::milliseconds(50);
    return o;
  }
  void advance(std::chrono::milliseconds d) { clock.set_steady(clock.steady_now() + d); }
  // The store appended every block handed to it so far (as the plugin reports it).
  void store_committed() {
    std::vector<v1::Block> blocks;
    blocks.swap(outbox.committed);
    for (const v1::Block& block : blocks) replica.on_durable(block);
  }

  std::uint32_t self;
  testing::FakeClock clock;
  QuietLogger log;
  Outbox outbox;
  pbft::Replica replica;
};

}  // namespace itc::fuzz
