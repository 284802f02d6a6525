// gather / scatter / scatter_add along one dim, and take_along_dim. gather's backward is a
// scatter_add and scatter's is a gather (the duality keeps both differentiable twice).
#include "core/cpu/copy.h"
#include "core/cpu/elementwise_loop.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/index_ops.h"

namespace ember {

EMBER_REGISTER_OP(GatherOp);
EMBER_REGISTER_OP(ScatterOp);

namespace {

// t's strides with `dim` zeroed: the offset of t[i, j, k] without the indexed coordinate.
Strides strides_without(const Tensor& t, int64_t dim) {
  Strides s(t.strides());
  if (t.dim() > 0) s[dim] = 0;
  return s;
}

int64_t dim_of(const Tensor& t, int64_t dim, std::string_view op) {
  return normalize_dim(dim, std::max<int64_t>(t.dim(), 1), op);
}

int64_t size_at(const Tensor& t, int64_t d) { return t.dim() == 0 ? 1 : t.shape()[d]; }

void check_index_fits(const Tensor& t, const Tensor& index, int64_t d, bool all_dims,
                      std::string_view what, std::string_view op) {
  for (int64_t k = 0; k < index.dim(); ++k) {
    if ((all_dims || k != d) && index.shape()[k] > t.shape()[k]) {
      raise<ValueError>("[{}] index of shape {} is larger than {} of shape {} at dim {}", op,
                        shape_str(index.shape()), what, shape_str(t.shape()), k);
    }
  }
}

Tensor zero_pad_to(const Tensor& g, IntList shape) {
  if (g.shape() == shape) return g;
  std::vector<int64_t> pads;
  for (int64_t d = g.dim() - 1; d >= 0; --d) pads.insert(pads.end(), {0, shape[d] - g.shape()[d]});
  return pad(g, pads, "constant", 0);
}

}  // namespace

// ---- gather
MetaList GatherOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 2);
  check_same_device(*this, in);
  const Tensor& t = in[0];
  const Tensor& index = in[1];
  check_index_dtype(index, kName);
  int64_t d = dim_of(t, dim, kName);
  if (index.dim() != t.dim()) {
    raise<ValueError>("[gather] index {} must have as many dims as the input {}",
                      shape_str(index.shape()), shape_str(t.shape()));
  }
  check_index_fits(t, index, d, false, "the input", kName);
  return {TensorMeta{index.shape(), t.dtype(), t.device()}};
}
void GatherOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  const Tensor& t = in[0];
  int64_t d = dim_of(t, dim, kName);
  Tensor idx = checked_indices(in[1], in[1].shape(), size_at(t, d), d, kName);
  const int64_t dstride = t.dim() == 0 ? 0 : t.strides()[d];
  auto plan =
      cpu::make_plan<3>(idx.shape(), {out[0].strides(), idx.strides(), strides_without(t, d)});
  const int64_t* ip = idx.data<int64_t>();
  EMBER_DISPATCH_ALL(t.dtype(), kName, [&]<class T>() {
    T* op = static_cast<T*>(out[0].data_ptr());
    const T* xp = static_cast<const T*>(t.data_ptr());
    cpu::parallel_for(idx.numel(), cpu::kParallelGrain, [&](int64_t b, int64_t e) {
      cpu::walk(plan, b, e, [&](const std::array<int64_t, 3>& off, int64_t m, const auto& s) {
        for (int64_t i = 0; i < m; ++i) {
          op[off[0] + i * s[0]] = xp[off[2] + i * s[2] + ip[off[1] + i * s[1]] * dstride];
        }
      });
    });
  });
}
TensorList GatherOp::vjp(const VjpArgs& a) const {
  const Tensor& g = a.grads[0];
  Tensor base = zeros(a.input_meta[0].shape, g.dtype(), g.device());
  return {scatter_add(base, dim, a.inputs[1], g), Tensor()};
}

Tensor gather(const Tensor& t, int64_t dim, const Tensor& index) {
  GatherOp op(dim);
  const Tensor in[] = {t, index};
  return dispatch1(op, in);
}

// ---- scatter / scatter_add
MetaList ScatterOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 3);
  check_same_device(*this, in);
  const Tensor& t = in[0];
  const Tensor& index = in[1];
  const Tensor& src = in[2];
  std::string_view name = accumulate ? "scatter_add" : "scatter";
  check_index_dtype(index, name);
  int64_t d = dim_of(t, dim, name);
  if (index.dim() != t.dim() || src.dim() != t.dim()) {
    raise<ValueError>("[{}] index {} and src {} must have as many dims as the input {}", name,
                      shape_str(index.shape()), shape_str(src.shape()), shape_str(t.shape()));
  }
  if (src.dtype() != t.dtype()) {
    raise<TypeError>("[{}] src has dtype {} but the input has dtype {}", name,
                     dtype_name(src.dtype()), dtype_name(t.dtype()));
  }
  check_index_fits(t, index, d, false, "the input", name);
  check_index_fits(src, index, d, true, "src", name);
  return {TensorMeta{t.shape(), t.dtype(), t.device()}};
}
void ScatterOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  const Tensor& t = in[0];
  const Tensor& src = in[2];
  std::string_view name = accumulate ? "scatter_add" : "scatter";
  int64_t d = dim_of(t, dim, name);
  copy_into(out[0], t);
  Tensor idx = checked_indices(in[1], in[1].shape(), size_at(t, d), d, name);
  const int64_t dstride = t.dim() == 0 ? 0 : out[0].strides()[d];
  auto plan =
      cpu::make_plan<3>(idx.shape(), {strides_without(out[0], d), idx.strides(), src.strides()});
  const int64_t* ip = idx.data<int64_t>();
  EMBER_DISPATCH_ALL(t.dtype(), name, [&]<class T>() {
    T* op = static_cast<T*>(out[0].data_ptr());
    const T* sp = static_cast<const T*>(src.data_ptr());
    // One thread: positions that share an index must land in order (and add without races).
    cpu::walk(plan, 0, idx.numel(),
              [&](const std::array<int64_t, 3>& off, int64_t m, const auto& s) {
                for (int64_t i = 0; i < m; ++i) {
                  T& dst = op[off[0] + i * s[0] + ip[off[1] + i * s[1]] * dstride];
                  const T v = sp[off[2] + i * s[2]];
                  dst = accumulate ? add_values(dst, v) : v;
                }
              });
  });
}
TensorList ScatterOp::vjp(const VjpArgs& a) const {
  const Tensor& g = a.grads[0];
  const Tensor& index = a.inputs[1];
  Tensor gt, gs;
  if (a.needs_grad[0]) gt = accumulate ? g : scatter(g, dim, index, Scalar(0));
  if (a.needs_grad[2]) gs = zero_pad_to(gather(g, dim, index), a.input_meta[2].shape);
  return {gt, Tensor(), gs};
}

Tensor scatter(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  ScatterOp op(dim, false);
  const Tensor in[] = {t, index, to_dtype(src, t.dtype())};
  return dispatch1(op, in);
}
Tensor scatter(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value) {
  ScatterOp op(dim, false);
  const Tensor in[] = {t, index,
                       expand(scalar_tensor(value, t.dtype(), t.device()), index.shape())};
  return dispatch1(op, in);
}
Tensor scatter_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  ScatterOp op(dim, true);
  const Tensor in[] = {t, index, to_dtype(src, t.dtype())};
  return dispatch1(op, in);
}

const Tensor& scatter_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  ScatterOp op(dim, false);
  const Tensor in[] = {t, index, to_dtype(src, t.dtype())};
  dispatch_inplace(op, in);
  return t;
}
const Tensor& scatter_(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value) {
  return scatter_(t, dim, index,
                  expand(scalar_tensor(value, t.dtype(), t.device()), index.shape()));
}
const Tensor& scatter_add_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  ScatterOp op(dim, true);
  const Tensor in[] = {t, index, to_dtype(src, t.dtype())};
  dispatch_inplace(op, in);
  return t;
}

Tensor take_along_dim(const Tensor& t, const Tensor& index, std::optional<int64_t> dim) {
  if (!dim) return gather(reshape(t, {-1}), 0, reshape(index, {-1}));
  if (t.dim() != index.dim()) {
    raise<ValueError>("[take_along_dim] input {} and indices {} must have the same number of dims",
                      shape_str(t.shape()), shape_str(index.shape()));
  }
  int64_t d = normalize_dim(*dim, t.dim(), "take_along_dim");
  if (t.dim() == 0) return gather(t, d, index);  // no dim to broadcast (found by the API fuzzer)
  Shape ts(t.shape()), is(index.shape());
  ts[d] = 1;
  is[d] = 1;
  Shape b = broadcast_shapes(ts, is, "take_along_dim");
  Shape tb(b), ib(b);
  tb[d] = t.shape()[d];
  ib[d] = index.shape()[d];
  return gather(broadcast_to(t, tb), d, broadcast_to(index, ib));
}

}  // namespace ember
