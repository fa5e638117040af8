#include "endpoint_poller.hpp"

#include <algorithm>
#include <exception>

#include "itc/services/device_profiles.hpp"

namespace itc::modbus {

using std::chrono::nanoseconds;

Counter* PollMetrics::error_counter(Failure f) const {
  switch (f) {
    case Failure::kTimeout:
      return errors_timeout;
    case Failure::kConnection:
      return errors_connection;
    case Failure::kProtocol:
      return errors_protocol;
    case Failure::kException:
      return errors_exception;
    default:
      return nullptr;
  }
}

void PollMetrics::set_online(int delta) {
  const int now = online.fetch_add(delta) + delta;
  devices_online->set(now);
}

EndpointPoller::EndpointPoller(PollerContext ctx, std::string host, std::uint16_t port,
                               std::vector<PolledDevice*> devices)
    : ctx_(std::move(ctx)), link_(std::move(host), port), devices_(std::move(devices)) {}

EndpointPoller::~EndpointPoller() { stop(); }

nanoseconds EndpointPoller::now() const { return ctx_.env->clock().steady_now(); }

void EndpointPoller::start() {
  const nanoseconds t = now();
  for (PolledDevice* d : devices_) {
    if (d->next_due < t) d->next_due = t;
  }
  thread_ = std::thread([this] { run(); });
}

void EndpointPoller::submit(WriteJob job) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      writes_.push_back(std::move(job));
      wake_.notify_all();
      return;
    }
  }
  v1::CommandResult r;
  r.set_device_id(job.command.device_id());
  r.set_nonce(job.command.nonce());
  r.set_accepted(false);
  r.set_reason("not written: the modbus plugin is stopping; send the command again");
  ctx_.publish_result(std::move(r));
}

void EndpointPoller::stop() {
  bool pending = false;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    pending = writing_ || !writes_.empty();
  }
  wake_.notify_all();
  if (!pending) link_.interrupt();
  if (thread_.joinable()) thread_.join();
}

PolledDevice* EndpointPoller::next_device() {
  return *std::min_element(
      devices_.begin(), devices_.end(),
      [](const PolledDevice* a, const PolledDevice* b) { return a->next_due < b->next_due; });
}

void EndpointPoller::run() {
  for (;;) {
    std::unique_lock lock(mu_);
    if (!writes_.empty()) {
      WriteJob job = std::move(writes_.front());
      writes_.pop_front();
      writing_ = true;
      lock.unlock();
      write(job);
      lock.lock();
      writing_ = false;
      continue;
    }
    if (stopping_) return;
    PolledDevice* device = next_device();
    const nanoseconds wait = device->next_due - now();
    if (wait.count() > 0) {
      wake_.wait_for(lock, wait);
      continue;
    }
    lock.unlock();
    try {
      poll(*device);
    } catch (const std::exception& e) {
      // Never let one device's surprise end the endpoint's thread.
      ctx_.gateway->report_error(device->settings.id, std::string("poll failed: ") + e.what());
      device->next_due = now() + device->settings.poll_interval;
    }
  }
}

Outcome EndpointPoller::read_with_retries(PolledDevice& device, const ReadRequest& request,
                                          std::vector<std::uint16_t>* registers,
                                          std::vector<std::uint8_t>* bits) {
  const DeviceSettings& s = device.settings;
  Outcome o;
  for (std::uint32_t attempt = 0; attempt <= s.retries; ++attempt) {
    if (attempt > 0) ctx_.metrics->retries->add();
    ctx_.metrics->requests->add();
    o = link_.read(s.unit_id, request, s.timeout, registers, bits);
    if (o.ok() || o.failure == Failure::kException) return o;
    std::lock_guard lock(mu_);
    if (stopping_) return o;
  }
  return o;
}

void EndpointPoller::poll(PolledDevice& device) {
  const DeviceSettings& s = device.settings;
  const v1::DeviceProfile& profile = *device.profile;
  ctx_.metrics->polls->add();
  v1::RawFrame frame;
  frame.set_device_id(s.id);
  frame.set_profile(s.profile);
  frame.set_sampled_at_us(ctx_.env->clock().unix_micros());
  std::vector<std::uint16_t> registers;
  std::vector<std::uint8_t> bits;
  for (std::size_t i = 0; i < device.plan.size(); ++i) {
    const ReadRequest& request = device.plan[i];
    Outcome o = read_with_retries(device, request, &registers, &bits);
    if (o.failure == Failure::kException) {
      ctx_.metrics->errors_exception->add();
      std::string reason = "reading " + describe(request) + ": " + o.reason;
      if (o.exception_code == kIllegalDataAddress && request.fields.size() > 1) {
        // Some address in the merged range is refused: from now on read its fields one
        // by one (now too), so only the field at fault goes missing.
        std::vector<ReadRequest> parts = split_fields(request);
        reason +=
            "; reading its " + std::to_string(parts.size()) + " fields one by one from now on";
        device.plan.erase(device.plan.begin() + static_cast<std::ptrdiff_t>(i));
        device.plan.insert(device.plan.begin() + static_cast<std::ptrdiff_t>(i), parts.begin(),
                           parts.end());
        --i;
      }
      ctx_.gateway->report_error(s.id, reason);
      continue;  // the device is alive; its other requests may still answer
    }
    if (!o.ok()) {
      on_poll_failed(device, o);
      return;
    }
    if (is_bit_table(request.table)) {
      ctx_.metrics->bits_read->add(request.count);
    } else {
      ctx_.metrics->registers_read->add(request.count);
    }
    for (const PlannedField& f : request.fields) {
      const v1::MetricSpec& metric = profile.metrics(f.metric);
      const std::size_t offset = f.layout.address - request.address;
      v1::RawValue value;
      value.set_metric(raw_metric_of(metric));
      if (is_bit_table(request.table)) {
        decode_bit(bits[offset] != 0, &value);
      } else {
        Status st = decode_registers(
            f.layout, std::span<const std::uint16_t>(registers).subspan(offset, f.layout.width),
            &value);
        if (!st.ok()) {
          ctx_.metrics->errors_nan->add();
          ctx_.gateway->report_error(s.id, "metric " + metric.name() + " (" +
                                               table_name(f.layout.table) + " " +
                                               std::to_string(f.layout.address) +
                                               "): " + st.message() + ", value skipped");
          continue;
        }
      }
      *frame.add_values() = std::move(value);
    }
  }
  on_poll_answered(device);
  if (frame.values_size() > 0) {
    Status st = ctx_.gateway->publish_frame(std::move(frame));
    if (st.ok()) {
      ctx_.metrics->frames_out->add();
    } else {
      ctx_.env->log().error("modbus: cannot publish a frame of " + s.id + ": " + st.ToString());
    }
  }
}

void EndpointPoller::on_poll_failed(PolledDevice& device, const Outcome& failure) {
  const DeviceSettings& s = device.settings;
  if (Counter* c = ctx_.metrics->error_counter(failure.failure)) c->add();
  ctx_.gateway->report_error(s.id, failure.reason);
  ++device.failures;
  const ModbusConfig& cfg = *ctx_.config;
  if (device.link == PolledDevice::Link::kDown) {
    device.backoff =
        std::clamp<nanoseconds>(device.backoff * 2, cfg.reconnect_min, cfg.reconnect_max);
  } else if (device.failures >= cfg.offline_after) {
    if (device.link == PolledDevice::Link::kUp) ctx_.metrics->set_online(-1);
    device.link = PolledDevice::Link::kDown;
    device.backoff = cfg.reconnect_min;
    ctx_.gateway->report_down(
        s.id, failure.reason + " (" + std::to_string(device.failures) + " polls failed in a row)");
  }
  const nanoseconds wait =
      device.link == PolledDevice::Link::kDown ? device.backoff : nanoseconds(s.poll_interval);
  device.next_due = now() + wait;
}

void EndpointPoller::on_poll_answered(PolledDevice& device) {
  const DeviceSettings& s = device.settings;
  device.failures = 0;
  if (device.link != PolledDevice::Link::kUp) {
    device.link = PolledDevice::Link::kUp;
    ctx_.metrics->set_online(+1);
    ctx_.gateway->report_up(s.id, s.profile);
  }
  // Keep the cadence; a device that fell behind by more than one interval skips ahead.
  const nanoseconds t = now();
  device.next_due += s.poll_interval;
  if (device.next_due < t) device.next_due = t + nanoseconds(s.poll_interval);
}

void EndpointPoller::write(WriteJob& job) {
  PolledDevice& device = *job.device;
  const DeviceSettings& s = device.settings;
  Outcome o;
  for (std::uint32_t attempt = 0; attempt <= s.retries; ++attempt) {
    if (attempt > 0) ctx_.metrics->retries->add();
    ctx_.metrics->requests->add();
    o = job.layout.table == MODBUS_FUNCTION_COILS
            ? link_.write_coil(s.unit_id, job.layout.address, job.bit, s.timeout)
            : link_.write_registers(s.unit_id, job.layout.address, job.registers, s.timeout);
    if (o.ok() || o.failure == Failure::kException) break;
  }
  v1::CommandResult r;
  r.set_device_id(s.id);
  r.set_nonce(job.command.nonce());
  r.set_accepted(o.ok());
  if (o.ok()) {
    ctx_.metrics->commands_written->add();
    device.next_due = now();  // report the new value at once
  } else {
    ctx_.metrics->commands_failed->add();
    if (Counter* c = ctx_.metrics->error_counter(o.failure)) c->add();
    r.set_reason("writing " + job.what + " failed: " + o.reason);
    ctx_.gateway->report_error(s.id, r.reason());
  }
  ctx_.publish_result(std::move(r));
}

}  // namespace itc::modbus
