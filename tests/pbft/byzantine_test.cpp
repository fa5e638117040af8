// f = 1 Byzantine validator against three honest itc-node processes. The test itself is
// one validator on a real TLS link, with its real key. As validator 0 — the primary of
// view 0 — it sends different blocks to different replicas (equivocation), forged and
// replayed messages, and votes for digests that do not exist: the honest replicas must
// never commit two different blocks at one height, and must go on committing after they
// replace it. As a backup it replays one signed fetch-blocks request thousands of times
// (served work stays bounded, honest transactions keep their pace), claims a height no
// quorum certificate proves (no view change, no state transfer follows), and proves the
// newest height while serving nothing (a restarted validator still catches up). On a chain
// carrying the DAG, as primary it names milestone transactions nobody has: no backup
// prepares, and the view change that replaces it lets milestones go on.
#include <QElapsedTimer>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include "envelope.hpp"
#include "issuer.hpp"
#include "itc/chain/state.hpp"
#include "itc/ledger/block_commitments.hpp"
#include "itc/p2p/peer_network.hpp"
#include "lamp_profile.hpp"
#include "local_network.hpp"
#include "transaction.hpp"

using itc::testing::eventually;
using itc::testing::HttpReply;
using itc::testing::LocalNetwork;
using itc::testing::NetworkOptions;
namespace v1 = itc::v1;

namespace {

class QtLogger final : public itc::Logger {
 public:
  void log(itc::LogLevel, std::string_view m) override {
    qDebug("byzantine peer: %.*s", int(m.size()), m.data());
  }
};

// The Byzantine validator: a real peer link with validator `self`'s key.
class Adversary {
 public:
  explicit Adversary(LocalNetwork& net, std::uint32_t self = 0) : net_(net), self_(self) {
    itc::net::PeerNetworkOptions o;
    o.self_index = self;
    for (std::uint32_t i = 0; i < net.validators().size(); ++i) {
      const auto& v = net.validators().validator(i);
      o.peers.push_back({v.name(), v.public_key(), v.address()});
    }
    o.identity = net.validator_key(static_cast<int>(self));
    auto started = itc::net::PeerNetwork::start(
        std::move(o),
        [this](std::uint32_t peer, std::string frame) {
          v1::Envelope env;
          if (!env.ParseFromString(frame)) return;
          auto msg = itc::pbft::open(env, net_.validators(), peer);
          if (!msg.ok()) return;
          if (msg->has_blocks()) {  // counted, not kept: a replay attack draws many
            blocks_received_ += static_cast<std::uint64_t>(msg->blocks().blocks_size());
            return;
          }
          if (msg->has_fetch_blocks()) ++fetches_received_;
          std::lock_guard lock(mu_);
          received_.push_back(*msg);
          if (msg->has_commit()) commit_signatures_.push_back({*msg, env.signature()});
        },
        log_);
    if (!started.ok()) qFatal("adversary: %s", started.status().message().c_str());
    network_ = std::move(*started);
  }
  ~Adversary() { network_->stop(); }

  void send(std::uint32_t peer, const v1::ConsensusMessage& msg) { send_raw(peer, sign(msg)); }
  v1::Envelope sign(const v1::ConsensusMessage& msg) const {
    v1::ConsensusMessage m = msg;
    m.set_sender(self_);
    return itc::pbft::seal(m, net_.validator_key(static_cast<int>(self_)),
                           net_.genesis().chain_id());
  }
  void send_raw(std::uint32_t peer, const v1::Envelope& env) {
    network_->send(peer, env.SerializeAsString());
  }

  // A valid block at height 1 of view 0 holding one made-up reading `tag`.
  v1::Block block_at_1(const std::string& tag) const {
    v1::Block b;
    auto* r = b.add_readings();
    r->set_device_id("byzantine-" + tag);
    r->set_metric("power");
    r->set_value(1);
    r->set_frame_digest(itc::crypto::sha256(tag));
    auto* h = b.mutable_header();
    h->set_height(1);
    h->set_prev_hash(std::string(32, '\0'));
    h->set_view(0);
    h->set_producer("validator-0");
    h->set_timestamp_us(std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count());
    h->set_reading_count(1);
    h->set_merkle_root(itc::readings_merkle_root(b));
    h->set_tx_root(itc::transactions_root(b));
    itc::ledger::LedgerState state(net_.genesis());
    const auto draft = state.begin_block(net_.validators().validator(0).public_key());
    h->set_state_root(draft.state_root());
    draft.commit_to_validators(h);
    b.set_hash(itc::block_hash(*h));
    return b;
  }

  std::vector<v1::ConsensusMessage> received() {
    std::lock_guard lock(mu_);
    return received_;
  }
  // Messages received since `*cursor` (which moves on), with the signatures of commits.
  std::vector<v1::ConsensusMessage> received_since(std::size_t* cursor) {
    std::lock_guard lock(mu_);
    std::vector<v1::ConsensusMessage> out(received_.begin() + static_cast<std::ptrdiff_t>(*cursor),
                                          received_.end());
    *cursor = received_.size();
    return out;
  }
  std::vector<std::pair<v1::ConsensusMessage, std::string>> commits_since(std::size_t* cursor) {
    std::lock_guard lock(mu_);
    std::vector<std::pair<v1::ConsensusMessage, std::string>> out(
        commit_signatures_.begin() + static_cast<std::ptrdiff_t>(*cursor),
        commit_signatures_.end());
    *cursor = commit_signatures_.size();
    return out;
  }
  std::uint64_t blocks_received() const { return blocks_received_; }
  std::uint64_t fetches_received() const { return fetches_received_; }

 private:
  LocalNetwork& net_;
  const std::uint32_t self_;
  QtLogger log_;
  std::unique_ptr<itc::net::PeerNetwork> network_;
  std::mutex mu_;
  std::vector<v1::ConsensusMessage> received_;
  std::vector<std::pair<v1::ConsensusMessage, std::string>> commit_signatures_;
  std::atomic<std::uint64_t> blocks_received_{0};
  std::atomic<std::uint64_t> fetches_received_{0};
};

v1::ConsensusMessage pre_prepare(std::uint64_t view, const v1::Block& b) {
  v1::ConsensusMessage m;
  auto* pp = m.mutable_pre_prepare();
  pp->set_view(view);
  pp->set_seq(b.header().height());
  pp->set_digest(b.hash());
  *pp->mutable_block() = b;
  return m;
}

v1::ConsensusMessage commit(std::uint64_t view, std::uint64_t seq, const std::string& digest) {
  v1::ConsensusMessage m;
  m.mutable_commit()->set_view(view);
  m.mutable_commit()->set_seq(seq);
  m.mutable_commit()->set_digest(digest);
  return m;
}

v1::ConsensusMessage prepare(std::uint64_t view, std::uint64_t seq, const std::string& digest) {
  v1::ConsensusMessage m;
  m.mutable_prepare()->set_view(view);
  m.mutable_prepare()->set_seq(seq);
  m.mutable_prepare()->set_digest(digest);
  return m;
}

v1::ConsensusMessage fetch_blocks(std::uint64_t from, std::uint64_t to) {
  v1::ConsensusMessage m;
  m.mutable_fetch_blocks()->set_from_height(from);
  m.mutable_fetch_blocks()->set_to_height(to);
  return m;
}

v1::ConsensusMessage status_at(std::uint64_t height) {
  v1::ConsensusMessage m;
  m.mutable_status()->set_view(0);
  m.mutable_status()->set_committed_height(height);
  return m;
}

// `n` transfers from account 0, one after the other (each answered once committed), on
// validator `node`; returns the milliseconds they took, or -1 if one was refused.
qint64 sequential_transfers(LocalNetwork& net, int node, int n, std::uint64_t* nonce) {
  QElapsedTimer t;
  t.start();
  for (int k = 0; k < n; ++k) {
    if (net.submit(node, net.transfer(0, 1, 1, ++*nonce)).status != 200) return -1;
  }
  return t.elapsed();
}

bool all_connected(LocalNetwork& net, const std::vector<int>& nodes) {
  return eventually(
      [&] {
        for (int i : nodes) {
          if (net.metric(i, "pbft", "peers_connected").value_or(0) < 3) return false;
        }
        return true;
      },
      20000);
}

}  // namespace

class ByzantineTest : public QObject {
  Q_OBJECT

 private slots:
  void equivocatingPrimaryForgeriesAndWrongVotesNeverSplitTheHonestReplicas() {
    NetworkOptions opt;
    opt.byzantine = {0};
    LocalNetwork net(opt);
    net.start_all();
    Adversary adversary(net);
    QVERIFY(eventually(
        [&] {
          return net.metric(1, "pbft", "peers_connected").value_or(0) >= 3 &&
                 net.metric(2, "pbft", "peers_connected").value_or(0) >= 3;
        },
        20000));

    // 1. Equivocation: block A to validator 1, block B to validators 2 and 3, and a commit
    //    for each to its audience.
    const v1::Block a = adversary.block_at_1("A");
    const v1::Block b = adversary.block_at_1("B");
    QVERIFY(a.hash() != b.hash());
    adversary.send(1, pre_prepare(0, a));
    adversary.send(2, pre_prepare(0, b));
    adversary.send(3, pre_prepare(0, b));
    adversary.send(1, commit(0, 1, a.hash()));
    adversary.send(2, commit(0, 1, b.hash()));
    adversary.send(3, commit(0, 1, b.hash()));

    // 2. Forgeries: a message signed with a key that is not validator 0's, and one that
    //    claims to be validator 2's but arrives on validator 0's link.
    auto stranger = *itc::crypto::Ed25519PrivateKey::generate();
    v1::ConsensusMessage forged = commit(0, 1, a.hash());
    forged.set_sender(0);
    adversary.send_raw(1, itc::pbft::seal(forged, stranger, net.genesis().chain_id()));
    forged.set_sender(2);
    adversary.send_raw(1, itc::pbft::seal(forged, net.validator_key(0), net.genesis().chain_id()));
    QVERIFY(eventually([&] { return net.metric(1, "pbft", "frames_rejected").value_or(0) >= 2; },
                       10000));

    // The honest replicas agree on height 1 whatever each was shown (B has a quorum).
    QVERIFY2(eventually(
                 [&] {
                   for (int i = 1; i <= 3; ++i) {
                     if (net.height(i).value_or(0) < 1) return false;
                   }
                   return true;
                 },
                 20000),
             qPrintable(net.log_of(1)));
    for (int i = 1; i <= 3; ++i) {
      auto blk = net.block(i, 1);
      QVERIFY(blk);
      QCOMPARE(blk->hash(), b.hash());
      QVERIFY(net.validators().verify_qc(blk->header(), blk->hash(), blk->qc()).ok());
    }

    // 3. A replay of the losing pre-prepare changes nothing.
    adversary.send(2, pre_prepare(0, a));

    // 4. The silent primary is replaced; from then on the adversary votes for digests
    //    that do not exist on every sequence number it sees proposed.
    std::atomic<bool> stop{false};
    std::thread wrong_voter([&] {
      std::set<std::uint64_t> done;
      while (!stop) {
        for (const auto& m : adversary.received()) {
          if (!m.has_pre_prepare() || !done.insert(m.pre_prepare().seq()).second) continue;
          const std::string bogus =
              itc::crypto::sha256("bogus " + std::to_string(m.pre_prepare().seq()));
          for (std::uint32_t peer = 1; peer <= 3; ++peer) {
            adversary.send(peer, prepare(m.pre_prepare().view(), m.pre_prepare().seq(), bogus));
            adversary.send(peer, commit(m.pre_prepare().view(), m.pre_prepare().seq(), bogus));
          }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
    for (int k = 0; k < 3; ++k) {
      auto r = net.submit(1 + k, net.transfer(k, k + 1, 7, 1));
      if (r.status != 200) {
        stop = true;
        wrong_voter.join();
        QFAIL(qPrintable(QString("%1 %2").arg(r.status).arg(QString(r.body))));
      }
    }
    QTest::qWait(1000);  // let the wrong votes for the last blocks arrive
    stop = true;
    wrong_voter.join();
    QVERIFY(net.metric(1, "pbft", "view").value_or(0) >= 1);
    const std::uint64_t top = net.height(1).value_or(0);
    QVERIFY(top >= 2);
    QVERIFY(eventually(
        [&] { return net.height(2).value_or(0) >= top && net.height(3).value_or(0) >= top; },
        20000));
    for (std::uint64_t h = 1; h <= top; ++h) {
      auto b1 = net.block(1, h), b2 = net.block(2, h), b3 = net.block(3, h);
      QVERIFY(b1 && b2 && b3);
      QCOMPARE(b1->hash(), b2->hash());
      QCOMPARE(b1->hash(), b3->hash());
      QVERIFY(net.validators().verify_qc(b1->header(), b1->hash(), b1->qc()).ok());
    }
    for (int i = 1; i <= 3; ++i) QCOMPARE(net.metric(i, "pbft", "divergences").value_or(-1), 0.0);
  }

  void replayedFetchRequestIsServedBoundedlyAndHonestTransactionsKeepTheirPace() {
    NetworkOptions opt;
    opt.byzantine = {3};  // a backup; validator 0 stays the primary
    LocalNetwork net(opt);
    net.start_all();
    Adversary adversary(net, 3);
    QVERIFY(all_connected(net, {0, 1, 2}));
    std::uint64_t nonce = 0;
    QVERIFY(sequential_transfers(net, 1, 70, &nonce) >= 0);  // >= 70 blocks to ask for
    const qint64 calm_ms = sequential_transfers(net, 1, 40, &nonce);
    QVERIFY(calm_ms > 0);

    // One signed fetch-blocks(1..64), replayed to every honest validator while honest
    // clients go on submitting.
    const v1::Envelope copy = adversary.sign(fetch_blocks(1, 64));
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> sent{0};
    QElapsedTimer attack;
    attack.start();
    std::thread replayer([&] {
      while (!stop) {
        for (int k = 0; k < 300; ++k) {
          for (std::uint32_t peer = 0; peer <= 2; ++peer) adversary.send_raw(peer, copy);
          sent += 3;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
    const qint64 attacked_ms = sequential_transfers(net, 1, 40, &nonce);
    while (sent < 6000 || attack.elapsed() < 4000) QTest::qWait(50);
    stop = true;
    replayer.join();
    QTest::qWait(1000);  // let what was served arrive
    const double seconds = static_cast<double>(attack.elapsed()) / 1000.0;
    qInfo(
        "fetch replay: %llu copies in %.1f s; %llu blocks served to the replayer; "
        "40 honest transfers took %lld ms before, %lld ms during",
        static_cast<unsigned long long>(sent.load()), seconds,
        static_cast<unsigned long long>(adversary.blocks_received()), calm_ms, attacked_ms);
    QVERIFY2(attacked_ms > 0, "an honest transfer was refused during the replay");
    // Each validator serves one copy of an identical request per half second at most.
    const double bound = 3 * 64 * (seconds / 0.5 + 2);
    QVERIFY2(static_cast<double>(adversary.blocks_received()) <= bound,
             qPrintable(QString("%1 blocks served for %2 copies of one request (bound %3)")
                            .arg(adversary.blocks_received())
                            .arg(sent.load())
                            .arg(bound)));
    QVERIFY2(
        attacked_ms < 2 * calm_ms + 1000,
        qPrintable(
            QString("honest transfers slowed from %1 ms to %2 ms").arg(calm_ms).arg(attacked_ms)));
    for (int i = 0; i <= 2; ++i) {
      const double dropped = net.metric(i, "pbft", "frames_replayed").value_or(0) +
                             net.metric(i, "pbft", "fetches_refused").value_or(0);
      QVERIFY2(dropped > 1000,
               qPrintable(QString("validator %1 dropped %2 copies").arg(i).arg(dropped)));
    }
  }

  void unprovenHeightClaimStartsNoViewChangeAndNoStateTransfer() {
    NetworkOptions opt;
    opt.byzantine = {3};
    LocalNetwork net(opt);
    net.start_all();
    Adversary adversary(net, 3);
    QVERIFY(all_connected(net, {0, 1, 2}));
    std::uint64_t nonce = 0;
    QVERIFY(sequential_transfers(net, 1, 3, &nonce) >= 0);

    // Height 10^12, once with no certificate and once with one only the liar signed.
    const std::uint64_t claim = 1'000'000'000'000ull;
    v1::ConsensusMessage bare = status_at(claim);
    v1::ConsensusMessage self_signed = status_at(claim);
    auto* qc = self_signed.mutable_status()->mutable_head_qc();
    qc->set_height(claim);
    qc->set_view(0);
    qc->set_block_hash(itc::crypto::sha256("a block nobody committed"));
    for (std::uint32_t v = 0; v < 3; ++v) {  // its own signature, under three names
      auto* sig = qc->add_signatures();
      sig->set_validator(v == 0 ? 3 : v);
      sig->set_signature(net.validator_key(3).sign(
          itc::ledger::commit_signing_bytes(net.genesis().chain_id(), 0, claim, qc->block_hash())));
    }
    const v1::Envelope lies[] = {adversary.sign(bare), adversary.sign(self_signed)};
    const std::uint64_t before = net.height(1).value_or(0);
    std::atomic<bool> stop{false};
    std::thread liar([&] {
      while (!stop) {
        for (const auto& e : lies) {
          for (std::uint32_t peer = 0; peer <= 2; ++peer) adversary.send_raw(peer, e);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
    // Honest work goes on for several status periods and view-change timeouts.
    const qint64 ms = sequential_transfers(net, 2, 10, &nonce);
    QTest::qWait(4000);
    const qint64 ms2 = sequential_transfers(net, 0, 10, &nonce);
    stop = true;
    liar.join();
    QVERIFY2(ms >= 0 && ms2 >= 0, "an honest transfer was refused");
    QVERIFY(net.height(1).value_or(0) >= before + 20);
    QCOMPARE(adversary.fetches_received(), std::uint64_t{0});
    for (int i = 0; i <= 2; ++i) {
      QCOMPARE(net.metric(i, "pbft", "view").value_or(-1), 0.0);
      QCOMPARE(net.metric(i, "pbft", "view_changes").value_or(-1), 0.0);
      QCOMPARE(net.metric(i, "pbft", "transferred_blocks").value_or(-1), 0.0);
    }
  }

  void peerProvingTheNewestHeightButServingNothingDoesNotHoldUpCatchUp() {
    NetworkOptions opt;
    opt.byzantine = {3};
    opt.lamps = 20;  // blocks all the time
    LocalNetwork net(opt);
    net.start_all();
    Adversary adversary(net, 3);
    QVERIFY(all_connected(net, {0, 1, 2}));
    // The adversary votes like an honest validator (so the chain moves on with validator 2
    // down), assembles the newest QC from the commits it sees, proves that height in a
    // Status ten times a second, and never serves a block.
    std::atomic<bool> stop{false};
    std::thread byzantine([&] {
      std::size_t cursor = 0, commit_cursor = 0;
      std::set<std::uint64_t> voted;
      std::map<std::tuple<std::uint64_t, std::uint64_t, std::string>,
               std::map<std::uint32_t, std::string>>
          sigs;
      v1::QuorumCertificate newest;
      auto note = [&](const v1::Commit& c, std::uint32_t sender, const std::string& sig) {
        auto& by = sigs[{c.view(), c.seq(), c.digest()}];
        by[sender] = sig;
        if (by.size() < 3 || c.seq() <= newest.height()) return;
        newest.Clear();
        newest.set_height(c.seq());
        newest.set_view(c.view());
        newest.set_block_hash(c.digest());
        for (const auto& [v, sg] : by) {
          auto* vs = newest.add_signatures();
          vs->set_validator(v);
          vs->set_signature(sg);
        }
      };
      while (!stop) {
        for (const auto& m : adversary.received_since(&cursor)) {
          if (!m.has_pre_prepare() || !voted.insert(m.pre_prepare().seq()).second) continue;
          const auto& pp = m.pre_prepare();
          const v1::Envelope c = adversary.sign(commit(pp.view(), pp.seq(), pp.digest()));
          for (std::uint32_t peer = 0; peer <= 2; ++peer) {
            adversary.send(peer, prepare(pp.view(), pp.seq(), pp.digest()));
            adversary.send_raw(peer, c);
          }
          v1::ConsensusMessage mine = commit(pp.view(), pp.seq(), pp.digest());
          note(mine.commit(), 3, c.signature());
        }
        for (const auto& [m, sig] : adversary.commits_since(&commit_cursor))
          note(m.commit(), m.sender(), sig);
        if (newest.height() > 0) {
          v1::ConsensusMessage st = status_at(newest.height());
          st.mutable_status()->set_view(newest.view());
          *st.mutable_status()->mutable_head_qc() = newest;
          for (std::uint32_t peer = 0; peer <= 2; ++peer) adversary.send(peer, st);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
    auto finish = [&] {
      stop = true;
      byzantine.join();
    };
    auto head = [&] { return std::max(net.height(0).value_or(0), net.height(1).value_or(0)); };
    if (!eventually([&] { return head() >= 10; }, 20000)) {
      finish();
      QFAIL("no blocks");
    }
    net.kill(2);
    const std::uint64_t at_kill = head();
    if (!eventually([&] { return head() >= at_kill + 150; }, 60000)) {
      finish();
      QFAIL("the chain did not move on with validator 2 down");
    }
    QElapsedTimer since_restart;
    since_restart.start();
    net.start(2);
    const bool rejoined = eventually(
        [&] {
          return net.metric(2, "pbft", "ordered_blocks").value_or(0) >= 3 &&
                 net.height(2).value_or(0) + 8 >= head();
        },
        20000);
    const qint64 ms = since_restart.elapsed();
    finish();
    qInfo(
        "validator 2 rejoined after %lld ms (%llu blocks behind at the restart), fetches sent to "
        "the liar: %llu",
        ms, static_cast<unsigned long long>(head() - at_kill),
        static_cast<unsigned long long>(adversary.fetches_received()));
    QVERIFY2(rejoined, qPrintable(net.log_of(2).right(3000)));
    QCOMPARE(adversary.blocks_received(), std::uint64_t{0});
  }

  void primaryNamingDagTransactionsNobodyHasGetsNoQuorumAndIsReplaced() {
    const auto lamp = *itc::crypto::Ed25519PrivateKey::generate();
    NetworkOptions opt;
    opt.byzantine = {0};
    opt.pbft_extra = ", dag: true";
    opt.genesis_extra = [&](v1::Genesis& g) {
      auto* d = g.add_devices();
      d->set_device_id("lamp-1");
      d->set_profile("lamp");
      d->set_device_public_key(lamp.public_key());
      d->set_owner(g.allocations(0).account());
    };
    LocalNetwork net(opt);
    net.start_all();
    Adversary adversary(net);
    QVERIFY(all_connected(net, {1, 2, 3}));

    // Height 1 of view 0: a milestone of two transactions that do not exist, and a DAG
    // root to match nothing; otherwise a valid block.
    v1::Block ghost = adversary.block_at_1("ghost");
    ghost.clear_readings();
    auto* h = ghost.mutable_header();
    h->set_reading_count(0);
    h->set_merkle_root(itc::readings_merkle_root(ghost));
    h->add_milestone(itc::crypto::sha256("ghost 1"));
    h->add_milestone(itc::crypto::sha256("ghost 2"));
    h->set_dag_root(itc::crypto::sha256("ghost root"));
    ghost.set_hash(itc::block_hash(*h));
    for (std::uint32_t peer = 1; peer <= 3; ++peer) adversary.send(peer, pre_prepare(0, ghost));

    // The backups wait for the transactions (asking each other for them), never prepare,
    // and replace the primary; a transfer then commits in the new view.
    auto r = net.submit(1, net.transfer(1, 2, 5, 1));
    QVERIFY2(r.status == 200, r.body.constData());
    QVERIFY(eventually([&] { return net.metric(1, "pbft", "view").value_or(0) >= 1; }, 5000));
    for (int i = 1; i <= 3; ++i) {
      QVERIFY(eventually([&] { return net.height(i).value_or(0) >= 1; }, 20000));
      auto b = net.block(i, 1);
      QVERIFY(b);
      QVERIFY2(b->hash() != ghost.hash(), "the ghost milestone was committed");
      QCOMPARE(b->hash(), net.block(1, 1)->hash());
    }
    for (int i = 1; i <= 3; ++i) QCOMPARE(net.metric(i, "pbft", "divergences").value_or(-1), 0.0);

    // Milestones go on: a lamp's reading submitted to validator 2 becomes final.
    itc::dag::TransactionIssuer issuer(lamp, 12);
    HttpReply tips = net.get(2, "/v1/dag/tips?count=2");
    std::vector<std::string> parents;
    for (const auto& t : tips.json["tips"].toArray())
      parents.push_back(QByteArray::fromBase64(t.toString().toLatin1()).toStdString());
    v1::Reading reading;
    reading.set_device_id("lamp-1");
    reading.set_metric("power");
    reading.set_value(3);
    reading.set_unit("W");
    const auto tx = issuer.issue_readings({reading}, parents,
                                          std::chrono::duration_cast<std::chrono::microseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(tx, &json);
    QCOMPARE(net.request(2, "POST", "/v1/dag/tx", QByteArray::fromStdString(json)).status, 200);
    const QString path =
        QString::fromStdString("/v1/dag/tx/" + itc::crypto::to_hex(itc::dag::transaction_id(tx)));
    QVERIFY(eventually(
        [&] {
          for (int i = 1; i <= 3; ++i)
            if (net.get(i, path).json["state"].toString() != "final") return false;
          return true;
        },
        30000));
  }
};

QTEST_GUILESS_MAIN(ByzantineTest)
#include "byzantine_test.moc"
