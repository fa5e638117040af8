// Test vectors for the verifier on a microcontroller (core/light/firmware/README.md): each
// one a trusted State and a message to check against it — a header update, or an
// owner-signed command with its ownership proof — produced on the host from a real chain.
// The same reader runs in the firmware and on the host, so both check the same bytes.
//
// A vector file (all integers big-endian): "ITCV", u8 version (1), then records, each a
// u32 length and that many bytes:
//   u8 kind (1 header update, 2 command), u8 name length, name,
//   u16 state length, state (state_file.hpp's encoding),
//   u32 message length, message (the header update, or the command's ownership proof),
//   u8 device id length, device id, signer (32 B), signature (64 B),
//   u16 signed length, the command's signed bytes,
//   i64 now (µs since the Unix epoch), i64 the device's max header age (µs).
// A header update has no device, signer, signature or signed bytes (lengths 0, zeros).
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "itc/light/light_client.hpp"

namespace itc::light::vectors {

inline constexpr std::uint8_t kFileMagic[4] = {'I', 'T', 'C', 'V'};
inline constexpr std::uint8_t kFileVersion = 1;
inline constexpr std::size_t kFileHeaderBytes = 5;
// The largest record the firmware reads (its one record buffer).
inline constexpr std::size_t kMaxRecordBytes = 8 * 1024;

enum class VectorKind : std::uint8_t { kHeaderUpdate = 1, kCommand = 2 };

struct Vector {
  VectorKind kind;
  Bytes name;
  Bytes state;    // an encoded State
  Bytes message;  // header update or ownership proof
  Bytes device_id;
  const std::uint8_t* signer;     // 32 bytes
  const std::uint8_t* signature;  // 64 bytes
  Bytes signed_bytes;
  std::int64_t now_us;
  std::int64_t max_header_age_us;
};

// kOk, or kBadMagic / kBadVersion for a file that does not start with "ITCV" version 1.
Outcome check_file_header(const std::uint8_t* bytes, std::size_t size);
// Reads one record (without its u32 length prefix). kTruncated, kTrailingBytes or
// kWrongKind (detail: the offset) for a malformed one; views point into `record`.
Outcome read_vector(const std::uint8_t* record, std::size_t size, Vector* out);

}  // namespace itc::light::vectors
