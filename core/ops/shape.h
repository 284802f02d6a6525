#pragma once
// Shape manipulation that copies: joining, splitting, flipping, tiling and padding.
// (Pure views — reshape, permute, slice, ... — are in view.h.)
#include <span>
#include <string_view>
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"

namespace ember {

// Joins along dim (type promotion over all inputs). 1-D empty tensors are skipped, as in
// PyTorch, so results can be built up from an empty start.
Tensor cat(std::span<const Tensor> tensors, int64_t dim = 0);
Tensor stack(std::span<const Tensor> tensors, int64_t dim = 0);  // joins along a new dim

// NumPy-style stacking: hstack joins along dim 1 (dim 0 for 1-D inputs), vstack along dim 0
// of inputs viewed as at least 2-D, dstack along dim 2 of inputs viewed as at least 3-D.
Tensor hstack(std::span<const Tensor> tensors);
Tensor vstack(std::span<const Tensor> tensors);
Tensor dstack(std::span<const Tensor> tensors);

// diag(v) for 1-D v: a square matrix with v on diagonal k; diag(m) for 2-D m: a copy of its
// k-th diagonal.
Tensor diag(const Tensor& t, int64_t diagonal = 0);

// Views of consecutive pieces along dim: of `size` each (the last may be smaller), of the
// given sizes (they must sum to the dim's size), or `chunks` near-equal pieces.
std::vector<Tensor> split(const Tensor& t, int64_t size, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& t, IntList sizes, int64_t dim = 0);
std::vector<Tensor> chunk(const Tensor& t, int64_t chunks, int64_t dim = 0);

Tensor flip(const Tensor& t, IntList dims);
// Rolls elements along dims by shifts (wrapping around); no dims: over the flattened tensor.
Tensor roll(const Tensor& t, IntList shifts, IntList dims = {});
Tensor repeat(const Tensor& t, IntList repeats);  // len(repeats) >= t.dim()
Tensor tile(const Tensor& t, IntList reps);       // like repeat; pads reps with leading 1s

// pad: `pads` lists (before, after) pairs from the last dim backwards, as torch's F.pad.
// mode "constant" (fills `value`; negative pads crop), "reflect" or "replicate".
Tensor pad(const Tensor& t, IntList pads, std::string_view mode = "constant",
           const Scalar& value = 0);

// Lower / upper triangle of the last two dims; others zeroed. diagonal > 0 is above.
Tensor tril(const Tensor& t, int64_t diagonal = 0);
Tensor triu(const Tensor& t, int64_t diagonal = 0);

}  // namespace ember
