#pragma once
// Raw copies between tensors (no autograd, no tracing): the building block of contiguous(),
// dtype casts and in-place writes.
#include "core/tensor.h"

namespace ember {

// dst[...] = cast(broadcast(src)); src must broadcast to dst's shape. Same device only.
void copy_into(const Tensor& dst, const Tensor& src);

// A contiguous tensor with t's values in dtype `dtype` (t itself if nothing changes).
Tensor contiguous_as(const Tensor& t, DType dtype);
Tensor contiguous_raw(const Tensor& t);
// A contiguous copy that never aliases t (no autograd, no tracing).
Tensor clone_raw(const Tensor& t);

}  // namespace ember
