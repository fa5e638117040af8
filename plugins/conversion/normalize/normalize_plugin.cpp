#include "normalize_plugin.hpp"

#include <exception>

#include "itc/abi.hpp"
#include "itc/frame_signing.hpp"
#include "normalize.pb.h"

namespace itc::normalize {
namespace {

constexpr std::size_t kMaxInFlight = 512;
constexpr std::int64_t kLogEveryNs = 1'000'000'000;

std::size_t index_of(RejectReason r) { return static_cast<std::size_t>(r); }

}  // namespace

Status NormalizePlugin::configure(HostEnv& env, const Config& config) {
  env_ = &env;
  verify_signatures_ = config.has_verify_signatures() ? config.verify_signatures() : true;
  profiles_ = env.services().find<DeviceProfiles>();
  disk_ = env.services().find<DiskSpace>();
  if (profiles_ == nullptr) {
    return Status::FailedPrecondition(
        "the host provides no device profiles (itc.device-profiles.v1); this host is too old");
  }
  if (profiles_->all().empty()) {
    env.log().warn(
        "normalize: the node config lists no device_profiles; every frame will "
        "be refused as unknown_profile");
  }

  auto& m = env.metrics();
  frames_in_ = &m.counter("frames_in", "Raw frames received");
  readings_out_ = &m.counter("readings_out", "Readings published");
  readings_out_of_range_ =
      &m.counter("readings_out_of_range", "Readings outside their profile's valid range");
  for (RejectReason r : kAllRejectReasons) {
    const std::string name = "frames_rejected_" + std::string(reject_reason_name(r));
    rejected_[index_of(r)] =
        &m.counter(name, "Frames skipped: " + std::string(reject_reason_name(r)));
  }
  if (!verify_signatures_) {
    env.log().warn("normalize: verify_signatures is off; readings are marked UNVERIFIED");
  }
  ITC_RETURN_IF_ERROR(env.bus().subscribe<v1::DeviceRegistration>(
      topics::kRegistrations, [this](const v1::DeviceRegistration& reg) { on_registration(reg); }));
  return env.bus().subscribe(topics::kRawFrames, v1::RawFrame::descriptor()->full_name(),
                             [this](const MessagePtr& msg) { on_frame(msg); });
}

void NormalizePlugin::on_registration(const v1::DeviceRegistration& reg) {
  if (reg.device_id().empty() || reg.public_key().size() != crypto::kEd25519PublicKeySize) {
    env_->log().warn("normalize: ignoring registration of \"" + reg.device_id() +
                     "\": needs a device id and a 32-byte public key, got " +
                     std::to_string(reg.public_key().size()) + " bytes");
    return;
  }
  auto key = crypto::Ed25519PublicKey::from_raw(reg.public_key());
  if (!key.ok()) {
    env_->log().warn("normalize: ignoring registration of \"" + reg.device_id() +
                     "\": " + key.status().message());
    return;
  }
  {
    std::unique_lock lock(devices_mu_);
    devices_[reg.device_id()] = Device{*key, reg.profile()};
  }
  std::lock_guard wait(wait_mu_);
  for (const MessagePtr& frame : waiting_.release(reg.device_id())) admit(frame);
}

Status NormalizePlugin::start() noexcept {
  return guard("start", [&]() -> Status {
    if (env_ == nullptr) return Status::FailedPrecondition("start before initialise");
    if (wait_timer_ == 0) {
      wait_timer_ =
          env_->timers().schedule_every(std::chrono::seconds(1), [this] { admit_expired(false); });
    }
    // Frames held while stopped go first; new arrivals queue behind them until none is left.
    for (;;) {
      std::deque<MessagePtr> batch;
      {
        std::lock_guard lock(flow_mu_);
        if (held_.empty()) {
          running_ = true;
          return Status::Ok();
        }
        batch.swap(held_);
      }
      for (auto& msg : batch) route(msg);
    }
  });
}

void NormalizePlugin::on_frame(const MessagePtr& msg) {
  {
    std::lock_guard lock(flow_mu_);
    if (!running_) {
      held_.push_back(msg);
      return;
    }
  }
  route(msg);
}

void NormalizePlugin::route(const MessagePtr& msg) {
  const std::string& device = static_cast<const v1::RawFrame&>(*msg).device_id();
  std::lock_guard wait(wait_mu_);
  bool registered;
  {
    std::shared_lock lock(devices_mu_);
    registered = devices_.count(device) > 0;
  }
  if ((!registered || waiting_.waiting(device)) && !device.empty() &&
      waiting_.park(device, msg, env_->clock().steady_now())) {
    return;
  }
  admit(msg);
}

void NormalizePlugin::admit_expired(bool all) {
  std::lock_guard wait(wait_mu_);
  for (const MessagePtr& frame : waiting_.expired(env_->clock().steady_now(), all)) admit(frame);
}

// Bus thread: gives the frame a ticket and hands it to a worker.
void NormalizePlugin::admit(const MessagePtr& msg) {
  try {
    frames_in_->add();
    auto job = std::make_shared<Job>();
    job->message = msg;
    {
      std::unique_lock lock(flow_mu_);
      flow_cv_.wait(lock, [&] { return in_flight_ < kMaxInFlight; });
      job->ticket = next_ticket_++;
      ++in_flight_;
    }
    if (!verify_signatures_) {
      check(*job);
      complete(std::move(job));
      return;
    }
    env_->executor().post([this, job]() mutable {
      try {
        check(*job);
      } catch (const std::exception& e) {
        job->mapped.rejected = RejectReason::kMalformed;
        job->mapped.detail = std::string("internal error: ") + e.what();
      }
      complete(std::move(job));
    });
  } catch (const std::exception& e) {
    env_->log().error(std::string("normalize: cannot admit a frame: ") + e.what());
  }
}

// Worker thread: everything about a frame that does not depend on order.
void NormalizePlugin::check(Job& job) const {
  const auto& frame = static_cast<const v1::RawFrame&>(*job.message);
  Mapped& out = job.mapped;
  if (frame.device_id().empty()) {
    out.rejected = RejectReason::kMalformed;
    out.detail = "frame has no device_id";
    return;
  }
  Device device;
  {
    std::shared_lock lock(devices_mu_);
    auto it = devices_.find(frame.device_id());
    if (it == devices_.end()) {
      out.rejected = RejectReason::kUnknownDevice;
      out.detail = "no registration for this device";
      return;
    }
    device = it->second;
  }
  const std::string& profile_name = frame.profile().empty() ? device.profile : frame.profile();
  const std::shared_ptr<const ProfileMapper> mapper = current_mapper();
  const ProfileSpec* profile = mapper->find(profile_name);
  if (profile == nullptr) {
    out.rejected = RejectReason::kUnknownProfile;
    out.detail = "profile \"" + profile_name + "\" is not configured";
    return;
  }
  out = mapper->map(frame, *profile, verify_signatures_);
  if (out.rejected) return;
  if (verify_signatures_) {
    if (Status s = verifier_.verify(frame, device.public_key); !s.ok()) {
      out.rejected = RejectReason::kBadSignature;
      out.detail = s.message();
      out.readings.clear();
      return;
    }
  }
  job.digest = frame_digest(frame);
}

// Any thread: files the finished job; whoever finds the next ticket ready commits, in
// ticket order, until the next one is still being verified.
void NormalizePlugin::complete(std::shared_ptr<Job> job) {
  std::unique_lock lock(flow_mu_);
  finished_.emplace(job->ticket, std::move(job));
  if (committing_) return;
  committing_ = true;
  for (;;) {
    auto it = finished_.find(next_commit_);
    if (it == finished_.end()) break;
    std::shared_ptr<Job> next = std::move(it->second);
    finished_.erase(it);
    ++next_commit_;
    lock.unlock();
    try {
      commit(*next);
    } catch (const std::exception& e) {
      env_->log().error(std::string("normalize: cannot publish readings: ") + e.what());
    }
    lock.lock();
    --in_flight_;
    flow_cv_.notify_all();
  }
  committing_ = false;
}

// The one committer at a time: replay check, then the readings go out.
void NormalizePlugin::commit(Job& job) {
  const auto& frame = static_cast<const v1::RawFrame&>(*job.message);
  if (job.mapped.rejected) {
    reject(frame, *job.mapped.rejected, job.mapped.detail);
    return;
  }
  // Below the disk's refuse watermark no new reading is taken: what the node took before
  // is still committed, and the sources are told why in the log and the counter.
  if (disk_ != nullptr) {
    if (std::string why = disk_->refusal(); !why.empty()) {
      reject(frame, RejectReason::kDiskWatermark, why);
      return;
    }
  }
  std::uint64_t& last = last_seq_[frame.device_id()];
  if (frame.seq() <= last) {
    reject(frame, RejectReason::kReplayed,
           "seq " + std::to_string(frame.seq()) + " is not above " + std::to_string(last));
    return;
  }
  last = frame.seq();
  for (auto& reading : job.mapped.readings) {
    reading.set_frame_digest(job.digest);
    Status s = env_->bus().publish_value(topics::kReadings, std::move(reading));
    if (!s.ok()) {
      env_->log().error("normalize: cannot publish a reading: " + s.ToString());
      return;
    }
    readings_out_->add();
  }
  if (job.mapped.out_of_range > 0) readings_out_of_range_->add(job.mapped.out_of_range);
}

std::shared_ptr<const ProfileMapper> NormalizePlugin::current_mapper() const {
  std::lock_guard lock(mapper_mu_);
  const std::uint64_t generation = profiles_->generation();
  if (!mapper_ || generation != mapper_generation_) {
    mapper_ = std::make_shared<const ProfileMapper>(profiles_->all());
    mapper_generation_ = generation;
  }
  return mapper_;
}

void NormalizePlugin::reject(const v1::RawFrame& frame, RejectReason reason,
                             const std::string& detail) {
  const std::size_t i = index_of(reason);
  rejected_[i]->add();
  if (!frame.device_id().empty()) {
    v1::DeviceReport report;
    report.set_device_id(frame.device_id());
    report.set_source("normalize");
    report.set_error("frame seq " + std::to_string(frame.seq()) +
                     " refused: " + std::string(reject_reason_name(reason)) + " (" + detail + ")");
    report.set_at_us(env_->clock().unix_micros());
    // Advisory: dropped rather than stalling the committer if the directory lags.
    (void)env_->bus().try_publish(topics::kDeviceReports,
                                  std::make_shared<const v1::DeviceReport>(std::move(report)));
  }
  std::uint64_t suppressed = 0;
  {
    std::lock_guard lock(log_mu_);
    const std::int64_t now = env_->clock().steady_now().count();
    if (last_log_ns_[i] != 0 && now - last_log_ns_[i] < kLogEveryNs) {
      ++suppressed_[i];
      return;
    }
    last_log_ns_[i] = now;
    suppressed = suppressed_[i];
    suppressed_[i] = 0;
  }
  std::string line = "normalize: skipped frame seq " + std::to_string(frame.seq()) + " of \"" +
                     frame.device_id() + "\": " + std::string(reject_reason_name(reason)) + " (" +
                     detail + ")";
  if (suppressed > 0) {
    line += "; " + std::to_string(suppressed) + " more " + std::string(reject_reason_name(reason)) +
            " rejections not logged";
  }
  env_->log().warn(line);
}

Status NormalizePlugin::drain() noexcept {
  return guard("drain", [&]() -> Status {
    {
      std::lock_guard lock(flow_mu_);
      running_ = false;  // from here new frames are held, not routed
    }
    if (wait_timer_ != 0) env_->timers().cancel(wait_timer_);
    wait_timer_ = 0;
    admit_expired(true);  // still unregistered: refused now, counted, never silently lost
    std::unique_lock lock(flow_mu_);
    flow_cv_.wait(lock, [&] { return in_flight_ == 0; });
    return Status::Ok();
  });
}

Status NormalizePlugin::save_state(Registry* registry) {
  std::shared_lock devices(devices_mu_);
  std::lock_guard flow(flow_mu_);  // drained: no committer touches last_seq_ now
  for (const auto& [id, device] : devices_) {
    RegisteredDevice* d = registry->add_devices();
    d->set_device_id(id);
    d->set_public_key(device.public_key.raw());
    d->set_profile(device.profile);
    if (auto it = last_seq_.find(id); it != last_seq_.end()) d->set_last_seq(it->second);
  }
  return Status::Ok();
}

Status NormalizePlugin::restore_state(Registry registry) {
  std::unique_lock devices(devices_mu_);
  std::lock_guard flow(flow_mu_);
  for (const auto& d : registry.devices()) {
    auto key = crypto::Ed25519PublicKey::from_raw(d.public_key());
    if (!key.ok()) return key.status().WithContext("state: device " + d.device_id());
    devices_[d.device_id()] = Device{*key, d.profile()};
    if (d.last_seq() > 0) last_seq_[d.device_id()] = d.last_seq();
  }
  return Status::Ok();
}

void NormalizePlugin::stop() noexcept { (void)drain(); }

}  // namespace itc::normalize

ITC_PLUGIN(itc::normalize::NormalizePlugin, "normalize", "1.0.0", "conversion",
           "itc.normalize.Config", "", "")
