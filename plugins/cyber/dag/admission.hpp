// Admission: the rules every node applies, in the same way, to a device transaction
// before it joins the tangle — each refusal a Refusal reason with a message, counted per
// reason. The rules that need only the transaction, the issuer directory, the parameters
// and the clock are here (cheapest first: issue time, issuer, readings' device, PoW,
// signature, then the rate, charged only to transactions that passed the rest, so forged
// ones cannot drain an honest issuer's bucket). The rules on parents (missing, below max
// depth) and duplicates need the tangle: DagEngine applies them and counts them here.
// Thread safety: not synchronised; the caller serialises (DagEngine's contract).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "issuer_directory.hpp"
#include "rate_limiter.hpp"
#include "transaction.hpp"

namespace itc::dag {

enum class Refusal {
  kMalformed,          // decode_transaction refused the bytes
  kDuplicate,          // already held (in the tangle, final, or waiting for parents)
  kIssueTime,          // issued_at outside [now - past window, now + future window]
  kUnknownIssuer,      // not registered, or its device class has no security level
  kForeignReading,     // a reading of a device not registered under the issuer's key
  kPow,                // too little proof of work for the issuer's level
  kSignature,          // the signature does not verify
  kRate,               // the issuer exceeded its rate (or the rate table is full)
  kBelowMaxDepth,      // a parent is older than below_max_depth milestones
  kSolidificationFull  // parents missing and the buffer for such transactions is full
};
inline constexpr std::size_t kRefusalCount = 10;
std::string_view refusal_name(Refusal r);  // "signature", "rate", ...

struct Refused {
  Refusal reason;
  std::string message;
};

// How a transaction reaches a node. A new one (from its issuer, or pushed by a peer) meets
// every rule. One this node asked its peers for — a parent of a transaction it holds, or in
// the cone of a milestone — meets only the rules of validity (format, issuer, proof of
// work, signature): the issue window, the rate and the depth of parents are spam control
// for what is new, and a node must be able to hold whatever a milestone makes final
// whenever it arrives.
enum class Arrival { kNew, kRequested };

class Admission {
 public:
  Admission(const v1::DagParameters& params, const IssuerDirectory& directory);

  // nullopt if `tx` passes the rules above at local time `now_us` (its rate token is then
  // taken), else the refusal (counted). kRequested: no issue window, no rate.
  std::optional<Refused> check(const DecodedTransaction& tx, std::int64_t now_us,
                               Arrival arrival = Arrival::kNew);

  // Counts and returns a refusal found by the caller.
  Refused refuse(Refusal reason, std::string message);
  std::uint64_t refusals(Refusal r) const { return counts_[static_cast<std::size_t>(r)]; }

 private:
  std::optional<Refused> check_issuer(const DecodedTransaction& tx,
                                      const v1::SecurityLevel** level);

  const v1::DagParameters& params_;
  const IssuerDirectory& directory_;
  RateLimiter rates_;
  std::array<std::uint64_t, kRefusalCount> counts_{};
};

}  // namespace itc::dag
