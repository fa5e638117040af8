// Differential privacy for counts (Dwork, McSherry, Nissim, Smith 2006): a count whose
// value changes by at most `sensitivity` when one device's data is added or removed is
// released as count + Laplace(0, sensitivity/ε) noise, which makes the release
// ε-differentially private. The uniform draw comes from OpenSSL's RAND_bytes (53 bits).
// Caveat: this is the textbook floating-point mechanism; it is not hardened against the
// attacks on floating-point noise (Mironov 2012: use snapping or discrete noise when a
// buyer may see many releases of the same data).
// Thread safety: thread-safe (OpenSSL's DRBG is).
#pragma once

#include "itc/status.hpp"

namespace itc::analytics {

// One draw of Laplace(0, sensitivity/epsilon). InvalidArgument naming epsilon or
// sensitivity unless each is finite and > 0.
Result<double> laplace_noise(double epsilon, double sensitivity = 1.0);
// count + laplace_noise(epsilon, sensitivity).
Result<double> noisy_count(double count, double epsilon, double sensitivity = 1.0);

}  // namespace itc::analytics
