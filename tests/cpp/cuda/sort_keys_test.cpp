// The radix keys of the CUDA sort (core/cuda/sort_keys.h): a stable sort by key, ascending
// or by ~key, must give the CPU sort's indices (NaN last / first, -0.0 == 0.0, ties stable,
// int64 compared as doubles). Runs without a GPU: the host build of the same functions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "core/cuda/sort_keys.h"
#include "core/ops/sort.h"
#include "core/tensor.h"

namespace ember {
namespace {

template <class T>
std::vector<int64_t> order_by_keys(const std::vector<T>& v, bool descending) {
  std::vector<int64_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) {
    auto ka = cuda::sort_key(v[size_t(a)]), kb = cuda::sort_key(v[size_t(b)]);
    if (descending) ka = ~ka, kb = ~kb;
    return ka < kb;
  });
  return idx;
}

template <class T>
std::vector<int64_t> cpu_order(const std::vector<T>& v, bool descending) {
  Tensor t = Tensor::empty({int64_t(v.size())}, dtype_v<T>, kCPU);
  std::copy(v.begin(), v.end(), static_cast<T*>(t.data_ptr()));
  Tensor idx = sort(t, 0, descending).indices;
  const int64_t* p = idx.data<int64_t>();
  return std::vector<int64_t>(p, p + v.size());
}

template <class T>
void expect_same_order(const std::vector<T>& v) {
  for (bool desc : {false, true}) {
    EXPECT_EQ(order_by_keys(v, desc), cpu_order(v, desc)) << "descending=" << desc;
  }
}

TEST(CudaSortKeys, FloatsMatchCpuOrderWithNanZerosAndTies) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = INFINITY;
  std::vector<float> v = {3.f, -0.f, nan, 1.f, 0.f, -inf, 1.f, -nan, inf, -2.5f, 0.f, -0.f,
                          3.f, std::numeric_limits<float>::denorm_min(), -1e-40f};
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> pick(-4, 4);
  for (int i = 0; i < 200; ++i) v.push_back(pick(rng) == 4 ? nan : float(pick(rng)) * 0.5f);
  expect_same_order(v);
  std::vector<double> d(v.begin(), v.end());
  expect_same_order(d);
}

TEST(CudaSortKeys, IntegersMatchCpuOrder) {
  std::vector<int32_t> i32 = {5, -3, 0, std::numeric_limits<int32_t>::min(), 5, -3,
                              std::numeric_limits<int32_t>::max(), 0};
  expect_same_order(i32);
  std::vector<uint8_t> u8 = {200, 0, 7, 255, 7, 1};
  expect_same_order(u8);
  // Above 2^53 the CPU compares int64 as doubles: 2^60 and 2^60 + 1 tie (stable order).
  const int64_t big = int64_t(1) << 60;
  std::vector<int64_t> i64 = {big + 1, big, -big, 3, big, -3, std::numeric_limits<int64_t>::min()};
  expect_same_order(i64);
}

TEST(CudaSortKeys, KeysAreMonotoneAcrossTheFloatRange) {
  std::vector<float> v = {-INFINITY, -3e38f, -1.f, -1e-45f, 0.f, 1e-45f, 1.f, 3e38f, INFINITY,
                          std::numeric_limits<float>::quiet_NaN()};
  for (size_t i = 1; i < v.size(); ++i) {
    EXPECT_LT(cuda::sort_key(v[i - 1]), cuda::sort_key(v[i])) << v[i - 1] << " vs " << v[i];
  }
  EXPECT_EQ(cuda::sort_key(-0.f), cuda::sort_key(0.f));
  EXPECT_EQ(cuda::sort_key(-std::numeric_limits<double>::quiet_NaN()),
            cuda::sort_key(std::numeric_limits<double>::quiet_NaN()));
}

}  // namespace
}  // namespace ember
