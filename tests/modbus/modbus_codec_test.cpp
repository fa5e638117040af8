// The modbus plugin's pure parts, as the plugin itself compiles them (itc_modbus_core):
// register decoding and encoding for every data type and word order, field layouts
// checked from profiles, the read planner, and how commands become writes.
#include <QTemporaryDir>
#include <QtTest>
#include <bit>
#include <cmath>
#include <random>

#include "command_write.hpp"
#include "lamp_profile.hpp"
#include "plugin_loader.hpp"
#include "read_plan.hpp"
#include "register_codec.hpp"

using namespace itc::modbus;

namespace {

// A shipped profile as a node running the modbus plugin sees it: with its `modbus:`
// sections, mapped by the plugin's own schema.
itc::v1::DeviceProfile modbus_profile(const std::string& name) {
  static QTemporaryDir run;
  static auto plugin =
      itc::testing::load_plugin_library("libitc-modbus.so", run.path().toStdString());
  return itc::testing::shipped_profile(name, {plugin.get()});
}

// `source` as a profile keeps it: the modbus plugin's section of the metric.
void set_source(itc::v1::MetricSpec* metric, const ModbusSource& source) {
  (*metric->mutable_sources())[kProfileSection] = source.SerializeAsString();
}

FieldLayout layout(ModbusDataType type, bool low_first = false,
                   ModbusFunction table = MODBUS_FUNCTION_HOLDING_REGISTERS,
                   std::uint32_t address = 0) {
  ModbusSource src;
  src.set_function(table);
  src.set_address(address);
  src.set_data_type(type);
  src.set_word_order(low_first ? WORD_ORDER_LOW_FIRST : WORD_ORDER_HIGH_FIRST);
  auto l = layout_of(src);
  if (!l.ok()) qFatal("layout: %s", l.status().ToString().c_str());
  return *l;
}

itc::v1::RawValue decoded(const FieldLayout& l, std::vector<std::uint16_t> regs) {
  itc::v1::RawValue v;
  auto st = decode_registers(l, regs, &v);
  if (!st.ok()) qFatal("decode: %s", st.ToString().c_str());
  return v;
}

}  // namespace

class ModbusCodecTest : public QObject {
  Q_OBJECT

 private slots:
  void decodesEveryDataTypeInBothWordOrders() {
    using namespace itc::v1;
    // 16-bit types have one word: word order does not apply.
    QCOMPARE(decoded(layout(MODBUS_DATA_TYPE_UINT16), {0xFFFE}).raw_int(), 65534);
    QCOMPARE(decoded(layout(MODBUS_DATA_TYPE_INT16), {0xFFC9}).raw_int(), -55);
    QCOMPARE(decoded(layout(MODBUS_DATA_TYPE_BOOL), {0x0100}).raw_bool(), true);
    QCOMPARE(decoded(layout(MODBUS_DATA_TYPE_BOOL), {0}).raw_bool(), false);

    // 1234567 = 0x0012D687: ABCD high word first, CDAB low word first.
    QCOMPARE(decoded(layout(MODBUS_DATA_TYPE_UINT32), {0x0012, 0xD687}).raw_int(), 1234567);
    QCOMPARE(decoded(layout(MODBUS_DATA_TYPE_UINT32, true), {0xD687, 0x0012}).raw_int(), 1234567);
    QCOMPARE(decoded(layout(MODBUS_DATA_TYPE_UINT32), {0xFFFF, 0xFFFF}).raw_int(), 4294967295);
    QCOMPARE(decoded(layout(MODBUS_DATA_TYPE_INT32), {0xFFFF, 0xFFFE}).raw_int(), -2);
    QCOMPARE(decoded(layout(MODBUS_DATA_TYPE_INT32, true), {0xFFFE, 0xFFFF}).raw_int(), -2);

    // 230.5f = 0x43668000.
    QCOMPARE(decoded(layout(MODBUS_DATA_TYPE_FLOAT32), {0x4366, 0x8000}).raw_double(), 230.5);
    QCOMPARE(decoded(layout(MODBUS_DATA_TYPE_FLOAT32, true), {0x8000, 0x4366}).raw_double(), 230.5);

    // 0x0102030405060708 and -2 in 64 bits.
    const std::int64_t big = 0x0102030405060708;
    QCOMPARE(decoded(layout(MODBUS_DATA_TYPE_UINT64), {0x0102, 0x0304, 0x0506, 0x0708}).raw_int(),
             big);
    QCOMPARE(
        decoded(layout(MODBUS_DATA_TYPE_UINT64, true), {0x0708, 0x0506, 0x0304, 0x0102}).raw_int(),
        big);
    QCOMPARE(decoded(layout(MODBUS_DATA_TYPE_INT64), {0xFFFF, 0xFFFF, 0xFFFF, 0xFFFE}).raw_int(),
             -2);
    QCOMPARE(
        decoded(layout(MODBUS_DATA_TYPE_INT64, true), {0xFFFE, 0xFFFF, 0xFFFF, 0xFFFF}).raw_int(),
        -2);
    // Above INT64_MAX a uint64 still arrives, as a double.
    auto huge = decoded(layout(MODBUS_DATA_TYPE_UINT64), {0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF});
    QVERIFY(huge.has_raw_double());
    QCOMPARE(huge.raw_double(), 18446744073709551615.0);

    // -1234.5 as a double = 0xC0934A0000000000.
    QCOMPARE(decoded(layout(MODBUS_DATA_TYPE_FLOAT64), {0xC093, 0x4A00, 0, 0}).raw_double(),
             -1234.5);
    QCOMPARE(decoded(layout(MODBUS_DATA_TYPE_FLOAT64, true), {0, 0, 0x4A00, 0xC093}).raw_double(),
             -1234.5);
  }

  void nanAndInfiniteFloatsAreRefusedWithTheReason() {
    using namespace itc::v1;
    RawValue v;
    auto st = decode_registers(layout(MODBUS_DATA_TYPE_FLOAT32),
                               std::vector<std::uint16_t>{0x7FC0, 0}, &v);
    QVERIFY(!st.ok());
    QVERIFY2(st.message().find("NaN") != std::string::npos, st.message().c_str());
    QCOMPARE(v.value_case(), RawValue::VALUE_NOT_SET);
    st = decode_registers(layout(MODBUS_DATA_TYPE_FLOAT64),
                          std::vector<std::uint16_t>{0xFFF0, 0, 0, 0}, &v);
    QVERIFY2(st.message().find("infinite") != std::string::npos, st.message().c_str());
    // The wrong number of registers is refused, not read past.
    st = decode_registers(layout(MODBUS_DATA_TYPE_UINT32), std::vector<std::uint16_t>{1}, &v);
    QVERIFY(!st.ok());
  }

  void layoutsApplyDefaultsAndRefuseCountsThatDisagreeWithTheType() {
    using namespace itc::v1;
    ModbusSource src;
    QVERIFY(layout_of(src).status().message().rfind("modbus.function", 0) == 0);

    src.set_function(MODBUS_FUNCTION_INPUT_REGISTERS);
    auto l = layout_of(src);
    QCOMPARE(l->type, MODBUS_DATA_TYPE_UINT16);  // registers default to uint16
    QCOMPARE(l->width, 1);
    src.set_data_type(MODBUS_DATA_TYPE_FLOAT64);
    QCOMPARE(layout_of(src)->width, 4);
    src.set_count(4);
    QVERIFY(layout_of(src).ok());
    src.set_count(2);
    auto bad = layout_of(src);
    QVERIFY2(bad.status().message() == "modbus.count: float64 takes 4 register(s), got 2",
             bad.status().message().c_str());
    src.set_count(0);
    src.set_address(65533);  // 65533..65536 runs off the end
    QVERIFY(layout_of(src).status().message().rfind("modbus.address", 0) == 0);
    src.set_address(70000);
    QVERIFY(layout_of(src).status().message().rfind("modbus.address", 0) == 0);
    // A data type number the schema does not define (a profile decoded from protobuf
    // bytes keeps it) is refused, not read as a type with no width (found by fuzzing).
    src.set_address(100);
    src.set_data_type(static_cast<ModbusDataType>(16));
    auto undefined = layout_of(src);
    QVERIFY2(undefined.status().message().rfind("modbus.data_type: 16 is not a data type", 0) == 0,
             undefined.status().message().c_str());

    ModbusSource coil;
    coil.set_function(MODBUS_FUNCTION_COILS);
    QCOMPARE(layout_of(coil)->type, MODBUS_DATA_TYPE_BOOL);  // bits default to bool
    coil.set_data_type(MODBUS_DATA_TYPE_FLOAT32);
    QVERIFY(layout_of(coil).status().message().rfind("modbus.data_type", 0) == 0);
    coil.set_data_type(MODBUS_DATA_TYPE_BOOL);
    coil.set_count(3);
    QVERIFY(layout_of(coil).status().message().rfind("modbus.count", 0) == 0);
  }

  void encodesWhatItDecodesAndRefusesValuesOutsideTheType() {
    using namespace itc::v1;
    auto regs = encode_registers(layout(MODBUS_DATA_TYPE_UINT32, true), 1234567);
    QCOMPARE(*regs, (std::vector<std::uint16_t>{0xD687, 0x0012}));
    regs = encode_registers(layout(MODBUS_DATA_TYPE_FLOAT32), 230.5);
    QCOMPARE(*regs, (std::vector<std::uint16_t>{0x4366, 0x8000}));
    regs = encode_registers(layout(MODBUS_DATA_TYPE_INT16), -55.4);  // nearest integer
    QCOMPARE(*regs, (std::vector<std::uint16_t>{0xFFC9}));
    regs = encode_registers(layout(MODBUS_DATA_TYPE_INT64, true), -2);
    QCOMPARE(*regs, (std::vector<std::uint16_t>{0xFFFE, 0xFFFF, 0xFFFF, 0xFFFF}));

    auto refused = encode_registers(layout(MODBUS_DATA_TYPE_UINT16), 65536);
    QVERIFY(!refused.ok());
    QVERIFY2(refused.status().message().find("uint16 range 0..65535") != std::string::npos,
             refused.status().message().c_str());
    QVERIFY(!encode_registers(layout(MODBUS_DATA_TYPE_UINT16), -1).ok());
    QVERIFY(!encode_registers(layout(MODBUS_DATA_TYPE_INT16), 32768).ok());
    QVERIFY(encode_registers(layout(MODBUS_DATA_TYPE_INT16), -32768).ok());
    QVERIFY(!encode_registers(layout(MODBUS_DATA_TYPE_INT32), 2147483648.0).ok());
    QVERIFY(!encode_registers(layout(MODBUS_DATA_TYPE_UINT64), 18446744073709551616.0).ok());
    QVERIFY(!encode_registers(layout(MODBUS_DATA_TYPE_FLOAT32), 1e39).ok());
    QVERIFY(!encode_registers(layout(MODBUS_DATA_TYPE_FLOAT64), std::nan("")).ok());
    QVERIFY(!encode_registers(layout(MODBUS_DATA_TYPE_UINT16), INFINITY).ok());

    QCOMPARE(*encode_bit(1), true);
    QCOMPARE(*encode_bit(0), false);
    QVERIFY(encode_bit(0.5).status().message().find("0 or 1") != std::string::npos);
  }

  // Random register contents: decoding never fails except on NaN/inf floats, and whatever
  // decodes re-encodes to the same registers (the codec is a bijection on valid values).
  void randomRegistersDecodeAndRoundTrip() {
    using namespace itc::v1;
    std::mt19937_64 rng(20261124);
    const ModbusDataType types[] = {MODBUS_DATA_TYPE_UINT16,  MODBUS_DATA_TYPE_INT16,
                                    MODBUS_DATA_TYPE_UINT32,  MODBUS_DATA_TYPE_INT32,
                                    MODBUS_DATA_TYPE_FLOAT32, MODBUS_DATA_TYPE_UINT64,
                                    MODBUS_DATA_TYPE_INT64,   MODBUS_DATA_TYPE_FLOAT64};
    int nan = 0, decoded_ok = 0;
    for (int i = 0; i < 200000; ++i) {
      const ModbusDataType type = types[rng() % std::size(types)];
      const FieldLayout l = layout(type, rng() % 2 == 0);
      std::vector<std::uint16_t> regs(l.width);
      for (auto& r : regs) r = static_cast<std::uint16_t>(rng());
      if (rng() % 8 == 0) regs[l.low_word_first ? regs.size() - 1 : 0] |= 0x7FF0;  // NaN/inf often
      RawValue v;
      itc::Status st = decode_registers(l, regs, &v);
      if (!st.ok()) {
        QVERIFY(type == MODBUS_DATA_TYPE_FLOAT32 || type == MODBUS_DATA_TYPE_FLOAT64);
        ++nan;
        continue;
      }
      ++decoded_ok;
      const double raw = v.has_raw_int() ? static_cast<double>(v.raw_int()) : v.raw_double();
      if (v.has_raw_int() && std::fabs(raw) > 9007199254740992.0) continue;  // beyond 2^53
      if (type == MODBUS_DATA_TYPE_UINT64 && v.has_raw_double()) continue;
      auto back = encode_registers(l, raw);
      QVERIFY2(back.ok(), back.status().ToString().c_str());
      if (type == MODBUS_DATA_TYPE_FLOAT32 || type == MODBUS_DATA_TYPE_FLOAT64) {
        // -0 and +0 differ in bits only; everything else round-trips exactly.
        if (raw == 0) continue;
      }
      QCOMPARE(*back, regs);
    }
    QVERIFY(nan > 1000);
    QVERIFY(decoded_ok > 100000);
  }

  void shippedProfilesArePlannedIntoOneRequestPerTable() {
    using namespace itc::v1;
    auto meter = modbus_profile("energy-meter");
    auto fields = modbus_fields(meter);
    QVERIFY2(fields.ok(), fields.status().ToString().c_str());
    QCOMPARE(fields->size(), std::size_t(5));
    auto plan = plan_reads(*fields, {});
    QCOMPARE(plan.size(), std::size_t(2));
    QCOMPARE(plan[0].table, MODBUS_FUNCTION_HOLDING_REGISTERS);
    QCOMPARE(describe(plan[0]), std::string("holding registers 100..100"));
    QCOMPARE(describe(plan[1]), std::string("input registers 0..7"));  // V, A, W, Wh
    QCOMPARE(plan[1].fields.size(), std::size_t(4));

    auto lamp = modbus_profile("dimmable-lamp");
    plan = plan_reads(*modbus_fields(lamp), {});
    QCOMPARE(plan.size(), std::size_t(4));  // coils, discrete inputs, holding, input 0..3
    QCOMPARE(describe(plan[3]), std::string("input registers 0..3"));
    QCOMPARE(plan[3].fields.size(), std::size_t(3));
  }

  void planMergesNearbyFieldsWithinTheProtocolLimits() {
    using namespace itc::v1;
    auto field = [](int metric, ModbusFunction table, std::uint32_t address, ModbusDataType t) {
      return PlannedField{metric, layout(t, false, table, address)};
    };
    const auto IR = MODBUS_FUNCTION_INPUT_REGISTERS;
    const auto U16 = MODBUS_DATA_TYPE_UINT16;
    // 9 unused registers (4..12) split; 8 (14..21) merge with the default gap of 8.
    std::vector<PlannedField> f = {field(0, IR, 22, U16), field(1, IR, 0, MODBUS_DATA_TYPE_FLOAT64),
                                   field(2, IR, 13, U16)};
    auto plan = plan_reads(f, {});
    QCOMPARE(plan.size(), std::size_t(2));
    QCOMPARE(describe(plan[0]), std::string("input registers 0..3"));
    QCOMPARE(describe(plan[1]), std::string("input registers 13..22"));
    plan = plan_reads(f, {.max_gap_registers = 9, .max_gap_bits = 0});
    QCOMPARE(plan.size(), std::size_t(1));
    QCOMPARE(plan[0].count, 23);
    plan = plan_reads(f, {.max_gap_registers = 0, .max_gap_bits = 0});
    QCOMPARE(plan.size(), std::size_t(3));
    // Overlapping fields share registers.
    plan = plan_reads({field(0, IR, 4, MODBUS_DATA_TYPE_UINT32), field(1, IR, 5, U16)}, {});
    QCOMPARE(plan.size(), std::size_t(1));
    QCOMPARE(plan[0].count, 2);
    // Never more than 125 registers in one request, even when contiguous.
    std::vector<PlannedField> row;
    for (int i = 0; i < 300; ++i) row.push_back(field(i, IR, static_cast<std::uint32_t>(i), U16));
    plan = plan_reads(row, {});
    QCOMPARE(plan.size(), std::size_t(3));
    QCOMPARE(plan[0].count, 125);
    QCOMPARE(plan[2].count, 50);
    // 2000 bits per request.
    std::vector<PlannedField> bits;
    for (int i = 0; i < 2500; ++i) {
      bits.push_back(
          field(i, MODBUS_FUNCTION_COILS, static_cast<std::uint32_t>(i), MODBUS_DATA_TYPE_BOOL));
    }
    plan = plan_reads(bits, {});
    QCOMPARE(plan.size(), std::size_t(2));
    QCOMPARE(plan[0].count, 2000);
  }

  // Random field sets: every field lies inside exactly one request of its table, no
  // request exceeds its limit, and requests of one table do not overlap.
  void randomFieldSetsArePlannedSoundly() {
    using namespace itc::v1;
    std::mt19937 rng(7);
    const ModbusFunction tables[] = {MODBUS_FUNCTION_COILS, MODBUS_FUNCTION_DISCRETE_INPUTS,
                                     MODBUS_FUNCTION_HOLDING_REGISTERS,
                                     MODBUS_FUNCTION_INPUT_REGISTERS};
    for (int round = 0; round < 2000; ++round) {
      std::vector<PlannedField> fields;
      const int n = 1 + static_cast<int>(rng() % 60);
      for (int i = 0; i < n; ++i) {
        const ModbusFunction t = tables[rng() % 4];
        const ModbusDataType dt =
            is_bit_table(t) ? MODBUS_DATA_TYPE_BOOL : static_cast<ModbusDataType>(2 + rng() % 8);
        fields.push_back({i, layout(dt, false, t, rng() % 3000)});
      }
      const PlanLimits limits{static_cast<std::uint32_t>(rng() % 40),
                              static_cast<std::uint32_t>(rng() % 300)};
      auto plan = plan_reads(fields, limits);
      std::vector<int> seen(n, 0);
      for (std::size_t r = 0; r < plan.size(); ++r) {
        const ReadRequest& q = plan[r];
        QVERIFY(q.count <= (is_bit_table(q.table) ? kMaxBitsPerRead : kMaxRegistersPerRead));
        for (const auto& f : q.fields) {
          QCOMPARE(f.layout.table, q.table);
          QVERIFY(f.layout.address >= q.address);
          QVERIFY(f.layout.address + f.layout.width <= q.address + q.count);
          ++seen[f.metric];
        }
        if (r > 0 && plan[r - 1].table == q.table) {
          QVERIFY(plan[r - 1].address + plan[r - 1].count <= q.address);
        }
      }
      for (int s : seen) QCOMPARE(s, 1);
    }
  }

  void commandsBecomeWritesOfTheControlledMetric() {
    using namespace itc::v1;
    PolledDevice lamp;
    lamp.settings.id = "lamp-1";
    lamp.profile = std::make_shared<const DeviceProfile>(modbus_profile("dimmable-lamp"));
    Command cmd;
    cmd.set_device_id("lamp-1");
    cmd.set_action(ACTION_DIM);
    cmd.set_dim_level(40);
    auto job = plan_write(lamp, cmd);
    QVERIFY2(job.ok(), job.status().ToString().c_str());
    QCOMPARE(job->layout.table, MODBUS_FUNCTION_HOLDING_REGISTERS);
    QCOMPARE(job->registers, std::vector<std::uint16_t>{40});
    QCOMPARE(job->what, std::string("holding registers 0 := 40 (uint16)"));

    cmd.set_action(ACTION_OFF);
    job = plan_write(lamp, cmd);
    QCOMPARE(job->layout.table, MODBUS_FUNCTION_COILS);
    QCOMPARE(job->bit, false);
    cmd.set_action(ACTION_ON);
    QCOMPARE(plan_write(lamp, cmd)->bit, true);

    cmd.set_action(ACTION_DIM);
    cmd.set_dim_level(150);  // the profile says 0..100
    auto refused = plan_write(lamp, cmd);
    QVERIFY2(refused.status().message() == "dim 150 is outside the profile's range 0..100",
             refused.status().message().c_str());
    cmd.set_action(ACTION_SET_SCHEDULE);
    QVERIFY(plan_write(lamp, cmd).status().message().find("no control for ACTION_SET_SCHEDULE") !=
            std::string::npos);
  }

  void writesToReadOnlyTablesAndBeyondTheTypeAreRefused() {
    using namespace itc::v1;
    // A model whose controls point at an input register and at a scaled int16 setpoint.
    DeviceProfile p;
    p.set_name("heater");
    auto* power = p.add_metrics();
    power->set_name("power");
    ModbusSource input;
    input.set_function(itc::modbus::MODBUS_FUNCTION_INPUT_REGISTERS);
    set_source(power, input);
    auto* setpoint = p.add_metrics();
    setpoint->set_name("setpoint");
    setpoint->set_scale(0.001);  // raw = value * 1000
    ModbusSource holding;
    holding.set_function(itc::modbus::MODBUS_FUNCTION_HOLDING_REGISTERS);
    holding.set_address(7);
    holding.set_data_type(itc::modbus::MODBUS_DATA_TYPE_INT16);
    set_source(setpoint, holding);
    auto* on = p.add_controls();
    on->set_action(ACTION_ON);
    on->set_metric("power");
    on->set_value(1);
    auto* dim = p.add_controls();
    dim->set_action(ACTION_DIM);
    dim->set_metric("setpoint");
    PolledDevice d;
    d.profile = std::make_shared<const DeviceProfile>(p);

    Command cmd;
    cmd.set_action(ACTION_ON);
    auto refused = plan_write(d, cmd);
    QVERIFY2(
        refused.status().message() == "metric power is in input registers, which are read-only",
        refused.status().message().c_str());

    cmd.set_action(ACTION_DIM);
    cmd.set_dim_level(30);  // raw 30000: fits int16
    auto job = plan_write(d, cmd);
    QVERIFY2(job.ok(), job.status().ToString().c_str());
    QCOMPARE(job->registers, std::vector<std::uint16_t>{30000});
    cmd.set_dim_level(40);  // raw 40000: does not
    refused = plan_write(d, cmd);
    QVERIFY2(refused.status().message().find("setpoint (holding registers 7): value 40000 is "
                                             "outside the int16 range -32768..32767") == 0,
             refused.status().message().c_str());
  }
};

QTEST_GUILESS_MAIN(ModbusCodecTest)
#include "modbus_codec_test.moc"
