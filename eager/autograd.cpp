#include "eager/autograd.h"

#include <atomic>

#include "core/dispatch.h"
#include "core/ops.h"
#include "eager/engine.h"

namespace ember {

AutogradMeta* autograd_meta(const Tensor& t, bool create) {
  auto* m = static_cast<AutogradMeta*>(t.impl()->autograd_meta());
  if (!m && create) {
    auto owned = std::make_unique<AutogradMeta>();
    m = owned.get();
    t.impl()->set_autograd_meta(std::move(owned));
  }
  return m;
}

Tensor grad_of(const Tensor& t) {
  auto* m = autograd_meta(t);
  if (!m) return {};
  if (m->retained_grad) return *m->retained_grad;
  return m->grad;
}

void set_grad(const Tensor& t, const Tensor& g) {
  if (g.defined() && (g.shape() != t.shape())) {
    raise<ValueError>("[grad] assigned grad has shape {}, but the tensor has shape {}",
                      shape_str(g.shape()), shape_str(t.shape()));
  }
  auto* m = autograd_meta(t, true);
  if (m->retained_grad) {
    *m->retained_grad = g;
  } else {
    m->grad = g;
    if (auto* h = trace_hook()) h->record_set_grad(t, g);
  }
}

bool is_leaf(const Tensor& t) {
  auto* m = autograd_meta(t);
  return !m || !m->grad_fn;
}

std::shared_ptr<Node> grad_fn(const Tensor& t) {
  auto* m = autograd_meta(t);
  return m ? m->grad_fn : nullptr;
}

void set_requires_grad(const Tensor& t, bool r) {
  if (!is_leaf(t)) {
    if (r) return;
    raise<Error>("[requires_grad_] you can only change requires_grad of leaf tensors; use "
                 "detach() to get a tensor that does not require grad");
  }
  if (r && !is_floating(t.dtype())) {
    raise<TypeError>("[requires_grad_] only floating-point tensors can require gradients, "
                     "got {}", dtype_name(t.dtype()));
  }
  t.impl()->set_requires_grad(r);
}

void retain_grad(const Tensor& t) {
  if (!t.requires_grad()) {
    raise<Error>("[retain_grad] can't retain_grad on a tensor that has requires_grad=False");
  }
  auto* m = autograd_meta(t, true);
  if (!m->grad_fn || m->retained_grad) return;
  auto slot = std::make_shared<Tensor>();
  m->retained_grad = slot;
  m->grad_fn->pre_hooks()[m->output_nr].push_back([slot](const Tensor& g) {
    *slot = slot->defined() ? add(*slot, g) : (is_grad_enabled() ? g : clone(g));
    return Tensor();
  });
}

bool retains_grad(const Tensor& t) {
  auto* m = autograd_meta(t);
  return m && m->retained_grad;
}

int64_t register_hook(const Tensor& t, GradHook hook) {
  if (!t.requires_grad()) {
    raise<Error>("[register_hook] cannot register a hook on a tensor that doesn't require "
                 "gradient");
  }
  auto* m = autograd_meta(t, true);
  if (m->grad_fn) {
    auto& hooks = m->grad_fn->pre_hooks()[m->output_nr];
    hooks.push_back(std::move(hook));
    return static_cast<int64_t>(hooks.size() - 1);
  }
  m->leaf_hooks.push_back(std::move(hook));
  return static_cast<int64_t>(m->leaf_hooks.size() - 1);
}

void backward(const Tensor& t, const Tensor& gradient, bool retain_graph, bool create_graph) {
  backward(std::span<const Tensor>(&t, 1),
           gradient.defined() ? std::span<const Tensor>(&gradient, 1) : std::span<const Tensor>(),
           retain_graph, create_graph);
}

namespace {
std::atomic<bool> g_anomaly{false};
std::atomic<bool> g_anomaly_forward{false};

TensorList root_grads(std::span<const Tensor> tensors, std::span<const Tensor> gradients,
                      std::string_view api) {
  TensorList gs;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (!t.requires_grad()) {
      raise<Error>("[{}] element {} of tensors does not require grad and does not have a "
                   "grad_fn", api, i);
    }
    if (i < gradients.size() && gradients[i].defined()) {
      if (gradients[i].shape() != t.shape()) {
        raise<ValueError>("[{}] gradient has shape {} but the tensor has shape {}", api,
                          shape_str(gradients[i].shape()), shape_str(t.shape()));
      }
      gs.push_back(gradients[i]);
    } else {
      if (t.numel() != 1) {
        raise<Error>("[{}] grad can be implicitly created only for scalar outputs (got shape "
                     "{}); pass a gradient", api, shape_str(t.shape()));
      }
      gs.push_back(ones_like(t));
    }
  }
  return gs;
}
}  // namespace

void backward(std::span<const Tensor> tensors, std::span<const Tensor> gradients,
              bool retain_graph, bool create_graph, std::span<const Tensor> inputs) {
  TensorList gs = root_grads(tensors, gradients, "backward");
  std::vector<Edge> roots;
  for (const Tensor& t : tensors) roots.push_back(engine::edge_of(t));
  engine::Options opt{retain_graph || create_graph, create_graph};
  for (const Tensor& t : inputs) opt.accumulate_only.push_back(engine::edge_of(t).fn.get());
  engine::run(roots, gs, opt, {});
}

std::vector<Tensor> grad(std::span<const Tensor> outputs, std::span<const Tensor> inputs,
                         std::span<const Tensor> grad_outputs, std::optional<bool> retain_graph,
                         bool create_graph, bool allow_unused) {
  TensorList gs = root_grads(outputs, grad_outputs, "grad");
  std::vector<Edge> roots, wanted;
  for (const Tensor& t : outputs) roots.push_back(engine::edge_of(t));
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].requires_grad()) {
      raise<Error>("[grad] input {} does not require grad", i);
    }
    wanted.push_back(engine::edge_of(inputs[i]));
  }
  engine::Options opt{retain_graph.value_or(create_graph), create_graph};
  opt.skip_accumulation = true;
  std::vector<Tensor> result = engine::run(roots, gs, opt, wanted);
  for (size_t i = 0; i < result.size(); ++i) {
    if (!result[i].defined() && !allow_unused) {
      raise<Error>("[grad] input {} was not used in the graph; pass allow_unused=True to get "
                   "None for it", i);
    }
  }
  return result;
}

bool is_anomaly_enabled() { return g_anomaly.load(); }
bool is_anomaly_check_forward_enabled() { return g_anomaly_forward.load(); }
void set_anomaly_enabled(bool e, bool check_forward) {
  g_anomaly.store(e);
  g_anomaly_forward.store(e && check_forward);
}

}  // namespace ember
