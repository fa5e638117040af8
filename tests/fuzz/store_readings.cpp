// A ledger store's rows as store-sqlite and store-postgres read them back (the layout in
// store-common/stored_block.hpp): a stored block body, and its readings-index rows unpacked
// (varint index, varint length, v1::Reading) and put back together into the block.
// Input: [body length: 2 bytes little-endian][serialized v1::Block body], then rows of
// [device id length: 1 byte][device id][packed length: 2 bytes little-endian][packed];
// a truncated last part is cut to what is there.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stored_block.hpp"

namespace {

std::string_view take(const std::uint8_t* data, std::size_t size, std::size_t* at, std::size_t n) {
  n = std::min(n, size - *at);
  std::string_view out(reinterpret_cast<const char*>(data + *at), n);
  *at += n;
  return out;
}

std::size_t take_u16(const std::uint8_t* data, std::size_t size, std::size_t* at) {
  std::size_t n = 0;
  if (*at + 2 <= size) n = data[*at] | (data[*at + 1] << 8);
  *at = std::min(*at + 2, size);
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::size_t at = 0;
  const std::size_t body_length = take_u16(data, size, &at);
  const std::string_view body_bytes = take(data, size, &at, body_length);
  itc::v1::Block body;
  if (!body.ParseFromArray(body_bytes.data(), static_cast<int>(body_bytes.size()))) return 0;
  itc::store_common::ReadingsAssembly assembly(body);
  while (at < size) {
    const std::size_t device_length = data[at++];
    const std::string_view device = take(data, size, &at, device_length);
    const std::string_view packed = take(data, size, &at, take_u16(data, size, &at));
    (void)itc::store_common::unpack_readings(
        packed, device, body.header().height(),
        [](std::uint64_t, itc::v1::Reading&&) { return true; });
    if (!assembly.add_row(packed, device).ok()) return 0;
  }
  if (assembly.finish(&body).ok()) {
    // What was put back together encodes again (a store can write it).
    itc::store_common::EncodedBlock encoded(body);
    (void)itc::store_common::encode_block(&encoded);
  }
  return 0;
}
