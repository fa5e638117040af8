// Checker: the properties every scenario must keep, checked as each step happens.
//   agreement     no two honest replicas execute different blocks at one height
//   validity      every executed block verifies (hash, Merkle roots) and carries a quorum
//                 certificate of 2f+1 valid commit signatures
//   certified     no two different blocks get commits from 2f+1 validators at one height,
//                 and the block executed at a height is the one so committed there (a
//                 block with a quorum certificate is never replaced, executed or not yet)
//   execution     every executed block, re-executed on a reference ledger state, gives the
//                 state root in its header (so every replica that executes it agrees)
//   no_double_tx  no transaction is in two blocks of the chain
//   no_equivocation an honest validator never signs two different pre-prepares, prepares
//                 or commits for one (view, seq) — not even across a crash and restart
//   durability    a restarted replica's store still holds every block it stored before,
//                 and at the end every acknowledged transaction is in every honest chain
//   liveness      after the faults stop, every honest replica commits again within a bound
// "Honest" leaves out the validator run as Byzantine twins. Only the first violation is kept.
// Thread safety: none (the simulator's thread).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "fault_plan.hpp"
#include "itc/chain/state.hpp"
#include "itc/crypto.hpp"
#include "itc/ledger/validators.hpp"
#include "itc/v1/consensus.pb.h"

namespace itc::sim {

// The network's genesis and validator keys, derived from fixed seeds (a run replays).
struct ChainSetup {
  v1::Genesis genesis;
  ledger::ValidatorSet validators;
  std::vector<crypto::Ed25519PrivateKey> keys;
  static const ChainSetup& of(std::uint32_t validators);
};

struct Violation {
  std::string property;
  std::string detail;
};

class Checker {
 public:
  Checker(const ChainSetup& chain, const FaultPlan& plan);

  void sent(std::uint32_t slot, const v1::Envelope& envelope);
  void executed(std::uint32_t slot, const v1::Block& block);
  void acknowledged(std::uint32_t slot, const v1::TxResult& result);
  // `heights`: the hashes the slot's store held before the crash and holds now.
  void restarted(std::uint32_t slot, const std::vector<std::string>& before,
                 const std::vector<std::string>& now);
  // At the end: every acknowledged transaction is in the blocks of `chain` (a store).
  void check_acknowledged(std::uint32_t slot, const std::vector<v1::Block>& chain);
  void fail(std::string property, std::string detail);

  const std::optional<Violation>& violation() const { return violation_; }
  std::uint64_t height() const { return hashes_.empty() ? 0 : hashes_.rbegin()->first; }
  std::uint64_t acknowledged_count() const { return acked_.size(); }

 private:
  void execute_reference();
  void certify(std::uint32_t validator, std::uint64_t view, std::uint64_t seq,
               const std::string& digest);
  std::string who(std::uint32_t slot) const;

  const ChainSetup& chain_;
  const FaultPlan& plan_;
  std::optional<Violation> violation_;
  std::map<std::uint64_t, std::string> hashes_;    // the agreed chain: height -> block hash
  std::map<std::uint64_t, v1::Block> to_execute_;  // agreed, not yet re-executed
  std::unique_ptr<ledger::LedgerState> reference_;
  std::uint64_t reference_height_ = 0;
  std::map<std::string, std::uint64_t> tx_heights_;  // tx id -> height
  std::set<std::string> verified_qcs_;
  std::map<std::string, std::uint64_t> acked_;  // tx id -> height
  std::map<std::tuple<std::uint32_t, int, std::uint64_t, std::uint64_t>, std::string> votes_;
  // (seq, view, digest) -> validators that sent that commit; seq -> the certified digest.
  std::map<std::tuple<std::uint64_t, std::uint64_t, std::string>, std::set<std::uint32_t>> commits_;
  std::map<std::uint64_t, std::string> certified_;
};

}  // namespace itc::sim
