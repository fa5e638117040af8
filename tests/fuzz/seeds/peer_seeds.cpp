// Seeds of the peer-facing targets, recorded from a 4-validator network of real Replicas
// (validator_network.hpp) exchanging real signed envelopes: what replica 1 (a backup) and
// replica 0 (the primary) receive in normal operation, what replica 1 receives during a
// view change away from a silent primary, the blocks they commit, and signed frames.
#include <array>
#include <map>
#include <memory>
#include <set>

#include "itc/frame_signing.hpp"
#include "itc/ledger/transactions.hpp"
#include "seeds/corpus.hpp"
#include "validator_network.hpp"

namespace itc::fuzz {
namespace {

struct RecordedNetwork {
  // Delivers every message sent so far, except what `silent` sends; returns how many.
  std::size_t deliver(std::optional<std::uint32_t> silent) {
    std::size_t delivered = 0;
    for (auto& r : replicas) {
      std::vector<std::pair<std::uint32_t, v1::Envelope>> sent;
      sent.swap(r->outbox.sent);
      if (silent == r->self) continue;
      for (const auto& [to, envelope] : sent) {
        for (auto& target : replicas) {
          if (target->self == r->self || (to != UINT32_MAX && to != target->self)) continue;
          record(target->self, r->self, envelope);
          v1::Envelope opened_envelope;
          std::vector<std::string> dropped;
          auto msg = pbft::open_peer_frame(envelope.SerializeAsString(),
                                           ValidatorNetwork::get().validators, r->self, false,
                                           &opened_envelope, &dropped);
          if (!msg.ok() || msg->has_fetch_blocks()) continue;
          target->replica.on_message(opened_envelope, *msg);
          ++delivered;
        }
      }
    }
    return delivered;
  }
  void tick(std::chrono::milliseconds step) {
    for (auto& r : replicas) {
      r->advance(step);
      r->replica.on_tick();
      for (const v1::Block& block : r->outbox.committed) blocks[block.header().height()] = block;
      r->store_committed();
      // A tick record in pbft_replica's format: from the replica itself, `who` ms.
      if (record_ticks)
        replica_records[r->self] += static_cast<char>(r->self + 4 * (step.count() / 4)) + u16le(0);
    }
  }
  void record(std::uint32_t to, std::uint32_t from, const v1::Envelope& envelope) {
    if (replica_records[to].size() < 12000) {
      replica_records[to] +=
          static_cast<char>(from) + u16le(envelope.payload().size()) + envelope.payload();
    }
    v1::ConsensusMessage msg;
    msg.ParseFromString(envelope.payload());
    const std::string kind = pbft::describe(msg).substr(0, pbft::describe(msg).find('('));
    if (to == 1 && frames.count(kind) == 0) {
      frames[kind] = std::string{static_cast<char>(to), static_cast<char>(from)} +
                     envelope.SerializeAsString();
    }
  }

  std::array<std::unique_ptr<ReplicaUnderTest>, 4> replicas{
      std::make_unique<ReplicaUnderTest>(0), std::make_unique<ReplicaUnderTest>(1),
      std::make_unique<ReplicaUnderTest>(2), std::make_unique<ReplicaUnderTest>(3)};
  bool record_ticks = true;
  std::array<std::string, 4> replica_records;  // pbft_replica input after its first byte
  std::map<std::string, std::string> frames;   // pbft_frame input per message kind
  std::map<std::uint64_t, v1::Block> blocks;   // committed, by height
};

v1::Transaction transfer(std::uint64_t nonce) {
  const auto& network = ValidatorNetwork::get();
  v1::Transaction tx;
  tx.set_nonce(nonce);
  tx.mutable_transfer()->set_to(network.keys[1].public_key());
  tx.mutable_transfer()->set_amount(5 * nonce);
  ledger::sign_tx(network.genesis.chain_id(), &tx, network.account);
  return tx;
}

std::vector<v1::Reading> readings(int n) {
  std::vector<v1::Reading> out;
  for (int i = 0; i < n; ++i) {
    v1::Reading r;
    r.set_device_id("lamp-" + std::to_string(i % 3));
    r.set_metric("power");
    r.set_value(40.5 + i);
    r.set_unit("W");
    r.set_sampled_at_us(1'700'000'000'000'000 + i);
    r.set_frame_seq(static_cast<std::uint64_t>(i));
    r.set_frame_digest(crypto::sha256("frame " + std::to_string(i)));
    out.push_back(std::move(r));
  }
  return out;
}

void write_network_seeds(Corpus& corpus) {
  RecordedNetwork net;
  for (std::uint64_t nonce = 1; nonce <= 6; ++nonce) {
    auto tx = transfer(nonce);
    net.replicas[nonce % 2 ? 0 : 2]->replica.submit(tx, ledger::tx_id(tx));
    net.replicas[0]->replica.submit_readings(readings(static_cast<int>(nonce)));
    for (int round = 0; round < 6; ++round) {
      net.deliver(std::nullopt);
      net.tick(std::chrono::milliseconds(4));
    }
  }
  corpus.add("pbft_replica", "backup-normal-case", std::string(1, '\1') + net.replica_records[1]);
  corpus.add("pbft_replica", "primary-normal-case", std::string(1, '\0') + net.replica_records[0]);
  for (const auto& [kind, frame] : net.frames) corpus.add("pbft_frame", kind, frame);
  std::vector<v1::Block> committed;
  for (const auto& [height, block] : net.blocks) committed.push_back(block);
  write_light_seeds(corpus, committed);
  for (const auto& [height, block] : net.blocks) {
    corpus.add("ledger_block", "height-" + std::to_string(height), block.SerializeAsString());
    if (height >= 3) break;
  }

  // The primary falls silent with a request pending: the others change view.
  RecordedNetwork vc;
  auto tx = transfer(1);
  vc.replicas[1]->replica.submit(tx, ledger::tx_id(tx));
  for (int round = 0; round < 60; ++round) {
    vc.deliver(0);
    vc.tick(std::chrono::milliseconds(20));
  }
  corpus.add("pbft_replica", "backup-view-change", std::string(1, '\1') + vc.replica_records[1]);
  for (const auto& [kind, frame] : vc.frames) corpus.add("pbft_frame", "vc-" + kind, frame);
}

void write_frame_seeds(Corpus& corpus) {
  const auto device = key_from_name("device-0");
  std::vector<v1::RawFrame> frames(3);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    frames[i].set_device_id("lamp-0");
    frames[i].set_profile("dimmable-lamp");
    frames[i].set_seq(i + 1);
    frames[i].set_sampled_at_us(1'700'000'000'000'000 + static_cast<std::int64_t>(i));
    auto* v = frames[i].add_values();
    v->set_metric("power");
    v->set_raw_int(4200 + static_cast<std::int64_t>(i));
    v = frames[i].add_values();
    v->set_metric("on");
    v->set_raw_bool(true);
  }
  v1::RawFrame single = frames[0];
  sign_frame(&single, device);
  corpus.add("signed_frame", "single", single.SerializeAsString());
  std::vector<v1::RawFrame*> batch;
  for (auto& f : frames) batch.push_back(&f);
  sign_frame_batch(batch, device);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    corpus.add("signed_frame", "batch-" + std::to_string(i), frames[i].SerializeAsString());
  }
}

}  // namespace

void write_peer_seeds(Corpus& corpus) {
  write_network_seeds(corpus);
  write_frame_seeds(corpus);
}

}  // namespace itc::fuzz
