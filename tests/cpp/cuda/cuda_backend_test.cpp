// The CUDA backend from C++: loads (or explains why not) everywhere; the device checks skip
// without a GPU.
#include <gtest/gtest.h>

#include "core/device_backend.h"
#include "core/device_copy.h"
#include "core/ops.h"

namespace ember {
namespace {

const Device kCuda(DeviceType::CUDA, 0);

#define SKIP_WITHOUT_GPU() \
  if (!cuda_is_available()) \
  GTEST_SKIP() << "no CUDA device" << (cuda_backend_error().empty() ? "" : ": ") << cuda_backend_error()

std::vector<double> host_values(const Tensor& t) {
  Tensor h = to_device(t, kCPU);
  std::vector<double> v;
  for (int64_t i = 0; i < h.numel(); ++i) v.push_back(read_as_double(h, i));
  return v;
}

TEST(CudaBackend, LoadsOrExplains) {
  CudaBackend* b = cuda_backend();
  if (b) {
    EXPECT_GE(b->device_count(), 0);
    EXPECT_NE(find_cuda_kernel("add"), nullptr);
    EXPECT_NE(find_cuda_kernel("matmul"), nullptr);
  } else {
    EXPECT_FALSE(cuda_backend_error().empty());
  }
  EXPECT_EQ(cuda_is_available(), cuda_device_count() > 0);
}

TEST(CudaBackend, MovingWithoutGpuRaises) {
  if (cuda_is_available()) GTEST_SKIP() << "checks the no-GPU path";
  EXPECT_THROW(to_device(ones({2}), kCuda), Error);
  EXPECT_THROW(zeros({2}, DType::Float32, kCuda), Error);
}

TEST(CudaBackend, RoundTripAndElementwise) {
  SKIP_WITHOUT_GPU();
  Tensor a = arange(6, DType::Float32);
  Tensor g = to_device(a, kCuda);
  EXPECT_EQ(g.device(), kCuda);
  EXPECT_EQ(host_values(add(g, g)), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(host_values(mul(g, Scalar(3.0))), (std::vector<double>{0, 3, 6, 9, 12, 15}));
  EXPECT_DOUBLE_EQ(sum(g).item<double>(), 15.0);
}

TEST(CudaBackend, MatmulMatchesCpu) {
  SKIP_WITHOUT_GPU();
  Tensor a = reshape(arange(12, DType::Float32), {3, 4});
  Tensor b = reshape(arange(8, DType::Float32), {4, 2});
  EXPECT_EQ(host_values(matmul(to_device(a, kCuda), to_device(b, kCuda))),
            host_values(matmul(a, b)));
}

TEST(CudaBackend, MixedDevicesRaise) {
  SKIP_WITHOUT_GPU();
  EXPECT_THROW(add(ones({3}), to_device(ones({3}), kCuda)), ValueError);
}

TEST(CudaBackend, CachingAllocatorReusesBlocks) {
  SKIP_WITHOUT_GPU();
  CudaBackend& b = *cuda_backend();
  { Tensor t = empty({1 << 20}, DType::Float32, kCuda); }
  const int64_t mallocs = b.memory_stats(0).num_device_allocs;
  for (int i = 0; i < 10; ++i) Tensor t = empty({1 << 20}, DType::Float32, kCuda);
  EXPECT_EQ(b.memory_stats(0).num_device_allocs, mallocs);
}

}  // namespace
}  // namespace ember
