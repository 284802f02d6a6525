#pragma once
// Sorting along a dim: sort / argsort (stable), topk, as in PyTorch. NaN sorts as the
// largest value. Gradients flow to the positions the values came from.
#include <optional>

#include "core/ops/reduce.h"

namespace ember {

ValuesIndices sort(const Tensor& t, int64_t dim = -1, bool descending = false, bool stable = true);
Tensor argsort(const Tensor& t, int64_t dim = -1, bool descending = false, bool stable = true);
// The k largest (or smallest) values along dim, sorted by default.
ValuesIndices topk(const Tensor& t, int64_t k, int64_t dim = -1, bool largest = true,
                   bool sorted = true);

}  // namespace ember
