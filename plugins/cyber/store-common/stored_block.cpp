#include "stored_block.hpp"

#include <algorithm>
#include <numeric>

#include "ledger_store_rules.hpp"

namespace itc::store_common {
namespace {

void put_varint(std::uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool get_varint(std::string_view* in, std::uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    const auto byte = static_cast<std::uint8_t>(in->front());
    in->remove_prefix(1);
    *v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

std::string row_label(std::string_view device_id, std::uint64_t height) {
  return "readings of " + std::string(device_id) + " in block " + std::to_string(height);
}

}  // namespace

std::string body_without_readings(const v1::Block& block) {
  // Field by field rather than a copy with the readings cleared: copying 10,000 readings
  // to throw them away would cost more than storing them. A field added to v1.Block must
  // be added here (the conformance suite's round trip checks every field).
  v1::Block body;
  *body.mutable_header() = block.header();
  body.set_hash(block.hash());
  *body.mutable_transactions() = block.transactions();
  if (block.has_qc()) *body.mutable_qc() = block.qc();
  return body.SerializeAsString();
}

std::vector<DeviceReadings> group_by_device(const v1::Block& block) {
  std::vector<int> order(static_cast<std::size_t>(block.readings_size()));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return block.readings(a).device_id() < block.readings(b).device_id();
  });
  std::vector<DeviceReadings> rows;
  for (int i : order) {
    const v1::Reading& r = block.readings(i);
    if (rows.empty() || rows.back().device_id != r.device_id()) rows.push_back({r.device_id(), {}});
    std::string& packed = rows.back().packed;
    put_varint(static_cast<std::uint64_t>(i), &packed);
    put_varint(r.ByteSizeLong(), &packed);
    r.AppendToString(&packed);
  }
  return rows;
}

Status unpack_readings(std::string_view packed, std::string_view device_id, std::uint64_t height,
                       const ReadingSink& take) {
  while (!packed.empty()) {
    std::uint64_t index = 0;
    std::uint64_t length = 0;
    if (!get_varint(&packed, &index) || !get_varint(&packed, &length) || length > packed.size()) {
      return Status::Corruption(row_label(device_id, height) + ": the row does not decode");
    }
    v1::Reading reading;
    if (!reading.ParseFromArray(packed.data(), static_cast<int>(length))) {
      return Status::Corruption(row_label(device_id, height) + ": reading at block index " +
                                std::to_string(index) + " is not a valid serialized reading");
    }
    packed.remove_prefix(length);
    if (!take(index, std::move(reading))) break;
  }
  return Status::Ok();
}

ReadingsAssembly::ReadingsAssembly(const v1::Block& body)
    : height_(body.header().height()),
      slots_(body.header().reading_count()),
      filled_(body.header().reading_count(), false),
      body_had_readings_(body.readings_size() > 0) {}

Status ReadingsAssembly::add_row(std::string_view packed, std::string_view device_id) {
  if (!failed_.ok()) return failed_;
  Status s = unpack_readings(packed, device_id, height_, [&](std::uint64_t index, v1::Reading&& r) {
    if (index >= slots_.size() || filled_[index]) {
      failed_ = Status::Corruption(
          row_label(device_id, height_) + ": reading at block index " + std::to_string(index) +
          (index >= slots_.size()
               ? " is beyond the block's " + std::to_string(slots_.size()) + " readings"
               : " is stored twice"));
      return false;
    }
    slots_[index] = std::move(r);
    filled_[index] = true;
    return true;
  });
  if (!s.ok()) failed_ = s;
  return failed_;
}

Status ReadingsAssembly::finish(v1::Block* body) {
  const std::string label = "block " + std::to_string(height_);
  if (body_had_readings_) {
    return Status::Corruption(label +
                              ": the stored body holds readings (they belong in the "
                              "readings index)");
  }
  if (!failed_.ok()) return failed_;
  const auto missing = std::count(filled_.begin(), filled_.end(), false);
  if (missing > 0) {
    return Status::Corruption(label + ": " + std::to_string(missing) + " of its " +
                              std::to_string(slots_.size()) +
                              " readings are missing from the readings index");
  }
  body->mutable_readings()->Reserve(static_cast<int>(slots_.size()));
  for (auto& r : slots_) *body->add_readings() = std::move(r);
  slots_.clear();
  return Status::Ok();
}

Status encode_block(EncodedBlock* out) {
  const v1::Block& block = out->block;
  out->height = static_cast<std::int64_t>(block.header().height());
  if (!block.header().SerializeToString(&out->header) ||
      (block.has_qc() && !block.qc().SerializeToString(&out->qc.emplace()))) {
    return Status::InvalidArgument(block_label(block.header().height()) + ": cannot be serialized");
  }
  out->body = body_without_readings(block);
  out->oldest_sample_us = oldest_sample_us(block);
  out->readings = group_by_device(block);
  return Status::Ok();
}

}  // namespace itc::store_common
