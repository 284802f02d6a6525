#include "core/device_copy.h"

#include "core/device_backend.h"
#include "core/dispatch.h"
#include "core/op_registry.h"

namespace ember {

EMBER_REGISTER_OP(ToDeviceOp);

ToDeviceOp::ToDeviceOp(const Attrs& a) : device(a.get<std::string>("device", kName)) {}

void ToDeviceOp::attributes(Attrs& out) const { out.set("device", device.str()); }

MetaList ToDeviceOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  if (device.is_cuda()) check_cuda_device(device, "to");
  return {TensorMeta{in[0].shape(), in[0].dtype(), device}};
}

void ToDeviceOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  cuda_backend_checked("to").copy(out[0], in[0]);
}

void ToDeviceOp::eval_cuda(std::span<const Tensor> in, std::span<Tensor> out) const {
  cuda_backend_checked("to").copy(out[0], in[0]);
}

TensorList ToDeviceOp::vjp(const VjpArgs& a) const {
  return {to_device(a.grads[0], a.input_meta[0].device)};
}

Tensor to_device(const Tensor& t, Device device) {
  if (t.device() == device) return t;
  ToDeviceOp op(device);
  const Tensor in[] = {t};
  return dispatch1(op, in);
}

Tensor to_device_raw(const Tensor& t, Device device) {
  if (t.device() == device) return t;
  ToDeviceOp op(device);
  const Tensor in[] = {t};
  return std::move(run_op(op, in)[0]);
}

}  // namespace ember
