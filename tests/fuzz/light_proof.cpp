// What a node serves a light client: libitc-light's decoders and checks (envelope,
// certified header, quorum certificate, inclusion paths, state buckets, state values)
// and its state-file decoder, over a State that trusts the validator network of
// validator_network.hpp (4 validators from fixed seeds).
// Input: byte 0 picks the check — 0 header update, 1 transaction inclusion, 2 reading
// inclusion, 3 state proof for account-0 (then decode_account), 4 state proof for device
// lamp-9 (then decode_device), 5 the state file decoder, 6 a device transaction final,
// 7 an epoch update (with a trusting period of a day, at the network's genesis time + 1 h)
// — and the rest is the message.
#include <cstddef>
#include <cstdint>
#include <string>

#include "itc/light/genesis_trust.hpp"
#include "itc/light/light_client.hpp"
#include "itc/light/state_file.hpp"
#include "itc/light/state_values.hpp"
#include "validator_network.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace itc;
  static const light::State trusted = [] {
    light::State s{};
    (void)light::trust_genesis(fuzz::ValidatorNetwork::get().genesis, &s);
    return s;
  }();
  static const std::string account_key =
      ledger::account_key(fuzz::ValidatorNetwork::get().account.public_key());
  static const std::string device_key = ledger::device_key("lamp-9");
  if (size == 0) return 0;
  light::State state = trusted;
  const std::uint8_t* m = data + 1;
  const std::size_t n = size - 1;
  light::Inclusion inclusion{};
  light::Bytes value{};
  switch (data[0] % 8) {
    case 0:
      (void)light::apply_header(&state, m, n);
      break;
    case 1:
      (void)light::verify_tx(&state, m, n, &inclusion);
      break;
    case 2:
      (void)light::verify_reading(&state, m, n, &inclusion);
      break;
    case 3:
    case 4: {
      const std::string& key = data[0] % 8 == 3 ? account_key : device_key;
      const auto* k = reinterpret_cast<const std::uint8_t*>(key.data());
      if (light::verify_state(&state, m, n, k, key.size(), &value).ok()) {
        light::Account account{};
        light::DeviceRecord device{};
        (void)light::decode_account(value, &account);
        (void)light::decode_device(value, &device);
      }
      break;
    }
    case 5:
      (void)light::decode_state(m, n, &state);
      break;
    case 6:
      (void)light::verify_dag_tx(&state, m, n, &inclusion);
      break;
    default: {
      const std::int64_t genesis_time = fuzz::ValidatorNetwork::get().genesis.timestamp_us();
      (void)light::set_trust_period(&state, 86'400'000'000ULL, genesis_time);
      (void)light::apply_epoch_update(&state, m, n, genesis_time + 3'600'000'000LL);
    }
  }
  return 0;
}
