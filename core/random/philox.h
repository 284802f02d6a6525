#pragma once
// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a
// counter-based generator. Block (counter, key) -> four independent 32-bit words, with no
// state carried between blocks, so any element of a random tensor can be computed on its
// own from (seed, stream, index). That is what keeps results identical for every thread
// count and what lets a CUDA kernel reproduce the CPU's numbers: this header is plain
// arithmetic and compiles for both.
//
// Ember's counter layout (keep it: saved graphs and the CUDA kernels depend on it):
//   key     = (seed low 32 bits, seed high 32 bits)
//   counter = (block low, block high, stream low, stream high)
// where `stream` is the generator offset an op call consumed (one per call) and `block` is
// the index of the 128-bit block inside that call's output.
#include <array>
#include <cstdint>

#if defined(__CUDACC__)
#define EMBER_HOST_DEVICE __host__ __device__
#else
#define EMBER_HOST_DEVICE
#endif

namespace ember::random {

using Philox4x32Block = std::array<uint32_t, 4>;

namespace detail {
inline constexpr uint32_t kPhiloxM0 = 0xD2511F53u;
inline constexpr uint32_t kPhiloxM1 = 0xCD9E8D57u;
inline constexpr uint32_t kPhiloxW0 = 0x9E3779B9u;  // golden ratio
inline constexpr uint32_t kPhiloxW1 = 0xBB67AE85u;  // sqrt(3) - 1
}  // namespace detail

// The raw bijection: ten rounds of Philox4x32 on `ctr` under `key`.
EMBER_HOST_DEVICE constexpr Philox4x32Block philox4x32_10(Philox4x32Block ctr, uint32_t k0,
                                                          uint32_t k1) {
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = static_cast<uint64_t>(detail::kPhiloxM0) * ctr[0];
    const uint64_t p1 = static_cast<uint64_t>(detail::kPhiloxM1) * ctr[2];
    ctr = {static_cast<uint32_t>(p1 >> 32) ^ ctr[1] ^ k0, static_cast<uint32_t>(p1),
           static_cast<uint32_t>(p0 >> 32) ^ ctr[3] ^ k1, static_cast<uint32_t>(p0)};
    k0 += detail::kPhiloxW0;
    k1 += detail::kPhiloxW1;
  }
  return ctr;
}

// One op call's random stream: block b of it is philox(seed, offset, b).
struct PhiloxStream {
  uint64_t seed = 0;
  uint64_t offset = 0;

  EMBER_HOST_DEVICE constexpr Philox4x32Block block(uint64_t b) const {
    return philox4x32_10({static_cast<uint32_t>(b), static_cast<uint32_t>(b >> 32),
                          static_cast<uint32_t>(offset), static_cast<uint32_t>(offset >> 32)},
                         static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
  }
};

// Conversions of raw words to uniforms. Each keeps only as many bits as the target type
// has mantissa digits, so the value is exact there and never rounds up to 1.
template <int kDigits>
EMBER_HOST_DEVICE constexpr float uniform_bits(uint32_t x) {  // [0, 1), kDigits <= 24
  static_assert(kDigits >= 1 && kDigits <= 24);
  return static_cast<float>(x >> (32 - kDigits)) * (1.0f / static_cast<float>(1u << kDigits));
}
EMBER_HOST_DEVICE constexpr float uniform_float(uint32_t x) { return uniform_bits<24>(x); }
EMBER_HOST_DEVICE constexpr double uniform_double(uint32_t lo, uint32_t hi) {  // [0, 1)
  const uint64_t v = (static_cast<uint64_t>(hi) << 32 | lo) >> 11;
  return static_cast<double>(v) * (1.0 / 9007199254740992.0);  // 2^-53
}
EMBER_HOST_DEVICE constexpr uint64_t make_u64(uint32_t lo, uint32_t hi) {
  return static_cast<uint64_t>(hi) << 32 | lo;
}

// An unbiased-enough integer in [0, range) from 64 random bits (Lemire's multiply-shift;
// bias below range / 2^64). range == 0 means the full 2^64.
EMBER_HOST_DEVICE constexpr uint64_t bounded_u64(uint64_t x, uint64_t range) {
  if (range == 0) return x;
#if defined(__CUDA_ARCH__)
  return __umul64hi(x, range);
#else
  return static_cast<uint64_t>((static_cast<unsigned __int128>(x) * range) >> 64);
#endif
}

}  // namespace ember::random
