// CUDA kernel of normalize_moments (batch, layer, group and instance norm's forward).
#include "core/cuda/tensor_args.h"
#include "core/device_backend.h"
#include "core/op.h"
#include "core/ops/norm_ops.h"

namespace ember::cuda {
namespace {

void normalize_moments_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const auto& n = static_cast<const NormalizeMomentsOp&>(op);
  const Tensor& y = out[0];
  const Tensor x = contiguous_as(on_device(in[0], y.device()), y.dtype());
  const Tensor w = n.has_weight ? contiguous_as(on_device(in[1], y.device()), y.dtype()) : Tensor();
  const Tensor b =
      n.has_bias ? contiguous_as(on_device(in[n.has_weight ? 2 : 1], y.device()), y.dtype()) : Tensor();
  // Outputs from infer are contiguous; write through scratch otherwise.
  Tensor dst[3];
  for (int i = 0; i < 3; ++i) {
    dst[i] = out[i].is_contiguous() ? out[i] : Tensor::empty(out[i].shape(), out[i].dtype(), y.device());
  }
  launch_normalize_moments(static_cast<int>(y.dtype()), x.data_ptr(), dst[0].data_ptr(),
                           dst[1].data_ptr(), dst[2].data_ptr(),
                           w.defined() ? w.data_ptr() : nullptr, b.defined() ? b.data_ptr() : nullptr,
                           n.axis == 1, x.shape()[0], x.shape()[1], x.shape()[2], n.eps,
                           stream_ptr(y));
  for (int i = 0; i < 3; ++i) {
    if (!dst[i].is_same(out[i])) copy_on_device(out[i], dst[i]);
  }
}

struct Registrar {
  Registrar() { register_cuda_kernel("normalize_moments", &normalize_moments_kernel); }
};
const Registrar registrar;

}  // namespace
}  // namespace ember::cuda
