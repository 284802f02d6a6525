// CUDA kernels of cat and flip: both are copies between strided views (one per input for
// cat; one with negated strides for flip), so they reuse the elementwise copy kernel.
#include "core/cuda/tensor_args.h"
#include "core/device_backend.h"
#include "core/op.h"
#include "core/ops/shape_ops.h"
#include "core/shape.h"

namespace ember::cuda {
namespace {

void cat_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const Tensor& o = out[0];
  if (o.numel() == 0) return;
  const int64_t d = normalize_dim(static_cast<const CatOp&>(op).dim, o.dim(), "cat");
  int64_t at = 0;
  for (const Tensor& t : in) {
    if (t.dim() == 1 && t.shape()[0] == 0) continue;  // PyTorch's skipped 1-D empties
    const int64_t n = t.shape()[d];
    if (n > 0) {
      Shape shape(o.shape().begin(), o.shape().end());
      shape[d] = n;
      const Tensor slot = make_view(o, std::move(shape), Strides(o.strides().begin(), o.strides().end()),
                                    o.offset() + at * o.strides()[d]);
      copy_on_device(slot, on_device(t, o.device()));
    }
    at += n;
  }
}

void flip_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const Tensor t = on_device(in[0], out[0].device());
  Strides st(t.strides().begin(), t.strides().end());
  int64_t off = t.offset();
  if (t.dim() > 0) {
    for (int64_t x : static_cast<const FlipOp&>(op).dims) {
      const int64_t d = normalize_dim(x, t.dim(), "flip");
      if (t.shape()[d] > 0) off += (t.shape()[d] - 1) * st[d];
      st[d] = -st[d];
    }
  }
  copy_on_device(out[0], make_view(t, Shape(t.shape().begin(), t.shape().end()), std::move(st), off));
}

struct Registrar {
  Registrar() {
    register_cuda_kernel("cat", &cat_kernel);
    register_cuda_kernel("flip", &flip_kernel);
  }
};
const Registrar registrar;

}  // namespace
}  // namespace ember::cuda
