// Constant folding: a deterministic node whose inputs are all constants (or that has no
// inputs, like full) is evaluated once at compile time and becomes a constant. Results
// larger than kMaxFoldedElements stay computed, to keep graphs small.
#include "core/dispatch.h"
#include "trace/passes/pipeline.h"

namespace ember::trace {
namespace {
constexpr int64_t kMaxFoldedElements = 1 << 16;
}

int fold_constants(Graph& g) {
  std::vector<ValueId> remap(g.values().size());
  for (size_t i = 0; i < remap.size(); ++i) remap[i] = static_cast<ValueId>(i);
  std::vector<Node> kept;
  int folded = 0;
  const std::vector<bool> mutated = mutated_values(g);
  for (const Node& n : g.nodes()) {
    bool foldable = !n.inplace && n.op->is_deterministic();
    for (ValueId o : n.outputs) foldable = foldable && !mutated[o];
    for (ValueId v : n.inputs) {
      foldable = foldable && g.value(remap[v]).kind == ValueKind::Constant;
    }
    for (ValueId o : n.outputs) {
      int64_t numel = 1;
      for (int64_t d : g.value(o).meta.shape) numel *= d;
      foldable = foldable && numel <= kMaxFoldedElements && numel >= 0;
    }
    if (!foldable) {
      kept.push_back(n);
      continue;
    }
    TensorList in;
    for (ValueId v : n.inputs) {
      const Value& c = g.value(remap[v]);
      in.push_back(g.constants()[c.index]);
    }
    TensorList out = run_op(*n.op, in);
    for (size_t i = 0; i < out.size(); ++i) {
      ValueId c = g.add_constant(out[i]);
      remap.push_back(c);  // keep remap sized to the value table
      remap[n.outputs[i]] = c;
    }
    ++folded;
  }
  g.set_nodes(std::move(kept));
  replace_all_uses(g, remap);
  return folded;
}

}  // namespace ember::trace
