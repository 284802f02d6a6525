// CUDA kernels of the fused optimizer ops (axpby, adam_update; optim_update_ops.h). The
// scalar operands (lr, betas, ...) are the optimizer's one-element CPU tensors, read on the
// host without a sync; a scalar already on the device is read with item() (a sync), except
// Adam's step count, which fused Adam keeps on the device and the kernel reads there.
#include <cmath>

#include "core/cuda/tensor_args.h"
#include "core/device_backend.h"
#include "core/op.h"
#include "core/ops/optim_update_ops.h"

namespace ember::cuda {
namespace {

double scalar_value(const Tensor& t) { return t.item<double>(); }

void axpby_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const Tensor& o = out[0];
  const Tensor y = as_operand(in[0], o.device(), o.dtype());
  const Tensor x = as_operand(in[1], o.device(), o.dtype());
  OptimParams p;
  p.alpha = scalar_value(in[2]);
  p.beta = scalar_value(in[3]);
  p.square_x = static_cast<const AxpbyOp&>(op).square_x;
  launch_axpby(p, make_args(o.shape(), {&o, &y, &x}, "axpby"), stream_ptr(o));
}

void adam_update_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const Tensor& o = out[0];
  const Tensor w = as_operand(in[0], o.device(), o.dtype());
  const Tensor m = as_operand(in[1], o.device(), o.dtype());
  const Tensor v = as_operand(in[2], o.device(), o.dtype());
  const double lr = scalar_value(in[4]);
  const double beta1 = scalar_value(in[5]), beta2 = scalar_value(in[6]);
  const double eps = scalar_value(in[7]), wd = scalar_value(in[8]);
  OptimParams p;
  Tensor step_on_device;  // keeps a converted copy alive until the launch is queued
  if (in[3].device().is_cpu()) {
    // The per-step scalars in double on the host, exactly as the CPU kernel computes them.
    const double step = scalar_value(in[3]);
    p.step_size = lr / (1.0 - std::pow(beta1, step));
    p.bc2_sqrt = std::sqrt(1.0 - std::pow(beta2, step));
  } else {
    // A device step count (fused Adam's state on CUDA): read by the kernel, not the host, so
    // there is no sync and a captured CUDA graph sees every replay's count.
    step_on_device = as_operand(in[3], o.device(), DType::Float64);
    p.step = static_cast<const double*>(step_on_device.data_ptr());
    p.lr = lr;
    p.beta1 = beta1;
    p.beta2 = beta2;
  }
  p.decay = static_cast<const AdamUpdateOp&>(op).decoupled_weight_decay ? 1.0 - lr * wd : 1.0;
  p.eps = eps;
  launch_adam_update(p, make_args(o.shape(), {&o, &w, &m, &v}, "adam_update"), stream_ptr(o));
}

struct Registrar {
  Registrar() {
    register_cuda_kernel("axpby", &axpby_kernel);
    register_cuda_kernel("adam_update", &adam_update_kernel);
  }
};
const Registrar registrar;

}  // namespace
}  // namespace ember::cuda
