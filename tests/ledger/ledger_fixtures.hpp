// Readings and blocks for ledger tests, built with the SDK's own hashing so a block
// here is exactly what an ordering plugin would produce.
#pragma once

#include <QtTest>
#include <cstdint>
#include <string>
#include <vector>

#include "itc/crypto.hpp"
#include "itc/ledger/block_commitments.hpp"
#include "itc/services/ledger_store.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc::test {

inline const std::string kGenesisPrev(crypto::kSha256Size, '\0');

inline v1::Reading make_reading(int i, std::int64_t sampled_at_us = 1'704'067'200'000'000) {
  v1::Reading r;
  r.set_device_id("lamp-" + std::to_string(100000 + i % 1000).substr(1));
  r.set_metric(i % 2 ? "power_w" : "lux");
  r.set_value(10.0 + i * 0.25);
  r.set_unit(i % 2 ? "W" : "lx");
  r.set_quality(v1::QUALITY_GOOD);
  r.set_sampled_at_us(sampled_at_us + i);
  r.set_frame_seq(static_cast<std::uint64_t>(i));
  r.set_frame_digest(crypto::sha256("frame " + std::to_string(i)));
  return r;
}

// Recomputes the header's reading count, Merkle root and the block hash.
inline void seal(v1::Block& block) {
  block.mutable_header()->set_reading_count(static_cast<std::uint32_t>(block.readings_size()));
  block.mutable_header()->set_merkle_root(readings_merkle_root(block));
  block.mutable_header()->set_tx_count(static_cast<std::uint32_t>(block.transactions_size()));
  block.mutable_header()->set_tx_root(transactions_root(block));
  block.set_hash(block_hash(block.header()));
}

// A valid block at `height` on top of `prev_hash` holding `readings` readings.
inline v1::Block make_block(std::uint64_t height, const std::string& prev_hash, int readings,
                            int first_reading = 0) {
  v1::Block block;
  auto* h = block.mutable_header();
  h->set_height(height);
  h->set_prev_hash(prev_hash);
  h->set_timestamp_us(1'704'067'200'000'000 + static_cast<std::int64_t>(height) * 1000);
  h->set_producer("test-node");
  block.mutable_readings()->Reserve(readings);
  for (int i = 0; i < readings; ++i) *block.add_readings() = make_reading(first_reading + i);
  seal(block);
  return block;
}

// What append_chain writes: block h holds `readings` readings (the first numbered h * 100)
// and, with `state_entry`, a one-entry state delta "chain/<h>" = "v".
struct ChainShape {
  int readings = 5;
  bool state_entry = false;
};

// Appends `n` valid blocks to an empty store; their hashes, lowest first. A refused append
// fails the running test and stops there.
inline std::vector<std::string> append_chain(LedgerStore& store, int n, ChainShape shape = {}) {
  std::vector<std::string> hashes;
  std::string prev = kGenesisPrev;
  for (int h = 1; h <= n; ++h) {
    auto b = make_block(std::uint64_t(h), prev, shape.readings, h * 100);
    v1::StateDelta delta;
    if (shape.state_entry) {
      auto* e = delta.add_entries();
      e->set_key("chain/" + std::to_string(h));
      e->set_value("v");
    }
    const Status s = store.append(b, delta);
    if (!QTest::qVerify(s.ok(), "store.append(block, delta)", s.ToString().c_str(), __FILE__,
                        __LINE__)) {
      return hashes;
    }
    prev = b.hash();
    hashes.push_back(prev);
  }
  return hashes;
}

}  // namespace itc::test
