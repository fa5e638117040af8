// Specification of the sim-lighting plugin (its real .so), driven through FakeEnv.
#include <QtTest/QtTest>
#include <chrono>
#include <map>
#include <string>

#include "itc/command_signing.hpp"
#include "itc/crypto.hpp"
#include "itc/file_io.hpp"
#include "itc/frame_signing.hpp"
#include "itc/ledger/validators.hpp"
#include "itc/testing/fake_env.hpp"
#include "itc/v1/device.pb.h"
#include "light_chain.hpp"
#include "plugin_loader.hpp"
#include "sim_lighting.pb.h"

using namespace std::chrono_literals;
using itc::testing::FakeEnv;
using itc::testing::new_key;
namespace v1 = itc::v1;
namespace topics = itc::topics;

namespace {

std::string fleet_config(const itc::crypto::Ed25519PrivateKey& owner, std::uint32_t lamps,
                         std::uint32_t interval_ms, double fault_probability = 0.0) {
  itc::sim_lighting::Config c;
  c.set_lamps(lamps);
  c.set_report_interval_ms(interval_ms);
  c.set_fleet_seed("test-fleet");
  c.set_owner_public_key(itc::crypto::to_hex(owner.public_key()));
  c.set_fault_probability(fault_probability);
  return c.SerializeAsString();
}

std::int64_t value_of(const v1::RawFrame& f, const std::string& metric) {
  for (const auto& v : f.values()) {
    if (v.metric() == metric) return v.raw_int();
  }
  return -1;
}

v1::Command command(const std::string& device, v1::Action action, std::uint32_t dim,
                    std::uint64_t nonce, const itc::crypto::Ed25519PrivateKey& signer) {
  v1::Command cmd;
  cmd.set_device_id(device);
  cmd.set_action(action);
  cmd.set_dim_level(dim);
  cmd.set_nonce(nonce);
  itc::sign_command(&cmd, signer);
  return cmd;
}

}  // namespace

class SimLightingTest : public QObject {
  Q_OBJECT

  QTemporaryDir run_dir_;
  std::shared_ptr<itc::host::PluginLibrary> lib_;
  itc::crypto::Ed25519PrivateKey owner_ = new_key();

 private slots:
  void initTestCase() {
    lib_ =
        itc::testing::load_plugin_library("libitc-sim-lighting.so", run_dir_.path().toStdString());
    QCOMPARE(QString::fromStdString(lib_->info().name), QString("sim-lighting"));
  }

  void config_errors_name_the_field() {
    auto p = itc::testing::create_plugin(*lib_);
    const std::string owner = "owner_public_key: " + itc::crypto::to_hex(owner_.public_key());
    auto check = [&](const std::string& yaml) {
      return itc::testing::check_config_yaml(*lib_, *p, yaml);
    };
    auto says = [](const itc::Status& s, const char* text) {
      return s.code() == itc::Status::Code::kInvalidArgument &&
             s.message().find(text) != std::string::npos;
    };
    QVERIFY(check(owner + "\nlamps: 100000\nfault_probability: 1").ok());
    // The ranges are the proto's (itc.v1.range), enforced by the host's config check.
    auto s = check(owner + "\nlamps: 0");
    QVERIFY2(says(s, "plugin.yaml:2:8: lamps: must be 1..100000, got 0"), s.message().c_str());
    s = check(owner + "\nfault_probability: 1.5");
    QVERIFY2(says(s, "fault_probability: must be 0..1, got 1.5"), s.message().c_str());
    s = check(owner + "\nfault_probability: .nan");
    QVERIFY2(says(s, "fault_probability: must be 0..1, got .nan"), s.message().c_str());
    s = check(owner + "\nreport_interval_ms: 3600001");
    QVERIFY2(says(s, "report_interval_ms: must be 0..3600000, got 3600001"), s.message().c_str());
    // What a range cannot say, the plugin says.
    s = check("lamps: 5");
    QVERIFY2(s.message().rfind("owner_public_key:", 0) == 0, s.message().c_str());
    s = check("owner_public_key: abc");
    QVERIFY2(s.message().rfind("owner_public_key:", 0) == 0, s.message().c_str());
    FakeEnv env;
    QVERIFY(!p->initialise(env, "\xff\xff garbage").ok());
  }

  void fleet_registers_and_reports_signed_frames_at_the_configured_rate() {
    FakeEnv env;
    auto p = itc::testing::create_plugin(*lib_);
    QVERIFY(p->initialise(env, fleet_config(owner_, 50, 1000)).ok());
    QCOMPARE(env.bus().published_count(topics::kRawFrames), std::size_t{0});
    QVERIFY(p->start().ok());
    QCOMPARE(env.metrics().gauge_value("lamps"), 50.0);

    auto regs = env.bus().published_as<v1::DeviceRegistration>(topics::kRegistrations);
    QCOMPARE(regs.size(), std::size_t{50});
    std::map<std::string, std::string> keys;
    for (const auto& r : regs) {
      QCOMPARE(r.owner_public_key(), owner_.public_key());
      QCOMPARE(QString::fromStdString(r.profile()), QString("dimmable-lamp"));
      keys[r.device_id()] = r.public_key();
    }
    QVERIFY(keys.count("lamp-000001") && keys.count("lamp-000050"));

    // Evenly spread: 50 lamps over 1 s is one report per 20 ms.
    env.advance(100ms);
    QCOMPARE(env.bus().published_count(topics::kRawFrames), std::size_t{6});
    env.advance(900ms);
    QCOMPARE(env.bus().published_count(topics::kRawFrames), std::size_t{51});
    env.advance(9s);
    auto frames = env.bus().published_as<v1::RawFrame>(topics::kRawFrames);
    QCOMPARE(frames.size(), std::size_t{501});
    QCOMPARE(env.metrics().counter_value("frames_sent"), std::uint64_t{501});

    std::map<std::string, std::uint64_t> last_seq;
    for (const auto& f : frames) {
      QVERIFY2(itc::verify_frame(f, keys.at(f.device_id())).ok(), f.device_id().c_str());
      QVERIFY(f.seq() > last_seq[f.device_id()]);
      last_seq[f.device_id()] = f.seq();
      QCOMPARE(f.values_size(), 6);
      QCOMPARE(value_of(f, "dim_pct"), std::int64_t{100});
      QCOMPARE(value_of(f, "on"), std::int64_t{1});
      QCOMPARE(value_of(f, "fault"), std::int64_t{0});
      const auto power = value_of(f, "power_mw");
      QVERIFY2(power > 11000 && power < 13500, std::to_string(power).c_str());
    }
    QCOMPARE(last_seq.size(), std::size_t{50});
    QCOMPARE(last_seq["lamp-000002"], std::uint64_t{10});

    // Keys are derived from the seed: a second fleet has the same identities.
    FakeEnv env2;
    auto p2 = itc::testing::create_plugin(*lib_);
    QVERIFY(p2->initialise(env2, fleet_config(owner_, 50, 1000)).ok());
    QVERIFY(p2->start().ok());
    auto regs2 = env2.bus().published_as<v1::DeviceRegistration>(topics::kRegistrations);
    QCOMPARE(regs2[7].public_key(), regs[7].public_key());

    QVERIFY(p->drain().ok());
    env.advance(5s);
    QCOMPARE(env.bus().published_count(topics::kRawFrames), std::size_t{501});
    p->stop();
    QVERIFY(p2->drain().ok());
    p2->stop();
  }

  void faults_report_a_flag_and_an_out_of_range_power() {
    FakeEnv env;
    auto p = itc::testing::create_plugin(*lib_);
    QVERIFY(p->initialise(env, fleet_config(owner_, 10, 100, 1.0)).ok());
    QVERIFY(p->start().ok());
    env.advance(1s);
    auto frames = env.bus().published_as<v1::RawFrame>(topics::kRawFrames);
    QVERIFY(!frames.empty());
    for (const auto& f : frames) {
      QCOMPARE(value_of(f, "fault"), std::int64_t{1});
      QVERIFY(value_of(f, "power_mw") > 100000);
    }
    QVERIFY(p->drain().ok());
    p->stop();
  }

  void forged_command_is_refused_and_owner_command_changes_the_lamp() {
    FakeEnv env;
    auto p = itc::testing::create_plugin(*lib_);
    QVERIFY(p->initialise(env, fleet_config(owner_, 5, 1000)).ok());
    QVERIFY(p->start().ok());
    const auto mallory = new_key();

    QVERIFY(env.bus()
                .publish_value(topics::kCommands,
                               command("lamp-000003", v1::ACTION_DIM, 30, 1, mallory))
                .ok());
    auto results = env.bus().published_as<v1::CommandResult>(topics::kCommandResults);
    QCOMPARE(results.size(), std::size_t{1});
    QVERIFY(!results[0].accepted());
    QVERIFY(!results[0].reason().empty());
    QCOMPARE(env.metrics().counter_value("commands_refused"), std::uint64_t{1});

    // A command the owner signed but someone altered afterwards is refused too.
    auto tampered = command("lamp-000003", v1::ACTION_DIM, 30, 1, owner_);
    tampered.set_dim_level(90);
    QVERIFY(env.bus().publish_value(topics::kCommands, tampered).ok());
    QCOMPARE(env.metrics().counter_value("commands_refused"), std::uint64_t{2});

    const auto dim = command("lamp-000003", v1::ACTION_DIM, 30, 2, owner_);
    QVERIFY(env.bus().publish_value(topics::kCommands, dim).ok());
    results = env.bus().published_as<v1::CommandResult>(topics::kCommandResults);
    QCOMPARE(results.size(), std::size_t{3});
    QVERIFY2(results[2].accepted(), results[2].reason().c_str());
    QCOMPARE(results[2].nonce(), std::uint64_t{2});
    QCOMPARE(env.metrics().counter_value("commands_applied"), std::uint64_t{1});

    // Replaying the accepted command is refused.
    QVERIFY(env.bus().publish_value(topics::kCommands, dim).ok());
    results = env.bus().published_as<v1::CommandResult>(topics::kCommandResults);
    QVERIFY(!results.back().accepted());
    QVERIFY2(results.back().reason().find("replay") != std::string::npos,
             results.back().reason().c_str());

    QVERIFY(
        env.bus()
            .publish_value(topics::kCommands, command("lamp-000004", v1::ACTION_OFF, 0, 1, owner_))
            .ok());
    env.advance(1s);
    for (const auto& f : env.bus().published_as<v1::RawFrame>(topics::kRawFrames)) {
      if (f.device_id() == "lamp-000003") {
        QCOMPARE(value_of(f, "dim_pct"), std::int64_t{30});
        QVERIFY(value_of(f, "power_mw") > 3000 && value_of(f, "power_mw") < 4500);
      } else if (f.device_id() == "lamp-000004") {
        QCOMPARE(value_of(f, "on"), std::int64_t{0});
        QVERIFY(value_of(f, "power_mw") < 400);
      } else {
        QCOMPARE(value_of(f, "dim_pct"), std::int64_t{100});
      }
    }
    // A command for a device of another fleet gets no answer from this one.
    const auto before = env.bus().published_count(topics::kCommandResults);
    QVERIFY(env.bus()
                .publish_value(topics::kCommands, command("other-1", v1::ACTION_ON, 0, 1, owner_))
                .ok());
    QCOMPARE(env.bus().published_count(topics::kCommandResults), before);
    QVERIFY(p->drain().ok());
    p->stop();
  }

  void state_export_import_round_trips() {
    FakeEnv env;
    auto p = itc::testing::create_plugin(*lib_);
    const auto config = fleet_config(owner_, 4, 1000);
    QVERIFY(p->initialise(env, config).ok());
    QVERIFY(p->start().ok());
    env.advance(3s);
    QVERIFY(
        env.bus()
            .publish_value(topics::kCommands, command("lamp-000002", v1::ACTION_DIM, 55, 7, owner_))
            .ok());
    v1::Command sched = command("lamp-000001", v1::ACTION_SET_SCHEDULE, 0, 3, owner_);
    auto* e = sched.add_schedule();
    e->set_minute_of_day(1320);
    e->set_action(v1::ACTION_OFF);
    itc::sign_command(&sched, owner_);
    QVERIFY(env.bus().publish_value(topics::kCommands, sched).ok());
    QCOMPARE(env.metrics().counter_value("commands_applied"), std::uint64_t{2});
    QVERIFY(p->drain().ok());
    v1::PluginState state;
    QVERIFY(p->export_state(&state).ok());
    QCOMPARE(QString::fromStdString(state.type()), QString("itc.sim_lighting.FleetState"));
    QCOMPARE(state.version(), 1u);
    p->stop();
    p.reset();

    FakeEnv env2;
    auto q = itc::testing::create_plugin(*lib_);
    QVERIFY(q->initialise(env2, config).ok());
    QVERIFY(q->import_state(state).ok());
    v1::PluginState again;
    QVERIFY(q->export_state(&again).ok());
    QCOMPARE(again.data(), state.data());
    itc::sim_lighting::FleetState fs;
    QVERIFY(fs.ParseFromString(again.data()));
    QCOMPARE(fs.lamps(1).dim(), 55u);
    QCOMPARE(fs.lamps(1).last_nonce(), std::uint64_t{7});
    QCOMPARE(fs.lamps(0).schedule_size(), 1);
    QVERIFY(fs.lamps(0).seq() >= 3);

    // The successor continues each lamp's sequence and honours the replay guard.
    QVERIFY(q->start().ok());
    env2.advance(1s);
    for (const auto& f : env2.bus().published_as<v1::RawFrame>(topics::kRawFrames)) {
      const auto& ls = fs.lamps(static_cast<int>(std::stoi(f.device_id().substr(5)) - 1));
      QVERIFY(f.seq() > ls.seq());
    }
    QVERIFY(
        env2.bus()
            .publish_value(topics::kCommands, command("lamp-000002", v1::ACTION_ON, 0, 7, owner_))
            .ok());
    QVERIFY(!env2.bus().published_as<v1::CommandResult>(topics::kCommandResults).back().accepted());
    QVERIFY(q->drain().ok());
    q->stop();

    auto r = itc::testing::create_plugin(*lib_);
    FakeEnv env3;
    QVERIFY(r->initialise(env3, config).ok());
    v1::PluginState future = state;
    future.set_version(2);
    QCOMPARE(r->import_state(future).code(), itc::Status::Code::kIncompatible);
    v1::PluginState other = state;
    other.set_type("acme.Other");
    QCOMPARE(r->import_state(other).code(), itc::Status::Code::kIncompatible);
    r->stop();
  }

  // verify: chain — the lamp believes only the ownership proof its own light client checks
  // against the genesis validators, and its trusted header only moves forward, also across
  // a hot swap.
  void a_chain_verifying_lamp_keeps_its_trusted_header_across_a_hot_swap() {
    itc::test::LightChain chain;  // blocks 1..3; alice's next nonce is 4
    chain.add({itc::test::signed_register(chain.alice, "lamp-000001", 4)}, {});
    const std::string older = chain.state_proof("d/lamp-000001");  // block 4
    chain.add({}, {});
    const std::string newer = chain.state_proof("d/lamp-000001");  // block 5
    const std::string genesis = run_dir_.filePath("chain-genesis.json").toStdString();
    QVERIFY(itc::write_file_atomically(genesis, itc::ledger::genesis_to_json(chain.genesis), 0644)
                .ok());
    itc::sim_lighting::Config c;
    c.set_lamps(1);
    c.set_fleet_seed("chain-fleet");
    c.set_owner_public_key(itc::crypto::to_hex(owner_.public_key()));
    c.set_genesis_file(genesis);  // verify: chain by default
    c.set_max_header_age_s(60);
    const std::string config = c.SerializeAsString();
    const auto with_proof = [&](v1::Action action, std::uint64_t nonce, const std::string& proof) {
      v1::Command cmd = command("lamp-000001", action, 0, nonce, chain.alice);
      cmd.set_ownership_proof(proof);
      return cmd;
    };
    const auto last_result = [](FakeEnv& env) {
      return env.bus().published_as<v1::CommandResult>(topics::kCommandResults).back();
    };

    FakeEnv env;
    env.manual_clock().set_unix_epoch_us(chain.head().header().timestamp_us());
    auto p = itc::testing::create_plugin(*lib_);
    QVERIFY(p->initialise(env, config).ok());
    QVERIFY(p->start().ok());
    // The configured owner key counts for nothing now: the chain says alice owns the lamp.
    QVERIFY(env.bus().publish_value(topics::kCommands, with_proof(v1::ACTION_OFF, 1, "")).ok());
    QVERIFY2(last_result(env).reason().find("no_proof") != std::string::npos,
             last_result(env).reason().c_str());
    QVERIFY(env.bus().publish_value(topics::kCommands, with_proof(v1::ACTION_OFF, 2, newer)).ok());
    QVERIFY2(last_result(env).accepted(), last_result(env).reason().c_str());
    QCOMPARE(env.metrics().counter_value("commands_refused_owner"), std::uint64_t{1});
    QVERIFY(p->drain().ok());
    v1::PluginState state;
    QVERIFY(p->export_state(&state).ok());
    p->stop();
    p.reset();

    FakeEnv env2;
    env2.manual_clock().set_unix_epoch_us(chain.head().header().timestamp_us());
    auto q = itc::testing::create_plugin(*lib_);
    QVERIFY(q->initialise(env2, config).ok());
    QVERIFY(q->import_state(state).ok());
    QVERIFY(q->start().ok());
    // Block 4's proof is older than the block 5 the lamp trusted before the swap.
    QVERIFY(env2.bus().publish_value(topics::kCommands, with_proof(v1::ACTION_ON, 3, older)).ok());
    QVERIFY2(last_result(env2).reason().find("proof_refused: stale_header") != std::string::npos,
             last_result(env2).reason().c_str());
    QVERIFY(env2.bus().publish_value(topics::kCommands, with_proof(v1::ACTION_ON, 4, newer)).ok());
    QVERIFY2(last_result(env2).accepted(), last_result(env2).reason().c_str());
    q->stop();

    // verify: chain needs the genesis; verify takes chain or key.
    auto r = itc::testing::create_plugin(*lib_);
    c.clear_genesis_file();
    c.set_verify("chain");
    itc::Status st = r->validate_config(c.SerializeAsString());
    QVERIFY2(st.message().rfind("genesis_file:", 0) == 0, st.message().c_str());
    c.set_verify("maybe");
    st = r->validate_config(c.SerializeAsString());
    QVERIFY2(st.message().rfind("verify:", 0) == 0, st.message().c_str());
  }

  void unthrottled_fleet_produces_as_fast_as_it_can() {
    FakeEnv env;
    env.bus().set_recording(false);
    std::uint64_t seen = 0;
    QVERIFY(env.bus()
                .subscribe<v1::RawFrame>(topics::kRawFrames, [&](const v1::RawFrame&) { ++seen; })
                .ok());
    auto p = itc::testing::create_plugin(*lib_);
    QVERIFY(p->initialise(env, fleet_config(owner_, 1000, 0)).ok());
    QVERIFY(p->start().ok());
    QElapsedTimer t;
    t.start();
    env.advance(5ms);  // five ticks of up to 4096 frames each
    const double secs = t.nsecsElapsed() / 1e9;
    QVERIFY(seen >= 5 * 4096);
    qInfo(
        "unthrottled fleet: %llu signed frames in %.3f s (%.0f frames/s on this thread + helpers)",
        static_cast<unsigned long long>(seen), secs, seen / secs);
    QVERIFY(p->drain().ok());
    p->stop();
  }
};

QTEST_GUILESS_MAIN(SimLightingTest)
#include "sim_lighting_test.moc"
