// itc-light init and sync (see light_cli.hpp).
#include <charconv>
#include <iostream>
#include <optional>

#include "itc/crypto.hpp"
#include "itc/ledger/validators.hpp"
#include "itc/light/genesis_trust.hpp"
#include "light_cli.hpp"

namespace itc::light::cli {
namespace {

const std::uint8_t* bytes_of(const std::string& s) {
  return reinterpret_cast<const std::uint8_t*>(s.data());
}

std::string hash_hex(const State& s) {
  return crypto::to_hex(std::string(reinterpret_cast<const char*>(s.header.hash), kHashSize));
}

Result<State> trust_root(const Options& o) {
  auto genesis = ledger::load_genesis(o.genesis_file);
  if (!genesis.ok()) return genesis.status();
  State state{};
  if (o.checkpoint.empty()) {
    ITC_RETURN_IF_ERROR(trust_genesis(*genesis, &state));
    return state;
  }
  const std::size_t colon = o.checkpoint.find(':');
  std::uint64_t height = 0;
  if (colon != std::string::npos) {
    const char* end = o.checkpoint.data() + colon;
    auto [at, ec] = std::from_chars(o.checkpoint.data(), end, height);
    if (ec != std::errc() || at != end) height = 0;
  }
  auto hash = colon == std::string::npos ? Result<std::string>(Status::InvalidArgument("no ':'"))
                                         : crypto::from_hex(o.checkpoint.substr(colon + 1));
  if (height == 0 || !hash.ok() || hash->size() != kHashSize) {
    return Status::InvalidArgument("--checkpoint " + o.checkpoint +
                                   ": expected HEIGHT:HASH (a height of at least 1 and 64 hex "
                                   "digits of the block hash)");
  }
  ITC_RETURN_IF_ERROR(trust_checkpoint(*genesis, height, *hash, &state));
  return state;
}

std::uint32_t be32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<std::uint8_t>(s[at + i]);
  return v;
}

// Applies the node's epoch updates from the client's epoch on, one epoch at a time; the
// exit code on a refusal or failure, nullopt once the client holds the newest set.
std::optional<int> follow_epochs(const Options& o, State* state) {
  constexpr std::uint32_t kPage = 64;  // the node's most per answer (admin_proofs.cpp)
  for (;;) {
    const std::string target = "/v1/light/updates?from_epoch=" + std::to_string(state->epoch);
    auto list = fetch(o.node, target);
    if (!list.ok()) {
      std::cerr << "itc-light: " << list.status().message() << "\n";
      return kExitRefused;
    }
    std::size_t at = 4;
    const std::uint32_t count = list->size() >= 4 ? be32(*list, 0) : 0;
    for (std::uint32_t i = 0; i < count; ++i) {
      const std::uint32_t size = at + 4 <= list->size() ? be32(*list, at) : 0;
      if (at + 4 + size > list->size() || size == 0) break;
      const Outcome u = apply_epoch_update(state, bytes_of(*list) + at + 4, size, now_us());
      if (!u.ok()) {
        std::cout << "REFUSED epoch update into epoch " << state->epoch + 1 << " from "
                  << o.node.url << ": " << describe(u) << "\n";
        return kExitRefused;
      }
      std::cout << "VERIFIED epoch update: epoch " << state->epoch << ", " << state->validator_count
                << " validators, from " << header_line(*state) << "\n";
      at += 4 + size;
    }
    if (list->size() < 4 || at != list->size()) {
      std::cout << "REFUSED epoch updates from " << o.node.url << ": " << target
                << " is not a list of updates (" << list->size() << " bytes)\n";
      return kExitRefused;
    }
    if (count < kPage) return std::nullopt;
  }
}

}  // namespace

int run_init(const Options& o) {
  auto state = trust_root(o);
  if (!state.ok()) {
    std::cerr << "itc-light: " << state.status().message() << "\n";
    return kExitRefused;
  }
  constexpr std::uint64_t kMicrosPerDay = 86'400'000'000ULL;
  if (o.trust_period_days > UINT64_MAX / kMicrosPerDay) {
    std::cerr << "itc-light: --trust-period-days " << o.trust_period_days << " is too long\n";
    return kExitUsage;
  }
  (void)set_trust_period(&*state, o.trust_period_days * kMicrosPerDay, now_us());
  if (Status st = save_state(o.state_file, *state); !st.ok()) {
    std::cerr << "itc-light: " << st.message() << "\n";
    return kExitRefused;
  }
  std::cout << "initialised " << o.state_file << ": chain "
            << std::string(state->chain_id, state->chain_id_len) << ", " << state->validator_count
            << " validators, " << header_line(*state) << ", trust period "
            << (o.trust_period_days == 0 ? std::string("unlimited")
                                         : std::to_string(o.trust_period_days) + " days")
            << "\n";
  return kExitVerified;
}

int run_sync(const Options& o) {
  auto state = load_state(o.state_file);
  if (!state.ok()) {
    std::cerr << "itc-light: " << state.status().message() << "\n";
    return kExitRefused;
  }
  if (auto failed = follow_epochs(o, &*state)) return *failed;
  const State before = *state;
  auto head = fetch(o.node, "/v1/proofs/header");
  if (!head.ok()) {
    std::cerr << "itc-light: " << head.status().message() << "\n";
    return kExitRefused;
  }
  const Outcome o1 = apply_header(&*state, bytes_of(*head), head->size());
  if (!o1.ok()) {
    std::cout << "REFUSED header from " << o.node.url << ": " << describe(o1) << "\n";
    if (o1.verdict == Verdict::kConflictingHeader) {
      std::cout << "ATTACK: " << o.node.url
                << " serves a certified header that conflicts with the trusted one ("
                << header_line(before) << ")\n";
      return kExitAttack;
    }
    return kExitRefused;
  }
  if (o.has_witness) {
    const std::uint64_t h = state->header.height;
    auto seen = fetch(o.witness, "/v1/proofs/header?height=" + std::to_string(h));
    if (!seen.ok()) {
      std::cout << "REFUSED: witness " << o.witness.url << " cannot confirm height " << h << ": "
                << seen.status().message() << "\n";
      return kExitRefused;
    }
    State fresh = before;
    fresh.header = TrustedHeader{};  // judge the witness's header by its certificate alone
    const Outcome ow = apply_header(&fresh, bytes_of(*seen), seen->size());
    if (!ow.ok()) {
      std::cout << "REFUSED: witness " << o.witness.url
                << " served an invalid header: " << describe(ow) << "\n";
      return kExitRefused;
    }
    if (fresh.header.height != h || hash_hex(fresh) != hash_hex(*state)) {
      std::cout << "ATTACK: two certified headers for height " << h << ":\n  " << o.node.url
                << " says " << hash_hex(*state) << "\n  " << o.witness.url << " says "
                << hash_hex(fresh) << " (height " << fresh.header.height << ")\n";
      return kExitAttack;
    }
  }
  if (Status st = save_state(o.state_file, *state); !st.ok()) {
    std::cerr << "itc-light: " << st.message() << "\n";
    return kExitRefused;
  }
  std::cout << "VERIFIED header: " << header_line(*state) << ", certified by a quorum of "
            << state->validator_count << " validators"
            << (o.has_witness ? ", confirmed by witness " + o.witness.url : std::string()) << "\n";
  return kExitVerified;
}

}  // namespace itc::light::cli
