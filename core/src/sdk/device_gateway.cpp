#include "itc/device_gateway.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "itc/frame_signing.hpp"

namespace itc {
namespace {

constexpr std::int64_t kLogEveryUs = 10'000'000;
constexpr std::size_t kBatchFrames = 256;
constexpr auto kBatchEvery = std::chrono::milliseconds(2);

struct DeviceLog {
  std::uint64_t last_seq = 0;
  std::int64_t last_logged_us = 0;
  std::uint64_t suppressed = 0;
};

}  // namespace

struct DeviceGateway::Impl {
  HostEnv* env = nullptr;
  std::string source;
  crypto::Ed25519PrivateKey key;
  std::string public_key;
  std::string owner_public_key;
  std::mutex mu;
  std::unordered_map<std::string, DeviceLog> devices;
  std::vector<v1::RawFrame> queued;  // guarded by mu
  std::mutex flush_mu;               // one batch goes out at a time, in queue order
  TimerId timer = 0;

  Status flush() {
    std::lock_guard flushing(flush_mu);
    std::vector<v1::RawFrame> batch;
    {
      std::lock_guard lock(mu);
      batch.swap(queued);
    }
    if (batch.empty()) return Status::Ok();
    std::vector<v1::RawFrame*> members;
    members.reserve(batch.size());
    for (v1::RawFrame& f : batch) members.push_back(&f);
    sign_frame_batch(members, key);
    for (v1::RawFrame& f : batch) {
      ITC_RETURN_IF_ERROR(env->bus().publish_value(topics::kRawFrames, std::move(f)));
    }
    return Status::Ok();
  }

  void report(v1::DeviceReport r) {
    r.set_source(source);
    r.set_at_us(env->clock().unix_micros());
    // A report is advisory: if the directory's queue is full, dropping one is better
    // than stalling a device's I/O thread.
    (void)env->bus().try_publish(topics::kDeviceReports,
                                 std::make_shared<const v1::DeviceReport>(std::move(r)));
  }
};

DeviceGateway::DeviceGateway(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  Impl* i = impl_.get();
  i->timer = i->env->timers().schedule_every(kBatchEvery, [i] {
    if (Status s = i->flush(); !s.ok()) i->env->log().error(i->source + ": " + s.ToString());
  });
}

DeviceGateway::~DeviceGateway() { impl_->env->timers().cancel(impl_->timer); }

Status DeviceGateway::flush() { return impl_->flush(); }

Result<std::unique_ptr<DeviceGateway>> DeviceGateway::open(HostEnv& env, std::string source,
                                                           const std::string& key_file,
                                                           std::string_view owner_public_key) {
  auto impl = std::make_unique<Impl>();
  impl->env = &env;
  impl->source = std::move(source);
  if (owner_public_key.empty()) {
    return Status::InvalidArgument(
        "owner_public_key: required (64 hex digits or a PEM file path of the devices' owner)");
  }
  auto owner = crypto::load_public_key(owner_public_key);
  if (!owner.ok()) return Status::InvalidArgument("owner_public_key: " + owner.status().message());
  impl->owner_public_key = std::move(owner).value();

  const std::string path = key_file.empty() ? env.data_dir() + "/gateway.pem" : key_file;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    auto key = crypto::Ed25519PrivateKey::load_pem_file(path);
    if (!key.ok()) {
      return Status::InvalidArgument("gateway key " + path + ": " + key.status().message());
    }
    impl->key = std::move(key).value();
  } else {
    auto key = crypto::Ed25519PrivateKey::generate();
    if (!key.ok()) return key.status();
    ITC_RETURN_IF_ERROR(key->save_pem_file(path));
    env.log().info(impl->source + ": created gateway identity " + path);
    impl->key = std::move(key).value();
  }
  impl->public_key = impl->key.public_key();
  return std::unique_ptr<DeviceGateway>(new DeviceGateway(std::move(impl)));
}

const std::string& DeviceGateway::public_key() const { return impl_->public_key; }

Status DeviceGateway::register_device(std::string_view device_id, std::string_view profile) {
  v1::DeviceRegistration reg;
  reg.set_device_id(std::string(device_id));
  reg.set_profile(std::string(profile));
  reg.set_public_key(impl_->public_key);
  reg.set_owner_public_key(impl_->owner_public_key);
  return impl_->env->bus().publish_value(topics::kRegistrations, std::move(reg));
}

Status DeviceGateway::publish_frame(v1::RawFrame frame) {
  const std::int64_t now = impl_->env->clock().unix_micros();
  if (frame.sampled_at_us() == 0) frame.set_sampled_at_us(now);
  bool full = false;
  {
    std::lock_guard lock(impl_->mu);
    DeviceLog& d = impl_->devices[frame.device_id()];
    d.last_seq = std::max<std::uint64_t>(d.last_seq + 1, static_cast<std::uint64_t>(now));
    frame.set_seq(d.last_seq);
    impl_->queued.push_back(std::move(frame));
    full = impl_->queued.size() >= kBatchFrames;
  }
  return full ? impl_->flush() : Status::Ok();
}

void DeviceGateway::report_up(std::string_view device_id, std::string_view profile) {
  v1::DeviceReport r;
  r.set_device_id(std::string(device_id));
  r.set_profile(std::string(profile));
  r.set_link(v1::DeviceReport::LINK_UP);
  impl_->report(std::move(r));
}

void DeviceGateway::report_down(std::string_view device_id, std::string_view reason) {
  impl_->env->log().warn(impl_->source + ": device " + std::string(device_id) +
                         " offline: " + std::string(reason));
  v1::DeviceReport r;
  r.set_device_id(std::string(device_id));
  r.set_link(v1::DeviceReport::LINK_DOWN);
  r.set_error(std::string(reason));
  impl_->report(std::move(r));
}

void DeviceGateway::report_error(std::string_view device_id, std::string_view reason) {
  const std::int64_t now = impl_->env->clock().unix_micros();
  std::uint64_t suppressed = 0;
  bool log_it = false;
  {
    std::lock_guard lock(impl_->mu);
    DeviceLog& d = impl_->devices[std::string(device_id)];
    if (d.last_logged_us == 0 || now - d.last_logged_us >= kLogEveryUs) {
      log_it = true;
      suppressed = d.suppressed;
      d.suppressed = 0;
      d.last_logged_us = now;
    } else {
      ++d.suppressed;
    }
  }
  if (log_it) {
    std::string line =
        impl_->source + ": device " + std::string(device_id) + ": " + std::string(reason);
    if (suppressed > 0) line += " (" + std::to_string(suppressed) + " more errors not logged)";
    impl_->env->log().warn(line);
  }
  v1::DeviceReport r;
  r.set_device_id(std::string(device_id));
  r.set_error(std::string(reason));
  impl_->report(std::move(r));
}

}  // namespace itc
