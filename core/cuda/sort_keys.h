#pragma once
// Radix-sort keys with the CPU's sort order (core/ops/sort.cpp): each value becomes an
// unsigned integer whose ascending order is that order, so a stable radix sort of the keys
// gives the CPU's stable sort. NaN (any sign or payload) maps above +inf, -0.0 to +0.0 (the
// CPU compares them equal, so ties keep their positions), and integers compare as the CPU
// compares them, as doubles (two int64 above 2^53 that round to one double tie there too).
// Descending order is the ascending order of ~key: still stable, NaN first. Plain header,
// host and device, so the mapping is tested on the host (tests/cpp/cuda/sort_keys_test.cpp).
#include <cstdint>
#include <cstring>

#ifdef __CUDACC__
#define EMBER_SORT_KEY_FN __host__ __device__ __forceinline__
#else
#define EMBER_SORT_KEY_FN inline
#endif

namespace ember::cuda {

EMBER_SORT_KEY_FN uint32_t sort_key(float v) {
  if (v != v) return 0xffffffffu;
  if (v == 0.0f) v = 0.0f;
  uint32_t b;
  std::memcpy(&b, &v, sizeof b);
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

EMBER_SORT_KEY_FN uint64_t sort_key(double v) {
  if (v != v) return ~uint64_t(0);
  if (v == 0.0) v = 0.0;
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  const uint64_t sign = uint64_t(1) << 63;
  return (b & sign) ? ~b : (b | sign);
}

// Exact in both orders; int64 goes through sort_key(double) to tie where the CPU ties.
EMBER_SORT_KEY_FN uint32_t sort_key(int32_t v) { return uint32_t(v) ^ 0x80000000u; }
EMBER_SORT_KEY_FN uint32_t sort_key(uint8_t v) { return v; }
EMBER_SORT_KEY_FN uint32_t sort_key(bool v) { return v ? 1u : 0u; }
EMBER_SORT_KEY_FN uint64_t sort_key(int64_t v) { return sort_key(static_cast<double>(v)); }

}  // namespace ember::cuda
