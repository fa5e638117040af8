#include "device_ledger.hpp"

#include <limits>
#include <vector>

#include "itc/merkle.hpp"

namespace itc::dag {

std::optional<std::string> DeviceLedger::transfer(const std::string& from, const std::string& to,
                                                  std::uint64_t amount) {
  const std::uint64_t have = balance(from);
  if (have < amount)
    return "insufficient balance: " + std::to_string(have) + " held, " + std::to_string(amount) +
           " sent";
  if (balance(to) > std::numeric_limits<std::uint64_t>::max() - amount)
    return "balance overflow at the receiving account";
  if (have == amount)
    balances_.erase(from);
  else
    balances_[from] = have - amount;
  balances_[to] += amount;
  return std::nullopt;
}

std::uint64_t DeviceLedger::balance(std::string_view account) const {
  const auto it = balances_.find(account);
  return it == balances_.end() ? 0 : it->second;
}

std::string DeviceLedger::state_root() const {
  std::vector<std::string> leaves;
  leaves.reserve(balances_.size());
  for (const auto& [account, amount] : balances_) {
    if (amount == 0) continue;
    std::string leaf = account;
    for (int shift = 56; shift >= 0; shift -= 8)
      leaf.push_back(static_cast<char>((amount >> shift) & 0xff));
    leaves.push_back(std::move(leaf));
  }
  return merkle::root(leaves);
}

}  // namespace itc::dag
