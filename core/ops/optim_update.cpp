#include "core/ops/optim_update.h"

#include <cmath>
#include <initializer_list>

#include "core/cpu/copy.h"
#include "core/cpu/elementwise_loop.h"
#include "core/cpu/optim_kernels.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/grad_utils.h"
#include "core/ops/optim_update_ops.h"

namespace ember {

EMBER_REGISTER_OP(AxpbyOp);
EMBER_REGISTER_OP(AdamUpdateOp);

namespace {

void check_scalar(std::string_view op, const char* what, const Tensor& t) {
  if (t.numel() != 1) {
    raise<ValueError>("[{}] {} must be a one-element tensor, got shape {}", op, what,
                      shape_str(t.shape()));
  }
  if (!is_floating(t.dtype())) {
    raise<TypeError>("[{}] {} must be a floating tensor, got {}", op, what, dtype_name(t.dtype()));
  }
}

void check_like(std::string_view op, const char* what, const Tensor& t, const Tensor& ref) {
  if (t.shape() != ref.shape()) {
    raise<ValueError>("[{}] {} of shape {} does not match the shape {} it updates", op, what,
                      shape_str(t.shape()), shape_str(ref.shape()));
  }
  if (!is_floating(t.dtype())) {
    raise<TypeError>("[{}] {} must be a floating tensor, got {}", op, what, dtype_name(t.dtype()));
  }
}

// Inputs of another dtype than the target are converted once (rare: optimizers keep state
// in the parameter's dtype).
Tensor as_dtype(const Tensor& t, DType d) { return t.dtype() == d ? t : contiguous_as(t, d); }

// All float32 and contiguous: the vectorized loops of core/cpu/optim_kernels.
bool flat_f32(std::initializer_list<const Tensor*> ts) {
  for (const Tensor* t : ts) {
    if (t->dtype() != DType::Float32 || !t->is_contiguous()) return false;
  }
  return true;
}

// The tensors must share a device; the one-element scalars may also be CPU tensors (the
// optimizer keeps its options there), which a CUDA kernel reads on the host.
void check_devices(const Op& op, std::span<const Tensor> in, size_t num_tensors) {
  check_same_device(op, in.first(num_tensors));
  for (size_t i = num_tensors; i < in.size(); ++i) {
    if (in[i].device() != in[0].device() && !in[i].device().is_cpu()) {
      raise<ValueError>("[{}] expected scalar operands on {} or the CPU, got {}", op.name(),
                        in[0].device().str(), in[i].device().str());
    }
  }
}

}  // namespace

// ---- axpby

MetaList AxpbyOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 4);
  check_like(kName, "x", in[1], in[0]);
  if (!is_floating(in[0].dtype())) {
    raise<TypeError>("[{}] y must be a floating tensor, got {}", kName, dtype_name(in[0].dtype()));
  }
  check_scalar(kName, "alpha", in[2]);
  check_scalar(kName, "beta", in[3]);
  check_devices(*this, in, 2);
  return {TensorMeta{in[0].shape(), in[0].dtype(), in[0].device()}};
}

void AxpbyOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  const DType dt = out[0].dtype();
  const Tensor x = as_dtype(in[1], dt);
  const double alpha = in[2].item<double>(), beta = in[3].item<double>();
  if (flat_f32({&out[0], &in[0], &x})) {
    cpu::axpby_f32(static_cast<float*>(out[0].data_ptr()), static_cast<const float*>(in[0].data_ptr()),
                   static_cast<const float*>(x.data_ptr()), out[0].numel(), static_cast<float>(alpha),
                   static_cast<float>(beta), square_x);
    return;
  }
  EMBER_DISPATCH_FLOAT(dt, kName, [&]<class T>() {
    using A = acc_t<T>;
    const A a = static_cast<A>(alpha), b = static_cast<A>(beta);
    if (square_x) {
      cpu::map2<T, T, T>(out[0], in[0], x, [a, b](A y, A v) { return a * y + b * (v * v); });
    } else {
      cpu::map2<T, T, T>(out[0], in[0], x, [a, b](A y, A v) { return a * y + b * v; });
    }
  });
}

TensorList AxpbyOp::vjp(const VjpArgs& a) const {
  const Tensor& g = a.grads[0];
  const Tensor &y = a.inputs[0], &x = a.inputs[1], &alpha = a.inputs[2], &beta = a.inputs[3];
  Tensor gy, gx, galpha, gbeta;
  const Tensor fx = square_x ? mul(x, x) : x;
  if (a.needs_grad[0]) gy = mul(g, alpha);
  if (a.needs_grad[1]) gx = square_x ? mul(mul(g, beta), mul(x, 2.0)) : mul(g, beta);
  if (a.needs_grad[2]) galpha = reduce_grad(sum(mul(g, y)), a.input_meta[2]);
  if (a.needs_grad[3]) gbeta = reduce_grad(sum(mul(g, fx)), a.input_meta[3]);
  return {gy, gx, galpha, gbeta};
}

Tensor axpby(const Tensor& y, const Tensor& x, const Tensor& alpha, const Tensor& beta,
             bool square_x) {
  const AxpbyOp op(square_x);
  const Tensor in[] = {y, x, alpha, beta};
  return dispatch1(op, in);
}

Tensor axpby_(const Tensor& y, const Tensor& x, const Tensor& alpha, const Tensor& beta,
              bool square_x) {
  const AxpbyOp op(square_x);
  const Tensor in[] = {y, x, alpha, beta};
  return dispatch_inplace(op, in);
}

// ---- adam_update

MetaList AdamUpdateOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 9);
  const Tensor& p = in[0];
  if (!is_floating(p.dtype())) {
    raise<TypeError>("[{}] param must be a floating tensor, got {}", kName, dtype_name(p.dtype()));
  }
  check_like(kName, "exp_avg", in[1], p);
  check_like(kName, "exp_avg_sq", in[2], p);
  static const char* const names[] = {"step", "lr", "beta1", "beta2", "eps", "weight_decay"};
  for (int i = 0; i < 6; ++i) check_scalar(kName, names[i], in[3 + i]);
  check_devices(*this, in, 3);
  return {TensorMeta{p.shape(), p.dtype(), p.device()}};
}

void AdamUpdateOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  const DType dt = out[0].dtype();
  const Tensor m = as_dtype(in[1], dt), v = as_dtype(in[2], dt);
  const double step = in[3].item<double>(), lr = in[4].item<double>();
  const double beta1 = in[5].item<double>(), beta2 = in[6].item<double>();
  const double eps = in[7].item<double>(), wd = in[8].item<double>();
  // Scalars in double, once; the loop in the parameter's precision (as PyTorch's fused Adam).
  const double step_size = lr / (1.0 - std::pow(beta1, step));
  const double bc2_sqrt = std::sqrt(1.0 - std::pow(beta2, step));
  const double decay = decoupled_weight_decay ? 1.0 - lr * wd : 1.0;
  if (flat_f32({&out[0], &in[0], &m, &v})) {
    cpu::adam_update_f32(static_cast<float*>(out[0].data_ptr()),
                         static_cast<const float*>(in[0].data_ptr()),
                         static_cast<const float*>(m.data_ptr()), static_cast<const float*>(v.data_ptr()),
                         out[0].numel(), static_cast<float>(decay), static_cast<float>(step_size),
                         static_cast<float>(bc2_sqrt), static_cast<float>(eps));
    return;
  }
  EMBER_DISPATCH_FLOAT(dt, kName, [&]<class T>() {
    using A = acc_t<T>;
    const A ss = static_cast<A>(step_size), bc = static_cast<A>(bc2_sqrt);
    const A e = static_cast<A>(eps), d = static_cast<A>(decay);
    if (decoupled_weight_decay) {
      cpu::map3<T, T, T, T>(out[0], in[0], m, v, [=](A p, A mv, A vv) {
        return p * d - ss * (mv / (std::sqrt(vv) / bc + e));
      });
    } else {
      cpu::map3<T, T, T, T>(out[0], in[0], m, v, [=](A p, A mv, A vv) {
        return p - ss * (mv / (std::sqrt(vv) / bc + e));
      });
    }
  });
}

Tensor adam_update_(const Tensor& param, const Tensor& exp_avg, const Tensor& second,
                    const Tensor& step, const Tensor& lr, const Tensor& beta1,
                    const Tensor& beta2, const Tensor& eps, const Tensor& weight_decay,
                    bool decoupled_weight_decay) {
  const AdamUpdateOp op(decoupled_weight_decay);
  const Tensor in[] = {param, exp_avg, second, step, lr, beta1, beta2, eps, weight_decay};
  return dispatch_inplace(op, in);
}

}  // namespace ember
