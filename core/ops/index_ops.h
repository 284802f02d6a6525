#pragma once
#include <span>
#include <type_traits>
#include <vector>

#include "core/op.h"
#include "core/op_registry.h"

namespace ember {

// Advanced indexing (advanced_index.cpp): inputs (t, idx_0, ..., idx_k-1); idx_i indexes dim
// dims[i] of t (dims ascending). The index tensors broadcast to a shape B; the result puts B
// where the indexed dims were when they are adjacent, else in front (NumPy's rule).
struct IndexOp : OpImpl<IndexOp> {
  static constexpr std::string_view kName = "index";
  std::vector<int64_t> dims;
  explicit IndexOp(std::vector<int64_t> d) : dims(std::move(d)) {}
  explicit IndexOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  bool vjp_needs_input(size_t i) const override { return i >= 1; }  // the index tensors
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

// index_put: inputs (t, value, idx_0, ...). A copy of t where t[basic][adv] is replaced by
// (or, with accumulate, incremented by) value broadcast to that selection's shape. `items`
// are BasicIndexOp's items applied first, `dims` index the resulting view as in IndexOp.
// The kernel may run with its output aliasing t (in-place writes need no copy).
struct IndexPutOp : OpImpl<IndexPutOp> {
  static constexpr std::string_view kName = "index_put";
  std::vector<int64_t> items;
  std::vector<int64_t> dims;
  bool accumulate = false;
  IndexPutOp(std::vector<int64_t> it, std::vector<int64_t> d, bool acc)
      : items(std::move(it)), dims(std::move(d)), accumulate(acc) {}
  explicit IndexPutOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  bool inplace_kernel_ok() const override { return true; }
  bool vjp_needs_input(size_t i) const override { return i >= 2; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

// gather(t, index) along dim (gather_scatter.cpp).
struct GatherOp : OpImpl<GatherOp> {
  static constexpr std::string_view kName = "gather";
  int64_t dim;
  explicit GatherOp(int64_t d) : dim(d) {}
  explicit GatherOp(const Attrs& a) : dim(a.get<int64_t>("dim", kName)) {}
  void attributes(Attrs& out) const override { out.set("dim", dim); }
  bool vjp_needs_input(size_t i) const override { return i == 1; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

// scatter(t, index, src) along dim; `accumulate` makes it scatter_add.
struct ScatterOp : OpImpl<ScatterOp> {
  static constexpr std::string_view kName = "scatter";
  int64_t dim;
  bool accumulate = false;
  ScatterOp(int64_t d, bool acc) : dim(d), accumulate(acc) {}
  explicit ScatterOp(const Attrs& a)
      : dim(a.get<int64_t>("dim", kName)), accumulate(a.get<bool>("accumulate", kName)) {}
  void attributes(Attrs& out) const override {
    out.set("dim", dim);
    out.set("accumulate", accumulate);
  }
  bool vjp_needs_input(size_t i) const override { return i == 1; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

// masked_fill(t, mask, value): value is a 0-dim tensor of t's dtype (index.cpp).
struct MaskedFillOp : OpImpl<MaskedFillOp> {
  static constexpr std::string_view kName = "masked_fill";
  bool is_elementwise() const override { return true; }
  bool vjp_needs_input(size_t i) const override { return i == 1; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

// nonzero: the output's row count depends on the data, so infer reads it (CPU only).
struct NonzeroOp : OpImpl<NonzeroOp> {
  static constexpr std::string_view kName = "nonzero";
  bool is_differentiable() const override { return false; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
};

struct OneHotOp : OpImpl<OneHotOp> {
  static constexpr std::string_view kName = "one_hot";
  int64_t num_classes;
  explicit OneHotOp(int64_t n) : num_classes(n) {}
  explicit OneHotOp(const Attrs& a) : num_classes(a.get<int64_t>("num_classes", kName)) {}
  void attributes(Attrs& out) const override { out.set("num_classes", num_classes); }
  bool is_differentiable() const override { return false; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
};

// Index tensors as contiguous int64 broadcast to `shape`, negatives wrapped, each checked
// against `size`; raises IndexError "[op] index i is out of bounds for dim d with size n".
Tensor checked_indices(const Tensor& idx, IntList shape, int64_t size, int64_t dim,
                       std::string_view op);
void check_index_dtype(const Tensor& idx, std::string_view op);

// Dispatches IndexPutOp on (t, value, idx...): the one entry used by index_put, index_add
// and the backward rules of the view and index ops.
Tensor dispatch_index_put(const Tensor& t, const std::vector<int64_t>& items,
                          const std::vector<int64_t>& dims, std::span<const Tensor> idx,
                          const Tensor& value, bool accumulate);

// Whether `from` broadcasts to exactly `to`.
inline bool broadcastable_to(IntList from, IntList to) {
  if (from.size() > to.size()) return false;
  const size_t lead = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i) {
    if (from[i] != 1 && from[i] != to[lead + i]) return false;
  }
  return true;
}

// value[i] (+)= ... helpers shared by the index kernels.
template <class T>
inline T add_values(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) {
    return a || b;
  } else {
    return static_cast<T>(static_cast<acc_t<T>>(a) + static_cast<acc_t<T>>(b));
  }
}

// Calls f(offset_a, offset_b) for every position of `shape` (row-major), offsets in elements
// for two layouts; the innermost dim is a tight loop.
template <class F>
void for_each_offset2(IntList shape, IntList sa, IntList sb, F&& f) {
  const int64_t nd = static_cast<int64_t>(shape.size());
  if (nd == 0) {
    f(int64_t{0}, int64_t{0});
    return;
  }
  for (int64_t s : shape) {
    if (s == 0) return;
  }
  Shape idx(nd, 0);
  int64_t oa = 0, ob = 0;
  const int64_t last = shape[nd - 1], ia = sa[nd - 1], ib = sb[nd - 1];
  while (true) {
    for (int64_t i = 0; i < last; ++i) f(oa + i * ia, ob + i * ib);
    int64_t d = nd - 2;
    for (; d >= 0; --d) {
      if (++idx[d] < shape[d]) {
        oa += sa[d];
        ob += sb[d];
        break;
      }
      oa -= (shape[d] - 1) * sa[d];
      ob -= (shape[d] - 1) * sb[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

}  // namespace ember
