#pragma once
// Reductions over any set of dims (empty = all) with keepdim.
#include <optional>

#include "core/tensor.h"

namespace ember {

Tensor sum(const Tensor& t, IntList dims = {}, bool keepdim = false,
           std::optional<DType> dtype = std::nullopt);
// Sums g down to `shape` (the inverse of broadcasting): used by backward rules.
Tensor sum_to_shape(const Tensor& g, IntList shape);

// Output shape of a reduction; shared by every reduce op.
Shape reduced_shape(const Tensor& t, IntList dims, bool keepdim, std::string_view op);

}  // namespace ember
