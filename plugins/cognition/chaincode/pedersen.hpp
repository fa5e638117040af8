// Pedersen commitments on P-256 (Pedersen 1991): C = v·G + r·H, G the standard generator,
// H derived from a hash (p256.hpp) so that nobody knows log_G(H). Hiding: r is uniform, so
// C says nothing about v. Binding: opening C to two values would give log_G(H).
// Homomorphic: C(v1, r1) + C(v2, r2) = C(v1 + v2, r1 + r2), which sum proofs rely on.
// Errors: InvalidArgument naming what was wrong; OpenSSL failing (out of memory) throws
// std::runtime_error (p256.hpp).
// Thread safety: pure functions; safe from many threads at once.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "itc/status.hpp"
#include "itc/v1/analytics.pb.h"
#include "p256.hpp"

namespace itc::analytics {

// How a reading becomes the integer a commitment holds: v = round(value · 10^decimals),
// halves away from zero (a lamp's 12.3456 W at decimals 3 is 12346 mW). InvalidArgument
// for NaN or infinity, decimals outside 0..9, or |v| >= 2^63.
Result<std::int64_t> scale_reading(double value, int decimals);

// What opens a commitment. `blinding` is r, 32 bytes big-endian, below the group order.
struct Opening {
  std::int64_t value = 0;
  std::string blinding;
};

// An opening of `value` with r uniform in [1, n-1] (OpenSSL's private DRBG).
Opening new_opening(std::int64_t value);

// v·G + r·H, SEC1 uncompressed (65 bytes). InvalidArgument if the blinding is not a
// 32-byte scalar below n.
Result<std::string> commit(const Opening& opening);

// OK iff `commitment` equals v·G + r·H for `opening`; PermissionDenied ("commitment does
// not open to <v> with this blinding") otherwise; InvalidArgument for a malformed one.
Status open(std::string_view commitment, const Opening& opening);

// The point ΣC_i. InvalidArgument "commitments[i]: ..." for the first malformed one.
// With threads > 1 the sum is split over that many threads (this one included), each
// decoding and adding its share; the result is the same.
Result<p256::Point> sum_points(std::span<const std::string> commitments, unsigned threads = 1);
// The same, encoded (65 bytes; the single byte 00 if the sum is the point at infinity).
Result<std::string> add_commitments(std::span<const std::string> commitments);

// Σv (InvalidArgument if it overflows int64) and Σr mod n: the opening of the sum.
Result<Opening> add_openings(std::span<const Opening> openings);

v1::PedersenOpening to_proto(const Opening& opening);
// InvalidArgument "blinding: ..." unless the blinding is a 32-byte scalar below n.
Result<Opening> from_proto(const v1::PedersenOpening& opening);

}  // namespace itc::analytics
