#include "trace/tracer.h"

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

void Tracer::set_outputs(const std::vector<Tensor>& outputs) {
  std::vector<ValueId> ids;
  for (const Tensor& t : outputs) ids.push_back(value_of(t));
  graph_.set_outputs(std::move(ids));
}

}  // namespace ember::trace
