#pragma once
// View ops: results share storage with their input (writes through one are seen by the
// other). reshape copies only when no view is possible, as in PyTorch.
#include <optional>
#include <vector>

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

// Views by position (view_index.cpp). slice takes PyTorch's clamping rules for start/stop
// (negative counts from the end) and a positive step.
Tensor slice(const Tensor& t, int64_t dim, std::optional<int64_t> start = std::nullopt,
             std::optional<int64_t> stop = std::nullopt, int64_t step = 1);
Tensor narrow(const Tensor& t, int64_t dim, int64_t start, int64_t length);
Tensor select(const Tensor& t, int64_t dim, int64_t index);  // removes dim
std::vector<Tensor> unbind(const Tensor& t, int64_t dim = 0);
Tensor diagonal(const Tensor& t, int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1);

// Reorderings and reshapes composed from the primitives above.
Tensor movedim(const Tensor& t, IntList source, IntList destination);
Tensor swapaxes(const Tensor& t, int64_t dim0, int64_t dim1);  // = transpose
Tensor unflatten(const Tensor& t, int64_t dim, IntList sizes);  // one size may be -1
Tensor matrix_transpose(const Tensor& t);                      // t.mT: swaps the last two dims
Tensor reverse_dims(const Tensor& t);                          // t.T: reverses all dims
Tensor expand_as(const Tensor& t, const Tensor& other);
Tensor view_as(const Tensor& t, const Tensor& other);
Tensor reshape_as(const Tensor& t, const Tensor& other);

// Shape with one -1 resolved against numel; raises naming `op`.
Shape infer_size(IntList shape, int64_t numel, std::string_view op);

}  // namespace ember
