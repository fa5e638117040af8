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
  std::string device_id;     // a device's own id (empty for a gateway)
};

class IssuerDirectory {
 public:
  virtual ~IssuerDirectory() = default;
  // The registration of `public_key` (raw 32 bytes), or nullopt if it is not registered.
  virtual std::optional<IssuerInfo> find(std::string_view public_key) const = 0;
  // The key whose transactions may carry readings of `device_id`: the device's own key, or
  // that of the gateway it was registered through; nullopt if it is not registered.
  virtual std::optional<std::string> signer_of(std::string_view device_id) const = 0;
};

class InMemoryIssuerDirectory final : public IssuerDirectory {
 public:
  // Registers an issuer; a device (with its device_id) signs for itself.
  void put(const std::string& public_key, IssuerInfo info) {
    if (info.kind == IssuerKind::kDevice && !info.device_id.empty())
      signers_[info.device_id] = public_key;
    issuers_[public_key] = std::move(info);
  }
  // Registers `device_id` as a device of an unsigned protocol behind `gateway_key`.
  void put_gateway_device(const std::string& device_id, const std::string& gateway_key) {
    signers_[device_id] = gateway_key;
  }
  std::optional<IssuerInfo> find(std::string_view public_key) const override {
    const auto it = issuers_.find(std::string(public_key));
    if (it == issuers_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::string> signer_of(std::string_view device_id) const override {
    const auto it = signers_.find(std::string(device_id));
    if (it == signers_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::unordered_map<std::string, IssuerInfo> issuers_;
  std::unordered_map<std::string, std::string> signers_;  // device id -> key
};

}  // namespace itc::dag
