// RegistrationWait: frames that arrived before their device's registration.
//
// A gateway publishes a device's registration and then its frames, but the two travel on
// different bus topics, so a first frame can overtake the registration (a queued MQTT
// message delivered the moment a node reconnects does). Such a frame waits here until the
// registration arrives — then it and every later frame of the device go on in arrival
// order — or until `grace` has passed or `capacity` frames are waiting; it is then refused
// as unknown_device, as before.
//
// Not thread-safe: the owner serialises every call (normalize holds one mutex around it and
// the admission that follows, so a released frame is never overtaken by a newer one).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "itc/bus.hpp"

namespace itc::normalize {

class RegistrationWait {
 public:
  RegistrationWait(std::size_t capacity, std::chrono::nanoseconds grace)
      : capacity_(capacity), grace_(grace) {}

  // Whether frames of `device` are waiting (a newer frame must then wait behind them).
  bool waiting(const std::string& device) const { return by_device_.count(device) > 0; }

  // Keeps the frame; false (the frame is not kept) when `capacity` frames are waiting.
  bool park(const std::string& device, MessagePtr frame, std::chrono::nanoseconds now);

  // The device's waiting frames in arrival order; none wait for it afterwards.
  std::vector<MessagePtr> release(const std::string& device);

  // Frames that have waited longer than `grace` at `now` (all of them with `all`), in
  // arrival order per device.
  std::vector<MessagePtr> expired(std::chrono::nanoseconds now, bool all = false);

  std::size_t size() const { return size_; }

 private:
  struct Parked {
    MessagePtr frame;
    std::chrono::nanoseconds since;
  };
  std::size_t capacity_;
  std::chrono::nanoseconds grace_;
  std::size_t size_ = 0;
  std::unordered_map<std::string, std::deque<Parked>> by_device_;
};

}  // namespace itc::normalize
