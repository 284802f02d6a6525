#include "core/ops/copy.h"

#include "core/cpu/copy.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/copy_ops.h"
#include "core/ops/grad_utils.h"

namespace ember {

EMBER_REGISTER_OP(CastOp);
EMBER_REGISTER_OP(CloneOp);
EMBER_REGISTER_OP(CopyOp);

MetaList CastOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  return {TensorMeta{in[0].shape(), dtype, in[0].device()}};
}
void CastOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  copy_into(out[0], in[0]);
}
TensorList CastOp::vjp(const VjpArgs& a) const {
  if (!is_floating(a.input_meta[0].dtype)) return {Tensor()};
  return {to_dtype(a.grads[0], a.input_meta[0].dtype)};
}

MetaList CloneOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  return {TensorMeta{in[0].shape(), in[0].dtype(), in[0].device()}};
}
void CloneOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  copy_into(out[0], in[0]);
}

MetaList CopyOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 2);
  check_same_device(*this, in);
  broadcast_shapes(in[0].shape(), in[1].shape(), "copy_");
  Shape s = broadcast_shapes(in[0].shape(), in[1].shape(), "copy_");
  if (s != in[0].shape()) {
    raise<ValueError>("[copy_] source of shape {} cannot be broadcast to the destination's "
                      "shape {}", shape_str(in[1].shape()), shape_str(in[0].shape()));
  }
  return {TensorMeta{in[0].shape(), in[0].dtype(), in[0].device()}};
}
void CopyOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  copy_into(out[0], in[1]);
}
TensorList CopyOp::vjp(const VjpArgs& a) const {
  Tensor gdst = a.needs_grad[0] ? zeros_like(a.grads[0]) : Tensor();
  Tensor gsrc = a.needs_grad[1] ? reduce_grad(a.grads[0], a.input_meta[1]) : Tensor();
  return {gdst, gsrc};
}

Tensor to_dtype(const Tensor& t, DType dtype) {
  if (t.dtype() == dtype) return t;
  CastOp op(dtype);
  const Tensor in[] = {t};
  return dispatch1(op, in);
}

Tensor clone(const Tensor& t) {
  static const CloneOp op;
  const Tensor in[] = {t};
  return dispatch1(op, in);
}

Tensor contiguous(const Tensor& t) { return t.is_contiguous() ? t : clone(t); }

const Tensor& copy_(const Tensor& dst, const Tensor& src) {
  static const CopyOp op;
  const Tensor in[] = {dst, src};
  dispatch_inplace(op, in);
  return dst;
}

}  // namespace ember
