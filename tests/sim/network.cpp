#include "network.hpp"

#include <memory>

namespace itc::sim {

void Network::send(std::uint32_t from_slot, std::optional<std::uint32_t> to,
                   const std::string& frame) {
  const std::uint32_t own = plan_.validator_of(from_slot);
  for (std::uint32_t slot = 0; slot < plan_.slots(); ++slot) {
    const std::uint32_t v = plan_.validator_of(slot);
    if (v == own || (to && v != *to)) continue;
    to_slot(from_slot, slot, frame);
  }
}

void Network::to_slot(std::uint32_t from_slot, std::uint32_t slot, const std::string& frame) {
  ++sent_;
  if (groups_[from_slot] != groups_[slot] || unit() < loss_) {
    ++dropped_;
    return;
  }
  const int copies = unit() < dup_ ? 2 : 1;
  duplicated_ += static_cast<std::uint64_t>(copies - 1);
  auto shared = std::make_shared<const std::string>(frame);
  const std::uint32_t from = plan_.validator_of(from_slot);
  for (int c = 0; c < copies; ++c) {
    const auto span = static_cast<std::uint64_t>(max_delay_.count()) + 1;
    const SimTime delay = std::chrono::microseconds(50) + SimTime(rng_() % span);
    events_.after(delay, [this, slot, from, shared] { deliver_(slot, from, *shared); });
  }
}

}  // namespace itc::sim
