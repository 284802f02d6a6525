#include "trace/eager_interpreter.h"

#include <numeric>

#include "core/dispatch.h"

namespace ember::trace {

const Tensor& bound_value(const Graph& g, std::vector<Tensor>& values, ValueId v) {
  Tensor& slot = values[v];
  if (slot.defined()) return slot;
  const Value& val = g.value(v);
  if (val.kind == ValueKind::Capture) {
    slot = g.captures()[val.index];
  } else if (val.kind == ValueKind::Constant) {
    slot = g.constants()[val.index];
  } else {
    raise<Error>("[trace] evaluating a graph through the dispatcher: value %{} is read before "
                 "it is bound (an internal error)", v);
  }
  return slot;
}

void dispatch_nodes(const Graph& g, std::span<const int32_t> nodes, std::vector<Tensor>& values) {
  std::vector<Tensor> in;
  for (int32_t n : nodes) {
    const Node& node = g.nodes()[n];
    in.clear();
    for (ValueId v : node.inputs) in.push_back(bound_value(g, values, v));
    if (node.inplace) {
      values[node.outputs[0]] = dispatch_inplace(*node.op, in);
      continue;
    }
    TensorList out = dispatch(*node.op, in);
    for (size_t i = 0; i < node.outputs.size() && i < out.size(); ++i) {
      values[node.outputs[i]] = std::move(out[i]);
    }
  }
}

std::vector<Tensor> dispatch_graph(const Graph& g, std::vector<Tensor>& values) {
  std::vector<int32_t> all(g.num_nodes());
  std::iota(all.begin(), all.end(), 0);
  dispatch_nodes(g, all, values);
  std::vector<Tensor> outs;
  outs.reserve(g.outputs().size());
  for (ValueId v : g.outputs()) outs.push_back(bound_value(g, values, v));
  return outs;
}

}  // namespace ember::trace
