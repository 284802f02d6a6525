// CUDA graph capture from C++ (core/cuda/graph_capture.h, caching_allocator.h private pools):
// the host-path query runs everywhere; the capture checks skip without a GPU.
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

TEST(CudaGraphCapture, HostPathOpsAreKnown) {
  CudaBackend* b = cuda_backend();
  if (!b) GTEST_SKIP() << "no CUDA backend: " << cuda_backend_error();
  for (const char* op : {"randperm", "truncated_normal", "logspace", "norm_backward",
                         "cumprod_backward"}) {
    EXPECT_FALSE(b->runs_through_host(op)) << op << ": a device kernel now";
  }
  // Device kernels that read a value back synchronize all the same.
  EXPECT_TRUE(b->runs_through_host("nonzero"));
  EXPECT_TRUE(b->runs_through_host("multinomial"));
  EXPECT_FALSE(b->runs_through_host("arange"));  // a device kernel now
  EXPECT_FALSE(b->runs_through_host("sort"));
  EXPECT_FALSE(b->runs_through_host("add"));
}

TEST(CudaGraphCapture, ReplaysRecordedKernelsIntoPrivateBlocks) {
  SKIP_WITHOUT_GPU();
  CudaBackend& b = *cuda_backend();
  Tensor x = to_device(full({1024}, 2.0), kCuda);
  std::unique_ptr<CudaGraphCapture> g = b.begin_graph_capture(0);
  Tensor t = mul(x, x);  // allocated from the graph's private pool
  void* const t_block = t.data_ptr();
  Tensor y = add(t, 1.0);
  t = Tensor();  // freed during the capture: back to the private pool only
  ASSERT_EQ(g->end_capture(), "");
  b.copy(x, to_device(full({1024}, 3.0), kCuda));
  g->launch();
  EXPECT_DOUBLE_EQ(read_as_double(to_device(y, kCPU), 5), 10.0);
  // The graph's freed blocks are not handed to tensors outside it: replays write them.
  std::vector<Tensor> others;
  for (int i = 0; i < 8; ++i) {
    others.push_back(to_device(zeros({1024}), kCuda));
    EXPECT_NE(others.back().data_ptr(), t_block);
  }
  b.copy(x, to_device(full({1024}, 4.0), kCuda));
  g->launch();
  EXPECT_DOUBLE_EQ(read_as_double(to_device(y, kCPU), 0), 17.0);
  EXPECT_DOUBLE_EQ(read_as_double(to_device(others[0], kCPU), 0), 0.0);
}

TEST(CudaGraphCapture, HostScalarBecomesAFillNotAStagedCopy) {
  SKIP_WITHOUT_GPU();
  CudaBackend& b = *cuda_backend();
  Tensor x = to_device(full({16}, 1.0), kCuda);
  Tensor s = Tensor::empty({}, DType::Float32, kCuda);
  std::unique_ptr<CudaGraphCapture> g = b.begin_graph_capture(0);
  b.copy(s, full({}, 2.5));
  Tensor y = mul(x, s);
  ASSERT_EQ(g->end_capture(), "");
  g->launch();
  EXPECT_DOUBLE_EQ(read_as_double(to_device(y, kCPU), 3), 2.5);
}

TEST(CudaGraphCapture, AFailedCaptureCanBeAborted) {
  SKIP_WITHOUT_GPU();
  CudaBackend& b = *cuda_backend();
  std::unique_ptr<CudaGraphCapture> g = b.begin_graph_capture(0);
  g->abort_capture();
  g.reset();
  Tensor x = to_device(full({4}, 1.0), kCuda);  // the stream works normally afterwards
  EXPECT_DOUBLE_EQ(read_as_double(to_device(add(x, x), kCPU), 0), 2.0);
}

}  // namespace
}  // namespace ember
