// TransactionIssuer: what a device (its own key) or a gateway (one key for many devices
// of unsigned protocols) runs to issue device transactions: sequence, PoW at its security
// level, signature. A gateway puts the readings of many devices into one bundle, so a
// bundle costs one PoW and one signature.
// Thread safety: one thread at a time per issuer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "itc/crypto.hpp"
#include "itc/v1/dag.pb.h"
#include "itc/v1/device.pb.h"

namespace itc::dag {

class TransactionIssuer {
 public:
  // `pow_bits`: the issuer's security level (dag::security_level); `next_sequence` the
  // first sequence number to use (a restarted issuer continues from its last + 1).
  TransactionIssuer(crypto::Ed25519PrivateKey key, int pow_bits, std::uint64_t next_sequence = 1);

  const std::string& public_key() const { return public_key_; }
  void set_pow_bits(int bits) { pow_bits_ = bits; }

  v1::DeviceTransaction issue_readings(std::vector<v1::Reading> readings,
                                       const std::vector<std::string>& parents,
                                       std::int64_t now_us);
  v1::DeviceTransaction issue_transfer(const std::string& to, std::uint64_t amount,
                                       const std::vector<std::string>& parents,
                                       std::int64_t now_us);
  // Fills issuer, parents, time and sequence of `tx` (its kind set by the caller), finds
  // the nonce and signs.
  v1::DeviceTransaction finish(v1::DeviceTransaction tx, const std::vector<std::string>& parents,
                               std::int64_t now_us);

  std::uint64_t hashes_evaluated() const { return hashes_; }  // PoW work so far

 private:
  crypto::Ed25519PrivateKey key_;
  std::string public_key_;
  int pow_bits_;
  std::uint64_t next_sequence_;
  std::uint64_t hashes_ = 0;
};

}  // namespace itc::dag
