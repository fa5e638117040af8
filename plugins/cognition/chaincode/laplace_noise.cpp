#include "laplace_noise.hpp"

#include <openssl/rand.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "p256.hpp"

namespace itc::analytics {

Result<double> laplace_noise(double epsilon, double sensitivity) {
  if (!std::isfinite(epsilon) || epsilon <= 0)
    return Status::InvalidArgument("epsilon: a finite number > 0, got " + std::to_string(epsilon));
  if (!std::isfinite(sensitivity) || sensitivity <= 0)
    return Status::InvalidArgument("sensitivity: a finite number > 0, got " +
                                   std::to_string(sensitivity));
  std::uint64_t bits = 0;
  p256::check(RAND_bytes(reinterpret_cast<unsigned char*>(&bits), sizeof bits), "RAND_bytes");
  // u uniform in (0, 1), never 0 or 1: (53 random bits + 1/2) / 2^53.
  const double u = (static_cast<double>(bits >> 11) + 0.5) * 0x1p-53;
  const double scale = sensitivity / epsilon;
  // The inverse of Laplace's CDF.
  return u < 0.5 ? scale * std::log(2 * u) : -scale * std::log(2 * (1 - u));
}

Result<double> noisy_count(double count, double epsilon, double sensitivity) {
  auto noise = laplace_noise(epsilon, sensitivity);
  if (!noise.ok()) return noise.status();
  return count + *noise;
}

}  // namespace itc::analytics
