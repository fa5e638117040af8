// Seeds of the device-facing targets, made with the real encoders: a Sparkplug B session
// (NBIRTH, DBIRTH, DDATA by alias, DDEATH, NDEATH) encoded with sparkplug_b.proto; JSON
// payloads with their paths; Modbus fields with registers from encode_registers; and a
// stored block's body and readings rows from store-common's encode_block.
#include <cstring>

#include "register_codec.hpp"
#include "seeds/corpus.hpp"
#include "sparkplug_b.pb.h"
#include "sparkplug_codec.hpp"
#include "stored_block.hpp"

namespace itc::fuzz {
namespace {

using Payload = org::eclipse::tahu::protobuf::Payload;

std::string sparkplug_record(std::string_view topic, const Payload& payload) {
  const std::string bytes = payload.SerializeAsString();
  return static_cast<char>(topic.size()) + std::string(topic) + u16le(bytes.size()) + bytes;
}

Payload payload(std::uint64_t seq) {
  Payload p;
  p.set_timestamp(1'700'000'000'000 + seq);
  p.set_seq(seq);
  return p;
}

void write_sparkplug(Corpus& corpus) {
  Payload nbirth = payload(0);
  auto* m = nbirth.add_metrics();
  m->set_name(std::string(mqtt::kBdSeqMetric));
  m->set_datatype(mqtt::kUInt64);
  m->set_long_value(3);
  m = nbirth.add_metrics();
  m->set_name(std::string(mqtt::kRebirthMetric));
  m->set_datatype(mqtt::kBoolean);
  m->set_boolean_value(false);
  Payload dbirth = payload(1);
  const std::pair<const char*, std::uint32_t> metrics[] = {
      {"Light/Power", mqtt::kUInt32}, {"Light/Temperature", mqtt::kInt16},
      {"Light/Level", mqtt::kFloat},  {"Light/Energy", mqtt::kDouble},
      {"Light/On", mqtt::kBoolean},   {"Light/Label", mqtt::kString}};
  std::uint64_t alias = 1;
  for (const auto& [name, type] : metrics) {
    m = dbirth.add_metrics();
    m->set_name(name);
    m->set_alias(alias++);
    m->set_datatype(type);
    if (type == mqtt::kFloat)
      m->set_float_value(0.5F);
    else if (type == mqtt::kDouble)
      m->set_double_value(1234.5);
    else if (type == mqtt::kBoolean)
      m->set_boolean_value(true);
    else if (type == mqtt::kString)
      m->set_string_value("hall A");
    else
      m->set_int_value(static_cast<std::uint32_t>(-35));
  }
  Payload ddata = payload(2);
  m = ddata.add_metrics();
  m->set_alias(1);
  m->set_int_value(5000);
  m = ddata.add_metrics();
  m->set_alias(3);
  m->set_float_value(0.75F);
  Payload ddeath = payload(3);
  Payload ndeath;
  m = ndeath.add_metrics();
  m->set_name(std::string(mqtt::kBdSeqMetric));
  m->set_datatype(mqtt::kUInt64);
  m->set_long_value(3);
  const std::string session = sparkplug_record("spBv1.0/plant1/NBIRTH/line1", nbirth) +
                              sparkplug_record("spBv1.0/plant1/DBIRTH/line1/lamp1", dbirth) +
                              sparkplug_record("spBv1.0/plant1/DDATA/line1/lamp1", ddata) +
                              sparkplug_record("spBv1.0/plant1/DDEATH/line1/lamp1", ddeath) +
                              sparkplug_record("spBv1.0/plant1/NDEATH/line1", ndeath);
  corpus.add("sparkplug", "session", session);
  corpus.add("sparkplug", "data-before-birth",
             sparkplug_record("spBv1.0/plant1/DDATA/line1/lamp1", ddata));
  auto command = mqtt::encode_sparkplug_command({{"Light/Level", 3, mqtt::kFloat, 0.25}}, 1);
  if (command.ok()) {
    corpus.add("sparkplug", "ncmd",
               static_cast<char>(27) + std::string("spBv1.0/plant1/NCMD/line1/x") +
                   u16le(command->size()) + *command);
  }
}

void write_json(Corpus& corpus) {
  corpus.add("json_payload", "nested", "power.mw\n{\"power\": {\"mw\": 5200, \"ok\": true}}");
  corpus.add("json_payload", "array",
             "channels[2].value\n{\"channels\": [{\"value\": 1}, {\"value\": 2.5e3}, "
             "{\"value\": -7}]}");
  corpus.add("json_payload", "escapes",
             "occupied\n{\"occupied\": false, \"label\": \"h\\u00e4ll \\\"3\\\"\", \"n\": null}");
}

void write_modbus(Corpus& corpus) {
  struct Field {
    const char* name;
    itc::modbus::ModbusFunction function;
    itc::modbus::ModbusDataType type;
    itc::modbus::WordOrder order;
    double value;
  };
  const Field fields[] = {
      {"uint16", itc::modbus::MODBUS_FUNCTION_HOLDING_REGISTERS,
       itc::modbus::MODBUS_DATA_TYPE_UINT16, itc::modbus::WORD_ORDER_UNSPECIFIED, 4200},
      {"int32-low-first", itc::modbus::MODBUS_FUNCTION_HOLDING_REGISTERS,
       itc::modbus::MODBUS_DATA_TYPE_INT32, itc::modbus::WORD_ORDER_LOW_FIRST, -123456},
      {"float32", itc::modbus::MODBUS_FUNCTION_INPUT_REGISTERS,
       itc::modbus::MODBUS_DATA_TYPE_FLOAT32, itc::modbus::WORD_ORDER_HIGH_FIRST, 230.5},
      {"float64", itc::modbus::MODBUS_FUNCTION_HOLDING_REGISTERS,
       itc::modbus::MODBUS_DATA_TYPE_FLOAT64, itc::modbus::WORD_ORDER_HIGH_FIRST, 12345.678},
      {"uint64", itc::modbus::MODBUS_FUNCTION_HOLDING_REGISTERS,
       itc::modbus::MODBUS_DATA_TYPE_UINT64, itc::modbus::WORD_ORDER_HIGH_FIRST, 9.0e15},
      {"coil", itc::modbus::MODBUS_FUNCTION_COILS, itc::modbus::MODBUS_DATA_TYPE_UNSPECIFIED,
       itc::modbus::WORD_ORDER_UNSPECIFIED, 1},
  };
  for (const Field& f : fields) {
    itc::modbus::ModbusSource source;
    source.set_function(f.function);
    source.set_address(100);
    source.set_data_type(f.type);
    source.set_word_order(f.order);
    const std::string source_bytes = source.SerializeAsString();
    std::string input = static_cast<char>(source_bytes.size()) + source_bytes;
    char raw[sizeof(double)];
    std::memcpy(raw, &f.value, sizeof raw);
    input.append(raw, sizeof raw);
    auto layout = modbus::layout_of(source);
    if (!layout.ok()) throw std::runtime_error(std::string("modbus seed ") + f.name);
    std::vector<std::uint16_t> registers = {1};
    if (!modbus::is_bit_table(layout->table))
      registers = *modbus::encode_registers(*layout, f.value);
    for (std::uint16_t r : registers) {
      input += static_cast<char>(r >> 8);
      input += static_cast<char>(r & 0xff);
    }
    corpus.add("modbus_registers", f.name, input);
  }
}

void write_store_rows(Corpus& corpus) {
  v1::Block block;
  block.mutable_header()->set_height(7);
  for (int i = 0; i < 5; ++i) {
    auto* r = block.add_readings();
    r->set_device_id(i % 2 ? "lamp-1" : "meter-2");
    r->set_metric(i % 2 ? "power" : "energy");
    r->set_value(10.0 * i);
    r->set_unit(i % 2 ? "W" : "kWh");
    r->set_sampled_at_us(1'700'000'000'000'000 + i);
  }
  block.mutable_header()->set_reading_count(5);
  store_common::EncodedBlock encoded(block);
  if (!store_common::encode_block(&encoded).ok()) throw std::runtime_error("encode_block");
  std::string input = u16le(encoded.body.size()) + encoded.body;
  for (const auto& row : encoded.readings) {
    input += static_cast<char>(row.device_id.size()) + std::string(row.device_id) +
             u16le(row.packed.size()) + row.packed;
  }
  corpus.add("store_readings", "two-devices", input);
}

}  // namespace

void write_device_seeds(Corpus& corpus) {
  write_sparkplug(corpus);
  write_json(corpus);
  write_modbus(corpus);
  write_store_rows(corpus);
}

}  // namespace itc::fuzz
