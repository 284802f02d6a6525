#pragma once
// Indexing: t[spec] and t[spec] = value (NumPy/PyTorch semantics), and the index ops
// gather, scatter, index_select, index_add, masked_fill, masked_select, nonzero, one_hot.
// Integer index tensors may be int32 or int64; negative indices count from the end.
#include <optional>
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"

namespace ember {

// One item of an index expression: t[1], t[1:5:2], t[None], t[...], t[idx_tensor].
struct TensorIndex {
  enum class Kind : uint8_t { Int, Slice, None, Ellipsis, Tensor };
  Kind kind = Kind::Ellipsis;
  int64_t index = 0;                   // Int
  std::optional<int64_t> start, stop;  // Slice (nullopt: open end)
  int64_t step = 1;                    // Slice (must be > 0)
  ember::Tensor tensor;                // Tensor: integer indices or a bool mask

  static TensorIndex integer(int64_t i) {
    TensorIndex x;
    x.kind = Kind::Int;
    x.index = i;
    return x;
  }
  static TensorIndex slice(std::optional<int64_t> start = std::nullopt,
                           std::optional<int64_t> stop = std::nullopt, int64_t step = 1) {
    TensorIndex x;
    x.kind = Kind::Slice;
    x.start = start;
    x.stop = stop;
    x.step = step;
    return x;
  }
  static TensorIndex none() {
    TensorIndex x;
    x.kind = Kind::None;
    return x;
  }
  static TensorIndex ellipsis() {
    TensorIndex x;
    x.kind = Kind::Ellipsis;
    return x;
  }
  static TensorIndex of(ember::Tensor t) {
    TensorIndex x;
    x.kind = Kind::Tensor;
    x.tensor = std::move(t);
    return x;
  }
};
using IndexSpec = std::vector<TensorIndex>;

// t[spec]: a view when spec has only ints, slices, None and ..., else a copy (advanced
// indexing; index tensors broadcast together; bool masks select their nonzero positions).
Tensor index(const Tensor& t, const IndexSpec& spec);
// t[spec] = value, in place (value broadcast to t[spec]'s shape and cast to t's dtype);
// with accumulate, duplicate positions add up. Differentiable; bumps t's version.
const Tensor& index_put_(const Tensor& t, const IndexSpec& spec, const Tensor& value,
                         bool accumulate = false);
// Out-of-place form: a copy of t with t[spec] replaced (or incremented) by value.
Tensor index_put(const Tensor& t, const IndexSpec& spec, const Tensor& value,
                 bool accumulate = false);

// out[i][j][k] = t[index[i][j][k]][j][k] (dim 0); index has t's rank.
Tensor gather(const Tensor& t, int64_t dim, const Tensor& index);
// A copy of t with t[index[i][j][k]][j][k] = src[i][j][k] (dim 0).
Tensor scatter(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src);
Tensor scatter(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value);
Tensor scatter_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src);
// gather with index broadcast against t (except along dim); dim nullopt: flattened.
Tensor take_along_dim(const Tensor& t, const Tensor& index, std::optional<int64_t> dim);

Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index);  // index: 1-D
Tensor index_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src,
                 const Scalar& alpha = 1);

// Fills t[..., index, ...] (index along dim, 0-D or 1-D) with value.
Tensor index_fill(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value);
const Tensor& index_fill_(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value);

// mask (bool) broadcasts to t's shape; value is a number or a 0-dim tensor.
Tensor masked_fill(const Tensor& t, const Tensor& mask, const Scalar& value);
Tensor masked_fill(const Tensor& t, const Tensor& mask, const Tensor& value);
// In-place forms (bump t's version; differentiable like the out-of-place ones).
const Tensor& masked_fill_(const Tensor& t, const Tensor& mask, const Scalar& value);
const Tensor& masked_fill_(const Tensor& t, const Tensor& mask, const Tensor& value);
const Tensor& scatter_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src);
const Tensor& scatter_(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value);
const Tensor& scatter_add_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src);
const Tensor& index_add_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src,
                         const Scalar& alpha = 1);
Tensor masked_select(const Tensor& t, const Tensor& mask);  // 1-D, t and mask broadcast

// (n, t.dim()) int64 coordinates of the nonzero elements, row-major order.
Tensor nonzero(const Tensor& t);
std::vector<Tensor> nonzero_tuple(const Tensor& t);  // as_tuple=True: one 1-D tensor per dim
// int64 one-hot encoding, a new last dim of num_classes (-1: max(t) + 1).
Tensor one_hot(const Tensor& t, int64_t num_classes = -1);

}  // namespace ember
