// itc-light owner, balance, tx, dag and reading: a node's proof checked against the trusted header
// (see light_cli.hpp).
#include <cctype>
#include <chrono>
#include <cstring>
#include <iostream>
#include <thread>

#include "itc/crypto.hpp"
#include "itc/light/state_values.hpp"
#include "itc/v1/device.pb.h"
#include "light_cli.hpp"

namespace itc::light::cli {
namespace {

const std::uint8_t* bytes_of(const std::string& s) {
  return reinterpret_cast<const std::uint8_t*>(s.data());
}

std::string percent_encoded(std::string_view raw) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : raw) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

// Loads the state and fetches the proof at `target`; prints why when either fails.
bool prepare(const Options& o, const std::string& target, State* state, std::string* proof) {
  auto loaded = load_state(o.state_file);
  if (!loaded.ok()) {
    std::cerr << "itc-light: " << loaded.status().message() << "\n";
    return false;
  }
  *state = *loaded;
  auto fetched = fetch(o.node, target);
  if (!fetched.ok()) {
    std::cerr << "itc-light: " << fetched.status().message() << "\n";
    return false;
  }
  *proof = std::move(fetched).value();
  return true;
}

// Prints the refusal; keeps a newer trusted header the proof brought.
int finish(const Options& o, const State& state, Outcome outcome, const std::string& what) {
  if (outcome.ok() || outcome.verdict == Verdict::kAbsent) {
    if (Status st = save_state(o.state_file, state); !st.ok()) {
      std::cerr << "itc-light: " << st.message() << "\n";
      return kExitRefused;
    }
    return kExitVerified;
  }
  std::cout << "REFUSED " << what << " from " << o.node.url << ": " << describe(outcome) << "\n";
  return kExitRefused;
}

Result<std::string> account_of(const std::string& arg) {
  auto raw = crypto::from_hex(arg);
  if (raw.ok() && raw->size() == kPublicKeySize) return raw;
  auto key = crypto::Ed25519PrivateKey::load_pem_file(arg);
  if (key.ok()) return key->public_key();
  return Status::InvalidArgument("ACCOUNT must be 64 hex digits or a PEM key file, got '" + arg +
                                 "'");
}

// Fetches the state proof of `key`, checks it against the trusted header and decodes the
// value into `record` (left as it is when the key is proven absent: *absent). Prints a
// refusal; keeps a newer trusted header the proof brought. Returns the exit code.
template <typename Record>
int proven_record(const Options& o, const std::string& key, Outcome (*decode)(Bytes, Record*),
                  const std::string& what, State* state, Record* record, bool* absent) {
  // A node still a block or two behind the trusted header (taken from another node) answers
  // from an older header, which the client refuses as stale: it gets a few seconds to catch
  // up before the refusal stands.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::string proof;
  Bytes value{};
  Outcome v;
  for (;;) {
    if (!prepare(o, "/v1/proofs/state/" + percent_encoded(key), state, &proof)) {
      return kExitRefused;
    }
    v = verify_state(state, bytes_of(proof), proof.size(), bytes_of(key), key.size(), &value);
    if (v.verdict != Verdict::kStaleHeader || std::chrono::steady_clock::now() >= give_up) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (v.ok()) v = decode(value, record);
  *absent = v.verdict == Verdict::kAbsent;
  return finish(o, *state, v, what);
}

}  // namespace

int run_owner(const Options& o) {
  State state{};
  DeviceRecord device{};
  bool absent = false;
  const int code = proven_record(o, "d/" + o.argument, &decode_device,
                                 "owner proof of " + o.argument, &state, &device, &absent);
  if (code != kExitVerified) return code;
  if (absent) {
    std::cout << "VERIFIED device " << o.argument << " is not registered, at " << header_line(state)
              << "\n";
  } else {
    std::cout << "VERIFIED owner of " << o.argument << ": "
              << crypto::to_hex(std::string(reinterpret_cast<const char*>(device.owner.data), 32))
              << " (registered at height " << device.registered_height << "), at "
              << header_line(state) << "\n";
  }
  return kExitVerified;
}

int run_balance(const Options& o) {
  auto account = account_of(o.argument);
  if (!account.ok()) {
    std::cerr << "itc-light: " << account.status().message() << "\n";
    return kExitUsage;
  }
  State state{};
  Account a{0, 0};
  bool absent = false;
  const int code =
      proven_record(o, "a/" + *account, &decode_account, "balance proof", &state, &a, &absent);
  if (code != kExitVerified) return code;
  std::cout << "VERIFIED balance of " << crypto::to_hex(*account) << ": " << a.balance << " (nonce "
            << a.nonce << ")" << (absent ? " - no account on the chain" : "") << ", at "
            << header_line(state) << "\n";
  return kExitVerified;
}

int run_tx(const Options& o) {
  auto id = crypto::from_hex(o.argument);
  if (!id.ok() || id->size() != kHashSize) {
    std::cerr << "itc-light: tx ID must be 64 hex digits, got '" << o.argument << "'\n";
    return kExitUsage;
  }
  std::string target = "/v1/proofs/tx/" + o.argument;
  if (o.height) target += "?height=" + std::to_string(*o.height);
  State state{};
  std::string proof;
  if (!prepare(o, target, &state, &proof)) return kExitRefused;
  Inclusion inclusion{};
  Outcome v = verify_tx(&state, bytes_of(proof), proof.size(), &inclusion);
  if (v.ok() && std::memcmp(inclusion.leaf_id, id->data(), kHashSize) != 0) {
    v = Outcome{Verdict::kKeyMismatch, inclusion.index};  // a proof of another transaction
  }
  const int code = finish(o, state, v, "inclusion proof of tx " + o.argument);
  if (code != kExitVerified) return code;
  std::cout << "VERIFIED tx " << o.argument << " is in block " << inclusion.height << " (index "
            << inclusion.index << "), trusted " << header_line(state) << "\n";
  return kExitVerified;
}

int run_dag(const Options& o) {
  auto id = crypto::from_hex(o.argument);
  if (!id.ok() || id->size() != kHashSize) {
    std::cerr << "itc-light: dag ID must be 64 hex digits, got '" << o.argument << "'\n";
    return kExitUsage;
  }
  State state{};
  std::string proof;
  if (!prepare(o, "/v1/dag/tx/" + o.argument + "/proof", &state, &proof)) return kExitRefused;
  Inclusion inclusion{};
  Outcome v = verify_dag_tx(&state, bytes_of(proof), proof.size(), &inclusion);
  if (v.ok() && std::memcmp(inclusion.leaf_id, id->data(), kHashSize) != 0) {
    v = Outcome{Verdict::kKeyMismatch, inclusion.index};  // a proof of another transaction
  }
  const int code = finish(o, state, v, "finality proof of device transaction " + o.argument);
  if (code != kExitVerified) return code;
  std::cout << "VERIFIED device transaction " << o.argument
            << " is final: in the milestone of block " << inclusion.height << " (leaf "
            << inclusion.index << "), trusted " << header_line(state) << "\n";
  return kExitVerified;
}

int run_reading(const Options& o) {
  std::string target =
      "/v1/proofs/reading/" + std::to_string(o.height.value_or(0)) + "/" + std::to_string(o.index);
  State state{};
  std::string proof;
  if (!prepare(o, target, &state, &proof)) return kExitRefused;
  Inclusion inclusion{};
  Outcome v = verify_reading(&state, bytes_of(proof), proof.size(), &inclusion);
  if (v.ok() && (inclusion.height != o.height || inclusion.index != o.index)) {
    v = Outcome{Verdict::kKeyMismatch, inclusion.index};  // a proof of another reading
  }
  v1::Reading reading;
  if (v.ok() &&
      !reading.ParseFromArray(inclusion.leaf.data, static_cast<int>(inclusion.leaf.size))) {
    v = Outcome{Verdict::kBadValue, 0};
  }
  const int code = finish(o, state, v,
                          "inclusion proof of reading " + std::to_string(o.index) + " of block " +
                              std::to_string(*o.height));
  if (code != kExitVerified) return code;
  std::cout << "VERIFIED reading " << o.index << " of block " << inclusion.height << ": "
            << reading.device_id() << " " << reading.metric() << " = " << reading.value() << " "
            << reading.unit() << " (sampled at " << reading.sampled_at_us() << " us), trusted "
            << header_line(state) << "\n";
  return kExitVerified;
}

}  // namespace itc::light::cli
