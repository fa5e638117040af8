// What a Byzantine peer can make a validator do with Status and FetchBlocks messages, on
// the real Replica and FetchBudget with a fake clock: thousands of random, mutated and
// truncated Status messages (re-signed by the peer, so they pass the envelope check)
// never start a view change, a new-view fetch or a state transfer unless a quorum
// certificate proves the claimed height; and the fetch budget serves a replayed request
// once per window and a flood only up to its rate; the replay filter drops a peer's
// copies of a recent frame before they are read.
#include <QtTest>
#include <random>

#include "envelope.hpp"
#include "fetch_budget.hpp"
#include "itc/chain/state.hpp"
#include "itc/testing/fake_env.hpp"
#include "replay_filter.hpp"
#include "replica.hpp"

namespace v1 = itc::v1;
using itc::pbft::FetchBudget;

namespace {

class QuietLogger final : public itc::Logger {
 public:
  void log(itc::LogLevel, std::string_view m) override {
    status_lines += m.find("rejected status") != std::string_view::npos;
  }
  int status_lines = 0;
};

class RecordingIo final : public itc::pbft::ReplicaIo {
 public:
  void send(std::uint32_t peer, const v1::Envelope& e) override { note(peer, e); }
  void broadcast(const v1::Envelope& e) override { note(UINT32_MAX, e); }
  void record(const v1::VoteRecord&) override {}
  void commit_block(v1::Block, v1::StateDelta) override {}
  void tx_done(const std::string&, const v1::TxResult&) override {}
  void compact_journal(const std::vector<v1::VoteRecord>&) override {}
  std::vector<std::pair<std::uint32_t, v1::ConsensusMessage>> sent;

 private:
  void note(std::uint32_t peer, const v1::Envelope& e) {
    v1::ConsensusMessage m;
    if (m.ParseFromString(e.payload()) && !m.has_status()) sent.emplace_back(peer, m);
  }
};

struct Validators {
  Validators() {
    genesis.set_chain_id("itc-fuzz");
    genesis.set_timestamp_us(1'700'000'000'000'000);
    for (int i = 0; i < 4; ++i) {
      keys.push_back(*itc::crypto::Ed25519PrivateKey::generate());
      auto* v = genesis.add_validators();
      v->set_name("validator-" + std::to_string(i));
      v->set_public_key(keys.back().public_key());
      v->set_address("127.0.0.1:1");
    }
    set = *itc::ledger::ValidatorSet::from_genesis(genesis);
  }
  // A quorum certificate signed by `signers` over (view 0, height, hash).
  v1::QuorumCertificate qc(std::uint64_t height, const std::vector<std::uint32_t>& signers) const {
    v1::QuorumCertificate q;
    q.set_height(height);
    q.set_block_hash(itc::crypto::sha256("block " + std::to_string(height)));
    for (auto s : signers) {
      auto* sig = q.add_signatures();
      sig->set_validator(s);
      sig->set_signature(keys[s].sign(
          itc::ledger::commit_signing_bytes(genesis.chain_id(), 0, height, q.block_hash())));
    }
    return q;
  }
  v1::Genesis genesis;
  std::vector<itc::crypto::Ed25519PrivateKey> keys;
  itc::ledger::ValidatorSet set;
};

}  // namespace

class ReplayFuzzTest : public QObject {
  Q_OBJECT

 private slots:
  void mutatedStatusesNeverStartAViewChangeOrAStateTransfer() {
    Validators vs;
    itc::testing::FakeClock clock;
    QuietLogger log;
    RecordingIo io;
    itc::pbft::ReplicaOptions o;
    o.self = 1;
    o.node_name = "validator-1";
    itc::pbft::Replica replica(o, vs.set, vs.genesis, vs.keys[1],
                               std::make_unique<itc::ledger::LedgerState>(vs.genesis), std::nullopt,
                               io, log, clock);
    // The liar is validator 2; validators 0 and 3 stay silent.
    auto deliver = [&](const v1::ConsensusMessage& m) {
      v1::Envelope env = itc::pbft::seal(m, vs.keys[2], vs.genesis.chain_id());
      auto opened = itc::pbft::open(env, vs.set, 2);
      if (opened.ok()) replica.on_message(env, *opened);
    };
    v1::ConsensusMessage proven;
    proven.set_sender(2);
    proven.mutable_status()->set_committed_height(5);
    *proven.mutable_status()->mutable_head_qc() = vs.qc(5, {0, 2, 3});
    v1::ConsensusMessage short_of_quorum = proven;  // what the mutations start from
    *short_of_quorum.mutable_status()->mutable_head_qc() = vs.qc(5, {2, 3});
    const std::string valid = short_of_quorum.SerializeAsString();

    std::mt19937_64 rng(20261203);
    auto byte = [&] { return static_cast<char>(rng() & 0xff); };
    std::size_t parsed = 0;
    for (int i = 0; i < 20000; ++i) {
      std::string bytes = valid;
      switch (i % 4) {
        case 0:  // flip bytes
          for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k)
            bytes[rng() % bytes.size()] = byte();
          break;
        case 1:  // truncate
          bytes.resize(rng() % bytes.size());
          break;
        case 2:  // random bytes
          bytes.resize(rng() % 200);
          for (auto& c : bytes) c = byte();
          break;
        default: {  // well-formed lies: huge heights, views, QCs short of a quorum or forged
          v1::ConsensusMessage m;
          auto* s = m.mutable_status();
          s->set_committed_height(rng() % 3 == 0 ? 1'000'000'000'000ull : rng());
          s->set_view(rng() % 2 ? 0 : rng());
          s->set_in_view_change(rng() % 2);
          std::vector<std::uint32_t> signers = {2};
          if (rng() % 2) signers = {2, 2, 2};
          if (rng() % 3 == 0) signers = {0, 2, 3};
          *s->mutable_head_qc() = vs.qc(s->committed_height(), signers);
          if (signers.size() == 3 && signers[0] == 0) {  // a real quorum, for another height
            s->set_committed_height(s->committed_height() + 1 + rng() % 1000);
          }
          bytes = m.SerializeAsString();
        }
      }
      v1::ConsensusMessage m;
      if (!m.ParseFromString(bytes)) continue;
      ++parsed;
      m.set_sender(2);
      deliver(m);
      clock.set_steady(clock.steady_now() + std::chrono::milliseconds(1));
      if (i % 50 == 0) replica.on_tick();
    }
    QVERIFY(parsed > 5000);
    for (const auto& [peer, m] : io.sent) {
      QVERIFY2(!m.has_fetch_blocks() && !m.has_fetch_new_view() && !m.has_view_change(),
               qPrintable(QString::fromStdString(itc::pbft::describe(m))));
    }
    QCOMPARE(replica.stats().view_changes, std::uint64_t{0});
    QCOMPARE(replica.stats().view, std::uint64_t{0});
    QVERIFY(replica.stats().rejected_messages > 0);
    // Refused claims are logged at most once a second per peer (20 s of fake time).
    QVERIFY2(log.status_lines > 0 && log.status_lines <= 21,
             qPrintable(QString("%1 refused statuses logged").arg(log.status_lines)));

    // The one claim a quorum certificate proves does start a state transfer.
    deliver(proven);
    QVERIFY(std::any_of(io.sent.begin(), io.sent.end(), [](const auto& s) {
      return s.first == 2 && s.second.has_fetch_blocks() &&
             s.second.fetch_blocks().from_height() == 1;
    }));
  }

  void replayedFetchIsServedOncePerWindowAndAFloodOnlyUpToTheBudget() {
    itc::testing::FakeClock clock;
    itc::pbft::FetchLimits limits;
    limits.duplicate_window = std::chrono::milliseconds(500);
    limits.blocks_per_second = 1000;
    limits.bytes_per_second = 1e6;
    FetchBudget budget(4, limits, clock);
    using V = FetchBudget::Verdict;
    QVERIFY(budget.admit(3, 1, 64) == V::kServe);
    for (int i = 0; i < 10000; ++i) QVERIFY(budget.admit(3, 1, 64) == V::kDuplicate);
    QVERIFY(budget.admit(1, 1, 64) == V::kServe);  // another peer has its own
    clock.set_steady(clock.steady_now() + std::chrono::milliseconds(501));
    QVERIFY(budget.admit(3, 1, 64) == V::kServe);

    // Distinct requests, 64 blocks of 1 kB each: a second's worth of blocks, then no more
    // until the bucket refills.
    std::uint64_t served = 0;
    for (std::uint64_t from = 100; from < 100 + 100 * 64; from += 64) {
      if (budget.admit(2, from, from + 63) != V::kServe) continue;
      for (int b = 0; b < 64; ++b) {
        ++served;
        if (!budget.charge(2, 1000)) break;
      }
    }
    QVERIFY2(served >= 990 && served <= 1001, qPrintable(QString::number(served)));
    QVERIFY(budget.admit(2, 1'000'000, 1'000'063) == V::kOverBudget);
    clock.set_steady(clock.steady_now() + std::chrono::milliseconds(100));  // 100 blocks' worth
    QVERIFY(budget.admit(2, 1'000'000, 1'000'063) == V::kServe);
    // A block larger than a second's bytes is still served, alone.
    clock.set_steady(clock.steady_now() + std::chrono::seconds(2));
    QVERIFY(budget.admit(0, 1, 1) == V::kServe);
    QVERIFY(!budget.charge(0, 5'000'000));
  }

  void copiesOfAPeersRecentFrameAreDroppedUnread() {
    itc::testing::FakeClock clock;
    itc::pbft::ReplayFilter filter(4, std::chrono::milliseconds(500), clock);
    QVERIFY(filter.first_copy(3, "fetch-blocks(1..64)"));
    for (int i = 0; i < 10000; ++i) QVERIFY(!filter.first_copy(3, "fetch-blocks(1..64)"));
    QVERIFY(filter.first_copy(3, "fetch-blocks(1..65)"));  // other bytes
    QVERIFY(filter.first_copy(1, "fetch-blocks(1..64)"));  // another peer's link
    clock.set_steady(clock.steady_now() + std::chrono::milliseconds(500));
    QVERIFY(filter.first_copy(3, "fetch-blocks(1..64)"));  // an honest re-send, later
    QVERIFY(filter.first_copy(9, "out of range"));         // not filtered, not remembered
  }
};

QTEST_GUILESS_MAIN(ReplayFuzzTest)
#include "replay_fuzz_test.moc"
