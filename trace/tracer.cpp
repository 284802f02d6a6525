#include "trace/tracer.h"

#include <algorithm>

#include "eager/autograd.h"
#include "trace/autograd_references.h"
#include "trace/passes/pipeline.h"

namespace ember::trace {

Tracer::Tracer() : previous_(trace_hook()) { set_trace_hook(this); }

Tracer::~Tracer() { set_trace_hook(previous_); }

ValueId Tracer::add_input(const Tensor& t, std::string name) {
  ValueId id = graph_.add_input({t.shape(), t.dtype(), t.device()}, std::move(name));
  ids_[t.impl()] = id;
  keepalive_.push_back(t);
  return id;
}

void Tracer::name_tensor(const Tensor& t, std::string name) {
  names_[t.impl()] = std::move(name);
  keepalive_.push_back(t);
}

ValueId Tracer::value_of(const Tensor& t) {
  auto it = ids_.find(t.impl());
  if (it != ids_.end()) return it->second;
  if (auto a = alias_of_.find(t.impl()); a != alias_of_.end() && knows(a->second)) {
    ValueId id = value_of(a->second);
    ids_[t.impl()] = id;
    return id;
  }
  ValueId id;
  if (t.impl()->is_wrapped_number()) {
    id = graph_.add_constant(t);
  } else {
    auto n = names_.find(t.impl());
    id = graph_.add_capture(t, n == names_.end() ? std::string() : n->second);
  }
  ids_[t.impl()] = id;
  keepalive_.push_back(t);
  return id;
}

void Tracer::record(const Op& op, std::span<const Tensor> inputs,
                    std::span<const Tensor> outputs) {
  std::vector<ValueId> in;
  in.reserve(inputs.size());
  for (const Tensor& t : inputs) in.push_back(value_of(t));
  MetaList metas;
  for (const Tensor& o : outputs) metas.push_back({o.shape(), o.dtype(), o.device()});
  auto outs = graph_.add_node(std::shared_ptr<const Op>(op.clone()), std::move(in), metas);
  for (size_t i = 0; i < outputs.size(); ++i) {
    ids_[outputs[i].impl()] = outs[i];
    keepalive_.push_back(outputs[i]);
  }
}

void Tracer::record_inplace(const Op& op, std::span<const Tensor> inputs) {
  std::vector<ValueId> in;
  for (const Tensor& t : inputs) in.push_back(value_of(t));
  const Tensor& self = inputs[0];
  auto outs = graph_.add_node(std::shared_ptr<const Op>(op.clone()), std::move(in),
                              {{self.shape(), self.dtype(), self.device()}}, /*inplace=*/true);
  ids_[self.impl()] = outs[0];
}

void Tracer::record_set_grad(const Tensor& leaf, const Tensor& grad) {
  ValueId g = grad.defined() ? value_of(grad) : -1;
  ValueId l = value_of(leaf);
  grad_writes_.emplace_back(l, g);
}

void Tracer::record_alias(const Tensor& alias, const Tensor& original) {
  auto it = ids_.find(original.impl());
  if (it != ids_.end()) {
    ids_[alias.impl()] = it->second;
  } else {
    alias_of_[alias.impl()] = original;  // resolved if `original` gets a value later
  }
  keepalive_.push_back(alias);
}

bool Tracer::is_traced(const Tensor& t) const {
  auto it = ids_.find(t.impl());
  if (it == ids_.end()) return false;
  ValueKind k = graph_.value(it->second).kind;
  return k == ValueKind::Input || k == ValueKind::Node;
}

std::vector<int8_t> Tracer::requires_grad_of_values() const {
  std::vector<int8_t> rg(graph_.values().size(), -1);
  for (const auto& [impl, id] : ids_) {
    if (id < 0 || static_cast<size_t>(id) >= rg.size()) continue;
    rg[id] = std::max<int8_t>(rg[id], impl->requires_grad() ? 1 : 0);
  }
  return rg;
}

void Tracer::set_outputs(const std::vector<Tensor>& outputs) {
  std::vector<ValueId> ids;
  for (const Tensor& t : outputs) ids.push_back(value_of(t));
  graph_.set_outputs(std::move(ids));
}

std::vector<ValueId> Tracer::escaped_state(const std::vector<Tensor>& outputs) const {
  // References the tracing itself accounts for.
  absl::flat_hash_map<const TensorImpl*, int64_t> held;
  for (const Tensor& t : keepalive_) ++held[t.impl()];
  for (const auto& [impl, t] : alias_of_) ++held[t.impl()];
  for (const Tensor& t : outputs) {
    if (t.defined()) ++held[t.impl()];
  }
  for (auto& [leaf, grad] : grad_writes_) {
    Tensor g = grad_of(graph_.captures()[graph_.value(leaf).index]);
    if (g.defined()) held[g.impl()] += 1 << 20;  // a leaf's .grad is replayed: never state
  }
  auto unaccounted = [&](const TensorImpl* impl) {
    auto it = held.find(impl);
    return impl->use_count() > (it == held.end() ? 0 : it->second);
  };
  // The value a tensor's memory was first made as (through in-place writes and views).
  auto origin = [&](ValueId v) {
    for (;;) {
      const Value& val = graph_.value(v);
      if (val.kind != ValueKind::Node) return v;
      const Node& n = graph_.nodes()[val.producer];
      if (!n.inplace && n.op->kind() != OpKind::View) return v;
      v = n.inputs[0];
    }
  };
  auto created = [&](ValueId v) { return graph_.value(origin(v)).kind == ValueKind::Node; };
  // Autograd history is not state: what the history of the outputs, and of every kept
  // tensor that requires grad, references is accounted for exactly (autograd_references.h).
  // Kept tensors include activations the caller holds on to and values the function made
  // but never used (an unused where(mask, h, c) still holds its mask until the tracer lets
  // go of it).
  {
    std::vector<Tensor> roots = outputs;  // dropped before counting: its handles are ours
    for (const Tensor& t : keepalive_) {
      if (t.requires_grad() && ids_.contains(t.impl()) && created(ids_.at(t.impl()))) {
        roots.push_back(t);
      }
    }
    auto history = autograd_references(roots);
    for (const auto& [impl, n] : history) held[impl] += n;
  }
  // What is left: tensors made while tracing, not requiring grad, and referenced from
  // somewhere else (Python state: optimizer moments, buffers kept on modules, caches).
  std::vector<ValueId> out;
  for (const auto& [impl, v] : ids_) {
    if (!created(v) || impl->requires_grad()) continue;
    if (unaccounted(impl)) out.push_back(v);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace ember::trace
