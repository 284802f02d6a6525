#include "core/op.h"

#include "core/device_backend.h"

namespace ember {

void Op::eval_cpu(std::span<const Tensor>, std::span<Tensor>) const {
  raise<NotImplementedError>("[{}] has no CPU implementation", name());
}

void Op::eval_cuda(std::span<const Tensor> inputs, std::span<Tensor> outputs) const {
  if (CudaKernel kernel = find_cuda_kernel(name())) return kernel(*this, inputs, outputs);
  if (!cuda_backend()) {
    raise<NotImplementedError>("[{}] has no CUDA implementation in this build", name());
  }
  raise<NotImplementedError>("[{}] has no CUDA kernel yet; move its inputs to the CPU with "
                             ".cpu() for this op", name());
}

TensorList Op::make_views(std::span<const Tensor>) const {
  raise<Error>("[{}] is not a view op", name());
}

TensorList Op::vjp(const VjpArgs&) const {
  raise<NotImplementedError>("[{}] is not differentiable", name());
}

bool Op::is_equivalent(const Op& other) const {
  if (name() != other.name()) return false;
  Attrs a, b;
  attributes(a);
  other.attributes(b);
  return a == b;
}

void check_num_inputs(const Op& op, std::span<const Tensor> inputs, size_t n) {
  if (inputs.size() != n) {
    raise<ValueError>("[{}] expected {} inputs, got {}", op.name(), n, inputs.size());
  }
  for (size_t i = 0; i < n; ++i) {
    if (!inputs[i].defined()) raise<ValueError>("[{}] input {} is undefined", op.name(), i);
  }
}

namespace {
// A Python number, or a 0-dim CPU tensor (an optimizer's lr, a step count), which CUDA
// kernels read on the host as PyTorch allows (dispatch.cpp's check_devices has the same rule).
bool is_host_scalar(const Tensor& t) {
  return t.impl()->is_wrapped_number() || (t.device().is_cpu() && t.dim() == 0);
}
}  // namespace

void check_same_device(const Op& op, std::span<const Tensor> inputs) {
  if (inputs.empty() || !inputs[0].defined()) return;
  const Tensor* ref = &inputs[0];
  for (const Tensor& t : inputs) {
    if (t.defined() && !is_host_scalar(t)) {
      ref = &t;
      break;
    }
  }
  for (const Tensor& t : inputs) {
    if (!t.defined() || t.device() == ref->device() || t.impl()->is_wrapped_number()) continue;
    if (ref->device().is_cuda() && is_host_scalar(t)) continue;
    raise<ValueError>("[{}] expected all tensors on one device, got {} and {}", op.name(),
                      ref->device().str(), t.device().str());
  }
}

void check_floating(const Op& op, const Tensor& t) {
  if (!is_floating(t.dtype())) {
    raise<TypeError>("[{}] expected a floating-point tensor, got {}", op.name(),
                     dtype_name(t.dtype()));
  }
}

}  // namespace ember
