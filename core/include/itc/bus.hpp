// Bus: the host's in-process message bus. Topics are typed: the first publisher or
// subscriber fixes a topic's protobuf message type, and a later one with another type is
// refused. Each subscription has a bounded queue and its own delivery thread; a publisher
// facing a full queue waits (back-pressure), and a wait of more than a second is reported
// as a warning naming the slow subscriber. Nothing is dropped.
//
// The bus copies each published message into host memory (so a queued message outlives
// a hot-swapped publisher), then shares that immutable copy between subscribers. Topic
// types are messages from schemas/ (libitc-schemas), never a plugin's own types.
// Thread safety: all methods may be called from any thread.
#pragma once

#include <google/protobuf/message.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string_view>

#include "itc/status.hpp"

namespace itc {

using MessagePtr = std::shared_ptr<const google::protobuf::Message>;
using MessageHandler = std::function<void(const MessagePtr&)>;

// Topic names used by the shipped plugins.
namespace topics {
inline constexpr std::string_view kRawFrames = "device.frames";             // v1.RawFrame
inline constexpr std::string_view kReadings = "device.readings";            // v1.Reading
inline constexpr std::string_view kRegistrations = "device.registrations";  // v1.DeviceRegistration
inline constexpr std::string_view kCommands = "device.commands";  // v1.Command (authorised)
inline constexpr std::string_view kCommandResults = "device.command_results";  // v1.CommandResult
inline constexpr std::string_view kBlocks = "ledger.blocks";                   // v1.BlockCommitted
inline constexpr std::string_view kDeviceReports = "device.reports";           // v1.DeviceReport
}  // namespace topics

class Bus {
 public:
  virtual ~Bus() = default;

  // Delivers `msg` to every current subscriber of `topic`; waits while a subscriber's
  // queue is full. Fails if `msg`'s type differs from the topic's.
  virtual Status publish(std::string_view topic, MessagePtr msg) = 0;

  // Like publish() but never waits: Unavailable if any subscriber's queue is full, and
  // then the message was delivered to no one.
  virtual Status try_publish(std::string_view topic, MessagePtr msg) = 0;

  // Calls `handler` for each message on `topic`, in publish order, on the subscription's
  // own thread. `type_name` is the message's full name (e.g. "itc.v1.Reading").
  virtual Status subscribe(std::string_view topic, std::string_view type_name,
                           MessageHandler handler) = 0;

  // Typed conveniences.
  template <typename T>
  Status publish_value(std::string_view topic, T msg) {
    return publish(topic, std::make_shared<const T>(std::move(msg)));
  }
  // bus.subscribe<v1::Reading>(topics::kReadings, [](const v1::Reading& r) { ... });
  template <typename T>
  Status subscribe(std::string_view topic, std::function<void(const T&)> handler) {
    return subscribe(
        topic, T::descriptor()->full_name(),
        [h = std::move(handler)](const MessagePtr& m) { h(static_cast<const T&>(*m)); });
  }
};

}  // namespace itc
