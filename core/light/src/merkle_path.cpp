// RFC 6962 leaf, node and inclusion checks (see merkle_path.hpp).
#include "merkle_path.hpp"

#include <cstring>

#include "crypto_port.hpp"

namespace itc::light::internal {

bool leaf_hash(const std::uint8_t* leaf, std::size_t size, std::uint8_t out[32]) {
  port::Sha256 h;
  h.update_byte(0x00);
  h.update(leaf, size);
  return h.finish(out);
}

bool node_hash(const std::uint8_t left[32], const std::uint8_t right[32], std::uint8_t out[32]) {
  port::Sha256 h;
  h.update_byte(0x01);
  h.update(left, 32);
  h.update(right, 32);
  return h.finish(out);
}

bool verify_inclusion(const std::uint8_t leaf[32], std::uint64_t index, std::uint64_t size,
                      const std::uint8_t* path, std::size_t count, const std::uint8_t root[32]) {
  if (index >= size) return false;
  std::uint64_t fn = index;
  std::uint64_t sn = size - 1;
  std::uint8_t r[32];
  std::memcpy(r, leaf, 32);
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint8_t* p = path + 32 * i;
    if (sn == 0) return false;  // the path is longer than the tree is tall
    if ((fn & 1) != 0 || fn == sn) {
      if (!node_hash(p, r, r)) return false;
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else if (!node_hash(r, p, r)) {
      return false;
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && std::memcmp(r, root, 32) == 0;
}

}  // namespace itc::light::internal
