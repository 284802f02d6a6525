// t[spec] and t[spec] = value: an IndexSpec is lowered to basic items (one BasicIndexOp
// view) followed by advanced index tensors (one IndexOp / IndexPutOp). Also index_select
// and index_add, which are advanced indexing along one dim.
#include <tuple>

#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/index_ops.h"
#include "core/ops/view_ops.h"

namespace ember {
namespace {

struct Lowered {
  std::vector<int64_t> items;  // BasicIndexOp items
  std::vector<int64_t> dims;   // advanced dims of the basic view
  TensorList idx;              // their index tensors
};

void push_full(std::vector<int64_t>& items, int64_t size) {
  items.insert(items.end(), {BasicIndexOp::kSlice, 0, size, 1});
}

Lowered lower(const Tensor& t, const IndexSpec& spec, std::string_view op) {
  using K = TensorIndex::Kind;
  int64_t consumed = 0, ellipses = 0;
  for (const TensorIndex& it : spec) {
    if (it.kind == K::Int || it.kind == K::Slice) ++consumed;
    if (it.kind == K::Ellipsis) ++ellipses;
    if (it.kind == K::Tensor) {
      if (!it.tensor.defined()) raise<ValueError>("[{}] index tensor is undefined", op);
      consumed += it.tensor.dtype() == DType::Bool ? it.tensor.dim() : 1;
    }
  }
  if (ellipses > 1) raise<IndexError>("[{}] an index can only have a single ellipsis ('...')", op);
  if (consumed > t.dim()) {
    raise<IndexError>("[{}] too many indices for tensor of dimension {} (shape {}): {} given", op,
                      t.dim(), shape_str(t.shape()), consumed);
  }
  Lowered L;
  int64_t d = 0, od = 0;
  for (size_t pos = 0; pos < spec.size(); ++pos) {
    const TensorIndex& it = spec[pos];
    switch (it.kind) {
      case K::Int: {
        int64_t size = t.shape()[d];
        if (it.index < -size || it.index >= size) {
          raise<IndexError>("[{}] index {} is out of bounds for dim {} with size {}", op, it.index,
                            d, size);
        }
        L.items.insert(L.items.end(),
                       {BasicIndexOp::kInt, it.index < 0 ? it.index + size : it.index, 0, 0});
        ++d;
        break;
      }
      case K::Slice: {
        int64_t size = t.shape()[d];
        if (it.step <= 0) {
          raise<ValueError>(
              "[{}] slice step must be positive, got {} (negative steps are not "
              "supported; use flip)",
              op, it.step);
        }
        auto clamp = [size](int64_t v) {
          return std::clamp<int64_t>(v < 0 ? v + size : v, 0, size);
        };
        int64_t s = it.start ? clamp(*it.start) : 0;
        int64_t e = it.stop ? clamp(*it.stop) : size;
        L.items.insert(L.items.end(), {BasicIndexOp::kSlice, s, std::max(s, e), it.step});
        ++d, ++od;
        break;
      }
      case K::None:
        L.items.insert(L.items.end(), {BasicIndexOp::kNewAxis, 0, 0, 0});
        ++od;
        break;
      case K::Ellipsis:
        for (int64_t n = t.dim() - consumed; n > 0; --n) push_full(L.items, t.shape()[d++]), ++od;
        break;
      case K::Tensor: {
        const Tensor& x = it.tensor;
        if (x.dtype() != DType::Bool) {
          check_index_dtype(x, op);
          push_full(L.items, t.shape()[d++]);
          L.dims.push_back(od++);
          L.idx.push_back(x);
          break;
        }
        if (x.dim() == 0) {  // t[True] adds a dim of size 1; t[False] one of size 0
          L.items.insert(L.items.end(), {BasicIndexOp::kNewAxis, 0, 0, 0});
          L.dims.push_back(od++);
          L.idx.push_back(x.item<bool>() ? zeros({1}, DType::Int64) : zeros({0}, DType::Int64));
          break;
        }
        for (int64_t j = 0; j < x.dim(); ++j) {
          if (x.shape()[j] != t.shape()[d + j]) {
            raise<IndexError>(
                "[{}] the shape of the mask {} at index {} does not match the shape "
                "{} of the indexed tensor at dim {}",
                op, shape_str(x.shape()), pos, shape_str(t.shape()), d + j);
          }
        }
        Tensor nz = nonzero(x);
        for (int64_t j = 0; j < x.dim(); ++j) {
          push_full(L.items, t.shape()[d++]);
          L.dims.push_back(od++);
          L.idx.push_back(select(nz, 1, j));
        }
        break;
      }
    }
  }
  // Trailing whole-dim slices change nothing.
  while (L.items.size() >= 4) {
    auto it = L.items.end() - 4;
    int64_t dim_of_item = d - 1;
    if (!(it[0] == BasicIndexOp::kSlice && it[1] == 0 && it[3] == 1 && dim_of_item >= 0 &&
          it[2] == t.shape()[dim_of_item])) {
      break;
    }
    L.items.resize(L.items.size() - 4);
    --d;
  }
  return L;
}

Tensor apply_basic(const Tensor& t, const std::vector<int64_t>& items) {
  if (items.empty()) return t;
  BasicIndexOp op(items);
  const Tensor in[] = {t};
  return dispatch1(op, in);
}

Tensor apply_advanced(const Tensor& v, const Lowered& L) {
  IndexOp op(L.dims);
  TensorList ins{v};
  ins.insert(ins.end(), L.idx.begin(), L.idx.end());
  return dispatch1(op, ins);
}

IndexPutOp put_op(const Lowered& L, bool accumulate) {
  return IndexPutOp(L.items, L.dims, accumulate);
}

TensorList put_inputs(const Tensor& t, const Tensor& value, const Lowered& L) {
  TensorList ins{t, to_dtype(value, t.dtype())};
  ins.insert(ins.end(), L.idx.begin(), L.idx.end());
  return ins;
}

}  // namespace

Tensor index(const Tensor& t, const IndexSpec& spec) {
  Lowered L = lower(t, spec, "index");
  if (L.items.empty() && L.dims.empty()) return alias(t);
  Tensor v = apply_basic(t, L.items);
  return L.dims.empty() ? v : apply_advanced(v, L);
}

const Tensor& index_put_(const Tensor& t, const IndexSpec& spec, const Tensor& value,
                         bool accumulate) {
  Lowered L = lower(t, spec, "index_put_");
  IndexPutOp op = put_op(L, accumulate);
  dispatch_inplace(op, put_inputs(t, value, L));
  return t;
}

Tensor index_put(const Tensor& t, const IndexSpec& spec, const Tensor& value, bool accumulate) {
  Lowered L = lower(t, spec, "index_put");
  IndexPutOp op = put_op(L, accumulate);
  return dispatch1(op, put_inputs(t, value, L));
}

namespace {
IndexSpec index_fill_spec(const Tensor& t, int64_t dim, const Tensor& index) {
  if (index.dim() > 1) {
    raise<IndexError>("[index_fill] index must be 0-D or 1-D, got shape {}",
                      shape_str(index.shape()));
  }
  if (t.dim() == 0) raise<IndexError>("[index_fill] cannot index a 0-dim tensor");
  int64_t d = normalize_dim(dim, t.dim(), "index_fill");
  IndexSpec spec(d, TensorIndex::slice());
  spec.push_back(TensorIndex::of(reshape(index, {-1})));
  return spec;
}
}  // namespace

Tensor index_fill(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value) {
  return index_put(t, index_fill_spec(t, dim, index), scalar_tensor(value, t.dtype(), t.device()));
}
const Tensor& index_fill_(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value) {
  return index_put_(t, index_fill_spec(t, dim, index), scalar_tensor(value, t.dtype(), t.device()));
}

Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index) {
  if (index.dim() > 1) {
    raise<IndexError>("[index_select] index must be 0-D or 1-D, got shape {}",
                      shape_str(index.shape()));
  }
  check_index_dtype(index, "index_select");
  if (t.dim() == 0) raise<IndexError>("[index_select] cannot index a 0-dim tensor");
  int64_t d = normalize_dim(dim, t.dim(), "index_select");
  IndexOp op({d});
  const Tensor ins[] = {t, reshape(index, {-1})};
  return dispatch1(op, ins);
}

namespace {

// index_add's validation; returns (dim, flattened index, scaled source in t's dtype).
std::tuple<int64_t, Tensor, Tensor> index_add_args(const Tensor& t, int64_t dim,
                                                   const Tensor& index, const Tensor& src,
                                                   const Scalar& alpha) {
  if (index.dim() > 1) {
    raise<IndexError>("[index_add] index must be 0-D or 1-D, got shape {}",
                      shape_str(index.shape()));
  }
  check_index_dtype(index, "index_add");
  if (t.dim() == 0) raise<IndexError>("[index_add] cannot index a 0-dim tensor");
  int64_t d = normalize_dim(dim, t.dim(), "index_add");
  Shape expect(t.shape());
  expect[d] = index.numel();
  if (src.shape() != expect) {
    raise<ValueError>(
        "[index_add] source of shape {} must have shape {} (the tensor's shape {} "
        "with dim {} of size len(index) = {})",
        shape_str(src.shape()), shape_str(expect), shape_str(t.shape()), d, index.numel());
  }
  Tensor v = alpha == Scalar(int64_t{1}) ? src : mul(src, alpha);
  return {d, reshape(index, {-1}), to_dtype(v, t.dtype())};
}

}  // namespace

Tensor index_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src,
                 const Scalar& alpha) {
  auto [d, idx, v] = index_add_args(t, dim, index, src, alpha);
  const Tensor ix[] = {idx};
  return dispatch_index_put(t, {}, {d}, ix, v, /*accumulate=*/true);
}

const Tensor& index_add_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src,
                         const Scalar& alpha) {
  auto [d, idx, v] = index_add_args(t, dim, index, src, alpha);
  IndexPutOp op({}, {d}, true);
  const Tensor ins[] = {t, v, idx};
  dispatch_inplace(op, ins);
  return t;
}

}  // namespace ember
