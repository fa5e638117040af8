// P-256 for the analytics core: the group, the second generator H, and owning holders for
// OpenSSL's BIGNUM, EC_POINT and BN_CTX. Internal to itc_analytics (not SDK).
// Errors: malformed input is a Status; OpenSSL failing on valid input (out of memory)
// throws std::runtime_error naming the call — callers across the plugin boundary wrap
// their bodies in itc::guard.
// Thread safety: group() is built once (a thread-safe static) and only read afterwards;
// everything else is a pure function. A BN_CTX is never shared between threads.
#pragma once

#include <openssl/bn.h>
#include <openssl/ec.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "itc/status.hpp"

namespace itc::analytics::p256 {

struct BnFree {
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
struct PointFree {
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
};
struct CtxFree {
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;
using Point = std::unique_ptr<EC_POINT, PointFree>;
using Ctx = std::unique_ptr<BN_CTX, CtxFree>;

inline constexpr std::size_t kScalarSize = 32;
inline constexpr std::size_t kPointSize = 65;            // SEC1 uncompressed: 04 || x || y
inline constexpr std::size_t kCompressedPointSize = 33;  // SEC1 compressed: 02/03 || x
// H is the first point 02 || x with x = SHA-256(kGeneratorTag || counter, 4 bytes
// big-endian), counter = 0, 1, ..., that lies on the curve (README, "The generator H").
inline constexpr std::string_view kGeneratorTag = "itc.analytics.pedersen.H.v1";

struct Group {
  EC_GROUP* curve = nullptr;
  const EC_POINT* g = nullptr;  // the standard generator
  EC_POINT* h = nullptr;        // the hash-derived generator
  const BIGNUM* order = nullptr;
  std::uint32_t h_counter = 0;  // the counter that gave H
};
const Group& group();

// Throws std::runtime_error("<what>: <OpenSSL's error>") unless ok.
void check(int ok, const char* what);

Bn new_bn();
Point new_point();
Ctx new_ctx();

// SEC1 uncompressed (65 bytes); the point at infinity is the single byte 00.
std::string encode(const EC_POINT* point);
// A point on P-256 from 65 (uncompressed) or 33 (compressed) bytes; InvalidArgument
// starting with `what` for another size, a point off the curve, or the point at infinity.
Result<Point> decode(std::string_view bytes, std::string_view what, BN_CTX* ctx = nullptr);
// The same into an existing point (no allocation); the message names no field.
Status decode_into(std::string_view bytes, EC_POINT* out, BN_CTX* ctx);

// 32 bytes big-endian.
std::string scalar_bytes(const BIGNUM* scalar);
// A scalar from 32 bytes big-endian; InvalidArgument starting with `what` unless < n.
Result<Bn> scalar_from_bytes(std::string_view bytes, std::string_view what);
// v mod n (a negative v becomes n - |v|).
Bn scalar_from_int64(std::int64_t v);
// Uniform in [1, n-1] from OpenSSL's private DRBG.
Bn random_scalar();
// A 32-byte digest read as an integer, mod n.
Bn digest_scalar(std::string_view digest);

}  // namespace itc::analytics::p256
