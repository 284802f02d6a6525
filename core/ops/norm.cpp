#include "core/ops/norm.h"

#include "core/cpu/copy.h"
#include "core/cpu/norm.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/norm_ops.h"

namespace ember {

EMBER_REGISTER_OP(NormalizeMomentsOp);

MetaList NormalizeMomentsOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
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
  const Shape c{x.shape()[1]};
  return {TensorMeta{x.shape(), x.dtype(), x.device()}, TensorMeta{c, x.dtype(), x.device()},
          TensorMeta{c, x.dtype(), x.device()}};
}

void NormalizeMomentsOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  Tensor x = contiguous_raw(in[0]);
  const int64_t a = x.shape()[0], c = x.shape()[1], b = x.shape()[2];
  EMBER_DISPATCH_FLOAT(x.dtype(), kName, [&]<class T>() {
    cpu::normalize_moments<T>(static_cast<const T*>(x.data_ptr()),
                              static_cast<T*>(out[0].data_ptr()), static_cast<T*>(out[1].data_ptr()),
                              static_cast<T*>(out[2].data_ptr()), a, c, b, eps);
  });
}

// With xhat = y, r = 1/sqrt(var + eps), n = A*B and means over (A, B):
//   from y:    dx = r * (gy - mean(gy) - xhat * mean(gy * xhat))
//   from mean: dx += gmean / n
//   from var:  dx += gvar * 2 (x - mean) / n = gvar * 2 xhat / (r n)
TensorList NormalizeMomentsOp::vjp(const VjpArgs& a) const {
  const Tensor& y = a.outputs[0];
  const int64_t c = y.shape()[1];
  const double n = static_cast<double>(y.shape()[0] * y.shape()[2]);
  auto per_channel = [&](const Tensor& t) { return reshape(t, {1, c, 1}); };
  Tensor r = per_channel(rsqrt(add(a.outputs[2], eps)));
  Tensor dx;
  if (a.grads[0].defined()) {
    const Tensor& gy = a.grads[0];
    Tensor mg = mean(gy, {0, 2}, true);
    Tensor mgy = mean(mul(gy, y), {0, 2}, true);
    dx = mul(r, sub(sub(gy, mg), mul(y, mgy)));
  }
  auto accumulate = [&](Tensor term) { dx = dx.defined() ? add(dx, term) : term; };
  if (a.grads[1].defined()) accumulate(expand(per_channel(div(a.grads[1], n)), y.shape()));
  if (a.grads[2].defined()) {
    accumulate(mul(y, div(per_channel(mul(a.grads[2], 2.0 / n)), r)));
  }
  if (!dx.defined()) dx = zeros_like(y);
  return {dx};
}

std::tuple<Tensor, Tensor, Tensor> normalize_moments(const Tensor& x, double eps) {
  NormalizeMomentsOp op(eps);
  const Tensor in[] = {x};
  TensorList out = dispatch(op, in);
  return {out[0], out[1], out[2]};
}

}  // namespace ember
