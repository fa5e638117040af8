// Network: the simulated links between replica slots. A frame sent to a validator goes to
// every slot running that validator's key (two for Byzantine twins), each copy on its own
// fate: dropped across a partition, lost with the links' loss rate, duplicated with their
// duplication rate, and delayed by a random time up to their delay (so frames overtake
// each other: reordering). A frame arrives as its bytes, as from a socket.
// Thread safety: none (the simulator's thread).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "event_queue.hpp"
#include "fault_plan.hpp"

namespace itc::sim {

class Network {
 public:
  using Deliver =
      std::function<void(std::uint32_t to_slot, std::uint32_t from_validator, std::string frame)>;
  Network(EventQueue& events, std::mt19937_64& rng, const FaultPlan& plan, Deliver deliver)
      : events_(events),
        rng_(rng),
        plan_(plan),
        deliver_(std::move(deliver)),
        groups_(plan.slots(), 0) {}

  // From `from_slot` to validator `to` (nullopt: every validator but the sender's own).
  void send(std::uint32_t from_slot, std::optional<std::uint32_t> to, const std::string& frame);

  void partition(const std::vector<std::uint8_t>& groups) { groups_ = groups; }
  void heal() { groups_.assign(plan_.slots(), 0); }
  void set_links(double loss, double dup, SimTime max_delay) {
    loss_ = loss;
    dup_ = dup;
    max_delay_ = max_delay;
  }
  // Calm links: nothing lost or duplicated, up to 5 ms of delay.
  void calm() { set_links(0, 0, std::chrono::milliseconds(5)); }

  std::uint64_t frames_sent() const { return sent_; }
  std::uint64_t frames_dropped() const { return dropped_; }
  std::uint64_t frames_duplicated() const { return duplicated_; }

 private:
  double unit() { return static_cast<double>(rng_() >> 11) / static_cast<double>(1ull << 53); }
  void to_slot(std::uint32_t from_slot, std::uint32_t slot, const std::string& frame);

  EventQueue& events_;
  std::mt19937_64& rng_;
  const FaultPlan& plan_;
  Deliver deliver_;
  std::vector<std::uint8_t> groups_;
  double loss_ = 0;
  double dup_ = 0;
  SimTime max_delay_ = std::chrono::milliseconds(5);
  std::uint64_t sent_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t duplicated_ = 0;
};

}  // namespace itc::sim
