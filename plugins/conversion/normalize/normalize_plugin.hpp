// NormalizePlugin: the "normalize" conversion plugin. Learns device keys from
// topics::kRegistrations, checks each v1::RawFrame on topics::kRawFrames (registered
// device, known profile and metrics, valid signature, increasing seq), maps its values
// through the device profile (the host's DeviceProfiles service: the files the node
// config lists under `device_profiles:`) and publishes one v1::Reading per metric on
// topics::kReadings. A bad frame is counted (frames_rejected_<reason>), logged
// (rate-limited), reported against its device (topics::kDeviceReports) and skipped;
// other frames keep flowing.
//
// Signatures are verified in parallel on env.executor(); readings still leave in frame
// arrival order (a reorder stage commits frames by arrival ticket), so each device's
// readings stay in order. At most kMaxInFlight frames are in verification; beyond that
// the bus thread waits, which back-pressures the producer.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "itc/crypto.hpp"
#include "itc/frame_signing.hpp"
#include "itc/services/device_profiles.hpp"
#include "itc/services/disk_space.hpp"
#include "itc/typed_plugin.hpp"
#include "normalize.pb.h"
#include "profile_mapper.hpp"
#include "registration_wait.hpp"

namespace itc::normalize {

inline constexpr StateEnvelope kState{"itc.normalize.Registry", 1};

class NormalizePlugin final : public TypedPlugin<Config, Registry> {
 public:
  NormalizePlugin() : TypedPlugin(kState) {}
  Status start() noexcept override;
  Status drain() noexcept override;
  void stop() noexcept override;

 private:
  Status configure(HostEnv& env, const Config& config) override;
  // The device registry and last accepted seq per device (kState).
  Status save_state(Registry* registry) override;
  Status restore_state(Registry registry) override;

  struct Device {
    crypto::Ed25519PublicKey public_key;  // parsed once, at registration
    std::string profile;
  };
  // One frame travelling through verification and the reorder stage.
  struct Job {
    std::uint64_t ticket = 0;
    MessagePtr message;
    Mapped mapped;
    std::string digest;
  };

  void on_registration(const v1::DeviceRegistration& reg);
  void on_frame(const MessagePtr& msg);
  // Admits the frame, or lets it wait for its device's registration (RegistrationWait).
  void route(const MessagePtr& msg);
  // Admits the frames that waited too long (all of them with `all`): refused as unknown.
  void admit_expired(bool all);
  void admit(const MessagePtr& msg);
  void check(Job& job) const;
  void complete(std::shared_ptr<Job> job);
  void commit(Job& job);
  void reject(const v1::RawFrame& frame, RejectReason reason, const std::string& detail);

  // The mapper for the host's current device profiles, rebuilt when they change.
  std::shared_ptr<const ProfileMapper> current_mapper() const;

  HostEnv* env_ = nullptr;
  const DeviceProfiles* profiles_ = nullptr;
  const DiskSpace* disk_ = nullptr;  // the host's watermarks; nullptr on an older host
  mutable std::mutex mapper_mu_;
  mutable std::shared_ptr<const ProfileMapper> mapper_;
  mutable FrameVerifier verifier_;  // one Ed25519 verification per gateway batch
  mutable std::uint64_t mapper_generation_ = 0;
  bool verify_signatures_ = true;

  mutable std::shared_mutex devices_mu_;
  std::unordered_map<std::string, Device> devices_;

  std::atomic<bool> running_{false};
  std::mutex hold_mu_;
  std::deque<MessagePtr> held_;  // frames that arrived while not running

  // Frames that overtook their device's registration; wait_mu_ is held across the decision
  // and the admission, so a device's frames are admitted in arrival order.
  // A frame waits up to 5 s for its registration; at most 4,096 wait (more are refused as
  // unknown_device at once).
  std::mutex wait_mu_;
  RegistrationWait waiting_{4096, std::chrono::seconds(5)};
  TimerId wait_timer_ = 0;

  // Admission (bus thread) and the reorder stage.
  std::mutex flow_mu_;
  std::condition_variable flow_cv_;
  std::uint64_t next_ticket_ = 0;
  std::uint64_t next_commit_ = 0;
  std::size_t in_flight_ = 0;
  bool committing_ = false;
  std::map<std::uint64_t, std::shared_ptr<Job>> finished_;
  std::unordered_map<std::string, std::uint64_t> last_seq_;  // only the committer touches it

  // Rate-limited rejection log: at most one line per reason per second.
  std::mutex log_mu_;
  std::int64_t last_log_ns_[std::size(kAllRejectReasons)] = {};
  std::uint64_t suppressed_[std::size(kAllRejectReasons)] = {};

  Counter* frames_in_ = nullptr;
  Counter* readings_out_ = nullptr;
  Counter* readings_out_of_range_ = nullptr;
  Counter* rejected_[std::size(kAllRejectReasons)] = {};
};

}  // namespace itc::normalize
