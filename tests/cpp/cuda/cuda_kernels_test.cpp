// The native CUDA kernels against the CPU: random draws bit for bit for the same generator
// state, indexing and scans exactly, statistics to rounding, and out-of-range indices
// raising IndexError at the next synchronization. Skips without a GPU.
#include <gtest/gtest.h>

#include "core/device_backend.h"
#include "core/device_copy.h"
#include "core/ops.h"
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

Tensor int64s(const std::vector<int64_t>& v, IntList shape) {
  Tensor t = Tensor::empty(shape, DType::Int64);
  std::copy(v.begin(), v.end(), static_cast<int64_t*>(t.data_ptr()));
  return t;
}

void expect_near_all(const Tensor& got, const Tensor& want, double tol) {
  const auto g = host_values(got), w = host_values(want);
  ASSERT_EQ(g.size(), w.size());
  for (size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], w[i], tol * std::max(1.0, std::abs(w[i]))) << i;
}

TEST(CudaKernels, RandomDrawsMatchCpuBitForBit) {
  SKIP_WITHOUT_GPU();
  for (DType dt : {DType::Float32, DType::Float64, DType::Float16, DType::BFloat16}) {
    Generator a(1234), b(1234);
    // Odd sizes cover partial Philox blocks.
    EXPECT_EQ(host_values(rand({1001}, dt, kCuda, &a)), host_values(rand({1001}, dt, kCPU, &b)));
    EXPECT_EQ(host_values(randn({1003}, dt, kCuda, &a)), host_values(randn({1003}, dt, kCPU, &b)));
    EXPECT_EQ(a.offset(), b.offset());  // the generator advanced the same way
  }
  Generator a(7), b(7);
  EXPECT_EQ(host_values(randint(-5, 17, {999}, DType::Int64, kCuda, &a)),
            host_values(randint(-5, 17, {999}, DType::Int64, kCPU, &b)));
  EXPECT_EQ(host_values(bernoulli(ones({777}, DType::Float32, kCuda), 0.3, &a)),
            host_values(bernoulli(ones({777}, DType::Float32, kCPU), 0.3, &b)));
  const Tensor p = rand({513}, DType::Float64, kCPU, &b);
  rand({513}, DType::Float64, kCPU, &a);  // keep the streams in step
  EXPECT_EQ(host_values(bernoulli(to_device(p, kCuda), &a)), host_values(bernoulli(p, &b)));
  Tensor ge = zeros({257}, DType::Float32, kCuda), ce = zeros({257}, DType::Float32, kCPU);
  exponential_(ge, 2.0, &a);
  exponential_(ce, 2.0, &b);
  EXPECT_EQ(host_values(ge), host_values(ce));
}

TEST(CudaKernels, GatherScatterIndexMatchCpu) {
  SKIP_WITHOUT_GPU();
  const Tensor x = reshape(arange(20, DType::Float32), {4, 5});
  const Tensor idx = int64s({0, 4, 2, -1, 1, 3}, {2, 3});  // -1 wraps
  const Tensor gx = to_device(x, kCuda), gi = to_device(idx, kCuda);
  EXPECT_EQ(host_values(gather(gx, 1, gi)), host_values(gather(x, 1, idx)));
  const Tensor src = reshape(arange(6, DType::Float32), {2, 3});
  EXPECT_EQ(host_values(scatter_add(gx, 1, gi, to_device(src, kCuda))),
            host_values(scatter_add(x, 1, idx, src)));
  EXPECT_EQ(host_values(flip(gx, {0, 1})), host_values(flip(x, {0, 1})));
  const Tensor parts[] = {gx, gx};
  const Tensor cparts[] = {x, x};
  EXPECT_EQ(host_values(cat(parts, 1)), host_values(cat(cparts, 1)));
}

TEST(CudaKernels, ScansAndStatisticsMatchCpu) {
  SKIP_WITHOUT_GPU();
  Generator g(3);
  const Tensor x = randn({6, 33}, DType::Float64, kCPU, &g);
  const Tensor gx = to_device(x, kCuda);
  EXPECT_EQ(host_values(cumsum(gx, 1)), host_values(cumsum(x, 1)));  // same double loop
  expect_near_all(var(gx, {1}), var(x, {1}), 1e-12);
  expect_near_all(logsumexp(gx, {0}), logsumexp(x, {0}), 1e-12);
  expect_near_all(norm(gx, 3.0, {1}), norm(x, 3.0, {1}), 1e-12);
}

TEST(CudaKernels, OutOfRangeIndexRaisesAtNextSync) {
  SKIP_WITHOUT_GPU();
  const Tensor gx = to_device(reshape(arange(20, DType::Float32), {4, 5}), kCuda);
  const Tensor bad = to_device(int64s({0, 5}, {1, 2}), kCuda);
  Tensor out = gather(gx, 1, bad);  // queued; the kernel records the bad index
  EXPECT_THROW(host_values(out), IndexError);
  // Reported once: the next read is clean.
  EXPECT_EQ(host_values(gather(gx, 1, to_device(int64s({1}, {1, 1}), kCuda))),
            (std::vector<double>{1}));
}

}  // namespace
}  // namespace ember

namespace ember {
namespace {

// Every op with a CUDA path has a native kernel: none is listed for the host path
// (core/cuda/cpu_fallback.cpp), which synchronizes. Needs no GPU.
TEST(CudaKernels, NativeOpsDoNotGoThroughTheHost) {
  CudaBackend* b = cuda_backend();
  if (!b) GTEST_SKIP() << "no CUDA backend: " << cuda_backend_error();
  for (const char* op : {"uniform", "normal", "exponential", "randint", "bernoulli", "gather",
                         "scatter", "index", "index_put", "masked_fill", "one_hot",
                         "index_one_hot", "cat", "flip", "var", "std", "logsumexp", "norm",
                         "cumsum", "cumprod", "normalize_moments", "axpby", "adam_update",
                         "truncated_normal", "randperm", "multinomial", "nonzero",
                         "nonzero_count", "logspace", "norm_backward", "cumprod_backward"}) {
    EXPECT_NE(find_cuda_kernel(op), nullptr) << op;
    const std::string_view name(op);
    if (name == "nonzero" || name == "multinomial") continue;  // read a value back: they sync
    EXPECT_FALSE(b->runs_through_host(op)) << op << " still runs through the host";
  }
}

}  // namespace
}  // namespace ember
