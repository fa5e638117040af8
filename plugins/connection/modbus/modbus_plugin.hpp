// ModbusPlugin: the "modbus" connection plugin, a Modbus TCP client (libmodbus). Each
// configured device is read as its device profile says (planned into few requests per
// table), on its own interval; the values go out as RawFrames signed by the plugin's
// DeviceGateway, and link changes and errors go to the host's device directory.
// Authorised Commands (topics::kCommands) for its devices become coil or register
// writes, answered on topics::kCommandResults. See README.md.
//
// Thread safety: lifecycle calls come from one host thread; commands arrive on a bus
// thread; each endpoint's poller has its own thread. mu_ guards pollers_, held_ and
// running_.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "endpoint_poller.hpp"
#include "itc/light/device_verifiers.hpp"
#include "itc/typed_plugin.hpp"
#include "modbus.pb.h"

namespace itc::modbus {

// The hot-swap state: PluginState type and version.
inline constexpr StateEnvelope kState{"itc.modbus.LinkStates", 1};

class ModbusPlugin final : public TypedPlugin<Config, LinkStates> {
 public:
  ModbusPlugin() : TypedPlugin(kState) {}
  Status start() noexcept override;
  Status drain() noexcept override;
  void stop() noexcept override;

 private:
  Status check_config(const Config& config) const override;
  Status configure(HostEnv& env, const Config& config) override;
  Status save_state(LinkStates* state) override;
  Status restore_state(LinkStates state) override;
  Status build_devices();
  void create_metrics();
  void on_command(const v1::Command& cmd);
  void handle_command(const v1::Command& cmd);
  void publish_result(v1::CommandResult result);

  HostEnv* env_ = nullptr;
  ModbusConfig cfg_;
  std::unique_ptr<DeviceGateway> gateway_;
  // Set with genesis_file: a command is written only if its device's light client (run
  // here on the device's behalf) accepts its ownership proof.
  std::unique_ptr<light::DeviceVerifiers> verifiers_;
  std::vector<std::unique_ptr<PolledDevice>> devices_;  // fixed after initialise()
  std::unordered_map<std::string, PolledDevice*> by_id_;
  PollMetrics metrics_;
  Counter* commands_refused_ = nullptr;

  std::mutex mu_;
  bool running_ = false;
  // One poller per endpoint ("host:port"), and the poller of each device.
  std::map<std::string, std::unique_ptr<EndpointPoller>> pollers_;
  std::unordered_map<const PolledDevice*, EndpointPoller*> poller_of_;
  std::deque<v1::Command> held_;  // arrived while not running
};

}  // namespace itc::modbus
