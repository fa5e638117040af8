// How a block is laid out in a ledger store, shared by store-sqlite and store-postgres.
//
// A block's readings are stored once, in the readings index: one row per device per block
// holding that device's readings of the block, packed as, for each in block order,
// varint(index in the block) varint(length) serialized v1::Reading. The block's body is
// the block without its readings (header, hash, transactions, certificate); block(h)
// puts the readings back from the rows and verify_block() then proves them against the
// header's Merkle root. Measured with store_bench on SQLite: keeping the readings in the
// body as well made appends ~1.5x slower (and the file twice as big), and a row per
// reading instead of per device (a lamp reports six metrics per frame) 3-4x slower.
// Thread safety: pure functions; a ReadingsAssembly is used by one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "itc/status.hpp"
#include "itc/v1/ledger.pb.h"

namespace itc::store_common {

// The serialized block without its readings.
std::string body_without_readings(const v1::Block& block);

struct DeviceReadings {
  std::string_view device_id;  // points into the block
  std::string packed;
};

// The block's readings grouped by device, devices in ascending order (the order an index
// keyed by device is best filled in).
std::vector<DeviceReadings> group_by_device(const v1::Block& block);

// What a store writes for one block; `block` must outlive it.
struct EncodedBlock {
  explicit EncodedBlock(const v1::Block& b) : block(b) {}
  const v1::Block& block;
  std::int64_t height = 0;
  std::string header;             // serialized v1::BlockHeader
  std::string body;               // body_without_readings()
  std::optional<std::string> qc;  // serialized v1::QuorumCertificate, when the block has one
  std::int64_t oldest_sample_us = 0;
  std::vector<DeviceReadings> readings;  // group_by_device()
};

// Fills `out` (constructed over the same block). InvalidArgument naming the block if a
// part cannot be serialized. Needs no lock: it only reads the block.
Status encode_block(EncodedBlock* out);

// Decodes the row of (`device_id`, `height`), calling take(index, reading) for each reading
// in block order until take returns false. Corruption naming the row ("readings of lamp-7
// in block 12: ...") if the bytes do not decode.
using ReadingSink = std::function<bool(std::uint64_t index, v1::Reading&& reading)>;
Status unpack_readings(std::string_view packed, std::string_view device_id, std::uint64_t height,
                       const ReadingSink& take);

// Puts a block's readings back together from its index rows (in any order).
class ReadingsAssembly {
 public:
  // For `body`, a block parsed from a stored body (it must hold no readings).
  explicit ReadingsAssembly(const v1::Block& body);
  Status add_row(std::string_view packed, std::string_view device_id);
  // Moves the readings into `body` in block order. Corruption if the body held readings,
  // or the rows held a reading twice, one beyond the header's reading_count, or not all.
  Status finish(v1::Block* body);

 private:
  std::uint64_t height_;
  std::vector<v1::Reading> slots_;
  std::vector<bool> filled_;
  bool body_had_readings_;
  Status failed_;
};

}  // namespace itc::store_common
