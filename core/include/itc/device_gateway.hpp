// DeviceGateway: what a connection plugin does on behalf of devices that cannot sign
// (MQTT, Modbus and other field protocols). The gateway holds an Ed25519 identity of
// its own, registers each device with the node under that key and the devices' owner
// key, signs the frames it builds from the devices' data (so normalize verifies them like
// any signed frame: the gateway vouches for what it read; frames are signed in batches so
// a busy gateway spends one signature per batch, not per frame), and reports each device's
// link state and errors to the host's device directory (topic device.reports).
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "itc/crypto.hpp"
#include "itc/export.hpp"
#include "itc/host_env.hpp"
#include "itc/status.hpp"
#include "itc/v1/device.pb.h"

namespace itc {

class ITC_EXPORT DeviceGateway {
 public:
  // `source` names the plugin in reports and logs ("mqtt"). The identity key is read
  // from `key_file`, or created there (mode 0600) if the file does not exist; an empty
  // `key_file` means <plugin data dir>/gateway.pem. `owner_public_key` is 64 hex digits
  // or a PEM file path (the devices' owner, who may command them).
  static Result<std::unique_ptr<DeviceGateway>> open(HostEnv& env, std::string source,
                                                     const std::string& key_file,
                                                     std::string_view owner_public_key);
  ~DeviceGateway();

  const std::string& public_key() const;  // raw 32 bytes

  // Publishes the device's registration (its frames are signed by this gateway).
  Status register_device(std::string_view device_id, std::string_view profile);

  // Gives the frame its sequence number (strictly increasing per device, also across
  // restarts: max(last + 1, now in µs)) and its sample time if unset, and queues it. Queued
  // frames are signed as one batch (one signature, an audit path per frame: see
  // itc::sign_frame_batch) and published on device.frames in order every 2 ms, or at once
  // by the caller when 256 are queued — then this waits while the bus is full
  // (back-pressure).
  Status publish_frame(v1::RawFrame frame);

  // Signs and publishes every queued frame now. Call it from the plugin's drain(), so a
  // hot swap or stop loses nothing.
  Status flush();

  // The device's link came up / went down (`reason` says why).
  void report_up(std::string_view device_id, std::string_view profile);
  void report_down(std::string_view device_id, std::string_view reason);

  // One error for the device: counted by the host, logged here at most once per 10 s per
  // device (with the number suppressed in between), so a noisy device cannot flood logs.
  void report_error(std::string_view device_id, std::string_view reason);

 private:
  struct Impl;
  explicit DeviceGateway(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace itc
