// Verifiable sums (the Grin kernel idea, on Pedersen commitments): given commitments C_i
// and a claimed sum V, P = ΣC_i − V·G equals R·H exactly when V = Σv_i (and then
// R = Σr_i), unless someone knows log_G(H). The prover publishes a Schnorr proof of
// knowledge of R for P with base H, made non-interactive by Fiat–Shamir:
//   k = hash(R, statement) (deterministic, as in EdDSA), T = k·H, e = SHA-256(statement, T) mod n,
//   s = k + e·R mod n; the verifier checks s·H == T + e·P from public data alone.
// The hash covers kSumProofTag, H, the count, V, P, the context and T, so a proof holds
// for one statement only. See README.md ("Verifiable sums") for what this proves and what
// it does not (no range proofs: a committed negative value would skew a sum unnoticed).
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "itc/status.hpp"
#include "itc/v1/analytics.pb.h"
#include "pedersen.hpp"

namespace itc::analytics {

inline constexpr std::string_view kSumProofTag = "itc.analytics.sum-proof.v1";
inline constexpr std::size_t kMaxContextBytes = 256;

// A proof that `total.value` is the sum inside `count` commitments whose openings add up
// to `total` (add_openings). InvalidArgument for a bad blinding or a context over
// kMaxContextBytes. A wrong `total` gives a proof that verify_sum refuses.
Result<v1::SumProof> prove_sum(const Opening& total, std::uint64_t count, std::string_view context);

// OK iff `proof` shows that proof.value() is the sum of the values inside `commitments`
// for proof.context(). Otherwise PermissionDenied with the reason ("count: ...",
// "the proof does not verify: ..."), or InvalidArgument naming a malformed field or
// commitment.
// `threads` > 1 sums the commitments on that many threads (pedersen.hpp, sum_points).
Status verify_sum(std::span<const std::string> commitments, const v1::SumProof& proof,
                  unsigned threads = 1);

// Partials: each data-holding node proves its own sum; the context of its proof is
// job_id || 0x00 || node_id, so a proof is attributed to one node and one job.
std::string partial_context(std::string_view job_id, std::string_view node_id);
Result<v1::PartialSum> prove_partial(std::string_view job_id, std::string_view node_id,
                                     const Opening& total, std::uint64_t count);

// One node's partial and the on-chain commitments of its devices' readings.
struct NodePartial {
  v1::PartialSum partial;
  std::vector<std::string> commitments;
};

struct MergedSum {
  std::int64_t value = 0;
  std::uint64_t count = 0;
};

// Checks every partial (its context, then verify_sum against its commitments) and adds
// them. The first bad one is refused with PermissionDenied or InvalidArgument
// "node <id>: <reason>"; a node named twice, or a total that overflows, is refused too.
Result<MergedSum> merge_partials(std::string_view job_id, std::span<const NodePartial> partials);

}  // namespace itc::analytics
