// A real chain for light-client tests: LedgerState with a genesis of 4 validators, two
// funded accounts and 3000 genesis devices (so state buckets hold several entries), and
// blocks applied and certified by the validators' own keys (chain_fixture.hpp). The node
// side (itc_light_prover) encodes proofs from these objects; tests check them with
// libitc-light.
#pragma once

#include <QtTest>
#include <string>
#include <vector>

#include "chain_fixture.hpp"
#include "itc/light/genesis_trust.hpp"
#include "itc/light/light_client.hpp"
#include "itc/light/prover.hpp"
#include "itc/light/state_values.hpp"

namespace itc::test {

inline const std::uint8_t* bytes_of(const std::string& s) {
  return reinterpret_cast<const std::uint8_t*>(s.data());
}

inline v1::Reading reading(const std::string& device, double value, std::int64_t at) {
  v1::Reading r;
  r.set_device_id(device);
  r.set_metric("power_w");
  r.set_value(value);
  r.set_unit("W");
  r.set_sampled_at_us(at);
  return r;
}

inline v1::Genesis light_genesis(std::string_view chain = kChainId) {
  v1::Genesis g = make_genesis(
      4, {{key_from('a').public_key(), 1'000'000}, {key_from('b').public_key(), 50'000}});
  g.set_chain_id(std::string(chain));
  for (int i = 0; i < 3000; ++i) {
    v1::DeviceRecord* d = g.add_devices();
    d->set_device_id("genesis-lamp-" + std::to_string(i));
    d->set_profile("dimmable-lamp");
    d->set_device_public_key(key_from('d').public_key());
    d->set_owner(key_from('b').public_key());
  }
  return g;
}

// Blocks 1..3: alice registers lamp-1 and pays bob (with 5 readings), bob pays alice
// back (3 readings), alice gives lamp-1 to bob. `blocks[h-1]` is block h.
struct LightChain {
  v1::Genesis genesis = light_genesis();
  ledger::LedgerState state{genesis};
  std::vector<v1::Block> blocks;
  crypto::Ed25519PrivateKey alice = key_from('a');
  crypto::Ed25519PrivateKey bob = key_from('b');

  LightChain() {
    std::vector<v1::Reading> first;
    for (int i = 0; i < 5; ++i) first.push_back(reading("lamp-1", 10.0 + i, 1000 + i));
    add({signed_register(alice, "lamp-1", 1), signed_transfer(alice, bob.public_key(), 500, 2)},
        first);
    add({signed_transfer(bob, alice.public_key(), 100, 1)},
        {reading("lamp-2", 3.5, 2000), reading("lamp-3", 4.5, 2001), reading("lamp-4", 5, 2002)});
    add({signed_device_transfer(alice, "lamp-1", bob.public_key(), 3)}, {});
  }
  void add(const std::vector<v1::Transaction>& txs, const std::vector<v1::Reading>& readings,
           const std::vector<int>& signers = {0, 1, 2}) {
    const std::string prev = blocks.empty() ? std::string(32, '\0') : blocks.back().hash();
    blocks.push_back(commit_certified_block(state, prev, txs, signers, readings).block);
  }
  const v1::Block& head() const { return blocks.back(); }

  std::string update(const v1::Block& b) const {
    return light::prover::header_update(b.header(), b.qc()).value();
  }
  std::string state_proof(const std::string& key) const {
    return light::prover::state_proof(state, head(), key).value();
  }
  light::State trusting() const {
    light::State s{};
    const Status st = light::trust_genesis(genesis, &s);
    if (!st.ok()) qFatal("trust_genesis: %s", st.message().c_str());
    return s;
  }
};

}  // namespace itc::test
