// The shared log/sin/cos of core/random/philox_math.h, which the CPU and CUDA random kernels
// both use so their normal and exponential draws agree bit for bit. Runs without a GPU: these
// are the host builds of the same __host__ __device__ functions.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "core/random/philox_math.h"

namespace ember {
namespace {

TEST(PhiloxMath, LogMatchesLibmToDoublePrecision) {
  // Every 24-bit float uniform's 1 - u, and a sweep of 53-bit doubles down to 2^-53.
  for (uint32_t k = 0; k < (1u << 24); k += 257) {
    const double x = 1.0 - static_cast<double>(k) / 16777216.0;
    EXPECT_NEAR(random::philox_log(x), std::log(x), 4.5e-16 * std::max(1.0, std::abs(std::log(x))))
        << "x = " << x;
  }
  for (double x = 1.0; x > 0x1p-53; x *= 0.8123) {
    EXPECT_NEAR(random::philox_log(x), std::log(x), 4.5e-16 * std::abs(std::log(x))) << "x = " << x;
  }
  EXPECT_EQ(random::philox_log(1.0), 0.0);
  EXPECT_TRUE(std::isinf(random::philox_log(0.0)) && random::philox_log(0.0) < 0);
}

TEST(PhiloxMath, SinCosMatchLibmOverOneTurn) {
  for (int i = 0; i <= 100000; ++i) {
    const double t = 2 * std::numbers::pi * i / 100000.0;
    double s, c;
    random::philox_sincos(t, s, c);
    EXPECT_NEAR(s, std::sin(t), 4e-16) << "theta = " << t;
    EXPECT_NEAR(c, std::cos(t), 4e-16) << "theta = " << t;
  }
}

TEST(PhiloxMath, BoxMullerFloatIsCorrectlyRoundedAlmostEverywhere) {
  // The float transform rounds double results once: it should equal the libm computation
  // carried out in double and rounded, except in rare midpoint cases.
  int differ = 0, total = 0;
  for (uint32_t k = 1; k < (1u << 24); k += 4099) {
    const float u1 = static_cast<float>(k) / 16777216.0f, u2 = 1.0f - u1;
    float z0, z1;
    random::box_muller_f32(u1, u2, z0, z1);
    const float theta = static_cast<float>(2 * std::numbers::pi) * u2;
    const float r = std::sqrt(-2.0f * static_cast<float>(std::log(static_cast<double>(u1))));
    const float w0 = r * static_cast<float>(std::cos(static_cast<double>(theta)));
    const float w1 = r * static_cast<float>(std::sin(static_cast<double>(theta)));
    differ += (z0 != w0) + (z1 != w1);
    total += 2;
    EXPECT_NEAR(z0, w0, 4e-7f * std::max(1.0f, std::abs(w0)));
    EXPECT_NEAR(z1, w1, 4e-7f * std::max(1.0f, std::abs(w1)));
  }
  EXPECT_LT(differ, total / 1000 + 1);
}

TEST(PhiloxMath, BoxMullerDoubleGivesStandardNormalPairs) {
  double z0, z1;
  random::box_muller_f64(std::exp(-0.5), 0.0, z0, z1);  // r = 1, theta = 0
  EXPECT_NEAR(z0, 1.0, 1e-15);
  EXPECT_NEAR(z1, 0.0, 1e-15);
  random::box_muller_f64(std::exp(-2.0), 0.25, z0, z1);  // r = 2, theta = pi / 2
  EXPECT_NEAR(z0, 0.0, 1e-15);
  EXPECT_NEAR(z1, 2.0, 1e-15);
}

}  // namespace
}  // namespace ember
