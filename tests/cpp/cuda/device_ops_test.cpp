// The ops that ran through the host before (randperm, multinomial, nonzero, truncated_normal,
// logspace) against the CPU on a GPU, and fused Adam's step count kept on the device. Skips
// without a GPU.
#include <gtest/gtest.h>

#include "core/device_backend.h"
#include "core/device_copy.h"
#include "core/ops.h"
#include "core/ops/optim_update.h"
#include "core/ops/random.h"
#include "core/random/generator.h"

namespace ember {
namespace {

const Device kCuda(DeviceType::CUDA, 0);

#define SKIP_WITHOUT_GPU() \
  if (!cuda_is_available()) GTEST_SKIP() << "no CUDA device"

std::vector<double> host_values(const Tensor& t) {
  Tensor h = to_device(t, kCPU);
  std::vector<double> v;
  for (int64_t i = 0; i < h.numel(); ++i) v.push_back(read_as_double(h, i));
  return v;
}

TEST(CudaDeviceOps, RandpermIsTheCpuPermutation) {
  SKIP_WITHOUT_GPU();
  for (int64_t n : {0, 1, 2, 5, 64, 1001, 300007}) {
    Generator a(99), b(99);
    EXPECT_EQ(host_values(randperm(n, DType::Int64, kCuda, &a)),
              host_values(randperm(n, DType::Int64, kCPU, &b)))
        << n;
    EXPECT_EQ(a.offset(), b.offset());
  }
}

TEST(CudaDeviceOps, MultinomialDrawsTheCpuSamples) {
  SKIP_WITHOUT_GPU();
  Generator g0(3);
  const Tensor w = rand({4, 257}, DType::Float64, kCPU, &g0);
  for (bool replacement : {true, false}) {
    Generator a(5), b(5);
    const int64_t k = replacement ? 500 : 100;
    EXPECT_EQ(host_values(multinomial(to_device(w, kCuda), k, replacement, &a)),
              host_values(multinomial(w, k, replacement, &b)))
        << replacement;
  }
  EXPECT_THROW(host_values(multinomial(zeros({2, 3}, DType::Float32, kCuda), 1, true)),
               ValueError);
}

TEST(CudaDeviceOps, NonzeroMatchesCpu) {
  SKIP_WITHOUT_GPU();
  Generator g(1);
  const Tensor x = floor(mul(rand({6, 7, 5}, DType::Float32, kCPU, &g), 2.0));
  const Tensor got = nonzero(to_device(x, kCuda)), want = nonzero(x);
  EXPECT_EQ(got.shape(), want.shape());
  EXPECT_EQ(host_values(got), host_values(want));
  EXPECT_EQ(nonzero(zeros({3, 3}, DType::Float32, kCuda)).shape(), (Shape{0, 2}));
}

TEST(CudaDeviceOps, TruncatedNormalAndLogspaceMatchCpuToTheLastBits) {
  SKIP_WITHOUT_GPU();
  Generator a(17), b(17);
  const Tensor got = trunc_normal_(Tensor::empty({999}, DType::Float64, kCuda), 0.0, 1.0, -2.0, 2.0, &a);
  const Tensor want = trunc_normal_(Tensor::empty({999}, DType::Float64, kCPU), 0.0, 1.0, -2.0, 2.0, &b);
  const auto g = host_values(got), w = host_values(want);
  for (size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], w[i], 1e-13) << i;
  const auto lg = host_values(logspace(-2, 6, 41, 10.0, DType::Float64, kCuda));
  const auto lw = host_values(logspace(-2, 6, 41, 10.0, DType::Float64, kCPU));
  for (size_t i = 0; i < lg.size(); ++i) EXPECT_NEAR(lg[i], lw[i], 1e-15 * lw[i]) << i;
}

TEST(CudaDeviceOps, AdamUpdateReadsADeviceStepCount) {
  SKIP_WITHOUT_GPU();
  Generator gen(4);
  const Tensor p = rand({33}, DType::Float32, kCPU, &gen), m = rand({33}, DType::Float32, kCPU, &gen);
  const Tensor v = rand({33}, DType::Float32, kCPU, &gen);
  auto scalar = [](double x) { return full({}, x, DType::Float64); };
  for (double step : {1.0, 7.0, 1000.0}) {
    const Tensor pc = clone(p), pd = to_device(p, kCuda);
    adam_update_(pc, m, v, scalar(step), scalar(1e-3), scalar(0.9), scalar(0.999), scalar(1e-8),
                 scalar(0.01), true);
    adam_update_(pd, to_device(m, kCuda), to_device(v, kCuda), to_device(scalar(step), kCuda),
                 scalar(1e-3), scalar(0.9), scalar(0.999), scalar(1e-8), scalar(0.01), true);
    const auto g = host_values(pd), w = host_values(pc);
    for (size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], w[i], 1e-6 * std::abs(w[i])) << i;
  }
}

}  // namespace
}  // namespace ember
