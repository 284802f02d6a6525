#pragma once
// Moving tensors between devices: t.to("cuda"), t.cpu(). A copy to another device is the op
// `to_device` (differentiable: the gradient moves back), so autograd and tracing see it.
#include "core/op.h"

namespace ember {

// t itself when already on `device`; otherwise a contiguous copy there. Reading the result
// on the host is safe when `device` is the CPU (the copy has finished).
Tensor to_device(const Tensor& t, Device device);

// The same copy without autograd or tracing (printing, item(), kernels that stage data).
Tensor to_device_raw(const Tensor& t, Device device);

struct ToDeviceOp : OpImpl<ToDeviceOp> {
  static constexpr std::string_view kName = "to_device";
  Device device;
  explicit ToDeviceOp(Device d) : device(d) {}
  explicit ToDeviceOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  bool crosses_devices() const override { return true; }
  bool vjp_needs_inputs() const override { return false; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  void eval_cuda(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

}  // namespace ember
