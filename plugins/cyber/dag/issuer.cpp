#include "issuer.hpp"

#include <utility>

#include "transaction.hpp"

namespace itc::dag {

TransactionIssuer::TransactionIssuer(crypto::Ed25519PrivateKey key, int pow_bits,
                                     std::uint64_t next_sequence)
    : key_(std::move(key)),
      public_key_(key_.public_key()),
      pow_bits_(pow_bits),
      next_sequence_(next_sequence) {}

v1::DeviceTransaction TransactionIssuer::issue_readings(std::vector<v1::Reading> readings,
                                                        const std::vector<std::string>& parents,
                                                        std::int64_t now_us) {
  v1::DeviceTransaction tx;
  auto* bundle = tx.mutable_readings();
  for (auto& r : readings) *bundle->add_readings() = std::move(r);
  return finish(std::move(tx), parents, now_us);
}

v1::DeviceTransaction TransactionIssuer::issue_transfer(const std::string& to, std::uint64_t amount,
                                                        const std::vector<std::string>& parents,
                                                        std::int64_t now_us) {
  v1::DeviceTransaction tx;
  tx.mutable_transfer()->set_to(to);
  tx.mutable_transfer()->set_amount(amount);
  return finish(std::move(tx), parents, now_us);
}

v1::DeviceTransaction TransactionIssuer::finish(v1::DeviceTransaction tx,
                                                const std::vector<std::string>& parents,
                                                std::int64_t now_us) {
  tx.set_issuer_public_key(public_key_);
  tx.clear_parents();
  for (const auto& p : parents) tx.add_parents(p);
  tx.set_issued_at_us(now_us);
  tx.set_sequence(next_sequence_++);
  tx.clear_nonce();
  tx.clear_signature();
  const std::string digest = crypto::sha256(transaction_body(tx));
  tx.set_nonce(solve_pow(digest, pow_bits_, 0, &hashes_));
  tx.set_signature(key_.sign(signed_bytes(tx)));
  return tx;
}

}  // namespace itc::dag
