#include "core/ops/grad_utils.h"

#include "core/ops.h"

namespace ember {

Tensor reduce_grad(const Tensor& g, const TensorMeta& m) {
  Tensor r = g.shape() == m.shape ? g : sum_to_shape(g, m.shape);
  if (r.dtype() != m.dtype && is_floating(m.dtype)) r = to_dtype(r, m.dtype);
  return r;
}

}  // namespace ember
