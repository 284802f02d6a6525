// Connects core's dispatcher to autograd: each op call on inputs that require grad (with
// grad mode on) records an OpNode and wires the outputs to it.
#include "core/dispatch.h"
#include "eager/autograd.h"
#include "eager/copy_slices.h"
#include "eager/engine.h"

namespace ember {
namespace {

// Anomaly mode, forward half: the first op whose outputs hold NaN/Inf while its inputs were
// all finite is the one to blame (backward is checked in engine.cpp).
void check_forward(const Op& op, std::span<const Tensor> inputs, std::span<Tensor> outputs) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (!engine::has_nonfinite(outputs[i])) continue;
    for (const Tensor& t : inputs) {
      if (t.defined() && engine::has_nonfinite(t)) return;  // it came in from upstream
    }
    raise<Error>("[anomaly] op '{}' produced nan or inf values in its output {} (shape {}) from "
                 "finite inputs", op.name(), i, shape_str(outputs[i].shape()));
  }
}

class EagerAutogradHook final : public AutogradHook {
 public:
  bool enabled() const override { return is_grad_enabled(); }

  void record(const Op& op, std::span<const Tensor> inputs, std::span<Tensor> outputs,
              int inplace_target) override {
    bool any_float = false;
    for (const Tensor& o : outputs) any_float |= is_floating(o.dtype());
    if (!any_float) return;  // integer/bool results (argmax, comparisons) carry no gradient
    if (is_anomaly_check_forward_enabled()) check_forward(op, inputs, outputs);
    auto node = std::make_shared<OpNode>(op, inputs, outputs, inplace_target);
    auto& edges = node->next_edges();
    edges.reserve(inputs.size());
    for (const Tensor& t : inputs) edges.push_back(engine::edge_of(t));
    Tensor base;
    if (op.kind() == OpKind::View) {
      auto* in = autograd_meta(inputs[0], false);
      base = in && in->view_base.defined() ? in->view_base : inputs[0];
    }
    for (size_t i = 0; i < outputs.size(); ++i) {
      Tensor& o = outputs[i];
      if (!is_floating(o.dtype())) continue;
      o.impl()->set_requires_grad(true);
      auto* m = autograd_meta(o, true);
      m->grad_fn = node;
      m->output_nr = static_cast<int>(i);
      m->view_base = base;
    }
  }

  void rebase(const Op& op, const Tensor& self, const Tensor& result) override {
    if (is_leaf(self) && self.requires_grad()) {
      raise<Error>("[{}_] a leaf tensor that requires grad (shape {}) is being used in an "
                   "in-place operation; wrap the update in `with ember.no_grad():`",
                   op.name(), shape_str(self.shape()));
    }
    auto* src = autograd_meta(result, false);
    if (!src || !src->grad_fn) return;
    auto* m = autograd_meta(self, true);
    if (m->view_base.defined()) rebase_base(op, m->view_base, self, result);
    self.impl()->set_requires_grad(true);
    m->grad_fn = src->grad_fn;
    m->output_nr = src->output_nr;
  }

 private:
  // The write through a view changes its base too: the base's history becomes CopySlices
  // (old base outside the view's region, the result inside it).
  static void rebase_base(const Op& op, const Tensor& base, const Tensor& view,
                          const Tensor& result) {
    if (is_leaf(base) && base.requires_grad()) {
      raise<Error>("[{}_] a view of a leaf tensor that requires grad (shape {}) is being used "
                   "in an in-place operation; wrap the update in `with ember.no_grad():`",
                   op.name(), shape_str(base.shape()));
    }
    auto node = std::make_shared<CopySlices>(base, view);
    node->next_edges() = {engine::edge_of(base), engine::edge_of(result)};
    base.impl()->set_requires_grad(true);
    auto* bm = autograd_meta(base, true);
    bm->grad_fn = node;
    bm->output_nr = 0;
  }
};

EagerAutogradHook g_hook;
const bool g_installed = (set_autograd_hook(&g_hook), true);

}  // namespace
}  // namespace ember
