#pragma once
// View ops: results share storage with their input (writes through one are seen by the
// other). reshape copies only when no view is possible, as in PyTorch.
#include "core/tensor.h"

namespace ember {

Tensor view(const Tensor& t, IntList shape);     // one dim may be -1; raises if not viewable
Tensor reshape(const Tensor& t, IntList shape);  // view when possible, else a copy
Tensor flatten(const Tensor& t, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor expand(const Tensor& t, IntList shape);   // -1 keeps a dim
Tensor broadcast_to(const Tensor& t, IntList shape);
Tensor permute(const Tensor& t, IntList dims);
Tensor transpose(const Tensor& t, int64_t dim0, int64_t dim1);
Tensor t_(const Tensor& t);  // 2-D transpose (t.t()); named with _ to avoid the std clash
Tensor unsqueeze(const Tensor& t, int64_t dim);
Tensor squeeze(const Tensor& t);                 // all size-1 dims
Tensor squeeze(const Tensor& t, IntList dims);
Tensor detach(const Tensor& t);                  // same data, no autograd history
Tensor alias(const Tensor& t);                   // a new handle on the same view

// Shape with one -1 resolved against numel; raises naming `op`.
Shape infer_size(IntList shape, int64_t numel, std::string_view op);

}  // namespace ember
