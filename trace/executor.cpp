#include "trace/executor.h"

#include "core/dispatch.h"
#include "core/op_registry.h"
#include "core/random/generator.h"
#include "eager/autograd.h"

namespace ember::trace {

std::unique_ptr<Op> with_fresh_stream(const Op& op) {
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

Executor::Executor(std::shared_ptr<const Graph> graph, SideEffects effects)
    : graph_(std::move(graph)), effects_(std::move(effects)) {
  const Graph& g = *graph_;
  keep_.assign(g.values().size(), false);
  for (ValueId o : g.outputs()) keep_[o] = true;
  for (auto& [leaf, grad] : effects_.grad_writes) {
    keep_[leaf] = true;
    if (grad >= 0) keep_[grad] = true;
  }
  // Last use of every node value; views keep their base alive through storage sharing, so
  // releasing a slot never frees memory another live slot still views.
  std::vector<int> last_use(g.values().size(), -1);
  for (size_t n = 0; n < g.nodes().size(); ++n) {
    for (ValueId v : g.nodes()[n].inputs) last_use[v] = static_cast<int>(n);
  }
  for (size_t n = 0; n < g.nodes().size(); ++n) {
    const Node& node = g.nodes()[n];
    Step s{node.op.get(), node.inputs, node.outputs, {}, node.inplace,
           node.op->kind() == OpKind::View, !node.op->is_deterministic()};
    for (ValueId v : node.inputs) {
      if (last_use[v] == static_cast<int>(n) && !keep_[v] &&
          g.value(v).kind == ValueKind::Node) {
        s.release.push_back(v);
      }
    }
    steps_.push_back(std::move(s));
  }
}

std::vector<Tensor> Executor::run(std::span<const Tensor> inputs) const {
  const Graph& g = *graph_;
  if (inputs.size() != g.inputs().size()) {
    raise<ValueError>("[function] expected {} tensor arguments, got {}", g.inputs().size(),
                      inputs.size());
  }
  NoGradGuard no_grad;
  std::vector<Tensor> slots(g.values().size());
  for (size_t i = 0; i < inputs.size(); ++i) slots[g.inputs()[i]] = inputs[i];
  for (size_t i = 0; i < g.captures().size(); ++i) slots[g.capture_values()[i]] = g.captures()[i];
  for (size_t i = 0; i < g.constants().size(); ++i) {
    slots[g.constant_values()[i]] = g.constants()[i];
  }
  TensorList in;
  for (const Step& s : steps_) {
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
  for (auto& [leaf, grad] : effects_.grad_writes) {
    set_grad(slots[leaf], grad >= 0 ? slots[grad] : Tensor());
  }
  std::vector<Tensor> outs;
  for (ValueId o : g.outputs()) outs.push_back(slots[o]);
  return outs;
}

}  // namespace ember::trace
