// sort, argsort and topk: the values along a dim ordered (all of them, or the k first),
// with the positions they came from.
#include "core/ops/sort.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "core/cpu/copy.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/op_registry.h"
#include "core/ops/sort_ops.h"

namespace ember {

EMBER_REGISTER_OP(SortOp);
EMBER_REGISTER_OP(TopkOp);

namespace {

template <class V>
bool is_nan(V v) {
  return v != v;  // NOLINT: false for integers and bool
}

// Strict order with NaN above every number (PyTorch's convention).
template <class T>
bool less_nan_last(T a, T b) {
  double x = static_cast<double>(a), y = static_cast<double>(b);
  if (is_nan(y)) return !is_nan(x);
  if (is_nan(x)) return false;
  return x < y;
}

// x contiguous, viewed as [outer, n, inner]; writes the first `keep` positions of each
// slice's order into values / indices (shape [outer, keep, inner]).
template <class T>
void ordered_slices(const T* x, T* values, int64_t* indices, int64_t outer, int64_t n,
                    int64_t inner, int64_t keep, bool descending, bool full_order) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const T* base = x + o * n * inner + i;
      auto at = [&](int64_t j) { return base[j * inner]; };
      auto before = [&](int64_t a, int64_t b) {
        return descending ? less_nan_last(at(b), at(a)) : less_nan_last(at(a), at(b));
      };
      std::iota(order.begin(), order.end(), 0);
      if (full_order) {
        std::stable_sort(order.begin(), order.end(), before);
      } else {
        std::partial_sort(order.begin(), order.begin() + keep, order.end(), [&](int64_t a, int64_t b) {
          return before(a, b) || (!before(b, a) && a < b);  // ties: lower index first
        });
      }
      for (int64_t j = 0; j < keep; ++j) {
        int64_t dst = o * keep * inner + j * inner + i;
        values[dst] = at(order[size_t(j)]);
        indices[dst] = order[size_t(j)];
      }
    }
  }
}

void run_ordering(const Tensor& input, int64_t dim, int64_t keep, bool descending,
                  bool full_order, std::span<Tensor> out, std::string_view op) {
  Tensor x = contiguous_raw(input);
  if (x.dim() == 0) {
    copy_into(out[0], x);
    out[1].data<int64_t>()[0] = 0;
    return;
  }
  int64_t d = normalize_dim(dim, x.dim(), op);
  int64_t outer = 1, n = x.shape()[size_t(d)], inner = 1;
  for (int64_t i = 0; i < d; ++i) outer *= x.shape()[size_t(i)];
  for (int64_t i = d + 1; i < x.dim(); ++i) inner *= x.shape()[size_t(i)];
  if (outer * inner * keep == 0) return;
  EMBER_DISPATCH_ALL(x.dtype(), op, [&]<class T>() {
    ordered_slices<T>(static_cast<const T*>(x.data_ptr()), static_cast<T*>(out[0].data_ptr()),
                      out[1].data<int64_t>(), outer, n, inner, keep, descending, full_order);
  });
}

// The values' gradient goes back to the positions they were taken from.
TensorList scatter_back(const VjpArgs& a, int64_t dim) {
  const Tensor& g = a.grads[0];
  if (!g.defined()) return {Tensor()};
  const TensorMeta& m = a.input_meta[0];
  if (m.shape.empty()) return {g};
  int64_t d = normalize_dim(dim, int64_t(m.shape.size()), "sort");
  return {scatter_add(zeros(m.shape, g.dtype()), d, a.outputs[1], g)};
}

MetaList ordering_meta(const Tensor& x, int64_t dim, int64_t keep, std::string_view op) {
  Shape shape = x.shape();
  if (x.dim() > 0) shape[size_t(normalize_dim(dim, x.dim(), op))] = keep;
  return {TensorMeta{shape, x.dtype(), x.device()}, TensorMeta{shape, DType::Int64, x.device()}};
}

}  // namespace

SortOp::SortOp(const Attrs& a)
    : dim(a.get<int64_t>("dim", kName)), descending(a.get<bool>("descending", kName)) {}

void SortOp::attributes(Attrs& out) const {
  out.set("dim", dim);
  out.set("descending", descending);
}

MetaList SortOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  int64_t n = in[0].dim() ? in[0].size(normalize_dim(dim, in[0].dim(), kName)) : 1;
  return ordering_meta(in[0], dim, n, kName);
}

void SortOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  int64_t n = in[0].dim() ? in[0].size(normalize_dim(dim, in[0].dim(), kName)) : 1;
  run_ordering(in[0], dim, n, descending, /*full_order=*/true, out, kName);
}

TensorList SortOp::vjp(const VjpArgs& a) const { return scatter_back(a, dim); }

TopkOp::TopkOp(const Attrs& a)
    : k(a.get<int64_t>("k", kName)), dim(a.get<int64_t>("dim", kName)),
      largest(a.get<bool>("largest", kName)), sorted(a.get<bool>("sorted", kName)) {}

void TopkOp::attributes(Attrs& out) const {
  out.set("k", k);
  out.set("dim", dim);
  out.set("largest", largest);
  out.set("sorted", sorted);
}

MetaList TopkOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  const Tensor& x = in[0];
  int64_t n = x.dim() ? x.size(normalize_dim(dim, x.dim(), kName)) : 1;
  if (k < 0 || k > n) {
    raise<ValueError>("[topk] k ({}) is out of range for dimension {} of size {} (shape {})", k,
                      dim, n, shape_str(x.shape()));
  }
  return ordering_meta(x, dim, k, kName);
}

void TopkOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  // partial_sort leaves the k first in order, so `sorted=false` costs nothing extra.
  run_ordering(in[0], dim, k, largest, /*full_order=*/false, out, kName);
}

TensorList TopkOp::vjp(const VjpArgs& a) const { return scatter_back(a, dim); }

ValuesIndices sort(const Tensor& t, int64_t dim, bool descending, bool stable) {
  SortOp op(dim, descending);
  const Tensor in[] = {t};
  TensorList r = dispatch(op, in);
  return {r[0], r[1]};
}

Tensor argsort(const Tensor& t, int64_t dim, bool descending, bool stable) {
  return sort(t, dim, descending, stable).indices;
}

ValuesIndices topk(const Tensor& t, int64_t k, int64_t dim, bool largest, bool sorted) {
  TopkOp op(k, dim, largest, sorted);
  const Tensor in[] = {t};
  TensorList r = dispatch(op, in);
  return {r[0], r[1]};
}

}  // namespace ember
