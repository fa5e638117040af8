// Specification of the normalize plugin (its real .so), driven through FakeEnv.
#include <QtTest/QtTest>
#include <chrono>
#include <cmath>
#include <map>
#include <string>

#include "itc/crypto.hpp"
#include "itc/frame_signing.hpp"
#include "itc/testing/fake_env.hpp"
#include "itc/v1/device.pb.h"
#include "lamp_profile.hpp"
#include "normalize.pb.h"
#include "plugin_loader.hpp"
#include "sim_lighting.pb.h"

using namespace std::chrono_literals;
using itc::testing::FakeEnv;
using itc::testing::new_key;
namespace v1 = itc::v1;
namespace topics = itc::topics;

namespace {

// The plugin's own section: nothing to set (profiles come from the host).
itc::normalize::Config lamp_config() { return {}; }

struct Lamp {
  std::string id;
  itc::crypto::Ed25519PrivateKey key = new_key();
  std::uint64_t seq = 0;
};

v1::RawFrame frame(Lamp& lamp, std::int64_t power_mw, std::int64_t fault = 0) {
  v1::RawFrame f;
  f.set_device_id(lamp.id);
  f.set_profile("dimmable-lamp");
  f.set_seq(++lamp.seq);
  f.set_sampled_at_us(1'700'000'000'000'000);
  auto add = [&](const char* m, std::int64_t v) {
    auto* rv = f.add_values();
    rv->set_metric(m);
    rv->set_raw_int(v);
  };
  add("power_mw", power_mw);
  add("temperature_dc", 231);
  add("dim_pct", 80);
  add("on", 1);
  add("occupancy", 3);
  add("fault", fault);
  itc::sign_frame(&f, lamp.key);
  return f;
}

void register_lamp(FakeEnv& env, const Lamp& lamp) {
  v1::DeviceRegistration r;
  r.set_device_id(lamp.id);
  r.set_profile("dimmable-lamp");
  r.set_public_key(lamp.key.public_key());
  if (!env.bus().publish_value(topics::kRegistrations, r).ok()) qFatal("registration");
}

std::map<std::string, v1::Reading> by_metric(const std::vector<v1::Reading>& rs) {
  std::map<std::string, v1::Reading> out;
  for (const auto& r : rs) out[r.metric()] = r;
  return out;
}

}  // namespace

class NormalizeTest : public QObject {
  Q_OBJECT

  QTemporaryDir run_dir_;
  std::shared_ptr<itc::host::PluginLibrary> lib_;

  std::shared_ptr<itc::Plugin> started(FakeEnv& env, const itc::normalize::Config& c) {
    env.device_profiles().put(itc::testing::shipped_profile("dimmable-lamp"));
    auto p = itc::testing::create_plugin(*lib_);
    auto s = p->initialise(env, c.SerializeAsString());
    if (!s.ok()) qFatal("initialise: %s", s.ToString().c_str());
    if (!p->start().ok()) qFatal("start");
    return p;
  }

 private slots:
  void initTestCase() {
    lib_ = itc::testing::load_plugin_library("libitc-normalize.so", run_dir_.path().toStdString());
    QCOMPARE(QString::fromStdString(lib_->info().layer), QString("conversion"));
  }

  void a_frame_carries_any_subset_of_metrics_but_every_required_one() {
    FakeEnv env;
    auto p = started(env, lamp_config());
    Lamp lamp{"lamp-000003"};
    register_lamp(env, lamp);
    v1::RawFrame partial;  // report by exception: only what changed
    partial.set_device_id(lamp.id);
    partial.set_profile("dimmable-lamp");
    partial.set_seq(++lamp.seq);
    auto* v = partial.add_values();
    v->set_metric("dim_pct");
    v->set_raw_int(35);
    itc::sign_frame(&partial, lamp.key);
    QVERIFY(env.bus().publish_value(topics::kRawFrames, partial).ok());
    auto readings = env.bus().published_as<v1::Reading>(topics::kReadings);
    QCOMPARE(readings.size(), std::size_t{1});
    QCOMPARE(QString::fromStdString(readings[0].metric()), QString("dim"));
    QCOMPARE(readings[0].value(), 35.0);

    // The same model with power made required: a frame without it is refused by name.
    auto strict = itc::testing::shipped_profile("dimmable-lamp");
    strict.mutable_metrics(0)->set_required(true);
    env.device_profiles().put(strict);
    partial.set_seq(++lamp.seq);
    itc::sign_frame(&partial, lamp.key);
    QVERIFY(env.bus().publish_value(topics::kRawFrames, partial).ok());
    QCOMPARE(env.metrics().counter_value("frames_rejected_missing_value"), std::uint64_t{1});
    QVERIFY(env.log().contains("required metric \"power_mw\" is missing"));
    // ... and the device directory hears about it, against the device.
    const auto reports = env.bus().published_as<v1::DeviceReport>(topics::kDeviceReports);
    QCOMPARE(reports.size(), std::size_t{1});
    QCOMPARE(QString::fromStdString(reports[0].device_id()), QString("lamp-000003"));
    QVERIFY(reports[0].error().find("missing_value") != std::string::npos);
    QVERIFY(p->drain().ok());
    p->stop();
  }

  void profile_changes_apply_to_the_next_frame() {
    FakeEnv env;
    auto p = started(env, lamp_config());
    Lamp lamp{"lamp-000004"};
    register_lamp(env, lamp);
    auto rescaled = itc::testing::shipped_profile("dimmable-lamp");
    rescaled.mutable_metrics(0)->set_unit("kW");
    rescaled.mutable_metrics(0)->set_scale(0.000001);
    env.device_profiles().put(rescaled);
    QVERIFY(env.bus().publish_value(topics::kRawFrames, frame(lamp, 9600)).ok());
    auto r = by_metric(env.bus().published_as<v1::Reading>(topics::kReadings));
    QCOMPARE(QString::fromStdString(r["power"].unit()), QString("kW"));
    QVERIFY(std::abs(r["power"].value() - 0.0096) < 1e-12);
    QVERIFY(p->drain().ok());
    p->stop();
  }

  void frames_become_typed_readings_with_units_and_quality() {
    FakeEnv env;
    auto p = started(env, lamp_config());
    Lamp lamp{"lamp-000001"};
    register_lamp(env, lamp);
    const auto f = frame(lamp, 9600);
    QVERIFY(env.bus().publish_value(topics::kRawFrames, f).ok());

    const auto readings = env.bus().published_as<v1::Reading>(topics::kReadings);
    QCOMPARE(readings.size(), std::size_t{6});
    auto r = by_metric(readings);
    QCOMPARE(r["power"].value(), 9.6);
    QCOMPARE(QString::fromStdString(r["power"].unit()), QString("W"));
    QCOMPARE(r["temperature"].value(), 23.1);
    QCOMPARE(QString::fromStdString(r["temperature"].unit()), QString("degC"));
    QCOMPARE(r["dim"].value(), 80.0);
    QCOMPARE(r["occupancy"].value(), 3.0);
    for (const auto& reading : readings) {
      QCOMPARE(reading.quality(), v1::QUALITY_GOOD);
      QCOMPARE(QString::fromStdString(reading.device_id()), QString("lamp-000001"));
      QCOMPARE(reading.frame_seq(), std::uint64_t{1});
      QCOMPARE(reading.sampled_at_us(), f.sampled_at_us());
      QCOMPARE(reading.frame_digest(), itc::frame_digest(f));
    }
    QCOMPARE(env.metrics().counter_value("frames_in"), std::uint64_t{1});
    QCOMPARE(env.metrics().counter_value("readings_out"), std::uint64_t{6});
    QVERIFY(p->drain().ok());
    p->stop();
  }

  void out_of_range_and_faults_are_flagged_not_dropped() {
    FakeEnv env;
    auto p = started(env, lamp_config());
    Lamp lamp{"lamp-000002"};
    register_lamp(env, lamp);
    QVERIFY(env.bus().publish_value(topics::kRawFrames, frame(lamp, 40000)).ok());
    auto r = by_metric(env.bus().published_as<v1::Reading>(topics::kReadings));
    QCOMPARE(r["power"].quality(), v1::QUALITY_OUT_OF_RANGE);
    QCOMPARE(r["power"].value(), 40.0);
    QCOMPARE(r["dim"].quality(), v1::QUALITY_GOOD);
    QCOMPARE(env.metrics().counter_value("readings_out_of_range"), std::uint64_t{1});

    env.bus().clear_published();
    QVERIFY(env.bus().publish_value(topics::kRawFrames, frame(lamp, 250000, 1)).ok());
    const auto faulty = env.bus().published_as<v1::Reading>(topics::kReadings);
    QCOMPARE(faulty.size(), std::size_t{6});
    for (const auto& reading : faulty) QCOMPARE(reading.quality(), v1::QUALITY_DEVICE_FAULT);
    QCOMPARE(env.metrics().counter_value("readings_out_of_range"), std::uint64_t{2});
    QVERIFY(p->drain().ok());
    p->stop();
  }

  void bad_frames_are_counted_by_reason_and_others_keep_flowing() {
    FakeEnv env;
    auto p = started(env, lamp_config());
    Lamp good{"lamp-000001"};
    Lamp stranger{"lamp-999999"};
    register_lamp(env, good);

    // Bad signature: a valid frame altered after signing.
    auto forged = frame(good, 5000);
    forged.mutable_values(0)->set_raw_int(1);
    QVERIFY(env.bus().publish_value(topics::kRawFrames, forged).ok());
    QCOMPARE(env.metrics().counter_value("frames_rejected_bad_signature"), std::uint64_t{1});
    QVERIFY(env.log().contains("lamp-000001"));
    QVERIFY(env.log().contains("bad_signature"));

    QVERIFY(env.bus().publish_value(topics::kRawFrames, frame(stranger, 5000)).ok());
    env.advance(6s);  // its registration could still be on its way: it waits 5 s for it
    QCOMPARE(env.metrics().counter_value("frames_rejected_unknown_device"), std::uint64_t{1});
    QVERIFY(env.log().contains("lamp-999999"));

    auto accepted = frame(good, 5000);
    QVERIFY(env.bus().publish_value(topics::kRawFrames, accepted).ok());
    QVERIFY(env.bus().publish_value(topics::kRawFrames, accepted).ok());  // replayed
    QCOMPARE(env.metrics().counter_value("frames_rejected_replayed"), std::uint64_t{1});

    auto unknown_profile = frame(good, 5000);
    unknown_profile.set_profile("toaster");
    itc::sign_frame(&unknown_profile, good.key);
    QVERIFY(env.bus().publish_value(topics::kRawFrames, unknown_profile).ok());
    QCOMPARE(env.metrics().counter_value("frames_rejected_unknown_profile"), std::uint64_t{1});

    auto extra = frame(good, 5000);
    auto* v = extra.add_values();
    v->set_metric("humidity");
    v->set_raw_int(40);
    itc::sign_frame(&extra, good.key);
    QVERIFY(env.bus().publish_value(topics::kRawFrames, extra).ok());
    QCOMPARE(env.metrics().counter_value("frames_rejected_unknown_metric"), std::uint64_t{1});

    v1::RawFrame nothing = frame(good, 5000);
    nothing.clear_values();
    itc::sign_frame(&nothing, good.key);
    QVERIFY(env.bus().publish_value(topics::kRawFrames, nothing).ok());
    auto no_value = frame(good, 5000);
    no_value.mutable_values(1)->clear_value();
    itc::sign_frame(&no_value, good.key);
    QVERIFY(env.bus().publish_value(topics::kRawFrames, no_value).ok());
    QCOMPARE(env.metrics().counter_value("frames_rejected_missing_value"), std::uint64_t{2});

    // Malformed: no device id at all, no values, garbage signature.
    v1::RawFrame empty;
    empty.set_signature("xx");
    QVERIFY(env.bus().publish_value(topics::kRawFrames, empty).ok());
    QCOMPARE(env.metrics().counter_value("frames_rejected_malformed"), std::uint64_t{1});

    // The good device is unaffected: exactly one frame's readings went out so far, and the
    // next good frame flows.
    QCOMPARE(env.bus().published_count(topics::kReadings), std::size_t{6});
    QVERIFY(env.bus().publish_value(topics::kRawFrames, frame(good, 5000)).ok());
    QCOMPARE(env.bus().published_count(topics::kReadings), std::size_t{12});
    QCOMPARE(env.metrics().counter_value("frames_in"), std::uint64_t{10});
    QVERIFY(p->drain().ok());
    p->stop();
  }

  void rejection_log_is_rate_limited() {
    FakeEnv env;
    auto p = started(env, lamp_config());
    Lamp stranger{"lamp-777777"};
    for (int i = 0; i < 100; ++i) {
      QVERIFY(env.bus().publish_value(topics::kRawFrames, frame(stranger, 1000)).ok());
    }
    env.advance(6s);
    QCOMPARE(env.metrics().counter_value("frames_rejected_unknown_device"), std::uint64_t{100});
    QCOMPARE(env.log().lines().size(), std::size_t{1});
    env.advance(2s);
    QVERIFY(env.bus().publish_value(topics::kRawFrames, frame(stranger, 1000)).ok());
    env.advance(6s);
    QCOMPARE(env.log().lines().size(), std::size_t{2});
    QVERIFY(env.log().contains("99 more unknown_device rejections"));
    QVERIFY(p->drain().ok());
    p->stop();
  }

  // A gateway registers a device, then sends its frames, but on two bus topics: a frame
  // (a queued MQTT message delivered at reconnect) can overtake the registration. It waits
  // for it and is then accepted, in order; frames of a device never registered are refused
  // after the wait, and a drain refuses (counts) whatever still waits.
  void a_frame_that_overtakes_its_registration_waits_for_it() {
    FakeEnv env;
    auto p = started(env, lamp_config());
    Lamp early{"lamp-000042"};
    Lamp stranger{"lamp-000043"};
    for (int power : {4000, 4100, 4200}) {
      QVERIFY(env.bus().publish_value(topics::kRawFrames, frame(early, power)).ok());
    }
    QVERIFY(env.bus().publish_value(topics::kRawFrames, frame(stranger, 4300)).ok());
    env.advance(2s);
    QCOMPARE(env.bus().published_count(topics::kReadings), std::size_t{0});
    QCOMPARE(env.metrics().counter_value("frames_rejected_unknown_device"), std::uint64_t{0});

    register_lamp(env, early);
    auto readings = env.bus().published_as<v1::Reading>(topics::kReadings);
    QCOMPARE(readings.size(), std::size_t{18});
    std::vector<long> power_mw;
    for (const auto& r : readings) {
      if (r.metric() == "power") power_mw.push_back(std::lround(r.value() * 1000));
    }
    QCOMPARE(power_mw, (std::vector<long>{4000, 4100, 4200}));  // in the order they arrived
    QVERIFY(env.bus().publish_value(topics::kRawFrames, frame(early, 4400)).ok());
    QCOMPARE(env.bus().published_count(topics::kReadings), std::size_t{24});
    QCOMPARE(env.metrics().counter_value("frames_rejected_replayed"), std::uint64_t{0});

    env.advance(4s);  // the stranger's frame has now waited 6 s
    QCOMPARE(env.metrics().counter_value("frames_rejected_unknown_device"), std::uint64_t{1});
    QVERIFY(env.bus().publish_value(topics::kRawFrames, frame(stranger, 4500)).ok());
    QVERIFY(p->drain().ok());
    QCOMPARE(env.metrics().counter_value("frames_rejected_unknown_device"), std::uint64_t{2});
    p->stop();
  }

  void verification_can_be_switched_off() {
    FakeEnv env;
    auto c = lamp_config();
    c.set_verify_signatures(false);
    auto p = started(env, c);
    Lamp lamp{"lamp-000005"};
    register_lamp(env, lamp);
    auto f = frame(lamp, 5000);
    f.set_signature("not a signature");
    QVERIFY(env.bus().publish_value(topics::kRawFrames, f).ok());
    const auto readings = env.bus().published_as<v1::Reading>(topics::kReadings);
    QCOMPARE(readings.size(), std::size_t{6});
    QCOMPARE(readings[0].quality(), v1::QUALITY_UNVERIFIED);
    QVERIFY(p->drain().ok());
    p->stop();
  }

  void queued_verification_keeps_order_and_drain_waits() {
    FakeEnv env;
    auto p = started(env, lamp_config());
    Lamp lamp{"lamp-000001"};
    register_lamp(env, lamp);
    env.set_executor_queued(true);
    for (int i = 0; i < 20; ++i) {
      QVERIFY(env.bus().publish_value(topics::kRawFrames, frame(lamp, 1000 + i)).ok());
    }
    QCOMPARE(env.bus().published_count(topics::kReadings), std::size_t{0});
    QCOMPARE(env.run_pending(), std::size_t{20});
    const auto readings = env.bus().published_as<v1::Reading>(topics::kReadings);
    QCOMPARE(readings.size(), std::size_t{120});
    for (std::size_t i = 0; i < readings.size(); ++i) {
      QCOMPARE(readings[i].frame_seq(), std::uint64_t{i / 6 + 1});
    }
    QVERIFY(p->drain().ok());
    p->stop();
  }

  void fleet_frames_all_become_readings() {
    // Loaded before the FakeEnv: the frames the env records were made by the fleet's code
    // and must be destroyed before that library is closed.
    auto fleet_lib =
        itc::testing::load_plugin_library("libitc-sim-lighting.so", run_dir_.path().toStdString());
    FakeEnv env;
    auto norm = started(env, lamp_config());
    auto fleet = itc::testing::create_plugin(*fleet_lib);
    itc::sim_lighting::Config fc;
    fc.set_lamps(200);
    fc.set_report_interval_ms(500);
    fc.set_owner_public_key(itc::crypto::to_hex(new_key().public_key()));
    fc.set_fault_probability(0.05);
    QVERIFY(fleet->initialise(env, fc.SerializeAsString()).ok());
    QVERIFY(fleet->start().ok());
    env.advance(5s);
    const auto frames = env.metrics().counter_value("frames_sent");
    QCOMPARE(frames, std::uint64_t{2001});
    QCOMPARE(env.metrics().counter_value("frames_in"), frames);
    QCOMPARE(env.metrics().counter_value("readings_out"), frames * 6);
    for (const auto& name : env.metrics().counter_names()) {
      if (name.rfind("frames_rejected_", 0) == 0) {
        QVERIFY2(env.metrics().counter_value(name) == 0, name.c_str());
      }
    }
    // About 5% of the frames were faults, each with an out-of-range power reading.
    const auto oor = env.metrics().counter_value("readings_out_of_range");
    QVERIFY2(oor > 40 && oor < 200, std::to_string(oor).c_str());
    QVERIFY(fleet->drain().ok());
    fleet->stop();
    QVERIFY(norm->drain().ok());
    norm->stop();
  }
};

QTEST_GUILESS_MAIN(NormalizeTest)
#include "normalize_test.moc"
