// Byte-level forgeries of light-client messages (schemas/light-proof-format.md), as a
// lying node would make them: tests/light checks that each is refused with its reason.
#pragma once

#include <cstddef>
#include <string>

namespace itc::test {

// `m` with the lowest bit of byte `at` flipped.
inline std::string flipped(std::string m, std::size_t at) {
  m[at] = static_cast<char>(m[at] ^ 0x01);
  return m;
}

// The offset of the quorum certificate in any message: after magic, version and kind
// (6 bytes), the header's u32 length and the header.
inline std::size_t qc_offset(const std::string& m) {
  const auto byte = [&](std::size_t i) {
    return static_cast<std::size_t>(static_cast<unsigned char>(m[6 + i]));
  };
  return 6 + 4 + ((byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3));
}

// The message with only the first two of its QC's signatures (each: u16 index + 64
// bytes), after the QC's view (8 bytes) and signature count (1 byte).
inline std::string minority_signed(const std::string& m) {
  const std::size_t at = qc_offset(m) + 8;
  const auto n = static_cast<std::size_t>(static_cast<unsigned char>(m[at]));
  return m.substr(0, at) + '\x02' + m.substr(at + 1, 2 * 66) + m.substr(at + 1 + n * 66);
}

}  // namespace itc::test
