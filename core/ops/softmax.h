#pragma once
// softmax and log_softmax along one dim: numerically stable (the row max is subtracted
// before exp), fused single-op kernels, backward rules written with other ops.
#include <optional>

#include "core/scalar.h"
#include "core/tensor.h"

namespace ember {

// `dtype`, when given, casts the input first (as PyTorch's dtype= argument).
Tensor softmax(const Tensor& t, int64_t dim, std::optional<DType> dtype = std::nullopt);
Tensor log_softmax(const Tensor& t, int64_t dim, std::optional<DType> dtype = std::nullopt);

}  // namespace ember
