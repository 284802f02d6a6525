#pragma once
// The layout every CUDA reduction kernel sees: the reduced dims moved last and the input
// made contiguous, so the kernels work on rows of `cols` values, one result per row.
#include <vector>

#include "core/tensor.h"

namespace ember::cuda {

// x with dims `reduced` moved last, as a contiguous tensor of dtype `dtype`: [rows, cols].
Tensor rows_last(const Tensor& x, std::vector<int64_t> reduced, DType dtype, int64_t& rows,
                 int64_t& cols);

// The dims a reduction over `dims` (empty: all) covers, normalized, sorted and unique.
std::vector<int64_t> reduced_dims(IntList dims, int64_t ndim, std::string_view op);

}  // namespace ember::cuda
