#include "trace/executor.h"

#include <cstring>

#include "core/dispatch.h"
#include "core/op_registry.h"
#include "core/ops/random_ops.h"
#include "core/random/generator.h"
#include "eager/autograd.h"
#include "eager/autograd_meta.h"

namespace ember::trace {

std::unique_ptr<Op> with_fresh_stream(const Op& op) {
  // Random ops draw from the generator they were recorded with (held by the op, so a replay
  // advances it as an eager call would), else from the thread's default generator.
  if (dynamic_cast<const RandomOpBase*>(&op) != nullptr) {
    std::unique_ptr<Op> copy = op.clone();
    RandomSpec& spec = dynamic_cast<RandomOpBase&>(*copy).spec;
    // A generator nobody but this op holds (`seed=5` made one for the call) would be made
    // afresh by every eager call: the recorded stream is what eager draws.
    if (spec.generator && spec.generator.use_count() == 2) return copy;  // op's and copy's
    spec.stream = (spec.generator ? *spec.generator : default_generator()).next_stream();
    return copy;
  }
  Attrs a, fresh;
  op.attributes(a);
  if (!a.has("seed") || !a.has("offset")) return op.clone();
  auto stream = default_generator().next_stream();
  for (auto& [k, v] : a.items()) {
    if (k == "seed") {
      fresh.set(k, static_cast<int64_t>(stream.seed));
    } else if (k == "offset") {
      fresh.set(k, static_cast<int64_t>(stream.offset));
    } else {
      fresh.set(k, v);
    }
  }
  return make_op(op.name(), fresh);
}

namespace {

// A node's operands lent from the tensors holding them: handles copied without touching
// their reference counts (atomic increments and decrements, two per operand per node, were
// a visible part of a small step's time). Valid while those tensors live, which outlives
// every use below; never destroyed, so nothing is released either.
class BorrowedOperands {
 public:
  static_assert(sizeof(Tensor) == sizeof(void*), "a Tensor is one intrusive pointer");
  void assign(const std::vector<const Tensor*>& slot, const std::vector<ValueId>& ids) {
    if (raw_.size() < ids.size()) raw_.resize(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) std::memcpy(&raw_[i], slot[ids[i]], sizeof(Tensor));
    n_ = ids.size();
  }
  std::span<const Tensor> span() const {
    return {reinterpret_cast<const Tensor*>(raw_.data()), n_};
  }
  const Tensor& operator[](size_t i) const { return span()[i]; }

 private:
  struct alignas(Tensor) Raw {
    unsigned char bytes[sizeof(Tensor)];
  };
  std::vector<Raw> raw_;
  size_t n_ = 0;
};

}  // namespace

// What a cached view of a captured tensor was made from: it is still valid while the
// capture views the same memory the same way (`param.data = ...` may have changed that).
struct ViewBase {
  const Storage* storage = nullptr;
  int64_t offset = 0;
  Shape shape;
  Strides strides;
  DType dtype = DType::Float32;
  bool same_as(const Tensor& t) const {
    return storage == t.storage().get() && offset == t.offset() && dtype == t.dtype() &&
           shape == t.shape() && strides == t.strides();
  }
};

// One arena and the tensors viewing its planned slices (made once, reused every call).
// During a call every value is reached through `slot`, a pointer to the tensor holding it
// (an argument, a capture, a constant, a planned tensor or one of this call's own), so
// passing values between nodes touches no reference counts.
struct Executor::Workspace {
  StoragePtr arena;
  std::vector<Tensor> planned;  // per value; undefined where not planned
  std::vector<ViewBase> view_base;  // per value made by a capture view: what it was made from
  // Reused every call (no allocation per call or per node): this call's results that are not
  // planned (emptied after each call and at their last use, so they keep nothing alive), the
  // value table, and one node's operands and outputs.
  std::vector<Tensor> owned;
  std::vector<const Tensor*> slot;
  std::vector<Tensor> out;
  BorrowedOperands in;
};

Executor::Executor(std::shared_ptr<const Graph> graph, SideEffects effects, bool plan_memory)
    : graph_(std::move(graph)), effects_(std::move(effects)), use_plan_(plan_memory) {
  const Graph& g = *graph_;
  keep_.assign(g.values().size(), false);
  for (ValueId o : g.outputs()) keep_[o] = true;
  std::vector<ValueId> escaping;
  for (auto& [leaf, grad] : effects_.grad_writes) {
    keep_[leaf] = true;
    escaping.push_back(leaf);
    if (grad >= 0) {
      keep_[grad] = true;
      escaping.push_back(grad);
    }
  }
  grad_leaf_.assign(g.values().size(), -1);
  std::vector<int> grad_uses(g.values().size(), 0);
  for (auto& [leaf, grad] : effects_.grad_writes) {
    if (grad >= 0) ++grad_uses[grad];
  }
  for (auto& [leaf, grad] : effects_.grad_writes) {
    if (grad >= 0 && grad_uses[grad] == 1 && g.value(grad).kind == ValueKind::Node) grad_leaf_[grad] = leaf;
  }
  for (ValueId o : g.outputs()) grad_leaf_[o] = -1;  // returned: always fresh
  if (use_plan_) {
    plan_ = trace::plan_memory(g, escaping);
  } else {
    plan_.offset.assign(g.values().size(), -1);
    plan_.nbytes.assign(g.values().size(), 0);
  }
  // Last use of every node value; views keep their base alive through storage sharing, so
  // releasing a slot never frees memory another live slot still views.
  std::vector<int> last_use(g.values().size(), -1);
  for (size_t n = 0; n < g.nodes().size(); ++n) {
    for (ValueId v : g.nodes()[n].inputs) last_use[v] = static_cast<int>(n);
  }
  for (size_t n = 0; n < g.nodes().size(); ++n) {
    const Node& node = g.nodes()[n];
    auto s = std::make_unique<Step>();
    s->op = node.op.get();
    s->inputs = node.inputs;
    s->outputs = node.outputs;
    s->inplace = node.inplace;
    s->view = node.op->kind() == OpKind::View;
    s->random = !node.op->is_deterministic();
    s->capture_view = s->view && !s->random && node.inputs.size() == 1 &&
                      g.value(node.inputs[0]).kind != ValueKind::Node &&
                      g.value(node.inputs[0]).kind != ValueKind::Input;
    for (ValueId o : node.outputs) s->capture_view = s->capture_view && !keep_[o];
    s->cpu = true;
    for (ValueId v : node.inputs) s->cpu = s->cpu && g.value(v).meta.device.is_cpu();
    for (ValueId v : node.outputs) s->cpu = s->cpu && g.value(v).meta.device.is_cpu();
    for (ValueId v : node.inputs) {
      if (last_use[v] == static_cast<int>(n) && !keep_[v] &&
          g.value(v).kind == ValueKind::Node) {
        s->release.push_back(v);
      }
    }
    steps_.push_back(std::move(s));
  }
}

size_t Executor::num_arenas() const {
  std::lock_guard<std::mutex> lock(pool_mutex_);
  return arenas_made_;
}

Executor::~Executor() { delete spare_.exchange(nullptr); }

std::unique_ptr<Executor::Workspace> Executor::acquire() const {
  if (Workspace* ws = spare_.exchange(nullptr, std::memory_order_acquire)) {
    return std::unique_ptr<Workspace>(ws);
  }
  {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    if (!pool_.empty()) {
      auto ws = std::move(pool_.back());
      pool_.pop_back();
      return ws;
    }
    ++arenas_made_;
  }
  const Graph& g = *graph_;
  auto ws = std::make_unique<Workspace>();
  ws->planned.resize(g.values().size());
  ws->view_base.resize(g.values().size());
  ws->owned.resize(g.values().size());
  ws->slot.resize(g.values().size(), nullptr);
  size_t most_out = 0;
  for (const auto& s : steps_) {
    most_out = std::max(most_out, s->outputs.size());
  }
  ws->out.reserve(most_out);
  if (plan_.arena_bytes > 0) {
    ws->arena = make_intrusive<Storage>(static_cast<size_t>(plan_.arena_bytes), kCPU);
    for (size_t v = 0; v < g.values().size(); ++v) {
      if (plan_.offset[v] < 0) continue;
      const TensorMeta& m = g.values()[v].meta;
      ws->planned[v] = Tensor(make_intrusive<TensorImpl>(
          ws->arena, m.shape, contiguous_strides(m.shape), plan_.offset[v] / itemsize(m.dtype), m.dtype));
    }
    // Views of arena values have fixed metadata too: made once here, not on every call
    // (transposes and reshapes of activations and gradients). Values the caller keeps are
    // made per call, so a returned tensor is never one shared between calls.
    for (const auto& s : steps_) {
      if (!s->view || s->random || s->inputs.size() != 1 || !ws->planned[s->inputs[0]].defined()) continue;
      bool kept = false;
      for (ValueId o : s->outputs) kept = kept || keep_[o];
      if (kept) continue;
      const Tensor base[] = {ws->planned[s->inputs[0]]};
      TensorList views = s->op->make_views(base);
      for (size_t i = 0; i < views.size(); ++i) ws->planned[s->outputs[i]] = std::move(views[i]);
    }
  }
  return ws;
}

void Executor::give_back(std::unique_ptr<Workspace> ws) const {
  Workspace* none = nullptr;
  if (spare_.compare_exchange_strong(none, ws.get(), std::memory_order_release)) {
    ws.release();
    return;
  }
  std::lock_guard<std::mutex> lock(pool_mutex_);
  pool_.push_back(std::move(ws));
}

bool Executor::matches_graph(std::span<const Tensor> inputs) const {
  const Graph& g = *graph_;
  auto same = [](const Tensor& t, const TensorMeta& m) {
    return t.defined() && t.shape() == m.shape && t.dtype() == m.dtype && t.device() == m.device;
  };
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!same(inputs[i], g.value(g.inputs()[i]).meta)) return false;
  }
  // Captures are live tensors: `param.data = ...` may have given one another shape.
  for (size_t i = 0; i < g.captures().size(); ++i) {
    if (!same(g.captures()[i], g.value(g.capture_values()[i]).meta)) return false;
  }
  return true;
}

// A view node: planned views were made in acquire(); views of captures are made once and
// checked against their base on every call; other views are made per call.
void Executor::run_view(Workspace& ws, const Step& s, const Op& op) const {
  if (ws.planned[s.outputs[0]].defined() && !s.capture_view) {
    for (ValueId o : s.outputs) ws.slot[o] = &ws.planned[o];
    return;
  }
  if (s.capture_view) {
    const Tensor& base = ws.in[0];
    ViewBase& vb = ws.view_base[s.outputs[0]];
    if (!ws.planned[s.outputs[0]].defined() || !vb.same_as(base)) {
      TensorList views = op.make_views(ws.in.span());
      for (size_t i = 0; i < views.size(); ++i) ws.planned[s.outputs[i]] = std::move(views[i]);
      vb = ViewBase{base.storage().get(), base.offset(), base.shape(), base.strides(), base.dtype()};
    }
    for (ValueId o : s.outputs) ws.slot[o] = &ws.planned[o];
    return;
  }
  TensorList views = op.make_views(ws.in.span());
  for (size_t i = 0; i < views.size(); ++i) {
    ws.owned[s.outputs[i]] = std::move(views[i]);
    ws.slot[s.outputs[i]] = &ws.owned[s.outputs[i]];
  }
}

// A gradient a training step writes to a leaf's .grad: computed straight into the leaf's
// current .grad tensor (no allocation, and no freeing of the old one when the new one is
// assigned) if nothing but the leaf holds it or its memory: no Python reference, no view,
// not captured by the graph (gradient accumulation reads it), no history. Otherwise, as
// for every escaping value, fresh memory.
bool Executor::reuse_grad(Workspace& ws, ValueId v, const TensorMeta& meta) const {
  const ValueId leaf = grad_leaf_[v];
  if (leaf < 0) return false;
  AutogradMeta* am = autograd_meta(*ws.slot[leaf]);
  if (!am || am->retained_grad) return false;
  const Tensor& old = am->grad;
  if (!old.defined() || old.impl()->use_count() != 1 || old.storage()->use_count() != 1 ||
      autograd_meta(old) != nullptr) {
    return false;
  }
  if (old.shape() != meta.shape || old.dtype() != meta.dtype || old.device() != meta.device ||
      old.offset() != 0 || !old.is_contiguous()) {
    return false;
  }
  ws.owned[v] = old;
  return true;
}

void Executor::run_static(Workspace& ws) const {
  const Graph& g = *graph_;
  std::vector<const Tensor*>& slot = ws.slot;
  BorrowedOperands& in = ws.in;
  for (const auto& sp : steps_) {
    const Step& s = *sp;
    in.assign(slot, s.inputs);
    std::unique_ptr<Op> fresh;
    const Op* op = s.op;
    if (s.random) {
      fresh = with_fresh_stream(*op);
      op = fresh.get();
    }
    if (s.view) {
      run_view(ws, s, *op);
    } else if (s.inplace) {
      int8_t mode = s.direct_inplace.load(std::memory_order_relaxed);
      if (mode == 0) {
        MetaList metas = op->infer(in.span());
        mode = metas.size() == 1 && metas[0].dtype == in[0].dtype() && metas[0].shape == in[0].shape() &&
                       op->inplace_kernel_ok()
                   ? 1
                   : -1;
        s.direct_inplace.store(mode, std::memory_order_relaxed);
      }
      if (mode > 0) {
        Tensor target = in[0];
        if (s.cpu) {
          op->eval_cpu(in.span(), std::span<Tensor>(&target, 1));
        } else {
          run_kernel(*op, in.span(), std::span<Tensor>(&target, 1));
        }
      } else {
        run_inplace(*op, in.span());
      }
      in[0].storage()->bump_version();
      const ValueId target = s.inputs[0], o = s.outputs[0];
      if (slot[target] == &ws.owned[target]) {
        // The target may be released at this node (its last use): the result holds its own.
        ws.owned[o] = ws.owned[target];
        slot[o] = &ws.owned[o];
      } else {
        slot[o] = slot[target];
      }
    } else if (s.outputs.size() == 1) {
      // The kernel writes straight into the planned tensor (or this call's own).
      const ValueId o = s.outputs[0];
      Tensor* target = &ws.planned[o];
      if (!target->defined()) {
        const TensorMeta& m = g.value(o).meta;
        if (!reuse_grad(ws, o, m)) ws.owned[o] = Tensor::empty(m.shape, m.dtype, m.device);
        target = &ws.owned[o];
      }
      if (s.cpu) {
        op->eval_cpu(in.span(), std::span<Tensor>(target, 1));
      } else {
        run_kernel(*op, in.span(), std::span<Tensor>(target, 1));
      }
      slot[o] = target;
    } else {
      std::vector<Tensor>& out = ws.out;
      out.clear();
      for (ValueId o : s.outputs) {
        if (ws.planned[o].defined()) {
          out.push_back(ws.planned[o]);
        } else {
          const TensorMeta& m = g.value(o).meta;
          out.push_back(Tensor::empty(m.shape, m.dtype, m.device));
        }
      }
      if (s.cpu) {
        op->eval_cpu(in.span(), std::span<Tensor>(out.data(), out.size()));
      } else {
        run_kernel(*op, in.span(), std::span<Tensor>(out.data(), out.size()));
      }
      for (size_t i = 0; i < out.size(); ++i) {
        ws.owned[s.outputs[i]] = std::move(out[i]);
        slot[s.outputs[i]] = &ws.owned[s.outputs[i]];
      }
      out.clear();
    }
    for (ValueId v : s.release) {
      if (ws.owned[v].defined()) ws.owned[v] = Tensor();
    }
  }
}

void Executor::run_dynamic(std::vector<Tensor>& slots) const {
  TensorList in;
  for (const auto& sp : steps_) {
    const Step& s = *sp;
    in.clear();
    for (ValueId v : s.inputs) in.push_back(slots[v]);
    std::unique_ptr<Op> fresh;
    const Op* op = s.op;
    if (s.random) {
      fresh = with_fresh_stream(*op);
      op = fresh.get();
    }
    if (s.inplace) {
      run_inplace(*op, in);
      in[0].storage()->bump_version();
      slots[s.outputs[0]] = in[0];
    } else {
      TensorList out = run_op(*op, in);
      for (size_t i = 0; i < out.size(); ++i) slots[s.outputs[i]] = std::move(out[i]);
    }
    for (ValueId v : s.release) slots[v] = Tensor();
  }
}

void Executor::bind(std::vector<Tensor>& slots, std::span<const Tensor> inputs) const {
  const Graph& g = *graph_;
  for (size_t i = 0; i < inputs.size(); ++i) slots[g.inputs()[i]] = inputs[i];
  for (size_t i = 0; i < g.captures().size(); ++i) slots[g.capture_values()[i]] = g.captures()[i];
  for (size_t i = 0; i < g.constants().size(); ++i) {
    slots[g.constant_values()[i]] = g.constants()[i];
  }
}

void Executor::bind(Workspace& ws, std::span<const Tensor> inputs) const {
  const Graph& g = *graph_;
  for (size_t i = 0; i < inputs.size(); ++i) ws.slot[g.inputs()[i]] = &inputs[i];
  for (size_t i = 0; i < g.captures().size(); ++i) ws.slot[g.capture_values()[i]] = &g.captures()[i];
  for (size_t i = 0; i < g.constants().size(); ++i) {
    ws.slot[g.constant_values()[i]] = &g.constants()[i];
  }
}

// value(v): the tensor holding value v at the end of the run.
template <class ValueOf>
std::vector<Tensor> Executor::finish(ValueOf value) const {
  for (auto& [leaf, grad] : effects_.grad_writes) {
    set_grad(value(leaf), grad >= 0 ? value(grad) : Tensor());
  }
  std::vector<Tensor> outs;
  outs.reserve(graph_->outputs().size());
  for (ValueId o : graph_->outputs()) outs.push_back(value(o));
  return outs;
}

std::vector<Tensor> Executor::run(std::span<const Tensor> inputs) const {
  const Graph& g = *graph_;
  if (inputs.size() != g.inputs().size()) {
    raise<ValueError>("[function] expected {} tensor arguments, got {}", g.inputs().size(),
                      inputs.size());
  }
  NoGradGuard no_grad;
  if (!matches_graph(inputs)) {
    std::vector<Tensor> slots(g.values().size());
    bind(slots, inputs);
    run_dynamic(slots);
    return finish([&](ValueId v) -> const Tensor& { return slots[v]; });
  }
  std::unique_ptr<Workspace> ws = acquire();
  auto clear = [&] {
    for (Tensor& t : ws->owned) {
      if (t.defined()) t = Tensor();
    }
  };
  std::vector<Tensor> outs;
  try {
    bind(*ws, inputs);
    run_static(*ws);
    outs = finish([&](ValueId v) -> const Tensor& { return *ws->slot[v]; });
  } catch (...) {
    clear();
    ws->out.clear();
    give_back(std::move(ws));
    throw;
  }
  clear();
  give_back(std::move(ws));
  return outs;
}

}  // namespace ember::trace
