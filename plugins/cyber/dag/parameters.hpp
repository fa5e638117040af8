// The DAG's chain-side parameters (v1::DagParameters): defaults, checks and the security
// level an issuer pays. Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "itc/status.hpp"
#include "itc/v1/dag.pb.h"

namespace itc::dag {

// The defaults (README.md, "Parameters"): classes lamp, sensor and gateway; TIP-3 / Hornet
// depths 15 / 8 / 13; issue window 5 min back, 30 s ahead; tips leave after 2 approvers
// or 3 s; at most 100 tips, 10,000 waiting for parents, 100,000 issuers' rate state,
// 1,000 milestones of proofs.
v1::DagParameters default_parameters();

// InvalidArgument naming the field: a class twice or unnamed, pow_bits > 64, a rate or
// burst of zero, a zero depth, window, capacity or tip rule, C1 or C2 above the max depth.
Status check_parameters(const v1::DagParameters& params);

// The level of an issuer of `device_class` whose owner staked `stake`; nullptr if the
// class is not in the parameters.
const v1::SecurityLevel* security_level(const v1::DagParameters& params,
                                        std::string_view device_class, std::uint64_t stake);

}  // namespace itc::dag
