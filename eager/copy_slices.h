#pragma once
// CopySlices: the history of a base tensor after an in-place op wrote through one of its
// views (PyTorch's node of the same name). The base's new value is its old value with the
// view's region replaced by the op's result, so its gradient splits in two: the region's part
// goes to the result, the rest to the base's old history. Both parts are dispatched ops
// (a gather and a mask product), so backward through it is traceable and differentiable.
#include "eager/node.h"

namespace ember {

class CopySlices final : public Node {
 public:
  // base and view before the write (the view aliases the base's storage).
  CopySlices(const Tensor& base, const Tensor& view);
  std::string name() const override { return "CopySlices"; }
  // grads_out: the gradient of the base's new value. Returns {for the old base, for the result}.
  TensorList apply(TensorList grads_out) override;
  void for_each_held(const std::function<void(const Tensor&)>& f) const override {
    f(index_);
    f(keep_);
  }

 private:
  Tensor index_;  // int64 [view numel]: the base's flat (row-major) position of each element
  Tensor keep_;   // base dtype, base shape: 0 inside the view's region, 1 elsewhere
  Shape view_shape_;
};

}  // namespace ember
