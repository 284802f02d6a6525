#pragma once
// The transcendental functions the random distributions need (log, sin, cos), written with
// IEEE basic operations only, so the CPU and CUDA kernels compute the same bits for the same
// Philox words. libm's functions differ between glibc and CUDA in the last bit (glibc's logf
// disagrees with the correctly rounded result on ~0.7% of inputs, cosf on ~1.3%, log1pf on
// ~7%), which would make a normal or exponential draw differ between devices.
//
// Every step is +, -, *, / or sqrt in double, each correctly rounded on both sides: on the
// device the products and sums are spelled __dmul_rn / __dadd_rn so nvcc cannot fuse them
// into FMAs; on the host the file including this header must not contract either (the CPU
// kernels are built with -ffp-contract=off). Accuracy is ~1 ulp of double, so the float
// results are almost always correctly rounded too.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "core/random/philox.h"

namespace ember::random {

namespace detail {

EMBER_HOST_DEVICE inline double mul_rn(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dmul_rn(a, b);
#else
  return a * b;
#endif
}
EMBER_HOST_DEVICE inline double add_rn(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dadd_rn(a, b);
#else
  return a + b;
#endif
}
// a * b + c, rounded twice (never fused).
EMBER_HOST_DEVICE inline double mul_add_rn(double a, double b, double c) {
  return add_rn(mul_rn(a, b), c);
}

EMBER_HOST_DEVICE inline uint64_t bits_of(double x) {
#if defined(__CUDA_ARCH__)
  return static_cast<uint64_t>(__double_as_longlong(x));
#else
  uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
#endif
}
EMBER_HOST_DEVICE inline double double_of(uint64_t b) {
#if defined(__CUDA_ARCH__)
  return __longlong_as_double(static_cast<long long>(b));
#else
  double x;
  std::memcpy(&x, &b, sizeof x);
  return x;
#endif
}

// ln 2 split so that e * kLn2Hi is exact for |e| < 2^11 (fdlibm's split).
inline constexpr double kLn2Hi = 6.93147180369123816490e-01;
inline constexpr double kLn2Lo = 1.90821492927058770002e-10;
// pi / 2 split so that k * kPio2Hi is exact for small k (fdlibm's pio2_1, pio2_1t).
inline constexpr double kPio2Hi = 1.57079632673412561417e+00;
inline constexpr double kPio2Lo = 6.07710050650619224932e-11;
inline constexpr double kTwoOverPi = 6.36619772367581382433e-01;
inline constexpr double kSqrtHalf = 7.07106781186547524401e-01;

// sin and cos of r, |r| <= pi / 4, by Taylor polynomials (truncation below 1e-19).
EMBER_HOST_DEVICE inline double sin_poly(double r) {
  const double z = mul_rn(r, r);
  double p = 1.0 / 355687428096000.0;  // 1/17!
  p = mul_add_rn(p, z, -1.0 / 1307674368000.0);
  p = mul_add_rn(p, z, 1.0 / 6227020800.0);
  p = mul_add_rn(p, z, -1.0 / 39916800.0);
  p = mul_add_rn(p, z, 1.0 / 362880.0);
  p = mul_add_rn(p, z, -1.0 / 5040.0);
  p = mul_add_rn(p, z, 1.0 / 120.0);
  p = mul_add_rn(p, z, -1.0 / 6.0);
  return mul_add_rn(mul_rn(r, z), p, r);
}
EMBER_HOST_DEVICE inline double cos_poly(double r) {
  const double z = mul_rn(r, r);
  double p = -1.0 / 6402373705728000.0;  // -1/18!
  p = mul_add_rn(p, z, 1.0 / 20922789888000.0);
  p = mul_add_rn(p, z, -1.0 / 87178291200.0);
  p = mul_add_rn(p, z, 1.0 / 479001600.0);
  p = mul_add_rn(p, z, -1.0 / 3628800.0);
  p = mul_add_rn(p, z, 1.0 / 40320.0);
  p = mul_add_rn(p, z, -1.0 / 720.0);
  p = mul_add_rn(p, z, 1.0 / 24.0);
  p = mul_add_rn(p, z, -0.5);
  return mul_add_rn(z, p, 1.0);
}

}  // namespace detail

// Natural log of x, for finite x > 0 in the normal range (the distributions pass values in
// [2^-53, 1]); returns -inf for x <= 0.
EMBER_HOST_DEVICE inline double philox_log(double x) {
  using namespace detail;
  if (!(x > 0)) return -std::numeric_limits<double>::infinity();
  uint64_t bits = bits_of(x);
  int e = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  bits = (bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull;  // m in [1, 2)
  double m = double_of(bits);
  if (m > 2.0 * kSqrtHalf) {  // m in [sqrt(1/2), sqrt(2)): |s| below 0.1716
    m = mul_rn(m, 0.5);
    e += 1;
  }
  const double f = add_rn(m, -1.0);  // exact
  const double s = f / add_rn(2.0, f);
  const double z = mul_rn(s, s);
  // log(m) = 2 atanh(s) = 2 s (1 + z/3 + z^2/5 + ...); z < 0.0295, so 11 terms reach 1e-17.
  double p = 1.0 / 23.0;
  p = mul_add_rn(p, z, 1.0 / 21.0);
  p = mul_add_rn(p, z, 1.0 / 19.0);
  p = mul_add_rn(p, z, 1.0 / 17.0);
  p = mul_add_rn(p, z, 1.0 / 15.0);
  p = mul_add_rn(p, z, 1.0 / 13.0);
  p = mul_add_rn(p, z, 1.0 / 11.0);
  p = mul_add_rn(p, z, 1.0 / 9.0);
  p = mul_add_rn(p, z, 1.0 / 7.0);
  p = mul_add_rn(p, z, 1.0 / 5.0);
  p = mul_add_rn(p, z, 1.0 / 3.0);
  const double log_m = mul_rn(mul_rn(2.0, s), mul_add_rn(p, z, 1.0));
  const double de = static_cast<double>(e);
  return add_rn(mul_rn(de, kLn2Hi), add_rn(mul_rn(de, kLn2Lo), log_m));
}

// sin and cos of theta for 0 <= theta <= 2 pi (the Box-Muller angle).
EMBER_HOST_DEVICE inline void philox_sincos(double theta, double& sin_out, double& cos_out) {
  using namespace detail;
  const double kf = static_cast<double>(static_cast<int64_t>(add_rn(mul_rn(theta, kTwoOverPi), 0.5)));
  const double r = add_rn(add_rn(theta, -mul_rn(kf, kPio2Hi)), -mul_rn(kf, kPio2Lo));
  const double s = sin_poly(r), c = cos_poly(r);
  switch (static_cast<int>(kf) & 3) {
    case 0: sin_out = s; cos_out = c; break;
    case 1: sin_out = c; cos_out = -s; break;
    case 2: sin_out = -s; cos_out = -c; break;
    default: sin_out = -c; cos_out = s; break;
  }
}

// Box-Muller: two independent N(0, 1) from u1 in (0, 1] and u2 in [0, 1).
EMBER_HOST_DEVICE inline void box_muller_f64(double u1, double u2, double& z0, double& z1) {
  using namespace detail;
  double s, c;
  philox_sincos(mul_rn(6.283185307179586476925286766559, u2), s, c);
  const double r = std::sqrt(mul_rn(-2.0, philox_log(u1)));
  z0 = mul_rn(r, c);
  z1 = mul_rn(r, s);
}

// The float version: log, sin and cos in double, each rounded to float, the rest in float.
EMBER_HOST_DEVICE inline void box_muller_f32(float u1, float u2, float& z0, float& z1) {
  const float theta = static_cast<float>(6.283185307179586476925286766559) * u2;
  double s, c;
  philox_sincos(static_cast<double>(theta), s, c);
  const float r = std::sqrt(-2.0f * static_cast<float>(philox_log(static_cast<double>(u1))));
  z0 = r * static_cast<float>(c);
  z1 = r * static_cast<float>(s);
}

}  // namespace ember::random
