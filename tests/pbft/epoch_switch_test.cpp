// Validator-set changes on a real 4-validator network under transfer load (issue 13 item 2),
// as an operator lives them:
//   1. validator-3's machine fails (SIGKILL); the other three approve a Reconfigure that
//      replaces it by validator-4, a new key at a new address; at the epoch boundary the
//      replicas switch sets; validator-4 starts on an empty data directory with the
//      approved proposal (joining_proposal), catches up by state transfer and votes: with
//      validator-0 killed too, the chain still commits, so validator-4 is in the quorum.
//   2. validator-1's key is rotated: a second Reconfigure names a new key for it; at that
//      boundary the node with the old key stops voting and says so; restarted with the
//      new key in its key file, it takes part again.
//   3. a light client (itc-light) started from the genesis follows both epochs through
//      GET /v1/light/updates and verifies a balance in the newest; a client past its
//      trusting period refuses with the reason.
// Refusals with reasons: a Reconfigure with too few approvals, one approved by a removed
// validator, and a QC of the new epoch's block signed by the old set.
// Afterwards: the live validators agree on one head, every acknowledged transfer is on the
// chain at its height, none twice. Figures (qInfo): the boundary-to-new-set time and the
// commit gaps around each switch, from the blocks' own timestamps.
#include <google/protobuf/util/json_util.h>

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <algorithm>

#include "chain_audit.hpp"
#include "itc/file_io.hpp"
#include "itc/ledger/validators.hpp"
#include "itc/light/state_file.hpp"
#include "local_network.hpp"
#include "transfer_load.hpp"

using namespace itc;
using namespace itc::testing;

namespace {

constexpr int kLanes = 6;
constexpr int kFunder = kLanes;  // the account that pays for the reconfigurations
constexpr std::uint64_t kEpochBlocks = 20;

struct Run {
  int code = -1;
  QString out;
};

// The first height b = k * kEpochBlocks + 1 with b >= height + 2 (the chain's rule).
std::uint64_t boundary_after(std::uint64_t height) {
  const std::uint64_t k = (height + 1 + kEpochBlocks - 1) / kEpochBlocks;
  return k * kEpochBlocks + 1;
}

v1::Validator validator(const std::string& name, const std::string& key,
                        const std::string& address) {
  v1::Validator v;
  v.set_name(name);
  v.set_public_key(key);
  v.set_address(address);
  return v;
}

// Approvals of `change` by the current set's validators at `indexes`, with `keys`.
void approve(const std::string& chain_id, v1::Reconfigure* change,
             const std::vector<std::pair<std::uint32_t, const crypto::Ed25519PrivateKey*>>& by) {
  const std::string bytes =
      ledger::reconfigure_signing_bytes(chain_id, change->epoch(), change->validators());
  for (const auto& [index, key] : by) {
    auto* a = change->add_approvals();
    a->set_validator(index);
    a->set_signature(key->sign(bytes));
  }
}

std::uint64_t height_of(const HttpReply& r) {
  return r.json["header"].toObject()["height"].toString().toULongLong();
}

std::string bytes_of(const QJsonValue& v) {
  return QByteArray::fromBase64(v.toString().toLatin1()).toStdString();
}

}  // namespace

class EpochSwitchTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  std::uint64_t nonce_ = 0;  // the funder's

  Run light(const QStringList& args, const QString& state) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("ITC_LIGHT_STATE", dir_.filePath(state));
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(ITC_LIGHT_BIN, args);
    if (!p.waitForFinished(60000)) return {};
    return Run{p.exitCode(), QString::fromUtf8(p.readAll())};
  }

  HttpReply submit_change(LocalNetwork& net, int node, const v1::Reconfigure& change) {
    v1::Transaction tx;
    tx.set_nonce(++nonce_);
    tx.set_fee(1);
    *tx.mutable_reconfigure() = change;
    HttpReply r = net.submit(node, net.signed_by(kFunder, tx));
    if (r.status != 200) --nonce_;  // refused: the nonce was not used
    return r;
  }

  // Waits until validators `nodes` have stored block `h`.
  static bool reach(LocalNetwork& net, const std::vector<int>& nodes, std::uint64_t h,
                    int ms = 90000) {
    return eventually(
        [&] {
          for (int i : nodes) {
            auto at = net.height(i);
            if (!at || *at < h) return false;
          }
          return true;
        },
        ms);
  }

  // The commit gap at the switch into the epoch starting at `first` (block timestamps are
  // the primary's proposal times): first - 1 -> first, against the median gap of the
  // 10 blocks before.
  static void print_switch_figures(LocalNetwork& net, int node, std::uint64_t first,
                                   const char* what) {
    std::vector<std::int64_t> ts;
    for (std::uint64_t h = first - 11; h <= first + 1; ++h) {
      auto b = net.block(node, h);
      if (!b) return;
      ts.push_back(b->header().timestamp_us());
    }
    std::vector<std::int64_t> gaps;
    for (std::size_t i = 1; i + 2 < ts.size(); ++i) gaps.push_back(ts[i] - ts[i - 1]);
    std::sort(gaps.begin(), gaps.end());
    const std::int64_t switch_gap = ts[ts.size() - 2] - ts[ts.size() - 3];
    const std::int64_t after = ts[ts.size() - 1] - ts[ts.size() - 2];
    qInfo(
        "%s: boundary block %llu -> first block of the new set %llu: %.1f ms (median gap of "
        "the 10 blocks before: %.1f ms; the next gap: %.1f ms)",
        what, static_cast<unsigned long long>(first - 1), static_cast<unsigned long long>(first),
        static_cast<double>(switch_gap) / 1000.0,
        static_cast<double>(gaps[gaps.size() / 2]) / 1000.0, static_cast<double>(after) / 1000.0);
  }

 private slots:
  void aFailedValidatorIsReplacedAndAKeyRotatedUnderLoad() {
    QVERIFY(dir_.isValid());
    NetworkOptions opt;
    opt.accounts = kLanes + 1;
    opt.pbft_extra = ", batch_delay_ms: 10, checkpoint_interval: 8";
    opt.genesis_extra = [](v1::Genesis& g) { g.set_epoch_blocks(kEpochBlocks); };
    LocalNetwork net(opt);
    net.start_all();
    const std::string chain = net.genesis().chain_id();
    const auto& genesis_set = net.validators();
    TransferLoad load(net, kLanes, 7, [&](int i) { return net.running(i); });
    load.start();
    QVERIFY(eventually([&] { return load.counts().committed >= 10; }, 30000));

    // ---- 1. validator-3 fails; validator-4 (new key, new address) replaces it -------------
    const auto v4_key = *crypto::Ed25519PrivateKey::generate();
    const std::string v4_pem = net.path("validator-4.pem");
    QVERIFY(v4_key.save_pem_file(v4_pem).ok());
    const std::uint16_t v4_port = free_port();
    v1::Reconfigure replace;
    replace.set_epoch(1);
    for (std::uint32_t i = 0; i < 3; ++i) *replace.add_validators() = genesis_set.validator(i);
    *replace.add_validators() =
        validator("validator-4", v4_key.public_key(), "127.0.0.1:" + std::to_string(v4_port));

    // Too few approvals: refused with the reason, nothing pending.
    v1::Reconfigure short_of_quorum = replace;
    approve(chain, &short_of_quorum, {{0, &net.validator_key(0)}, {1, &net.validator_key(1)}});
    HttpReply r = submit_change(net, 0, short_of_quorum);
    QVERIFY2(r.status == 422 && r.json["reason"].toString().contains(
                                    "2 approvals of epoch 0's validators; it needs 3"),
             qPrintable(QString::number(r.status) + " " + r.body));

    net.kill(3);  // the machine fails
    approve(chain, &replace,
            {{0, &net.validator_key(0)}, {1, &net.validator_key(1)}, {2, &net.validator_key(2)}});
    r = submit_change(net, 1, replace);
    QVERIFY2(r.status == 200 && r.json["committed"].toBool(), r.body.constData());
    const std::uint64_t first1 = boundary_after(r.json["height"].toString().toULongLong());
    qInfo("epoch 1 (validator-3 -> validator-4) committed at height %s, begins at %llu",
          qPrintable(r.json["height"].toString()), static_cast<unsigned long long>(first1));
    QVERIFY2(reach(net, {0, 1, 2}, first1 + 2), "the chain did not pass the first boundary");
    {
      const auto last = net.block(0, first1 - 1);
      const auto first = net.block(0, first1);
      QVERIFY(last && first);
      QCOMPARE(last->header().epoch(), 0ull);
      QVERIFY(last->header().next_validators_hash() != last->header().validators_hash());
      QCOMPARE(first->header().epoch(), 1ull);
      QCOMPARE(first->header().validators_hash(), last->header().next_validators_hash());
      // A QC over the new epoch's block by the old set (validator-3's key where validator-4
      // signs now) is refused, naming the validator.
      auto epoch1 = ledger::ValidatorSet::from_validators(chain, replace.validators());
      QVERIFY(epoch1.ok());
      QVERIFY2(epoch1->verify_qc(first->header(), first->hash(), first->qc()).ok(),
               "the new epoch's first block is not certified by the new set");
      v1::QuorumCertificate old_qc;
      old_qc.set_height(first->header().height());
      old_qc.set_view(first->qc().view());
      old_qc.set_block_hash(first->hash());
      const std::string signed_bytes =
          ledger::commit_signing_bytes(chain, old_qc.view(), old_qc.height(), old_qc.block_hash());
      for (std::uint32_t i : {0u, 1u, 3u}) {
        auto* sig = old_qc.add_signatures();
        sig->set_validator(i);
        sig->set_signature(net.validator_key(static_cast<int>(i)).sign(signed_bytes));
      }
      Status refused = epoch1->verify_qc(first->header(), first->hash(), old_qc);
      QVERIFY2(!refused.ok(), "a QC by the old set passed for the new epoch");
      qInfo("old set's QC on block %llu refused: %s", static_cast<unsigned long long>(first1),
            refused.message().c_str());
    }
    QVERIFY2(net.log_of(0).contains(QString("epoch 1 begins at height %1").arg(first1)),
             qPrintable(net.log_of(0).right(3000)));
    print_switch_figures(net, 0, first1, "switch 1");

    // validator-4 starts: empty data directory, its key, the approved proposal.
    std::string proposal_json;
    QVERIFY(google::protobuf::util::MessageToJsonString(replace, &proposal_json).ok());
    const std::string proposal = net.path("epoch-1-proposal.json");
    QVERIFY(write_file_atomically(proposal, proposal_json, 0644).ok());
    NodeProcess v4(dir_.path().toStdString(), "node-4");
    NodeConfig c4("validator-4", free_port());
    c4.data_dir("node-4");
    c4.plugin("store-sqlite");
    c4.plugin("pbft", "genesis_file: " + net.path("genesis.json") +
                          ", identity_key_file: " + v4_pem + ", joining_proposal: " + proposal +
                          ", view_change_timeout_ms: 1000" + opt.pbft_extra);
    v4.write_config(c4);
    QElapsedTimer joining;
    joining.start();
    QVERIFY(v4.start());
    QVERIFY2(v4.wait_running(), qPrintable(v4.log()));
    auto v4_height = [&]() -> std::uint64_t {
      HttpReply h = v4.get("/v1/ledger/head");
      return h.status == 200 ? height_of(h) : 0;
    };
    QVERIFY2(eventually(
                 [&] {
                   auto h0 = net.height(0);
                   return h0 && v4_height() + 2 >= *h0 && v4_height() > first1;
                 },
                 120000),
             qPrintable(v4.log().right(4000)));
    qInfo("validator-4 caught up from genesis to height %llu in %lld ms",
          static_cast<unsigned long long>(v4_height()), static_cast<long long>(joining.elapsed()));
    QVERIFY2(v4.log().contains("epoch 1 begins at height") &&
                 v4.log().contains("this validator is validator-4 (3)"),
             qPrintable(v4.log().right(4000)));

    // validator-0 dies too: validator-1, -2 and -4 are the quorum of 3.
    const auto before = load.counts().committed;
    const auto at_kill = *net.height(1);
    net.kill(0);
    QVERIFY2(eventually([&] { return load.counts().committed >= before + 10; }, 60000),
             qPrintable(v4.log().right(4000)));
    QVERIFY(*net.height(1) > at_kill);
    qInfo(
        "with validator-0 and validator-3 down, %llu transfers committed from height %llu "
        "(validator-4 in the quorum)",
        static_cast<unsigned long long>(load.counts().committed - before),
        static_cast<unsigned long long>(at_kill));
    net.start(0);
    QVERIFY(net.wait_healthy(0));

    // ---- 2. validator-1's key is rotated ------------------------------------------------------
    const auto v1_new = *crypto::Ed25519PrivateKey::generate();
    v1::Reconfigure rotate;
    rotate.set_epoch(2);
    *rotate.mutable_validators() = replace.validators();
    rotate.mutable_validators(1)->set_public_key(v1_new.public_key());
    // An approval by the removed validator-3 (its old index, its key): refused.
    v1::Reconfigure by_removed = rotate;
    approve(chain, &by_removed,
            {{0, &net.validator_key(0)}, {1, &net.validator_key(1)}, {3, &net.validator_key(3)}});
    r = submit_change(net, 2, by_removed);
    QVERIFY2(r.status == 422 && r.json["reason"].toString().contains(
                                    "the signature of validator 3 (validator-4) does not verify"),
             qPrintable(QString::number(r.status) + " " + r.body));
    approve(chain, &rotate, {{0, &net.validator_key(0)}, {1, &net.validator_key(1)}, {3, &v4_key}});
    r = submit_change(net, 2, rotate);
    QVERIFY2(r.status == 200 && r.json["committed"].toBool(), r.body.constData());
    const std::uint64_t first2 = boundary_after(r.json["height"].toString().toULongLong());
    qInfo("epoch 2 (validator-1's key rotated) committed at height %s, begins at %llu",
          qPrintable(r.json["height"].toString()), static_cast<unsigned long long>(first2));
    QVERIFY2(reach(net, {0, 2}, first2 + 2), "the chain did not pass the second boundary");
    // validator-1, still on its old key, is out of the set: it says so and stops voting.
    QVERIFY2(
        eventually([&] { return net.log_of(1).contains("it stops proposing and voting"); }, 30000),
        qPrintable(net.log_of(1).right(3000)));
    QCOMPARE(net.metric(1, "pbft", "validator_member").value_or(-1), 0.0);
    print_switch_figures(net, 0, first2, "switch 2");
    // The operator puts the new key in its key file and restarts it.
    net.stop(1);
    QVERIFY(v1_new.save_pem_file(net.path("validator-1.pem")).ok());
    net.start(1);
    QVERIFY2(net.wait_healthy(1), qPrintable(net.log_of(1).right(3000)));
    QVERIFY2(eventually([&] { return net.metric(1, "pbft", "validator_member") == 1.0; }, 30000),
             qPrintable(net.log_of(1).right(3000)));
    const auto v1_before = net.metric(1, "pbft", "ordered_blocks").value_or(0);
    QVERIFY2(
        eventually([&] { return net.metric(1, "pbft", "ordered_blocks").value_or(0) > v1_before; },
                   60000),
        qPrintable(net.log_of(1).right(3000)));

    // ---- Audit ----------------------------------------------------------------------------
    load.stop();
    QVERIFY(eventually([&] { return load.idle(); }, 60000));
    std::string detail;
    auto head = agreed_head(net, {0, 1, 2}, 60000, &detail);
    QVERIFY2(head, ("the validators do not agree:\n" + detail).c_str());
    QVERIFY2(eventually(
                 [&] {
                   HttpReply b = v4.get(QString("/v1/ledger/blocks/%1").arg(head->height));
                   return b.status == 200 && bytes_of(b.json["hash"]) == head->hash;
                 },
                 60000),
             "validator-4 does not hold the agreed head");
    for (int i : {0, 1, 2}) {
      const std::string missing = missing_acknowledged(net, i, load.acknowledged());
      QVERIFY2(missing.empty(), missing.c_str());
    }
    std::map<std::string, std::uint64_t> on_chain;
    const std::string twice = ordered_twice(net, 2, head->height, &on_chain);
    QVERIFY2(twice.empty(), twice.c_str());
    for (const auto& line : load.refused_but_committed(on_chain)) QFAIL(line.c_str());
    qInfo(
        "validators 0, 1, 2 and 4 at height %llu; %zu acknowledged transfers on the chain, "
        "none twice",
        static_cast<unsigned long long>(head->height), load.acknowledged().size());
    load.print_summary(on_chain);

    // ---- 3. a light client follows both epochs (each update: the old epoch's last header) -
    const QString token = dir_.filePath("token-2");
    QVERIFY(write_file_atomically(token.toStdString(), net.token(2), 0600).ok());
    const QStringList at_node{"--node", QString("http://127.0.0.1:%1").arg(net.admin_port(2)),
                              "--token-file", token};
    const QString genesis = QString::fromStdString(net.path("genesis.json"));
    Run run = light({"init", "--genesis", genesis}, "client.state");
    QVERIFY2(run.code == 0, qPrintable(run.out));
    run = light(QStringList{"sync"} + at_node, "client.state");
    QVERIFY2(run.code == 0 &&
                 run.out.contains(QString("VERIFIED epoch update: epoch 1, 4 validators, from "
                                          "height %1")
                                      .arg(first1 - 1)) &&
                 run.out.contains(QString("VERIFIED epoch update: epoch 2, 4 validators, from "
                                          "height %1")
                                      .arg(first2 - 1)) &&
                 run.out.contains("VERIFIED header"),
             qPrintable(run.out));
    const std::string funder = crypto::to_hex(net.account(kFunder).public_key());
    run = light(QStringList{"balance", QString::fromStdString(funder)} + at_node, "client.state");
    QVERIFY2(run.code == 0 && run.out.contains("VERIFIED"), qPrintable(run.out));
    qInfo("itc-light: %s", qPrintable(run.out.trimmed()));

    // A client whose trusted header is older than its trusting period refuses.
    run = light({"init", "--genesis", genesis, "--trust-period-days", "1"}, "late.state");
    QVERIFY2(run.code == 0, qPrintable(run.out));
    run = light(QStringList{"sync"} + at_node, "late.state");
    QVERIFY2(run.code == 0 && run.out.contains("VERIFIED header"), qPrintable(run.out));
    // ... and then the client is offline for two days.
    QFile file(dir_.filePath("late.state"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    file.close();
    light::State state{};
    QVERIFY(light::decode_state(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                static_cast<std::size_t>(bytes.size()), &state)
                .ok());
    state.trusted_time_us -= 2 * 86'400'000'000LL;
    std::uint8_t aged[light::kMaxStateBytes];
    const std::size_t n = light::encode_state(state, aged, sizeof aged);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(reinterpret_cast<const char*>(aged), static_cast<qint64>(n)),
             static_cast<qint64>(n));
    file.close();
    run = light(QStringList{"sync"} + at_node, "late.state");
    QVERIFY2(run.code == 1 && run.out.contains("trust_expired"), qPrintable(run.out));
    qInfo("past its trusting period: %s", qPrintable(run.out.trimmed()));
    v4.stop();
  }
};

QTEST_GUILESS_MAIN(EpochSwitchTest)
#include "epoch_switch_test.moc"
