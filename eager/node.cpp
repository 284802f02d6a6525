#include "eager/node.h"

#include <atomic>

#include "core/dispatch.h"
#include "core/ops.h"
#include "eager/autograd_meta.h"
#include "eager/grad_mode.h"

namespace ember {
namespace {
std::atomic<uint64_t> g_next_seq{0};

// An alias of t with no autograd state: saved outputs must not own their own grad_fn,
// or node -> saved output -> node would be a reference cycle. A tracer is told that the
// alias is t, so backward ops reading it stay connected to t's value in the graph.
Tensor plain_alias(const Tensor& t) {
  Tensor a = make_view(t, t.shape(), t.strides(), t.offset());
  if (auto* h = trace_hook()) h->record_alias(a, t);
  return a;
}
}  // namespace

Node::Node(size_t num_outputs)
    : num_outputs_(num_outputs), seq_(g_next_seq.fetch_add(1)), pre_hooks_(num_outputs) {}

SavedTensor::SavedTensor(const Tensor& t, bool is_output)
    : t_(is_output ? plain_alias(t) : t), version_(t.version()), is_output_(is_output) {}

Tensor SavedTensor::unpack(const std::shared_ptr<Node>& owner, int output_nr,
                           std::string_view op) const {
  if (!t_.defined()) return t_;
  if (t_.version() != version_) {
    raise<Error>(
        "[{}] a tensor needed for backward (shape {}, {}) was modified by an in-place "
        "operation: it is at version {}, expected version {}. Use an out-of-place op or "
        "clone() the tensor before modifying it.",
        op, shape_str(t_.shape()), dtype_name(t_.dtype()), t_.version(), version_);
  }
  if (is_output_ && is_grad_enabled() && owner) {
    // Double backward: re-attach this node's history to the saved output.
    Tensor t = plain_alias(t_);
    t.impl()->set_requires_grad(true);
    auto* m = autograd_meta(t, true);
    m->grad_fn = owner;
    m->output_nr = output_nr;
    return t;
  }
  return t_;
}

AccumulateGrad::AccumulateGrad(const Tensor& leaf) : Node(1), leaf_(leaf) {}

TensorList AccumulateGrad::apply(TensorList grads) {
  Tensor g = std::move(grads[0]);
  if (!g.defined()) return {};
  auto* m = autograd_meta(leaf_, true);
  for (auto& hook : m->leaf_hooks) {
    Tensor r = hook(g);
    if (r.defined()) g = r;
  }
  if (g.dtype() != leaf_.dtype()) g = to_dtype(g, leaf_.dtype());
  if (!m->grad.defined()) {
    // .grad must own its buffer: later accumulation writes into it in place, and the
    // incoming gradient may be shared (add's backward hands one tensor to both inputs).
    bool shared = g.impl()->use_count() > 1 || g.storage()->use_count() > 1;
    m->grad = (!is_grad_enabled() && (shared || !g.is_contiguous())) ? clone(g) : g;
    if (auto* h = trace_hook()) h->record_set_grad(leaf_, m->grad);
  } else if (is_grad_enabled()) {
    m->grad = add(m->grad, g);  // create_graph: keep the sum differentiable
    if (auto* h = trace_hook()) h->record_set_grad(leaf_, m->grad);
  } else {
    add_(m->grad, g);
  }
  return {};
}

}  // namespace ember
