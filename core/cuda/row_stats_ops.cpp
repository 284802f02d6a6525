// CUDA kernels of var, std, logsumexp, norm (row_stats.cu), cumsum / cumprod (scan.cu) and
// the backward helpers norm_backward / cumprod_backward (reduce_grads.cu).
#include "core/cuda/reduce_layout.h"
#include "core/cuda/tensor_args.h"
#include "core/device_backend.h"
#include "core/op.h"
#include "core/ops/reduce_ops.h"

namespace ember::cuda {
namespace {

// out[row] = stat(row of x over `dims`); x is read in its compute dtype (int64 for integers).
void row_stat_into(int code, double param, const Tensor& x, IntList dims, const Tensor& out,
                   std::string_view op) {
  DType compute = kernel_dtype(x.dtype());
  if (compute == DType::Bool) compute = DType::Int64;
  int64_t rows = 0, cols = 0;
  const Tensor in = rows_last(x, reduced_dims(dims, x.dim(), op), compute, rows, cols);
  const bool direct = out.is_contiguous() && kernel_dtype(out.dtype()) == out.dtype();
  const Tensor dst = direct ? out : Tensor::empty(out.shape(), DType::Float64, out.device());
  launch_row_stat(code, param, static_cast<int>(compute), in.data_ptr(),
                  static_cast<int>(dst.dtype()), dst.data_ptr(), rows, cols, stream_ptr(out));
  if (!direct) copy_on_device(out, dst);
}

template <class OpT, int kCode>
void moment_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const auto& m = static_cast<const OpT&>(op);
  const Tensor x = on_device(in[0], out[0].device());
  row_stat_into(kCode, m.correction, x, m.r.dims, out[0], op.name());
}

void logsumexp_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const auto& l = static_cast<const LogSumExpOp&>(op);
  const Tensor x = on_device(in[0], out[0].device());
  row_stat_into(kStatLogSumExp, 0, x, l.r.dims, out[0], op.name());
}

void norm_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const auto& n = static_cast<const NormOp&>(op);
  const Tensor x = on_device(in[0], out[0].device());
  row_stat_into(kStatNorm, n.p, x, n.r.dims, out[0], op.name());
}

template <class OpT>
void scan_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const auto& s = static_cast<const OpT&>(op);
  const Tensor& o = out[0];
  // As the CPU: the input in the output's dtype first (then int64 for uint8/int32 outputs,
  // whose kernels accumulate in int64 anyway).
  const DType compute = kernel_dtype(o.dtype());
  Tensor x = contiguous_as(on_device(in[0], o.device()), o.dtype());
  if (compute != o.dtype()) x = contiguous_as(x, compute);
  int64_t outer = 1, n = 1, inner = 1;
  if (x.dim() > 0) {
    const int64_t d = normalize_dim(s.dim, x.dim(), op.name());
    n = x.shape()[d];
    for (int64_t i = 0; i < d; ++i) outer *= x.shape()[i];
    for (int64_t i = d + 1; i < x.dim(); ++i) inner *= x.shape()[i];
  }
  if (x.numel() == 0) return;
  const bool direct = o.is_contiguous() && compute == o.dtype();
  const Tensor dst = direct ? o : Tensor::empty(o.shape(), compute, o.device());
  launch_scan(OpT::kProd, static_cast<int>(compute), x.data_ptr(), dst.data_ptr(), outer, n,
              inner, s.exclusive, s.reverse, stream_ptr(o));
  if (!direct) copy_on_device(o, dst);
}

void norm_grad_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const auto& g = static_cast<const NormGradOp&>(op);
  const Tensor& o = out[0];
  const Tensor x = as_operand(in[0], o.device(), o.dtype());
  const Tensor n = as_operand(in[1], o.device(), o.dtype());
  launch_norm_grad(g.p, make_args(o.shape(), {&o, &x, &n}, "norm_backward"), stream_ptr(o));
}

void cumprod_grad_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const auto& c = static_cast<const CumprodBackwardOp&>(op);
  const Tensor& o = out[0];
  const Tensor g = contiguous_as(on_device(in[0], o.device()), o.dtype());
  const Tensor x = contiguous_as(on_device(in[1], o.device()), o.dtype());
  int64_t outer = 1, n = 1, inner = 1;
  if (x.dim() > 0) {
    const int64_t d = normalize_dim(c.dim, x.dim(), op.name());
    n = x.shape()[d];
    for (int64_t i = 0; i < d; ++i) outer *= x.shape()[i];
    for (int64_t i = d + 1; i < x.dim(); ++i) inner *= x.shape()[i];
  }
  if (x.numel() == 0) return;
  const bool direct = o.is_contiguous();
  const Tensor dst = direct ? o : Tensor::empty(o.shape(), o.dtype(), o.device());
  launch_cumprod_grad(static_cast<int>(o.dtype()), g.data_ptr(), x.data_ptr(), dst.data_ptr(),
                      outer, n, inner, c.exclusive, c.reverse, stream_ptr(o));
  if (!direct) copy_on_device(o, dst);
}

struct Registrar {
  Registrar() {
    register_cuda_kernel("norm_backward", &norm_grad_kernel);
    register_cuda_kernel("cumprod_backward", &cumprod_grad_kernel);
    register_cuda_kernel("var", &moment_kernel<VarOp, kStatVar>);
    register_cuda_kernel("std", &moment_kernel<StdOp, kStatStd>);
    register_cuda_kernel("logsumexp", &logsumexp_kernel);
    register_cuda_kernel("norm", &norm_kernel);
    register_cuda_kernel("cumsum", &scan_kernel<CumsumOp>);
    register_cuda_kernel("cumprod", &scan_kernel<CumprodOp>);
  }
};
const Registrar registrar;

}  // namespace
}  // namespace ember::cuda
