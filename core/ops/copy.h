#pragma once
// Copies and dtype conversion.
#include "core/tensor.h"

namespace ember {

Tensor to_dtype(const Tensor& t, DType dtype);  // t itself if already of that dtype
Tensor clone(const Tensor& t);                   // a contiguous copy
Tensor contiguous(const Tensor& t);              // t itself if already contiguous
// copy_(dst, src): writes broadcast(src), cast to dst's dtype, into dst. Differentiable.
const Tensor& copy_(const Tensor& dst, const Tensor& src);

}  // namespace ember
