// The demo pipeline as an operator runs it, through signed packages loaded by the host:
// simulated lamps -> normalize -> solo -> store-sqlite, a restart that resumes from the
// same head, and owner-signed commands reaching the lamps (forgeries refused).
#include <QProcess>
#include <mutex>

#include "eventually.hpp"
#include "in_process_node.hpp"
#include "itc/command_signing.hpp"
#include "itc/crypto.hpp"
#include "itc/frame_signing.hpp"
#include "itc/ledger/block_commitments.hpp"
#include "lamp_profile.hpp"

using itc::testing::eventually;
using itc::testing::InProcessNode;

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string package(const std::string& name) {
  return env("ITC_PACKAGE_DIR") + "/" + name + ".itcpkg";
}

struct Plugins {
  bool lamps = true, normalize = true, ledger = true, control = true;
};

std::string node_yaml(const std::string& owner_hex, Plugins p, int lamps = 200) {
  std::string y =
      "node:\n  name: pipeline-node\n  data_dir: data\n  admin: {listen: \"off\"}\n"
      "  trusted_vendor_keys: [" +
      env("ITC_VENDOR_KEY") + "]\n" + itc::testing::device_profiles_yaml() + "plugins:\n";
  if (p.lamps) {
    y += "  - name: sim-lighting\n    package: " + package("sim-lighting") +
         "\n    config: {lamps: " + std::to_string(lamps) +
         ", report_interval_ms: 200, fleet_seed: test, owner_public_key: " + owner_hex + "}\n";
  }
  if (p.normalize) {
    y += "  - name: normalize\n    package: " + package("normalize") + "\n";
  }
  if (p.ledger) {
    y += "  - name: store-sqlite\n    package: " + package("store-sqlite") + "\n";
    y += "  - name: solo\n    package: " + package("solo") +
         "\n    config: {block_interval_ms: 100}\n";
  }
  if (p.control) y += "  - name: control\n    package: " + package("control") + "\n";
  return y;
}

itc::v1::Command dim_command(const std::string& device, std::uint32_t level, std::uint64_t nonce) {
  itc::v1::Command cmd;
  cmd.set_device_id(device);
  cmd.set_action(itc::v1::ACTION_DIM);
  cmd.set_dim_level(level);
  cmd.set_nonce(nonce);
  cmd.set_issued_at_us(std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count());
  return cmd;
}

}  // namespace

class PipelineTest : public QObject {
  Q_OBJECT

 private:
  itc::crypto::Ed25519PrivateKey owner_ = *itc::crypto::Ed25519PrivateKey::generate();
  std::string owner_hex_ = itc::crypto::to_hex(owner_.public_key());

 private slots:
  void lampReadingsBecomePersistedBlocksAndARestartResumesFromTheSameHead() {
    InProcessNode t;
    QVERIFY(t.create(node_yaml(owner_hex_, {}), /*developer_mode=*/false).ok());
    auto st = t.node->start();
    QVERIFY2(st.ok(), st.ToString().c_str());
    for (auto& p : t.node->plugins()) {
      QVERIFY2(p.state() == itc::v1::RUNNING, (p.name() + ": " + p.reason()).c_str());
      QCOMPARE(p.signed_by().size(), std::size_t(64));  // loaded from a signed package
    }
    QVERIFY(eventually([&] { return t.metric("solo", "height") >= 3; }));
    QVERIFY(t.metric("solo", "readings_committed") > 0);

    // Hot-swap the fleet and the converter while readings flow: state carries over (the
    // lamps' sequence numbers, the device registry), so no frame is turned away after.
    for (const char* name : {"normalize", "sim-lighting", "solo"}) {
      itc::v1::SwapRequest req;
      req.set_package(package(name));
      auto swapped = t.node->swap(name, req);
      QVERIFY2(swapped.ok(), swapped.ToString().c_str());
      QCOMPARE(t.plugin(name).swaps(), 1u);
    }
    double height = t.metric("solo", "height");
    QVERIFY(eventually([&] { return t.metric("solo", "height") >= height + 3; }));
    for (const char* reason : {"unknown_device", "replayed", "bad_signature"}) {
      QCOMPARE(t.metric("normalize", std::string("frames_rejected_") + reason), 0.0);
    }

    // Readings are typed and unit-checked.
    auto recent = t.node->recent_readings(100);
    QVERIFY(!recent.empty());
    bool saw_power = false;
    for (auto& r : recent) {
      QVERIFY(r.device_id().rfind("lamp-", 0) == 0);
      QCOMPARE(r.frame_digest().size(), std::size_t(32));
      if (r.metric() == "power") {
        saw_power = true;
        QCOMPARE(r.unit(), std::string("W"));
      }
    }
    QVERIFY(saw_power);

    // The metrics of the whole node (every plugin's) pass Prometheus' own linter.
    QProcess promtool;
    promtool.start("promtool", {"check", "metrics"});
    QVERIFY(promtool.waitForStarted());
    promtool.write(QByteArray::fromStdString(t.node->metrics().render_prometheus()));
    promtool.closeWriteChannel();
    QVERIFY(promtool.waitForFinished(30000));
    QVERIFY2(promtool.exitCode() == 0, promtool.readAllStandardError().constData());

    QVERIFY(t.node->shutdown().ok());
    // A clean stop commits every reading that normalize produced: none is left behind.
    QVERIFY(t.metric("normalize", "readings_out") > 0);
    QCOMPARE(t.metric("solo", "readings_committed"), t.metric("normalize", "readings_out"));
    auto head = t.node->ledger_head();
    QVERIFY(head.has_value());
    QVERIFY(head->header().height() >= 3);
    QCOMPARE(head->hash(), itc::block_hash(head->header()));
    t.node.reset();

    // The same data dir, without lamps: the ledger reopens at exactly that head.
    std::ofstream(t.config_path()) << node_yaml(owner_hex_, {false, false, true, false});
    auto again = itc::host::Node::create({t.config_path(), false});
    QVERIFY(again.ok());
    QVERIFY((*again)->start().ok());
    auto reopened = (*again)->ledger_head();
    QVERIFY(reopened.has_value());
    QCOMPARE(reopened->header().height(), head->header().height());
    QCOMPARE(reopened->hash(), head->hash());
    QVERIFY((*again)->shutdown().ok());
  }

  void ownerSignedCommandIsAcceptedAndAForgedOneRefused() {
    InProcessNode t;
    QVERIFY(t.create(node_yaml(owner_hex_, {true, false, false, true}, 10), false).ok());
    std::mutex mu;
    std::vector<itc::v1::CommandResult> lamp_results;
    t.node->subscribe_events([&](const itc::v1::Event& e) {
      if (!e.has_command()) return;
      std::lock_guard lock(mu);
      lamp_results.push_back(e.command());
    });
    QVERIFY(t.node->start().ok());

    auto cmd = dim_command("lamp-000003", 40, 1);
    itc::sign_command(&cmd, owner_);
    itc::v1::CommandResult r;
    // The control plugin learns the fleet's owners from the lamps' registrations.
    QVERIFY(eventually([&] {
      r = t.node->submit_command(cmd);
      return r.accepted() || r.reason().find("unknown") == std::string::npos;
    }));
    QVERIFY2(r.accepted(), r.reason().c_str());
    QVERIFY(eventually([&] {  // the lamp checked the owner itself and applied it
      std::lock_guard lock(mu);
      for (auto& lr : lamp_results)
        if (lr.device_id() == "lamp-000003" && lr.nonce() == 1) return lr.accepted();
      return false;
    }));

    auto replay = t.node->submit_command(cmd);
    QVERIFY(!replay.accepted());
    QVERIFY2(replay.reason().find("nonce") != std::string::npos, replay.reason().c_str());

    auto intruder = *itc::crypto::Ed25519PrivateKey::generate();
    auto forged = dim_command("lamp-000003", 100, 2);
    itc::sign_command(&forged, intruder);
    auto refused = t.node->submit_command(forged);
    QVERIFY(!refused.accepted());
    QVERIFY2(refused.reason().find("owner") != std::string::npos, refused.reason().c_str());

    auto tampered = dim_command("lamp-000003", 10, 3);
    itc::sign_command(&tampered, owner_);
    tampered.set_dim_level(100);  // altered after signing
    refused = t.node->submit_command(tampered);
    QVERIFY(!refused.accepted());
    QVERIFY2(refused.reason().find("signature") != std::string::npos, refused.reason().c_str());
  }
};

QTEST_GUILESS_MAIN(PipelineTest)
#include "test_pipeline.moc"
