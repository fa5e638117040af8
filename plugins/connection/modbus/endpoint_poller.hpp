// EndpointPoller: one thread per Modbus TCP endpoint (host:port), polling the devices
// (unit ids) behind it, each on its own schedule, and carrying out the writes commands
// ask for (writes go before polls). A device whose polls fail `offline_after` times in a
// row is reported down and then tried on a doubling back-off, so a dead unit costs its
// endpoint one timeout per back-off period, not one per poll; other endpoints are
// untouched because they have their own threads and connections.
//
// Thread safety: submit() and the destructor from any thread; everything else runs on the
// poller's own thread. A PolledDevice's run-time fields belong to the one poller that
// owns the device while it runs.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "itc/device_gateway.hpp"
#include "itc/host_env.hpp"
#include "modbus_link.hpp"
#include "polled_device.hpp"

namespace itc::modbus {

// The counters every poller adds to (one set per plugin instance).
struct PollMetrics {
  Counter* polls = nullptr;
  Counter* requests = nullptr;
  Counter* registers_read = nullptr;
  Counter* bits_read = nullptr;
  Counter* frames_out = nullptr;
  Counter* retries = nullptr;
  Counter* errors_timeout = nullptr;
  Counter* errors_connection = nullptr;
  Counter* errors_protocol = nullptr;
  Counter* errors_exception = nullptr;
  Counter* errors_nan = nullptr;
  Counter* commands_written = nullptr;
  Counter* commands_failed = nullptr;
  Gauge* devices_online = nullptr;
  std::atomic<int> online{0};

  Counter* error_counter(Failure f) const;
  void set_online(int delta);
};

struct PollerContext {
  HostEnv* env = nullptr;
  DeviceGateway* gateway = nullptr;
  const ModbusConfig* config = nullptr;
  PollMetrics* metrics = nullptr;
  std::function<void(v1::CommandResult)> publish_result;
};

class EndpointPoller {
 public:
  EndpointPoller(PollerContext ctx, std::string host, std::uint16_t port,
                 std::vector<PolledDevice*> devices);
  ~EndpointPoller();  // stop()

  void start();
  // Queues a write; its CommandResult is published when done.
  void submit(WriteJob job);
  // Carries out the writes already submitted, then ends the thread; with none pending, a
  // poll in flight is interrupted, so this returns at once. Later submits are refused.
  void stop();

 private:
  void run();
  PolledDevice* next_device();
  void poll(PolledDevice& device);
  void write(WriteJob& job);
  Outcome read_with_retries(PolledDevice& device, const ReadRequest& request,
                            std::vector<std::uint16_t>* registers, std::vector<std::uint8_t>* bits);
  void on_poll_failed(PolledDevice& device, const Outcome& failure);
  void on_poll_answered(PolledDevice& device);
  std::chrono::nanoseconds now() const;

  PollerContext ctx_;
  ModbusLink link_;
  std::vector<PolledDevice*> devices_;

  std::mutex mu_;  // guards writes_, writing_, stopping_
  std::condition_variable wake_;
  std::deque<WriteJob> writes_;
  bool writing_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace itc::modbus
