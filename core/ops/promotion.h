#pragma once
// Result dtypes for ops with several inputs, following PyTorch: tensors decide the dtype
// unless a Python number (a "wrapped number" 0-dim tensor) is of a higher category
// (bool < integer < floating), in which case that category's default dtype wins.
#include <span>

#include "core/tensor.h"

namespace ember {

DType result_type(std::span<const Tensor> inputs);
DType result_type(const Tensor& a, const Tensor& b);

// The dtype for ops that always produce floating output (div, exp, mean): integers and bool
// become the default float dtype.
inline DType to_floating(DType d) { return is_floating(d) ? d : default_float_dtype(); }

}  // namespace ember
