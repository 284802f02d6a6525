#pragma once
// The per-element steps of the parallel randperm (randperm.cu explains the method): the swap
// target of iteration i, the links read from the pairs sorted by target, one pointer-jumping
// step, and the final value. Plain header, host and device, so the method is checked against
// the CPU's sequential shuffle on the host (tests/cpp/cuda/randperm_steps_test.cpp), with
// std::stable_sort in place of CUB's radix sort.
#include <cstdint>

#include "core/random/philox.h"

namespace ember::cuda::randperm_steps {

constexpr int64_t kNone = -1;

// J_i: the slot the CPU's iteration i swaps with (64-bit draw i, bounded to [0, i]); J_0 = 0.
EMBER_HOST_DEVICE inline int64_t target(const random::PhiloxStream& s, int64_t i) {
  if (i == 0) return 0;
  const random::Philox4x32Block r = s.block(static_cast<uint64_t>(i / 2));
  const int lane = static_cast<int>(i & 1) * 2;
  return static_cast<int64_t>(random::bounded_u64(random::make_u64(r[lane], r[lane + 1]),
                                                  static_cast<uint64_t>(i + 1)));
}

// Entry k of the (target, iteration) pairs sorted stably by target: sets next[i] for its
// iteration i and, for the first entry of each target p, ptr[p] = m(p) (ptr starts as the
// identity: an iteration no other one precedes is its own root).
EMBER_HOST_DEVICE inline void link(int64_t k, int64_t n, const int64_t* sorted_targets,
                                   const int64_t* sorted_iterations, int64_t* next,
                                   int64_t* ptr) {
  const int64_t i = sorted_iterations[k], p = sorted_targets[k];
  const int64_t nx = k + 1 < n && sorted_targets[k + 1] == p ? sorted_iterations[k + 1] : kNone;
  next[i] = nx;
  if (k == 0 || sorted_targets[k - 1] != p) {
    const int64_t m = i != p ? i : nx;  // m(p) > p: iteration p itself does not count
    if (m != kNone) ptr[p] = m;
  }
}

// One pointer-jumping round for element i.
EMBER_HOST_DEVICE inline int64_t jump(int64_t i, const int64_t* ptr) { return ptr[ptr[i]]; }

// The permutation's value at i, from the roots F after the jumps.
EMBER_HOST_DEVICE inline int64_t value(int64_t i, const int64_t* targets, const int64_t* next,
                                       const int64_t* root) {
  return next[i] != kNone ? root[next[i]] : targets[i];
}

}  // namespace ember::cuda::randperm_steps
