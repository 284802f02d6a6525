// CUDA kernels of the indexing ops (gather, scatter / scatter_add, index, index_put,
// masked_fill, one_hot, index_one_hot), all through launch_indexed. Index values are never
// read on the host: a bad one is recorded by the kernel and raised at the next sync
// (index_errors.h). Index dtypes, shapes and dims are checked here, before any launch.
#include <cstring>

#include "core/cuda/index_errors.h"
#include "core/cuda/tensor_args.h"
#include "core/device_backend.h"
#include "core/op.h"
#include "core/ops/creation.h"
#include "core/ops/index_ops.h"
#include "core/ops/reduce_ops.h"
#include "core/ops/view_ops.h"
#include "core/shape.h"

namespace ember::cuda {
namespace {

// A position space of `shape` for an op; raises past kMaxDims dims.
IndexedArgs args_over(IntList shape, int mode, DType dtype, const Tensor& device_of,
                      std::string_view op) {
  if (static_cast<int>(shape.size()) > kMaxDims) {
    raise<NotImplementedError>("[{}] CUDA indexing handles at most {} dims, got shape {}", op,
                               kMaxDims, shape_str(shape));
  }
  IndexedArgs a;
  a.ndim = static_cast<int>(shape.size());
  a.numel = numel_of(shape);
  for (int d = 0; d < a.ndim; ++d) a.sizes[d] = shape[d];
  a.mode = mode;
  a.dtype = static_cast<int>(dtype);
  a.error_code = index_error_code(op);
  a.error = device_index_error(device_of.device().index);
  return a;
}

void set_strides(int64_t* dst, IntList strides) {
  for (size_t d = 0; d < strides.size(); ++d) dst[d] = strides[d];
}

// The index tensor as int64 on `device` (its strides kept when already int64).
Tensor int64_index(const Tensor& idx, Device device, std::string_view op) {
  check_index_dtype(idx, op);
  const Tensor on = on_device(idx, device);
  return on.dtype() == DType::Int64 ? on : contiguous_as(on, DType::Int64);
}

// Adds index tensor `idx` (int64, on the device) read at `strides` over the position space.
void add_index(IndexedArgs& a, const Tensor& idx, IntList strides, int64_t size, int64_t step,
               int64_t dim) {
  const int k = a.num_indices++;
  a.index[k] = static_cast<const int64_t*>(idx.data_ptr());
  set_strides(a.index_strides[k], strides);
  a.index_size[k] = size;
  a.index_step[k] = step;
  a.index_dim[k] = static_cast<int>(dim);
}

// Strides of t broadcast (right-aligned) over `shape`: 0 where t has size 1 or no dim.
Strides broadcast_strides(const Tensor& t, IntList shape) {
  Strides s(shape.size(), 0);
  const size_t off = shape.size() - static_cast<size_t>(t.dim());
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (t.shape()[d] != 1) s[off + d] = t.strides()[d];
  }
  return s;
}

uint64_t bits_of_one(DType dtype) {
  Tensor one = Tensor::empty({}, dtype, kCPU);
  fill_raw(one, 1);
  uint64_t bits = 0;
  std::memcpy(&bits, one.data_ptr(), static_cast<size_t>(one.element_size()));
  return bits;
}

// out = t, unless the kernel runs in place (out aliases t).
void start_from(const Tensor& out, const Tensor& t) {
  const bool aliased = out.storage() == t.storage() && out.offset() == t.offset() &&
                       out.strides() == t.strides();
  if (!aliased) copy_on_device(out, on_device(t, out.device()));
}

int64_t size_along(const Tensor& t, int64_t d) { return t.dim() == 0 ? 1 : t.shape()[d]; }
int64_t stride_along(const Tensor& t, int64_t d) { return t.dim() == 0 ? 0 : t.strides()[d]; }
Strides without(const Tensor& t, int64_t d) {
  Strides s(t.strides());
  if (t.dim() > 0) s[d] = 0;
  return s;
}

// ---- gather / scatter ------------------------------------------------------------------

void gather_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const auto& g = static_cast<const GatherOp&>(op);
  const Tensor& o = out[0];
  const Tensor t = on_device(in[0], o.device());
  const int64_t d = t.dim() == 0 ? 0 : normalize_dim(g.dim, t.dim(), "gather");
  const Tensor idx = int64_index(in[1], o.device(), "gather");
  IndexedArgs a = args_over(idx.shape(), kIndexRead, o.dtype(), o, "gather");
  a.dst = o.data_ptr();
  set_strides(a.dst_strides, o.strides());
  a.src = t.data_ptr();
  if (t.dim() > 0) set_strides(a.src_strides, without(t, d));
  add_index(a, idx, idx.strides(), size_along(t, d), stride_along(t, d), d);
  launch_indexed(a, stream_ptr(o));
}

void scatter_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const auto& s = static_cast<const ScatterOp&>(op);
  const std::string_view name = s.accumulate ? "scatter_add" : "scatter";
  const Tensor& o = out[0];
  start_from(o, in[0]);
  const int64_t d = o.dim() == 0 ? 0 : normalize_dim(s.dim, o.dim(), name);
  const Tensor idx = int64_index(in[1], o.device(), name);
  const Tensor src = as_operand(in[2], o.device(), o.dtype());
  IndexedArgs a = args_over(idx.shape(), s.accumulate ? kIndexAccumulate : kIndexWrite,
                            o.dtype(), o, name);
  a.dst = o.data_ptr();
  if (o.dim() > 0) set_strides(a.dst_strides, without(o, d));
  if (src.device().is_cpu()) {  // a scalar source
    a.src_is_scalar = true;
    std::memcpy(&a.scalar_bits, src.data_ptr(), static_cast<size_t>(src.element_size()));
  } else {
    a.src = src.data_ptr();
    if (src.dim() > 0) set_strides(a.src_strides, src.strides());
  }
  add_index(a, idx, idx.strides(), size_along(o, d), stride_along(o, d), d);
  launch_indexed(a, stream_ptr(o));
}

// ---- advanced indexing -----------------------------------------------------------------

// Where the broadcast index shape B sits in the result (NumPy's adjacency rule); mirrors the
// CPU kernel's layout (the op's infer has validated dims and shapes already).
struct AdvancedLayout {
  Shape B, result;
  int64_t pos = 0;
  std::vector<int64_t> rest_dims;  // dims of the indexed tensor that are not indexed
};

AdvancedLayout advanced_layout(IntList xshape, const std::vector<int64_t>& dims,
                               std::span<const Tensor> idx, std::string_view op) {
  AdvancedLayout L;
  for (size_t k = 0; k < idx.size(); ++k) {
    const IntList s = idx[k].shape();
    L.B = k == 0 ? Shape(s.begin(), s.end()) : broadcast_shapes(L.B, s, op);
  }
  const bool adjacent = dims.back() - dims.front() == static_cast<int64_t>(dims.size()) - 1;
  L.pos = adjacent ? dims.front() : 0;
  for (int64_t d = 0, k = 0; d < static_cast<int64_t>(xshape.size()); ++d) {
    if (k < static_cast<int64_t>(dims.size()) && dims[k] == d) {
      ++k;
    } else {
      L.rest_dims.push_back(d);
    }
  }
  for (int64_t i = 0; i < L.pos; ++i) L.result.push_back(xshape[L.rest_dims[i]]);
  L.result.insert(L.result.end(), L.B.begin(), L.B.end());
  for (size_t i = L.pos; i < L.rest_dims.size(); ++i) L.result.push_back(xshape[L.rest_dims[i]]);
  return L;
}

// Strides of x over the result's position space: x's stride for the rest dims, 0 on B.
Strides rest_strides(const AdvancedLayout& L, const Tensor& x) {
  Strides s(L.result.size(), 0);
  const int64_t nb = static_cast<int64_t>(L.B.size());
  for (size_t i = 0; i < L.rest_dims.size(); ++i) {
    const int64_t r = static_cast<int64_t>(i) < L.pos ? static_cast<int64_t>(i) : static_cast<int64_t>(i) + nb;
    s[r] = x.strides()[L.rest_dims[i]];
  }
  return s;
}

// Adds the index tensors, each broadcast over B where B sits in the result.
void add_advanced_indices(IndexedArgs& a, const AdvancedLayout& L, const Tensor& x,
                          const std::vector<int64_t>& dims, std::span<const Tensor> idx,
                          std::vector<Tensor>& keep, std::string_view op) {
  for (size_t k = 0; k < idx.size(); ++k) {
    keep.push_back(int64_index(idx[k], x.device(), op));
    const Tensor& t = keep.back();
    Strides s(L.result.size(), 0);
    const Strides b = broadcast_strides(t, L.B);
    for (size_t j = 0; j < b.size(); ++j) s[L.pos + j] = b[j];
    add_index(a, t, s, x.shape()[dims[k]], x.strides()[dims[k]], dims[k]);
  }
}

void index_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const auto& ix = static_cast<const IndexOp&>(op);
  const Tensor& o = out[0];
  const Tensor x = on_device(in[0], o.device());
  const auto idx = in.subspan(1);
  const AdvancedLayout L = advanced_layout(x.shape(), ix.dims, idx, "index");
  IndexedArgs a = args_over(L.result, kIndexRead, o.dtype(), o, "index");
  a.dst = o.data_ptr();
  set_strides(a.dst_strides, o.strides());
  a.src = x.data_ptr();
  set_strides(a.src_strides, rest_strides(L, x));
  std::vector<Tensor> keep;
  add_advanced_indices(a, L, x, ix.dims, idx, keep, "index");
  launch_indexed(a, stream_ptr(o));
}

void index_put_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const auto& ip = static_cast<const IndexPutOp&>(op);
  const Tensor& o = out[0];
  start_from(o, in[0]);
  Tensor value = on_device(in[1], o.device());
  if (value.storage() == o.storage()) {  // t[1:] = t[:-1]: read a snapshot
    value = contiguous_as(value, value.dtype());
    if (value.storage() == o.storage()) {
      Tensor snap = Tensor::empty(value.shape(), value.dtype(), value.device());
      copy_on_device(snap, value);
      value = snap;
    }
  }
  ViewGeometry g = basic_index_geometry(o.shape(), o.strides(), o.offset(), ip.items, "index_put");
  const Tensor view = make_view(o, std::move(g.shape), std::move(g.strides), g.offset);
  const int mode = ip.accumulate ? kIndexAccumulate : kIndexWrite;
  std::vector<Tensor> keep;
  IndexedArgs a;
  if (ip.dims.empty()) {
    if (!ip.accumulate) return copy_on_device(view, value);
    a = args_over(view.shape(), mode, o.dtype(), o, "index_put");
    set_strides(a.dst_strides, view.strides());
    set_strides(a.src_strides, broadcast_strides(value, view.shape()));
  } else {
    const auto idx = in.subspan(2);
    const AdvancedLayout L = advanced_layout(view.shape(), ip.dims, idx, "index_put");
    a = args_over(L.result, mode, o.dtype(), o, "index_put");
    set_strides(a.dst_strides, rest_strides(L, view));
    set_strides(a.src_strides, broadcast_strides(value, L.result));
    add_advanced_indices(a, L, view, ip.dims, idx, keep, "index_put");
  }
  a.dst = view.data_ptr();
  a.src = value.data_ptr();
  launch_indexed(a, stream_ptr(o));
}

// ---- masks and one-hot -----------------------------------------------------------------

void masked_fill_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const Tensor& o = out[0];
  const Tensor t = as_operand(in[0], o.device(), o.dtype());
  const Tensor mask = as_operand(in[1], o.device(), DType::Bool);
  const Tensor value = as_operand(in[2], o.device(), o.dtype());
  launch_where(make_args(o.shape(), {&o, &mask, &value, &t}, "masked_fill"), stream_ptr(o));
}

// Writes `one` where the index points along the last (one_hot) or given (index_one_hot) dim.
void one_hot_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const auto& oh = static_cast<const OneHotOp&>(op);
  const Tensor& o = out[0];
  const Tensor idx = int64_index(in[0], o.device(), "one_hot");
  cuda_backend()->fill(o, 0);
  IndexedArgs a = args_over(idx.shape(), kIndexWrite, o.dtype(), o, "one_hot");
  a.wrap_negative = false;  // a negative class is an error, as on the CPU
  a.dst = o.data_ptr();
  set_strides(a.dst_strides, IntList(o.strides().data(), static_cast<size_t>(idx.dim())));
  a.src_is_scalar = true;
  a.scalar_bits = bits_of_one(o.dtype());
  add_index(a, idx, idx.strides(), oh.num_classes, o.strides().back(), o.dim() - 1);
  launch_indexed(a, stream_ptr(o));
}

void index_one_hot_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const auto& oh = static_cast<const IndexOneHotOp&>(op);
  const Tensor& o = out[0];
  const Tensor idx = int64_index(in[0], o.device(), "index_one_hot");
  cuda_backend()->fill(o, 0);
  if (idx.dim() == 0) return;
  const int64_t d = normalize_dim(oh.dim, idx.dim(), "index_one_hot");
  IndexedArgs a = args_over(idx.shape(), kIndexWrite, o.dtype(), o, "index_one_hot");
  a.wrap_negative = false;
  a.skip_out_of_range = true;  // as the CPU kernel: such positions stay 0
  a.dst = o.data_ptr();
  set_strides(a.dst_strides, without(o, d));
  a.src_is_scalar = true;
  a.scalar_bits = bits_of_one(o.dtype());
  add_index(a, idx, idx.strides(), oh.size, o.strides()[d], d);
  launch_indexed(a, stream_ptr(o));
}

struct Registrar {
  Registrar() {
    register_cuda_kernel("gather", &gather_kernel);
    register_cuda_kernel("scatter", &scatter_kernel);
    register_cuda_kernel("index", &index_kernel);
    register_cuda_kernel("index_put", &index_put_kernel);
    register_cuda_kernel("masked_fill", &masked_fill_kernel);
    register_cuda_kernel("one_hot", &one_hot_kernel);
    register_cuda_kernel("index_one_hot", &index_one_hot_kernel);
  }
};
const Registrar registrar;

}  // namespace
}  // namespace ember::cuda
