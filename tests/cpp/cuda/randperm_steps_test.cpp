// The parallel randperm of the CUDA backend (core/cuda/randperm.cu), step by step on the
// host (core/cuda/randperm_steps.h, std::stable_sort standing in for CUB's radix sort and a
// plain loop for each kernel): it must reproduce the CPU's sequential Fisher-Yates shuffle
// exactly, for the same Philox stream. Runs without a GPU.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "core/cuda/randperm_steps.h"
#include "core/ops/random.h"
#include "core/random/generator.h"

namespace ember {
namespace {

namespace steps = cuda::randperm_steps;

std::vector<int64_t> parallel_randperm(int64_t n, const random::PhiloxStream& s) {
  std::vector<int64_t> targets(n), iterations(n), ptr(n), next(n);
  for (int64_t i = 0; i < n; ++i) {
    targets[i] = steps::target(s, i);
    iterations[i] = i;
    ptr[i] = i;
  }
  std::vector<int64_t> order(iterations);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return targets[a] < targets[b]; });
  std::vector<int64_t> sorted_targets(n);
  for (int64_t k = 0; k < n; ++k) sorted_targets[k] = targets[order[k]];
  for (int64_t k = 0; k < n; ++k) {
    steps::link(k, n, sorted_targets.data(), order.data(), next.data(), ptr.data());
  }
  std::vector<int64_t> jumped(n);
  for (int64_t reach = 1; reach < n; reach *= 2) {  // the kernel's rounds, double-buffered
    for (int64_t i = 0; i < n; ++i) jumped[i] = steps::jump(i, ptr.data());
    ptr.swap(jumped);
  }
  std::vector<int64_t> out(n);
  for (int64_t i = 0; i < n; ++i) out[i] = steps::value(i, targets.data(), next.data(), ptr.data());
  return out;
}

TEST(RandpermSteps, ReproduceTheCpuShuffle) {
  for (uint64_t seed : {0ull, 1ull, 12345ull}) {
    for (int64_t n : {0, 1, 2, 3, 4, 5, 8, 31, 100, 1000, 65536, 100003}) {
      Generator gen(seed);
      const random::PhiloxStream s{gen.next_stream()};
      Generator replay(seed);
      const Tensor want = randperm(n, DType::Int64, kCPU, &replay);
      const auto* w = static_cast<const int64_t*>(want.data_ptr());
      EXPECT_EQ(parallel_randperm(n, s), std::vector<int64_t>(w, w + n)) << "n=" << n;
    }
  }
}

TEST(RandpermSteps, SwapTargetsStayInRange) {
  const random::PhiloxStream s{7, 0};
  EXPECT_EQ(steps::target(s, 0), 0);
  for (int64_t i = 1; i < 5000; ++i) {
    const int64_t j = steps::target(s, i);
    ASSERT_GE(j, 0);
    ASSERT_LE(j, i);
  }
}

}  // namespace
}  // namespace ember
