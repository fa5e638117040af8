// Ed25519 keys from fixed seeds for the fuzz targets and their seed writer, so a signature
// in a committed input verifies in every run. Never a key for anything but tests.
#pragma once

#include <string>

#include "itc/crypto.hpp"

namespace itc::fuzz {

// The key whose 32-byte seed is `name` padded with '.'.
inline crypto::Ed25519PrivateKey key_from_name(const std::string& name) {
  std::string seed = name;
  seed.resize(32, '.');
  return *crypto::Ed25519PrivateKey::from_seed(seed);
}

}  // namespace itc::fuzz
