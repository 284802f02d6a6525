#pragma once
// Reductions over any set of dims (an empty list means all dims) with keepdim, with
// PyTorch's names and dtype rules: integer sums and products accumulate in int64, float
// reductions accumulate in double, mean/var/std need a floating input (or dtype=).
#include <optional>

#include "core/scalar.h"
#include "core/tensor.h"

namespace ember {

Tensor sum(const Tensor& t, IntList dims = {}, bool keepdim = false,
           std::optional<DType> dtype = std::nullopt);
Tensor mean(const Tensor& t, IntList dims = {}, bool keepdim = false,
            std::optional<DType> dtype = std::nullopt);
Tensor prod(const Tensor& t, IntList dims = {}, bool keepdim = false,
            std::optional<DType> dtype = std::nullopt);

// Largest / smallest values over dims (ties share the gradient evenly, as PyTorch).
Tensor amax(const Tensor& t, IntList dims = {}, bool keepdim = false);
Tensor amin(const Tensor& t, IntList dims = {}, bool keepdim = false);
// max(t) / min(t) with no dim: a 0-dim tensor (same as amax over all dims).
Tensor max(const Tensor& t);
Tensor min(const Tensor& t);

// max/min along one dim: the values and the index of the first extreme (NaN counts as the
// extreme, as PyTorch). The gradient flows to that index only.
struct ValuesIndices {
  Tensor values;
  Tensor indices;
};
ValuesIndices max(const Tensor& t, int64_t dim, bool keepdim = false);
ValuesIndices min(const Tensor& t, int64_t dim, bool keepdim = false);
// Index (int64) of the extreme along dim; no dim: over the flattened tensor.
Tensor argmax(const Tensor& t, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
Tensor argmin(const Tensor& t, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);

// Variance / standard deviation with Bessel-style `correction` (1: unbiased).
Tensor var(const Tensor& t, IntList dims = {}, double correction = 1, bool keepdim = false);
Tensor std(const Tensor& t, IntList dims = {}, double correction = 1, bool keepdim = false);
std::pair<Tensor, Tensor> var_mean(const Tensor& t, IntList dims = {}, double correction = 1,
                                   bool keepdim = false);
std::pair<Tensor, Tensor> std_mean(const Tensor& t, IntList dims = {}, double correction = 1,
                                   bool keepdim = false);

// log(sum(exp(t))) computed stably (online max); integer inputs promote to float.
Tensor logsumexp(const Tensor& t, IntList dims, bool keepdim = false);

// Truth reductions: bool results.
Tensor all(const Tensor& t, IntList dims = {}, bool keepdim = false);
Tensor any(const Tensor& t, IntList dims = {}, bool keepdim = false);

// Vector p-norm over dims (all by default): p = 2 ("fro"), 1, inf, -inf, 0 or any other.
Tensor norm(const Tensor& t, double p = 2, IntList dims = {}, bool keepdim = false);

// Running sum / product along dim. Integers and bool accumulate in int64.
Tensor cumsum(const Tensor& t, int64_t dim, std::optional<DType> dtype = std::nullopt);
Tensor cumprod(const Tensor& t, int64_t dim, std::optional<DType> dtype = std::nullopt);

// Sums g down to `shape` (the inverse of broadcasting): used by backward rules.
Tensor sum_to_shape(const Tensor& g, IntList shape);

// Output shape of a reduction; shared by every reduce op.
Shape reduced_shape(const Tensor& t, IntList dims, bool keepdim, std::string_view op);

}  // namespace ember
