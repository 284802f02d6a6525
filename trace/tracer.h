#pragma once
// The Tracer records every op dispatched on its thread into a Graph (it is core's
// TraceHook). Tensors it has not seen produced are outside tensors: Python numbers become
// constants, everything else a capture bound by reference. In-place writes become
// in-place nodes, and the written tensor's SSA value moves to the node's output.
#include <absl/container/flat_hash_map.h>

#include "core/dispatch.h"
#include "trace/graph.h"

namespace ember::trace {

// Where a traced op call came from, for errors that point at user code.
class Tracer final : public TraceHook {
 public:
  Tracer();
  ~Tracer() override;
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  // Declares a function argument (call before running the function).
  ValueId add_input(const Tensor& t, std::string name = "");
  // Names a capture in printed graphs ("fc1.weight") if it gets captured.
  void name_tensor(const Tensor& t, std::string name);
  // The value for t, capturing it if it comes from outside.
  ValueId value_of(const Tensor& t);
  bool knows(const Tensor& t) const { return ids_.contains(t.impl()); }
  void set_outputs(const std::vector<Tensor>& outputs);

  void record(const Op& op, std::span<const Tensor> inputs,
              std::span<const Tensor> outputs) override;
  void record_inplace(const Op& op, std::span<const Tensor> inputs) override;
  void record_set_grad(const Tensor& leaf, const Tensor& grad) override;
  bool is_traced(const Tensor& t) const override;
  void record_alias(const Tensor& alias, const Tensor& original) override;

  Graph& graph() { return graph_; }
  // Tensors made by traced ops that do not require grad and are still referenced after the
  // traced call from somewhere other than the tracer, `outputs`, a leaf's .grad written by
  // the call, or the autograd history of the outputs and of kept tensors that require grad
  // (those references are counted exactly, autograd_references.h): state kept by user code,
  // such as optimizer moments made on the first step. A replay would remake them on every
  // call instead of carrying them over. Their values, for an error message.
  std::vector<ValueId> escaped_state(const std::vector<Tensor>& outputs) const;
  // Per value of the graph: 1 if a tensor that holds it requires grad now, 0 if none does,
  // -1 if no tensor holds it any more (an in-place write moved its tensor to a new value).
  // Tells values made under no_grad from values with autograd history.
  std::vector<int8_t> requires_grad_of_values() const;
  // Side effects beyond in-place writes: (capture value of a leaf, value of its new .grad).
  const std::vector<std::pair<ValueId, ValueId>>& grad_writes() const { return grad_writes_; }

 private:
  Graph graph_;
  absl::flat_hash_map<const TensorImpl*, ValueId> ids_;
  absl::flat_hash_map<const TensorImpl*, std::string> names_;
  absl::flat_hash_map<const TensorImpl*, Tensor> alias_of_;  // resolved lazily by value_of
  std::vector<Tensor> keepalive_;  // impl pointers must not be reused while tracing
  std::vector<std::pair<ValueId, ValueId>> grad_writes_;
  TraceHook* previous_;
};

}  // namespace ember::trace
