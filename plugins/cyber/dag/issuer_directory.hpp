// Who may issue device transactions. The engine asks an IssuerDirectory; the node backs
// it with the chain state (registrations and stakes in core/chain), tests and benchmarks
// with InMemoryIssuerDirectory.
// Thread safety: the engine calls find() from its caller's thread only; an implementation
// shared with other threads synchronises itself. InMemoryIssuerDirectory is not
// synchronised.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace itc::dag {

enum class IssuerKind { kDevice, kGateway };

struct IssuerInfo {
  IssuerKind kind = IssuerKind::kDevice;
  std::string device_class;  // selects the SecurityLevel in DagParameters
  std::uint64_t stake = 0;   // ITC its owner staked for it
  std::string device_id;     // a device's id: its readings must carry it (empty: gateway)
};

class IssuerDirectory {
 public:
  virtual ~IssuerDirectory() = default;
  // The registration of `public_key` (raw 32 bytes), or nullopt if it is not registered.
  virtual std::optional<IssuerInfo> find(std::string_view public_key) const = 0;
};

class InMemoryIssuerDirectory final : public IssuerDirectory {
 public:
  void put(std::string public_key, IssuerInfo info) {
    issuers_[std::move(public_key)] = std::move(info);
  }
  void erase(const std::string& public_key) { issuers_.erase(public_key); }
  std::optional<IssuerInfo> find(std::string_view public_key) const override {
    const auto it = issuers_.find(std::string(public_key));
    if (it == issuers_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::unordered_map<std::string, IssuerInfo> issuers_;
};

}  // namespace itc::dag
