#pragma once
// Per-tensor autograd state, hung off TensorImpl::autograd_meta.
#include <memory>
#include <vector>

#include "eager/node.h"

namespace ember {

struct AutogradMeta final : AutogradMetaBase {
  Tensor grad;                              // leaves: accumulated gradient
  std::shared_ptr<Node> grad_fn;            // non-leaves: the node that made this tensor
  int output_nr = 0;                        // which output of grad_fn
  std::weak_ptr<Node> grad_accumulator;     // leaves: their AccumulateGrad, while alive
  std::vector<GradHook> leaf_hooks;         // leaves: hooks run before accumulation
  std::shared_ptr<Tensor> retained_grad;    // non-leaves after retain_grad()
  // Views made while recording history: the tensor whose storage they alias (the root, never
  // itself a view), whose history an in-place write through the view must update.
  Tensor view_base;
};

// The tensor's meta, created on demand when `create` is true (else may return null).
AutogradMeta* autograd_meta(const Tensor& t, bool create = false);

}  // namespace ember
