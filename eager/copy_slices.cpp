#include "eager/copy_slices.h"

#include <algorithm>

#include "core/dispatch.h"
#include "core/ops.h"
#include "eager/grad_mode.h"

namespace ember {
namespace {

// The storage offset of each element of t, in row-major order of t's shape.
std::vector<int64_t> storage_offsets(const Tensor& t) {
  std::vector<int64_t> out;
  out.reserve(size_t(t.numel()));
  if (t.numel() == 0) return out;
  Shape idx(t.shape().size(), 0);
  for (int64_t n = 0; n < t.numel(); ++n) {
    int64_t off = t.offset();
    for (size_t d = 0; d < idx.size(); ++d) off += idx[d] * t.strides()[d];
    out.push_back(off);
    for (int64_t d = int64_t(idx.size()) - 1; d >= 0; --d) {
      if (++idx[size_t(d)] < t.shape()[size_t(d)]) break;
      idx[size_t(d)] = 0;
    }
  }
  return out;
}

// The index and mask are constants of the backward graph: build them with the tracer
// paused, so a traced step captures them as constants instead of recording their making.
struct TracePause {
  TraceHook* saved = trace_hook();
  TracePause() { set_trace_hook(nullptr); }
  ~TracePause() { set_trace_hook(saved); }
};

}  // namespace

CopySlices::CopySlices(const Tensor& base, const Tensor& view)
    : Node(1), view_shape_(view.shape()) {
  TracePause pause;
  NoGradGuard no_grad;
  std::vector<int64_t> base_off = storage_offsets(base), view_off = storage_offsets(view);
  int64_t lo = base_off.empty() ? 0 : *std::min_element(base_off.begin(), base_off.end());
  int64_t hi = base_off.empty() ? -1 : *std::max_element(base_off.begin(), base_off.end());
  std::vector<int64_t> position(size_t(hi - lo + 1), -1);  // storage offset -> flat index
  for (size_t i = 0; i < base_off.size(); ++i) position[size_t(base_off[i] - lo)] = int64_t(i);
  index_ = Tensor::empty({int64_t(view_off.size())}, DType::Int64);
  Tensor keep = ones({base.numel()}, DType::Float32);
  auto* idx = index_.data<int64_t>();
  auto* k = keep.data<float>();
  for (size_t i = 0; i < view_off.size(); ++i) {
    int64_t off = view_off[i];
    int64_t pos = off >= lo && off <= hi ? position[size_t(off - lo)] : -1;
    if (pos < 0) {
      raise<Error>("[CopySlices] an in-place write through a view that does not lie inside its "
                   "base (view shape {}, base shape {})", shape_str(view.shape()),
                   shape_str(base.shape()));
    }
    idx[i] = pos;
    k[pos] = 0.0f;
  }
  keep_ = reshape(to_dtype(keep, base.dtype()), base.shape());
}

TensorList CopySlices::apply(TensorList grads_out) {
  const Tensor& g = grads_out[0];
  if (!g.defined()) return TensorList{Tensor(), Tensor()};
  Tensor region = reshape(index_select(reshape(g, {-1}), 0, index_), view_shape_);
  return TensorList{g * keep_, region};
}

}  // namespace ember
