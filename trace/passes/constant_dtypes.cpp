// Scalar constants in the dtype their node computes in: add(step_f64, 1.0_f32) -> add(step,
// 1.0_f64). The kernel would otherwise convert the constant on every replay (an allocation
// and a cast per node: Adam's step counters and bias corrections are such nodes). Only
// float32 -> float64 (exact) and only arithmetic ops whose result dtype is the dtype they
// compute in, so results are bit for bit the same.
#include <absl/container/flat_hash_map.h>

#include "core/ops/copy.h"
#include "trace/passes/pipeline.h"

namespace ember::trace {

int widen_scalar_constants(Graph& g) {
  std::vector<Node> nodes = g.nodes();
  absl::flat_hash_map<ValueId, ValueId> widened;  // float32 constant -> its float64 copy
  int count = 0;
  for (Node& n : nodes) {
    const std::string_view name = n.op->name();
    if (n.outputs.size() != 1 || (name != "add" && name != "sub" && name != "mul" && name != "div")) {
      continue;
    }
    const TensorMeta& out = g.value(n.outputs[0]).meta;
    if (out.dtype != DType::Float64 || !out.device.is_cpu()) continue;
    for (size_t i = n.inplace ? 1 : 0; i < n.inputs.size(); ++i) {
      const Value& v = g.value(n.inputs[i]);
      if (v.kind != ValueKind::Constant || v.meta.dtype != DType::Float32 || !v.meta.device.is_cpu() ||
          numel_of(v.meta.shape) != 1) {
        continue;
      }
      auto it = widened.find(n.inputs[i]);
      if (it == widened.end()) {
        Tensor wide = to_dtype(g.constants()[v.index], DType::Float64);
        it = widened.emplace(n.inputs[i], g.add_constant(wide)).first;
      }
      n.inputs[i] = it->second;
      ++count;
    }
  }
  if (count > 0) g.set_nodes(std::move(nodes));
  return count;
}

}  // namespace ember::trace
