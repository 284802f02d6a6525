#include "core/ops/norm.h"

#include "core/cpu/copy.h"
#include "core/cpu/norm.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/norm_ops.h"

namespace ember {

EMBER_REGISTER_OP(NormalizeMomentsOp);

MetaList NormalizeMomentsOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1 + has_weight + has_bias);
  const Tensor& x = in[0];
  if (x.dim() != 3) {
    raise<ValueError>("[{}] expected a 3-D input [A, C, B], got shape {}", kName,
                      shape_str(x.shape()));
  }
  if (!is_floating(x.dtype())) {
    raise<TypeError>("[{}] expected a floating input, got {} of shape {}", kName,
                     dtype_name(x.dtype()), shape_str(x.shape()));
  }
  if (!(eps >= 0)) raise<ValueError>("[{}] eps must be non-negative, got {}", kName, eps);
  if (axis != 1 && axis != 2) raise<ValueError>("[{}] axis must be 1 or 2, got {}", kName, axis);
  const int64_t plen = x.shape()[axis];
  for (size_t i = 1; i < in.size(); ++i) {
    const Tensor& p = in[i];
    if (p.dim() != 1 || p.shape()[0] != plen || p.dtype() != x.dtype()) {
      raise<ValueError>("[{}] {} must be {}[{}] for input {}[{}], got {}{}", kName,
                        i == 1 && has_weight ? "weight" : "bias", dtype_name(x.dtype()), plen,
                        dtype_name(x.dtype()), shape_str(x.shape()), dtype_name(p.dtype()),
                        shape_str(p.shape()));
    }
  }
  check_same_device(*this, in);
  const Shape c{x.shape()[1]};
  return {TensorMeta{x.shape(), x.dtype(), x.device()}, TensorMeta{c, x.dtype(), x.device()},
          TensorMeta{c, x.dtype(), x.device()}};
}

void NormalizeMomentsOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  Tensor x = contiguous_raw(in[0]);
  Tensor w = has_weight ? contiguous_raw(in[1]) : Tensor();
  Tensor b = has_bias ? contiguous_raw(in[has_weight ? 2 : 1]) : Tensor();
  const int64_t na = x.shape()[0], nc = x.shape()[1], nb = x.shape()[2];
  EMBER_DISPATCH_FLOAT(x.dtype(), kName, [&]<class T>() {
    cpu::normalize_moments<T>(static_cast<const T*>(x.data_ptr()),
                              static_cast<T*>(out[0].data_ptr()), static_cast<T*>(out[1].data_ptr()),
                              static_cast<T*>(out[2].data_ptr()),
                              w.defined() ? static_cast<const T*>(w.data_ptr()) : nullptr,
                              b.defined() ? static_cast<const T*>(b.data_ptr()) : nullptr,
                              axis == 1, na, nc, nb, eps);
  });
}

// With xhat = (x - mean) r, r = 1/sqrt(var + eps), n = A*B, means over (A, B), and
// gx = gy * weight:
//   from y:    dx = r * (gx - mean(gx) - xhat * mean(gx * xhat)),
//              dweight = sum(gy * xhat), dbias = sum(gy) over the axes other than `axis`
//   from mean: dx += gmean / n
//   from var:  dx += gvar * 2 (x - mean) / n = gvar * 2 xhat / (r n)
TensorList NormalizeMomentsOp::vjp(const VjpArgs& a) const {
  const Tensor& x = a.inputs[0];
  const int64_t c = x.shape()[1];
  const double n = static_cast<double>(x.shape()[0] * x.shape()[2]);
  auto per_channel = [&](const Tensor& t) { return reshape(t, {1, c, 1}); };
  auto param_view = [&](const Tensor& t) {
    return axis == 1 ? per_channel(t) : reshape(t, {1, 1, x.shape()[2]});
  };
  const std::vector<int64_t> param_sum = axis == 1 ? std::vector<int64_t>{0, 2}
                                                   : std::vector<int64_t>{0, 1};
  Tensor r = per_channel(rsqrt(add(a.outputs[2], eps)));
  Tensor xhat = mul(sub(x, per_channel(a.outputs[1])), r);
  TensorList grads(a.input_meta.size());
  Tensor dx;
  if (const Tensor& gy = a.grads[0]; gy.defined()) {
    Tensor gx = has_weight ? mul(gy, param_view(a.inputs[1])) : gy;
    if (a.needs_grad[0]) {
      Tensor mg = mean(gx, {0, 2}, true);
      Tensor mgx = mean(mul(gx, xhat), {0, 2}, true);
      dx = mul(r, sub(sub(gx, mg), mul(xhat, mgx)));
    }
    if (has_weight && a.needs_grad[1]) grads[1] = sum(mul(gy, xhat), param_sum);
    if (has_bias && a.needs_grad[has_weight ? 2 : 1]) grads[has_weight ? 2 : 1] = sum(gy, param_sum);
  }
  if (a.needs_grad[0]) {
    auto accumulate = [&](Tensor term) { dx = dx.defined() ? add(dx, term) : term; };
    if (a.grads[1].defined()) accumulate(expand(per_channel(div(a.grads[1], n)), x.shape()));
    if (a.grads[2].defined()) accumulate(mul(xhat, div(per_channel(mul(a.grads[2], 2.0 / n)), r)));
    grads[0] = dx.defined() ? dx : zeros_like(x);
  }
  return grads;
}

std::tuple<Tensor, Tensor, Tensor> normalize_moments(const Tensor& x, double eps,
                                                     const Tensor& weight, const Tensor& bias,
                                                     NormAffineAxis axis) {
  NormalizeMomentsOp op(eps, weight.defined(), bias.defined(), static_cast<int64_t>(axis));
  TensorList in{x};
  if (weight.defined()) in.push_back(weight);
  if (bias.defined()) in.push_back(bias);
  TensorList out = dispatch(op, in);
  return {out[0], out[1], out[2]};
}

}  // namespace ember
