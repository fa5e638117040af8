#include "p256.hpp"

#include <openssl/obj_mac.h>

#include <stdexcept>

#include "common/openssl_error.hpp"
#include "itc/crypto.hpp"

namespace itc::analytics::p256 {
namespace {

// Try-and-increment: nobody chose H's x, so nobody knows log_G(H) (finding it is the
// discrete logarithm problem).
Group make_group() {
  Group g;
  g.curve = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  check(g.curve != nullptr, "EC_GROUP_new_by_curve_name(P-256)");
  g.g = EC_GROUP_get0_generator(g.curve);
  g.order = EC_GROUP_get0_order(g.curve);
  g.h = EC_POINT_new(g.curve);
  check(g.h != nullptr, "EC_POINT_new");
  auto ctx = new_ctx();
  for (std::uint32_t counter = 0;; ++counter) {
    std::string input(kGeneratorTag);
    for (int shift = 24; shift >= 0; shift -= 8)
      input.push_back(static_cast<char>((counter >> shift) & 0xff));
    const std::string x = crypto::sha256(input);
    std::string compressed = "\x02" + x;
    if (EC_POINT_oct2point(g.curve, g.h, reinterpret_cast<const unsigned char*>(compressed.data()),
                           compressed.size(), ctx.get()) == 1) {
      g.h_counter = counter;
      return g;
    }
    (void)openssl_error();  // x was not on the curve (or >= p): clear and try the next
  }
}

}  // namespace

const Group& group() {
  static const Group g = make_group();
  return g;
}

void check(int ok, const char* what) {
  if (ok != 1) throw std::runtime_error(std::string(what) + ": " + openssl_error());
}

Bn new_bn() {
  Bn b(BN_secure_new());
  check(b != nullptr, "BN_secure_new");
  return b;
}

Point new_point() {
  Point p(EC_POINT_new(group().curve));
  check(p != nullptr, "EC_POINT_new");
  return p;
}

Ctx new_ctx() {
  Ctx c(BN_CTX_new());
  check(c != nullptr, "BN_CTX_new");
  return c;
}

std::string encode(const EC_POINT* point) {
  const auto& g = group();
  if (EC_POINT_is_at_infinity(g.curve, point) == 1) return std::string(1, '\0');
  std::string out(kPointSize, '\0');
  const std::size_t n =
      EC_POINT_point2oct(g.curve, point, POINT_CONVERSION_UNCOMPRESSED,
                         reinterpret_cast<unsigned char*>(out.data()), out.size(), nullptr);
  check(n == kPointSize ? 1 : 0, "EC_POINT_point2oct");
  return out;
}

Status decode_into(std::string_view bytes, EC_POINT* out, BN_CTX* ctx) {
  if (bytes.size() != kPointSize && bytes.size() != kCompressedPointSize)
    return Status::InvalidArgument("a P-256 point is 65 or 33 bytes, got " +
                                   std::to_string(bytes.size()));
  if (EC_POINT_oct2point(group().curve, out, reinterpret_cast<const unsigned char*>(bytes.data()),
                         bytes.size(), ctx) != 1) {
    (void)openssl_error();
    return Status::InvalidArgument("not a point on P-256");
  }
  if (EC_POINT_is_at_infinity(group().curve, out) == 1)
    return Status::InvalidArgument("the point at infinity");
  return Status::Ok();
}

Result<Point> decode(std::string_view bytes, std::string_view what, BN_CTX* ctx) {
  auto p = new_point();
  ITC_RETURN_IF_ERROR(decode_into(bytes, p.get(), ctx).WithContext(what));
  return p;
}

std::string scalar_bytes(const BIGNUM* scalar) {
  std::string out(kScalarSize, '\0');
  check(BN_bn2binpad(scalar, reinterpret_cast<unsigned char*>(out.data()), kScalarSize) ==
                static_cast<int>(kScalarSize)
            ? 1
            : 0,
        "BN_bn2binpad");
  return out;
}

Result<Bn> scalar_from_bytes(std::string_view bytes, std::string_view what) {
  if (bytes.size() != kScalarSize)
    return Status::InvalidArgument(std::string(what) + ": a scalar is 32 bytes, got " +
                                   std::to_string(bytes.size()));
  auto b = new_bn();
  check(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), kScalarSize, b.get()) !=
                nullptr
            ? 1
            : 0,
        "BN_bin2bn");
  if (BN_cmp(b.get(), group().order) >= 0)
    return Status::InvalidArgument(std::string(what) + ": not below the group order");
  return b;
}

Bn scalar_from_int64(std::int64_t v) {
  auto b = new_bn();
  // |INT64_MIN| does not fit an int64: take the magnitude as unsigned.
  const std::uint64_t magnitude = v < 0 ? 0 - static_cast<std::uint64_t>(v) : v;
  check(BN_set_word(b.get(), magnitude), "BN_set_word");
  if (v < 0) check(BN_sub(b.get(), group().order, b.get()), "BN_sub");
  return b;
}

Bn random_scalar() {
  auto b = new_bn();
  do {
    check(BN_priv_rand_range(b.get(), group().order), "BN_priv_rand_range");
  } while (BN_is_zero(b.get()) == 1);
  return b;
}

Bn digest_scalar(std::string_view digest) {
  auto b = new_bn();
  check(BN_bin2bn(reinterpret_cast<const unsigned char*>(digest.data()),
                  static_cast<int>(digest.size()), b.get()) != nullptr
            ? 1
            : 0,
        "BN_bin2bn");
  auto ctx = new_ctx();
  check(BN_nnmod(b.get(), b.get(), group().order, ctx.get()), "BN_nnmod");
  return b;
}

}  // namespace itc::analytics::p256
