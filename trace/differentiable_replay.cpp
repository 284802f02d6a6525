#include "trace/differentiable_replay.h"

#include <algorithm>

#include "core/dispatch.h"
#include "core/ops.h"
#include "eager/autograd.h"
#include "eager/engine.h"
#include "trace/eager_interpreter.h"
#include "trace/tracer.h"
#include "trace/value_description.h"

namespace ember::trace {
namespace {

using Halves = DifferentiableReplay::Halves;

// A tensor the replay's backward reads, with its version when the forward ran: an in-place
// change before backward raises, naming what the tensor is (as eager's saved tensors do).
struct Watched {
  Tensor t;
  uint32_t version = 0;
  explicit Watched(Tensor x) : t(std::move(x)), version(t.version()) {}
};

// The autograd node a differentiable replay hangs on its outputs: holds the saved values the
// forward graph returned and runs the backward graph. Under create_graph it evaluates the
// backward differentiably instead (create_graph_backward below).
class TracedFunctionBackward final : public ember::Node {
 public:
  struct Held {
    std::vector<Watched> saved;         // the forward's saved values, in split.saved order
    std::vector<Tensor> kept;           // split.recompute.kept, from the forward
    std::vector<Watched> captures;      // the backward graph's captures (parameters)
    std::vector<Watched> recompute_args;      // split.recompute.args
    std::vector<Watched> recompute_captures;  // split.recompute.captures
  };

  TracedFunctionBackward(std::shared_ptr<const Halves> halves, Held held,
                         std::vector<TensorMeta> output_meta)
      : ember::Node(output_meta.size()), halves_(std::move(halves)), held_(std::move(held)),
        output_meta_(std::move(output_meta)) {}

  std::string name() const override { return "TracedFunctionBackward"; }

  TensorList apply(TensorList grads_out) override {
    if (released_) {
      raise<Error>("[{}] trying to backward through the graph of a traced function a second "
                   "time (its saved values were freed). Pass retain_graph=True to the first "
                   "backward() if you need to backward twice.", name());
    }
    std::vector<Tensor> grads_in;
    grads_in.reserve(output_meta_.size());
    for (size_t i = 0; i < output_meta_.size(); ++i) {
      Tensor g = i < grads_out.size() ? grads_out[i] : Tensor();
      if (!g.defined()) {
        const TensorMeta& m = output_meta_[i];
        g = zeros(m.shape, m.dtype, m.device);
      }
      grads_in.push_back(std::move(g));
    }
    check_versions();
    // Grad mode on inside backward means create_graph: the gradients must carry history.
    std::vector<Tensor> grads =
        is_grad_enabled() ? create_graph_backward(grads_in) : compiled_backward(grads_in);
    const auto& slots = halves_->split.gradient_slot;
    TensorList result(slots.size());
    for (size_t i = 0; i < slots.size(); ++i) {
      if (slots[i] >= 0) result[i] = grads[slots[i]];
    }
    return result;
  }

  void for_each_held(const std::function<void(const Tensor&)>& f) const override {
    for (const Watched& w : held_.saved) f(w.t);
    for (const Tensor& t : held_.kept) f(t);
    for (const Watched& w : held_.captures) f(w.t);
    for (const Watched& w : held_.recompute_args) f(w.t);
    for (const Watched& w : held_.recompute_captures) f(w.t);
  }

  void release_saved() override {
    held_ = Held{};
    released_ = true;
  }

 private:
  const JointGraphSplit& split() const { return halves_->split; }
  const Graph& forward() const { return split().forward; }
  std::span<const ValueId> user_outputs() const {
    return std::span<const ValueId>(forward().outputs()).first(split().num_user_outputs);
  }
  ValueId saved_value(size_t k) const {
    return forward().outputs()[split().num_user_outputs + k];
  }

  // The fast path: the compiled backward graph.
  std::vector<Tensor> compiled_backward(std::vector<Tensor>& inputs) const {
    for (const Watched& s : held_.saved) inputs.push_back(s.t);
    return halves_->backward->run(inputs);
  }

  // create_graph: dispatches again, with history, the part of the forward that makes the
  // saved values that carry history (forward_recompute.h), then the recorded backward graph
  // op by op, so the gradients are differentiable exactly as eager's are.
  std::vector<Tensor> create_graph_backward(const std::vector<Tensor>& grads_out) const {
    const ForwardRecompute& plan = split().recompute;
    if (!plan.unsupported.empty()) {
      raise<Error>("[{}] double backward (create_graph=True) through this traced function is "
                   "not supported: {}. Call the function eagerly (outside ember.function) to "
                   "take higher-order gradients.", name(), plan.unsupported);
    }
    const Graph& f = forward();
    for (size_t i = 0; i < plan.args.size(); ++i) {
      check_version(held_.recompute_args[i],
                    [&] { return describe_value(f, f.inputs()[plan.args[i]]); });
    }
    for (size_t i = 0; i < plan.captures.size(); ++i) {
      check_version(held_.recompute_captures[i],
                    [&] { return describe_value(f, f.capture_values()[plan.captures[i]]); });
    }
    const size_t n = split().num_user_outputs, num_saved = split().saved.size();
    std::vector<Tensor> fv(f.values().size());
    for (size_t k = 0; k < num_saved; ++k) fv[saved_value(k)] = held_.saved[k].t;
    for (size_t j = 0; j < held_.kept.size(); ++j) {
      fv[f.outputs()[n + num_saved + j]] = held_.kept[j];
    }
    for (size_t i = 0; i < plan.args.size(); ++i) {
      fv[f.inputs()[plan.args[i]]] = held_.recompute_args[i].t;
    }
    for (size_t i = 0; i < plan.captures.size(); ++i) {
      fv[f.capture_values()[plan.captures[i]]] = held_.recompute_captures[i].t;
    }
    for (size_t i = 0; i < plan.nodes.size(); ++i) {
      GradModeGuard mode(!plan.no_grad[i]);  // made under no_grad in eager: no history here
      dispatch_nodes(f, std::span<const int32_t>(&plan.nodes[i], 1), fv);
    }

    const Graph& b = split().backward;
    std::vector<Tensor> bv(b.values().size());
    for (size_t i = 0; i < grads_out.size(); ++i) bv[b.inputs()[i]] = grads_out[i];
    for (size_t k = 0; k < num_saved; ++k) {
      bv[b.inputs()[grads_out.size() + k]] = fv[saved_value(k)];
    }
    for (size_t i = 0; i < b.captures().size(); ++i) {
      bv[b.capture_values()[i]] = held_.captures[i].t;
    }
    return dispatch_graph(b, bv);
  }

  void check_versions() const {
    for (size_t k = 0; k < held_.saved.size(); ++k) {
      check_version(held_.saved[k],
                    [&] { return describe_value(forward(), saved_value(k), user_outputs()); });
    }
    const Graph& b = split().backward;
    for (size_t i = 0; i < held_.captures.size(); ++i) {
      check_version(held_.captures[i], [&] { return describe_value(b, b.capture_values()[i]); });
    }
  }

  // Raises like eager's saved tensors do, naming what the tensor is in the traced function
  // (`what` is only called to build the message).
  template <class Describe>
  void check_version(const Watched& w, const Describe& what) const {
    if (w.t.version() == w.version) return;
    raise<Error>("[{}] {} (shape {}, {}), needed for gradient computation, was modified by an "
                 "in-place operation: it is at version {}, expected version {}. Use an "
                 "out-of-place op or clone() the tensor before modifying it, or call backward() "
                 "before modifying it.", name(), what(), shape_str(w.t.shape()),
                 dtype_name(w.t.dtype()), w.t.version(), w.version);
  }

  std::shared_ptr<const Halves> halves_;
  Held held_;
  std::vector<TensorMeta> output_meta_;
  bool released_ = false;
};

// Turns tracing off for a scope (tensors made here are not part of the function).
class NoTraceScope {
 public:
  NoTraceScope() : prev_(trace_hook()) { set_trace_hook(nullptr); }
  ~NoTraceScope() { set_trace_hook(prev_); }
  NoTraceScope(const NoTraceScope&) = delete;
  NoTraceScope& operator=(const NoTraceScope&) = delete;

 private:
  TraceHook* prev_;
};

// The graph outputs' sources: which inputs (by index) and captures the outputs depend on.
void find_sources(const Graph& g, std::vector<size_t>* args, std::vector<Tensor>* captures) {
  std::vector<bool> needed(g.values().size(), false);
  for (ValueId v : g.outputs()) needed[v] = true;
  for (size_t n = g.nodes().size(); n-- > 0;) {
    const Node& node = g.nodes()[n];
    bool any = false;
    for (ValueId o : node.outputs) any = any || needed[o];
    if (!any) continue;
    for (ValueId v : node.inputs) needed[v] = true;
  }
  for (ValueId v : g.inputs()) {
    if (needed[v]) args->push_back(g.value(v).index);
  }
  for (size_t i = 0; i < g.capture_values().size(); ++i) {
    if (needed[g.capture_values()[i]]) captures->push_back(g.captures()[i]);
  }
}

// Records the backward from the outputs that carry history and builds both halves.
std::shared_ptr<const Halves> record_halves(Tracer& tracer, const std::vector<Tensor>& args,
                                            const std::vector<Tensor>& outputs,
                                            const std::vector<size_t>& diff_outputs,
                                            const std::vector<Tensor>& capture_sources,
                                            const PassOptions& passes) {
  auto h = std::make_shared<Halves>();
  h->diff_outputs = diff_outputs;
  for (const Tensor& c : capture_sources) h->capture_requires_grad.push_back(c.requires_grad());
  if (diff_outputs.empty()) return h;  // nothing carries history: replays run plainly
  const Graph& joint = tracer.graph();
  const size_t num_args = joint.inputs().size();
  const size_t num_forward_nodes = joint.num_nodes();
  std::vector<ValueId> seen;
  for (size_t i : diff_outputs) {
    ValueId v = joint.outputs()[i];
    if (joint.value(v).kind != ValueKind::Node) {
      raise<Error>("output {} is an argument or a captured tensor itself (return a computed "
                   "tensor, e.g. x.clone())", i);
    }
    if (std::find(seen.begin(), seen.end(), v) != seen.end()) {
      raise<Error>("output {} is the same tensor as an earlier output", i);
    }
    seen.push_back(v);
  }
  std::vector<Tensor> wrt;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].defined() && args[i].requires_grad()) {
      h->diff_args.push_back(i);
      wrt.push_back(args[i]);
    }
  }
  for (const Tensor& c : capture_sources) {
    if (c.requires_grad()) {
      h->diff_captures.push_back(c);
      wrt.push_back(c);
    }
  }
  if (wrt.empty()) raise<Error>("the outputs require grad but depend on no argument or captured "
                                "tensor that does");
  // The output gradients become new inputs of the joint graph.
  std::vector<Tensor> roots, grad_outputs;
  for (size_t i : diff_outputs) {
    roots.push_back(outputs[i]);
    NoTraceScope untraced;
    NoGradGuard no_grad;
    grad_outputs.push_back(ones_like(outputs[i]));
  }
  for (size_t k = 0; k < grad_outputs.size(); ++k) {
    tracer.add_input(grad_outputs[k], "grad_out" + std::to_string(diff_outputs[k]));
  }
  // The engine's backward: each op it dispatches is recorded after the forward's nodes.
  // retain_graph: the outputs of this (tracing) call keep their eager history for the caller.
  std::vector<Tensor> grads = grad(roots, wrt, grad_outputs, /*retain_graph=*/true,
                                   /*create_graph=*/false, /*allow_unused=*/true);
  std::vector<ValueId> grad_values;
  for (const Tensor& g : grads) grad_values.push_back(g.defined() ? tracer.value_of(g) : -1);
  h->split = partition_joint_graph(tracer.graph(), num_args, num_forward_nodes, grad_values,
                                   h->diff_args, tracer.requires_grad_of_values());
  // The backward graph's inputs: one gradient per output that carries history.
  h->forward = compile_graph(h->split.forward, {}, passes);
  h->backward = compile_graph(h->split.backward, {}, passes);
  return h;
}

}  // namespace

std::shared_ptr<DifferentiableReplay> DifferentiableReplay::record(
    Tracer& tracer, const std::vector<Tensor>& args, const std::vector<Tensor>& outputs,
    const PassOptions& passes, int64_t size) {
  auto r = std::make_shared<DifferentiableReplay>();
  r->passes_ = passes;
  const Graph& joint = tracer.graph();
  r->forward_only_ = forward_prefix(joint, joint.inputs().size(), joint.num_nodes(),
                                    joint.outputs());
  find_sources(r->forward_only_, &r->arg_sources_, &r->capture_sources_);
  std::vector<size_t> diff_outputs;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& o = outputs[i];
    if (o.defined() && o.requires_grad() && is_floating(o.dtype())) diff_outputs.push_back(i);
  }
  try {
    r->by_size_[size] =
        record_halves(tracer, args, outputs, diff_outputs, r->capture_sources_, passes);
  } catch (const std::exception& e) {
    r->unsupported_ = e.what();
  }
  return r;
}

bool DifferentiableReplay::needs_grad(const std::vector<Tensor>& args) const {
  for (size_t i : arg_sources_) {
    if (i < args.size() && args[i].requires_grad()) return true;
  }
  for (const Tensor& c : capture_sources_) {
    if (c.requires_grad()) return true;
  }
  return false;
}

std::optional<std::vector<Tensor>> DifferentiableReplay::try_run(const std::vector<Tensor>& args,
                                                                 int64_t size,
                                                                 const std::function<const Executor&()>& plain) {
  auto it = by_size_.find(size);
  if (it == by_size_.end() && parametric_ && size > 0) {
    // A new size of a parametric recording: specialize both halves (no Python runs).
    const Parametric& p = *parametric_;
    auto h = std::make_shared<Halves>();
    h->split.forward = specialize(p.base->split.forward, p.forward, size);
    h->split.backward = specialize(p.base->split.backward, p.backward, size);
    h->split.saved = p.base->split.saved;
    h->split.num_user_outputs = p.base->split.num_user_outputs;
    h->split.gradient_slot = p.base->split.gradient_slot;
    h->split.recompute = p.base->split.recompute;
    h->diff_outputs = p.base->diff_outputs;
    h->diff_args = p.base->diff_args;
    h->diff_captures = p.base->diff_captures;
    h->capture_requires_grad = p.base->capture_requires_grad;
    h->forward = compile_graph(h->split.forward, {}, passes_);
    h->backward = compile_graph(h->split.backward, {}, passes_);
    if (by_size_.size() >= 16) by_size_.erase(by_size_.begin());
    it = by_size_.emplace(size, std::move(h)).first;
  }
  if (it == by_size_.end()) return std::nullopt;
  const std::shared_ptr<const Halves>& h = it->second;
  if (h->capture_requires_grad.size() != capture_sources_.size()) return std::nullopt;
  for (size_t i = 0; i < capture_sources_.size(); ++i) {
    if (capture_sources_[i].requires_grad() != h->capture_requires_grad[i]) return std::nullopt;
  }
  if (h->diff_outputs.empty()) return plain().run(args);
  std::vector<Tensor> all = h->forward->run(args);
  const JointGraphSplit& split = h->split;
  const size_t n = split.num_user_outputs, num_saved = split.saved.size();
  std::vector<Tensor> outs(std::make_move_iterator(all.begin()),
                           std::make_move_iterator(all.begin() + n));
  TracedFunctionBackward::Held held;
  held.saved.reserve(num_saved);
  for (size_t i = n; i < n + num_saved; ++i) held.saved.emplace_back(all[i]);
  held.kept.assign(all.begin() + n + num_saved, all.end());
  held.captures.reserve(split.backward.captures().size());
  for (const Tensor& c : split.backward.captures()) held.captures.emplace_back(c);
  // What a create_graph backward would dispatch again (nothing when it would raise anyway).
  if (split.recompute.unsupported.empty()) {
    for (size_t i : split.recompute.args) held.recompute_args.emplace_back(args[i]);
    for (int32_t c : split.recompute.captures) {
      held.recompute_captures.emplace_back(split.forward.captures()[c]);
    }
  }
  std::vector<TensorMeta> metas;
  for (size_t i : h->diff_outputs) {
    metas.push_back({outs[i].shape(), outs[i].dtype(), outs[i].device()});
  }
  auto node = std::make_shared<TracedFunctionBackward>(h, std::move(held), std::move(metas));
  auto& edges = node->next_edges();
  for (size_t i : h->diff_args) edges.push_back(engine::edge_of(args[i]));
  for (const Tensor& c : h->diff_captures) edges.push_back(engine::edge_of(c));
  for (size_t k = 0; k < h->diff_outputs.size(); ++k) {
    Tensor& o = outs[h->diff_outputs[k]];
    // A fresh tensor object: the executor may hand back an argument or a saved value itself
    // (after simplification), whose autograd state must not change.
    o = make_view(o, o.shape(), o.strides(), o.offset());
    o.impl()->set_requires_grad(true);
    auto* m = autograd_meta(o, true);
    m->grad_fn = node;
    m->output_nr = static_cast<int>(k);
  }
  return outs;
}

void DifferentiableReplay::fit_sizes(Tracer& tracer, const std::vector<Tensor>& args2,
                                     const std::vector<Tensor>& outputs2,
                                     const PassOptions& passes, int64_t size1, int64_t size2) {
  auto it = by_size_.find(size1);
  if (it == by_size_.end() || it->second->diff_outputs.empty()) return;
  std::shared_ptr<DifferentiableReplay> other = record(tracer, args2, outputs2, passes, size2);
  auto it2 = other->by_size_.find(size2);
  if (it2 == other->by_size_.end()) return;
  const Halves &h1 = *it->second, &h2 = *it2->second;
  if (h1.diff_outputs != h2.diff_outputs || h1.diff_args != h2.diff_args ||
      h1.capture_requires_grad != h2.capture_requires_grad) {
    return;
  }
  std::string why;
  auto fwd = fit_shape_params(h1.split.forward, size1, h2.split.forward, size2, &why);
  if (!fwd) return;
  auto bwd = fit_shape_params(h1.split.backward, size1, h2.split.backward, size2, &why);
  if (!bwd) return;
  parametric_ = Parametric{it->second, size1, std::move(*fwd), std::move(*bwd)};
}

void DifferentiableReplay::adopt(const DifferentiableReplay& other) {
  for (const auto& [size, h] : other.by_size_) by_size_[size] = h;
  arg_sources_ = other.arg_sources_;
  capture_sources_ = other.capture_sources_;
  if (!other.unsupported_.empty()) unsupported_ = other.unsupported_;
}

const JointGraphSplit* DifferentiableReplay::split(int64_t size) const {
  auto it = by_size_.find(size);
  return it == by_size_.end() ? nullptr : &it->second->split;
}

}  // namespace ember::trace
