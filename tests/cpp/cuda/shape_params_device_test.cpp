// Re-specializing a parametric graph (trace/shape_params.h) whose size-dependent constant
// lives on a CUDA device: the new constant is written on the host and copied, never through
// the device pointer. The CPU case runs everywhere; the CUDA case skips without a GPU (on a
// GPU, writing through the device pointer from the host crashed or left the value unset).
#include <gtest/gtest.h>

#include "core/device_backend.h"
#include "core/device_copy.h"
#include "core/op_registry.h"
#include "core/ops.h"
#include "trace/shape_params.h"

namespace ember::trace {
namespace {

const Device kCuda(DeviceType::CUDA, 0);

// out = x * c with x of shape [size] and the 0-dim constant c = 3 * size + 1 on `d`.
Graph scaled_by_size(int64_t size, Device d) {
  Graph g;
  const ValueId x = g.add_input(TensorMeta{Shape{size}, DType::Float32, d}, "x");
  Tensor host = full({}, static_cast<double>(3 * size + 1), DType::Float32);
  host.impl()->set_wrapped_number(true);
  const ValueId c = g.add_constant(d.is_cpu() ? host : to_device_raw(host, d));
  auto out = g.add_node(std::shared_ptr<const Op>(make_op("mul", Attrs{})), {x, c},
                        {TensorMeta{Shape{size}, DType::Float32, d}});
  g.set_outputs(out);
  return g;
}

void check_specialized_constant(Device d) {
  std::string why;
  auto p = fit_shape_params(scaled_by_size(4, d), 4, scaled_by_size(6, d), 6, &why);
  ASSERT_TRUE(p.has_value()) << why;
  ASSERT_EQ(p->constants.size(), 1u);
  const Graph g = specialize(scaled_by_size(4, d), *p, 11);
  ASSERT_EQ(g.constants().size(), 1u);
  const Tensor& c = g.constants()[0];
  EXPECT_EQ(c.device(), d);
  EXPECT_EQ(c.dtype(), DType::Float32);
  EXPECT_TRUE(c.impl()->is_wrapped_number());
  EXPECT_EQ(read_as_double(c, 0), 3.0 * 11 + 1);
  EXPECT_EQ(g.value(g.inputs()[0]).meta.shape, (Shape{11}));
  // The traced graph keeps its own constant.
  EXPECT_EQ(read_as_double(scaled_by_size(4, d).constants()[0], 0), 13.0);
}

TEST(ShapeParamsDevice, SpecializedConstantOnCpu) { check_specialized_constant(kCPU); }

TEST(ShapeParamsDevice, SpecializedConstantOnCudaIsWrittenThroughTheHost) {
  if (!cuda_is_available()) GTEST_SKIP() << "no CUDA device";
  check_specialized_constant(kCuda);
}

}  // namespace
}  // namespace ember::trace
