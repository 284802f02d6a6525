// CUDA kernels of sort (and so argsort) and topk (sort.cu): the CPU's order, values and
// indices, on the device.
#include "core/cuda/tensor_args.h"
#include "core/device_backend.h"
#include "core/op.h"
#include "core/ops/sort_ops.h"

namespace ember::cuda {
namespace {

void ordering_into(const Tensor& input, int64_t dim, int64_t keep, bool descending,
                   std::span<Tensor> out, std::string_view op) {
  const Device dev = out[0].device();
  const Tensor x = contiguous_as(on_device(input, dev), input.dtype());
  int64_t outer = 1, n = 1, inner = 1;
  if (x.dim() > 0) {
    const int64_t d = normalize_dim(dim, x.dim(), op);
    n = x.shape()[size_t(d)];
    for (int64_t i = 0; i < d; ++i) outer *= x.shape()[size_t(i)];
    for (int64_t i = d + 1; i < x.dim(); ++i) inner *= x.shape()[size_t(i)];
  }
  if (outer * inner * keep == 0) return;
  const bool direct = out[0].is_contiguous() && out[1].is_contiguous();
  const Tensor values = direct ? out[0] : Tensor::empty(out[0].shape(), out[0].dtype(), dev);
  const Tensor indices = direct ? out[1] : Tensor::empty(out[1].shape(), DType::Int64, dev);
  const int code = static_cast<int>(x.dtype());
  const size_t bytes = sort_workspace_bytes(code, outer, n, inner);
  const Tensor workspace = Tensor::empty({static_cast<int64_t>(bytes)}, DType::UInt8, dev);
  launch_sort(code, x.data_ptr(), values.data_ptr(), indices.data<int64_t>(), outer, n, inner,
              keep, descending, workspace.data_ptr(), stream_ptr(values));
  if (!direct) {
    copy_on_device(out[0], values);
    copy_on_device(out[1], indices);
  }
}

void sort_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const auto& s = static_cast<const SortOp&>(op);
  const int64_t n = in[0].dim() ? in[0].size(normalize_dim(s.dim, in[0].dim(), op.name())) : 1;
  ordering_into(in[0], s.dim, n, s.descending, out, op.name());
}

void topk_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const auto& t = static_cast<const TopkOp&>(op);
  ordering_into(in[0], t.dim, t.k, t.largest, out, op.name());
}

struct Registrar {
  Registrar() {
    register_cuda_kernel("sort", &sort_kernel);
    register_cuda_kernel("topk", &topk_kernel);
  }
};
const Registrar registrar;

}  // namespace
}  // namespace ember::cuda
