// CUDA kernels of the reductions (sum, prod, amax, amin, max/min along a dim, argmax,
// argmin, all, any) and of softmax / log_softmax: the reduced dims are moved last and made
// contiguous, so every kernel sees rows of `cols` values.
#include <algorithm>

#include "core/cuda/reduce_layout.h"
#include "core/cuda/tensor_args.h"
#include "core/device_backend.h"
#include "core/op.h"

namespace ember::cuda {
namespace {

std::vector<int64_t> reduced_dims_of(const Attrs& at, const Tensor& x, std::string_view op) {
  return cuda::reduced_dims(at.get<std::vector<int64_t>>("dims", op), x.dim(), op);
}

// out[row] = fold(code) of row; the result dtype is the output's (computed through int64
// for uint8/int32 outputs).
void reduce_into(int code, const Tensor& x, std::vector<int64_t> dims, const Tensor& out) {
  const bool truth = code == kAll || code == kAny;  // bool in, bool out
  const DType compute = truth ? DType::Bool : kernel_dtype(out.dtype());
  int64_t rows = 0, cols = 0;
  const Tensor in = rows_last(x, std::move(dims), compute, rows, cols);
  const bool direct = out.is_contiguous() && out.dtype() == compute;
  const Tensor dst = direct ? out : Tensor::empty(out.shape(), compute, out.device());
  launch_reduce(code, static_cast<int>(in.dtype()), in.data_ptr(), dst.data_ptr(), nullptr, rows,
                cols, stream_ptr(out));
  if (!direct) copy_on_device(out, dst);
}

template <int kCode>
void reduce_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  Attrs at;
  op.attributes(at);
  const Tensor x = on_device(in[0], out[0].device());
  reduce_into(kCode, x, reduced_dims_of(at, x, op.name()), out[0]);
}

// max/min along a dim -> (values, indices); argmax/argmin -> indices.
template <int kCode>
void arg_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  Attrs at;
  op.attributes(at);
  const Tensor& x = in[0];
  std::vector<int64_t> dims;
  if (at.get<bool>("has_dim", op.name())) {
    if (x.dim() > 0) dims.push_back(normalize_dim(at.get<int64_t>("dim", op.name()), x.dim(), op.name()));
  } else {
    for (int64_t d = 0; d < x.dim(); ++d) dims.push_back(d);
  }
  const DType compute = kernel_dtype(x.dtype());
  int64_t rows = 0, cols = 0;
  const Tensor rows_in = rows_last(x, dims, compute, rows, cols);
  if (cols == 0) raise<IndexError>("[{}] cannot reduce an empty dimension", op.name());
  const Tensor& idx = out.size() == 2 ? out[1] : out[0];
  const bool values = out.size() == 2;
  const Tensor vals = values ? Tensor::empty(out[0].shape(), compute, x.device()) : Tensor();
  const Tensor idx_dst = idx.is_contiguous() ? idx : Tensor::empty(idx.shape(), DType::Int64, x.device());
  launch_reduce(kCode, static_cast<int>(compute), rows_in.data_ptr(), idx_dst.data_ptr(),
                values ? vals.data_ptr() : nullptr, rows, cols, stream_ptr(x));
  if (!idx_dst.is_same(idx)) copy_on_device(idx, idx_dst);
  if (values) copy_on_device(out[0], vals);
}

template <bool kLog>
void softmax_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  Attrs at;
  op.attributes(at);
  const Tensor& x = in[0];
  const Tensor& o = out[0];
  if (x.dim() == 0) {  // softmax of a scalar: 1 (log: 0)
    cuda_backend()->fill(o, kLog ? 0 : 1);
    return;
  }
  const int64_t dim = normalize_dim(at.get<int64_t>("dim", op.name()), x.dim(), op.name());
  int64_t rows = 0, cols = 0;
  const Tensor rows_in = rows_last(x, {dim}, o.dtype(), rows, cols);
  // Result in the permuted layout, then viewed back to the output's dim order.
  Tensor res = Tensor::empty({rows * cols}, o.dtype(), o.device());
  launch_softmax(kLog, static_cast<int>(o.dtype()), rows_in.data_ptr(), res.data_ptr(), rows,
                 cols, stream_ptr(o));
  Strides st(x.dim());
  int64_t s = 1;
  st[dim] = 1;
  s = x.shape()[dim];
  for (int64_t d = x.dim() - 1; d >= 0; --d) {
    if (d == dim) continue;
    st[d] = s;
    s *= x.shape()[d];
  }
  copy_on_device(o, make_view(res, x.shape(), st, 0));
}

struct Registrar {
  Registrar() {
    register_cuda_kernel("sum", &reduce_kernel<kSum>);
    register_cuda_kernel("prod", &reduce_kernel<kProd>);
    register_cuda_kernel("amax", &reduce_kernel<kMax>);
    register_cuda_kernel("amin", &reduce_kernel<kMin>);
    register_cuda_kernel("all", &reduce_kernel<kAll>);
    register_cuda_kernel("any", &reduce_kernel<kAny>);
    register_cuda_kernel("max", &arg_kernel<kArgMax>);
    register_cuda_kernel("min", &arg_kernel<kArgMin>);
    register_cuda_kernel("argmax", &arg_kernel<kArgMax>);
    register_cuda_kernel("argmin", &arg_kernel<kArgMin>);
    register_cuda_kernel("softmax", &softmax_kernel<false>);
    register_cuda_kernel("log_softmax", &softmax_kernel<true>);
  }
};
const Registrar registrar;

}  // namespace
}  // namespace ember::cuda
