// TransferLoad: transaction load on a LocalNetwork while a test hurts it. Each lane is one
// funded account with one signed transfer in flight at a time (POST /v1/tx to a validator
// drawn at random), the next sent when the answer (or its absence) comes; nonces only
// grow, so a transfer whose fate is unknown (its node was killed) never blocks the next.
// What a user relies on is recorded: every transfer answered 200 committed, with its
// height, must be on the chain afterwards.
// Not thread-safe: the test's thread, which runs Qt events (eventually(), QTest::qWait).
#pragma once

#include <QNetworkAccessManager>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "local_network.hpp"

namespace itc::testing {

class TransferLoad {
 public:
  struct Counts {
    std::uint64_t committed = 0;  // answered 200, committed
    std::uint64_t refused = 0;    // answered, not committed (e.g. timed out at the node)
    std::uint64_t unknown = 0;    // no answer: the connection broke or was refused
  };

  // Lanes use accounts 0..lanes-1 (the network needs that many). `up(i)`: whether the test
  // has validator i running (a lane skips validators that are down).
  TransferLoad(LocalNetwork& net, int lanes, std::uint32_t seed, std::function<bool(int)> up);
  ~TransferLoad();

  void start();
  // No new transfers; the ones in flight still count when they are answered.
  void stop() { running_ = false; }
  bool idle() const { return in_flight_ == 0; }

  const Counts& counts() const { return counts_; }
  // tx id (raw bytes) -> height, of every transfer acknowledged as committed.
  const std::map<std::string, std::uint64_t>& acknowledged() const { return acked_; }
  // Transfers whose fate the client never learnt (no answer, or 504: no verdict in time):
  // each may be on the chain or not, never twice.
  const std::set<std::string>& undecided() const { return undecided_; }
  // Prints the counts, why transfers were refused, and how many undecided ones made it
  // into `on_chain` (tx id -> height: the chain as read afterwards).
  void print_summary(const std::map<std::string, std::uint64_t>& on_chain) const;
  // Transfers answered as refused that are on the chain all the same (a client told "no"
  // whose transfer happened): one line each.
  std::vector<std::string> refused_but_committed(
      const std::map<std::string, std::uint64_t>& on_chain) const;
  // Why transfers were refused: "<HTTP status> <reason>" -> how many.
  const std::map<std::string, std::uint64_t>& refusals() const { return refusals_; }

 private:
  void send(int lane);

  LocalNetwork& net_;
  std::function<bool(int)> up_;
  std::mt19937 rng_;
  QNetworkAccessManager nam_;
  std::vector<std::uint64_t> nonce_;
  bool running_ = false;
  int in_flight_ = 0;
  Counts counts_;
  std::map<std::string, std::uint64_t> acked_;
  std::map<std::string, std::uint64_t> refusals_;
  std::set<std::string> undecided_;
  std::map<std::string, std::string> refused_ids_;  // tx id -> "<status> <reason>"
};

}  // namespace itc::testing
