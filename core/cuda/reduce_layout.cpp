#include "core/cuda/reduce_layout.h"

#include <algorithm>

#include "core/cuda/tensor_args.h"
#include "core/shape.h"

namespace ember::cuda {

Tensor rows_last(const Tensor& x, std::vector<int64_t> reduced, DType dtype, int64_t& rows,
                 int64_t& cols) {
  std::sort(reduced.begin(), reduced.end());
  Shape shape;
  Strides strides;
  rows = 1;
  cols = 1;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (std::binary_search(reduced.begin(), reduced.end(), d)) continue;
    shape.push_back(x.shape()[d]);
    strides.push_back(x.strides()[d]);
    rows *= x.shape()[d];
  }
  for (int64_t d : reduced) {
    shape.push_back(x.shape()[d]);
    strides.push_back(x.strides()[d]);
    cols *= x.shape()[d];
  }
  return contiguous_as(make_view(x, shape, strides, x.offset()), dtype);
}

std::vector<int64_t> reduced_dims(IntList dims, int64_t ndim, std::string_view op) {
  std::vector<int64_t> r;
  if (dims.empty()) {
    for (int64_t d = 0; d < ndim; ++d) r.push_back(d);
  } else {
    for (int64_t d : dims) r.push_back(normalize_dim(d, ndim, op));
    std::sort(r.begin(), r.end());
    r.erase(std::unique(r.begin(), r.end()), r.end());
  }
  return r;
}

}  // namespace ember::cuda
