// The NVRTC fused kernel on a GPU against the CPU fused loop: the same FusedElementwiseOp
// evaluated on CPU tensors (vectorized interpreter) and on CUDA tensors (generated kernel).
// Skips without a GPU; the code generation itself is tested in nvrtc_fusion_test.cpp.
#include <gtest/gtest.h>

#include "core/device_backend.h"
#include "core/device_copy.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/arithmetic_ops.h"
#include "core/ops/comparison_ops.h"
#include "core/ops/unary_ops.h"
#include "trace/fused_elementwise.h"

namespace ember::trace {
namespace {

const Device kCuda(DeviceType::CUDA, 0);

#define SKIP_WITHOUT_GPU() \
  if (!cuda_is_available()) GTEST_SKIP() << "no CUDA device"

std::shared_ptr<const Op> op(std::unique_ptr<Op> o) { return std::shared_ptr<const Op>(std::move(o)); }

// exp(x * w) > y ? tanh(x) : sigmoid(y), where w is a broadcast row and the comparison a
// bool step.
FusedElementwiseOp make_chain(Shape shape) {
  const TensorMeta f{shape, DType::Float32, kCPU}, b{shape, DType::Bool, kCPU};
  std::vector<FusedStep> steps = {
      {op(std::make_unique<MulOp>()), {0, 1}, f},      // r3 = x * w
      {op(std::make_unique<ExpOp>()), {3}, f},         // r4
      {op(std::make_unique<GtOp>()), {4, 2}, b},       // r5 = r4 > y
      {op(std::make_unique<TanhOp>()), {0}, f},        // r6
      {op(std::make_unique<SigmoidOp>()), {2}, f},     // r7
      {op(std::make_unique<WhereOp>()), {5, 6, 7}, f}, // r8
  };
  return FusedElementwiseOp(3, std::move(steps));
}

std::vector<double> values(const Tensor& t) {
  const Tensor h = to_device(t, kCPU);
  std::vector<double> v;
  for (int64_t i = 0; i < h.numel(); ++i) v.push_back(read_as_double(h, i));
  return v;
}

TEST(NvrtcFusionDevice, MatchesCpuLoop) {
  const Shape shape{37, 129};
  const FusedElementwiseOp chain = make_chain(shape);
  // The chain has a program, so the GPU runs the generated kernel (not the op-by-op path).
  ASSERT_TRUE(chain.program().has_value());
  const Tensor x = randn({37, 129}), w = randn({129}), y = randn({37, 129});
  const Tensor cpu_in[] = {x, w, y};
  const std::vector<double> cpu = values(run_op(chain, cpu_in)[0]);
  SKIP_WITHOUT_GPU();
  const Tensor gpu_in[] = {to_device(x, kCuda), to_device(w, kCuda), to_device(y, kCuda)};
  const Tensor gpu_out = run_op(chain, gpu_in)[0];
  EXPECT_EQ(gpu_out.device(), kCuda);
  const std::vector<double> gpu = values(gpu_out);
  ASSERT_EQ(gpu.size(), cpu.size());
  for (size_t i = 0; i < cpu.size(); ++i) EXPECT_NEAR(gpu[i], cpu[i], 1e-5 * (1 + std::abs(cpu[i]))) << i;
}

}  // namespace
}  // namespace ember::trace
