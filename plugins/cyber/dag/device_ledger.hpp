// DeviceLedger: the ITC balances of device accounts (an account is an issuer's Ed25519
// public key) as micro-transfers made final by milestones leave them.
// Thread safety: not synchronised; the caller serialises (DagEngine's contract).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace itc::dag {

// Whoever holds the device accounts a milestone's micro-transfers move: the engine's own
// DeviceLedger, or (in a node) the main chain's block being executed, where a device's
// account is its main-chain account.
class TransferLedger {
 public:
  virtual ~TransferLedger() = default;
  // Moves `amount` from `from` to `to`; on a conflict changes nothing and returns why.
  virtual std::optional<std::string> transfer(const std::string& from, const std::string& to,
                                              std::uint64_t amount) = 0;
};

class DeviceLedger final : public TransferLedger {
 public:
  explicit DeviceLedger(std::map<std::string, std::uint64_t> genesis_balances)
      : balances_(genesis_balances.begin(), genesis_balances.end()) {}

  // Moves `amount` from `from` to `to`; on a conflict changes nothing and returns why
  // ("insufficient balance: 5 held, 7 sent", "balance overflow").
  std::optional<std::string> transfer(const std::string& from, const std::string& to,
                                      std::uint64_t amount) override;
  std::uint64_t balance(std::string_view account) const;
  std::size_t accounts() const { return balances_.size(); }

  // RFC 6962 root over the leaves account (32 bytes) || balance (8 bytes big-endian) of
  // every non-zero account in ascending key order. O(accounts).
  std::string state_root() const;

 private:
  std::map<std::string, std::uint64_t, std::less<>> balances_;
};

}  // namespace itc::dag
