// TypedPlugin<Config, State>: the base of a plugin whose config is a protobuf message
// `Config` and whose hot-swap state is a `State`. It implements the byte-level half of
// itc::Plugin once, so that every plugin parses, checks and hands over state with the same
// error codes and wording:
//
//   validate_config(bytes)  parse Config, then check_config()
//   initialise(env, bytes)  parse Config, then check_config(), then configure(env, config)
//   export_state(out)       save_state(&state), wrapped as v1::PluginState {type, version}
//   import_state(in)        nothing if `in` is empty; Incompatible for another type or
//                           version; the codec's error if the data does not decode;
//                           otherwise restore_state(state)
//
// Every call runs under guard(): an exception becomes Status::Internal, none crosses the
// plugin boundary. A plugin derives from it, names its state envelope in the constructor
// and implements configure(), start(), drain(), stop() (and save_state()/restore_state()
// when it has state):
//
//   class LuxMeter final : public itc::TypedPlugin<Config, Counts> {
//    public:
//     LuxMeter() : TypedPlugin({"acme.lux_meter.Counts", 1}) {}
//     ...
//   };
//
// Header-only, so it adds nothing to the SDK's binary interface.
// Thread safety: as itc::Plugin (the host calls one method at a time).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "itc/plugin.hpp"

namespace itc {

// The `type` and `version` a plugin's hot-swap state carries in v1::PluginState.
struct StateEnvelope {
  std::string_view type;
  std::uint32_t version = 1;
};

// Marks a TypedPlugin without hot-swap state: it exports an empty PluginState and imports
// only an empty one.
struct NoState {};

// Parses serialized protobuf bytes as `Message` (lite or full). On failure returns
// InvalidArgument "config: not a valid <type> message".
template <class Message>
Result<Message> parse_config(std::string_view bytes) {
  Message message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::InvalidArgument("config: not a valid " + message.GetTypeName() + " message");
  }
  return message;
}

// How a State becomes PluginState.data and back. The default serializes a protobuf
// message; a plugin whose state has its own encoding passes a codec of its own with the
// same two static functions.
template <class State>
struct MessageCodec {
  static Result<std::string> encode(const State& state) {
    std::string bytes;
    if (!state.SerializeToString(&bytes)) return Status::Internal("cannot be serialized");
    return bytes;
  }
  static Result<State> decode(std::string_view bytes) {
    State state;
    if (!state.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return Status::Corruption("data does not parse");
    }
    return state;
  }
};

template <class Config, class State = NoState, class Codec = MessageCodec<State>>
class TypedPlugin : public Plugin {
 public:
  Status validate_config(std::string_view bytes) const noexcept final {
    return guard("validate_config", [&]() -> Status {
      auto config = parse_config<Config>(bytes);
      if (!config.ok()) return config.status();
      return check_config(*config);
    });
  }

  Status initialise(HostEnv& env, std::string_view bytes) noexcept final {
    return guard("initialise", [&]() -> Status {
      auto config = parse_config<Config>(bytes);
      if (!config.ok()) return config.status();
      ITC_RETURN_IF_ERROR(check_config(*config));
      return configure(env, *config);
    });
  }

  Status export_state(v1::PluginState* out) noexcept final {
    return guard("export_state", [&]() -> Status {
      out->Clear();
      if constexpr (!std::is_same_v<State, NoState>) {
        State state;
        ITC_RETURN_IF_ERROR(save_state(&state));
        auto bytes = Codec::encode(state);
        if (!bytes.ok()) return bytes.status().WithContext("state " + describe(envelope_));
        out->set_type(std::string(envelope_.type));
        out->set_version(envelope_.version);
        *out->mutable_data() = std::move(bytes).value();
      }
      return Status::Ok();
    });
  }

  Status import_state(const v1::PluginState& in) noexcept final {
    return guard("import_state", [&]() -> Status {
      if (in.type().empty()) return Status::Ok();  // a predecessor without state
      if constexpr (std::is_same_v<State, NoState>) {
        return Status::Incompatible("state: this plugin imports none, not " +
                                    describe({in.type(), in.version()}));
      } else {
        if (in.type() != envelope_.type || in.version() != envelope_.version) {
          return Status::Incompatible("state: this plugin imports " + describe(envelope_) +
                                      ", not " + describe({in.type(), in.version()}));
        }
        auto state = Codec::decode(in.data());
        if (!state.ok()) return state.status().WithContext("state " + describe(envelope_));
        return restore_state(std::move(state).value());
      }
    });
  }

 protected:
  TypedPlugin() = default;
  explicit TypedPlugin(StateEnvelope envelope) : envelope_(envelope) {}

  // Rules the host's schema check cannot see (required fields, one field bounded by
  // another, a key that must load). Called by validate_config() and initialise(); no side
  // effects. Return InvalidArgument whose message starts with the field's name.
  virtual Status check_config(const Config& /*config*/) const { return Status::Ok(); }

  // initialise() with a parsed, checked config: subscribe, provide services, publish
  // nothing yet. `env` outlives the plugin. May throw (guarded).
  virtual Status configure(HostEnv& env, const Config& config) = 0;

  // Fill `out` with the state to hand to the successor. Called only after drain().
  virtual Status save_state(State* /*out*/) { return Status::Ok(); }

  // Adopt a predecessor's state of this plugin's type and version. Called after
  // initialise() and before start().
  virtual Status restore_state(State /*state*/) { return Status::Ok(); }

 private:
  static std::string describe(StateEnvelope e) {
    return std::string(e.type) + " v" + std::to_string(e.version);
  }

  StateEnvelope envelope_;
};

}  // namespace itc
