#pragma once
// Helpers for vjp rules.
#include "core/op.h"

namespace ember {

// The gradient for an input of metadata m from a gradient of the broadcast result: sums
// over the broadcast dims and casts back to the input's dtype.
Tensor reduce_grad(const Tensor& g, const TensorMeta& m);

}  // namespace ember
