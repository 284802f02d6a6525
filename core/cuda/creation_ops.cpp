// CUDA kernels of arange, linspace, logspace, eye and tril / triu (creation.cu). logspace's
// pow is CUDA's, which may differ from glibc's in the last bit (docs/cuda.md).
#include <optional>  // creation_ops.h uses it without including it

#include "core/cuda/tensor_args.h"
#include "core/device_backend.h"
#include "core/op.h"
#include "core/ops/creation_ops.h"
#include "core/ops/shape_ops.h"

namespace ember::cuda {
namespace {

int64_t stride_1d(const Tensor& t) { return t.dim() == 0 ? 1 : t.stride(0); }

void arange_kernel(const Op& op, std::span<const Tensor>, std::span<Tensor> out) {
  const auto& a = static_cast<const ArangeOp&>(op);
  const Tensor& o = out[0];
  const bool integral = !is_floating(o.dtype());
  launch_arange(static_cast<int>(o.dtype()), o.data_ptr(), o.numel(), stride_1d(o),
                integral ? a.start.to_int() : 0, integral ? a.step.to_int() : 0,
                a.start.to_double(), a.step.to_double(), stream_ptr(o));
}

void linspace_kernel(const Op& op, std::span<const Tensor>, std::span<Tensor> out) {
  const auto& l = static_cast<const LinspaceOp&>(op);
  const Tensor& o = out[0];
  launch_linspace(static_cast<int>(o.dtype()), o.data_ptr(), l.steps, stride_1d(o), l.start,
                  l.end, stream_ptr(o));
}

void logspace_kernel(const Op& op, std::span<const Tensor>, std::span<Tensor> out) {
  const auto& l = static_cast<const LogspaceOp&>(op);
  const Tensor& o = out[0];
  launch_logspace(static_cast<int>(o.dtype()), o.data_ptr(), l.steps, stride_1d(o), l.start,
                  l.end, l.base, stream_ptr(o));
}

void eye_kernel(const Op&, std::span<const Tensor>, std::span<Tensor> out) {
  const Tensor& o = out[0];
  launch_eye(static_cast<int>(o.dtype()), o.data_ptr(), o.shape()[0], o.shape()[1], o.stride(0),
             o.stride(1), stream_ptr(o));
}

void tri_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const auto& t = static_cast<const TriOp&>(op);
  const Tensor& o = out[0];
  const Tensor src = contiguous_as(on_device(in[0], o.device()), o.dtype());
  const bool direct = o.is_contiguous();
  const Tensor dst = direct ? o : Tensor::empty(o.shape(), o.dtype(), o.device());
  const int64_t rows = src.shape()[size_t(src.dim() - 2)], cols = src.shape()[size_t(src.dim() - 1)];
  const int64_t total = rows == 0 || cols == 0 ? 0 : src.numel();
  launch_tri(static_cast<int>(itemsize(o.dtype())), src.data_ptr(), dst.data_ptr(), total, rows,
             cols, t.diagonal, t.upper, stream_ptr(o));
  if (!direct) copy_on_device(o, dst);
}

struct Registrar {
  Registrar() {
    register_cuda_kernel("arange", &arange_kernel);
    register_cuda_kernel("linspace", &linspace_kernel);
    register_cuda_kernel("logspace", &logspace_kernel);
    register_cuda_kernel("eye", &eye_kernel);
    register_cuda_kernel("tri", &tri_kernel);
  }
};
const Registrar registrar;

}  // namespace
}  // namespace ember::cuda
