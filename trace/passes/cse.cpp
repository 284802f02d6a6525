// Common subexpression elimination: two nodes with equivalent ops (same name and
// attributes) on the same input values compute the same result, so the second is dropped
// and its uses point at the first. In-place nodes may change what a value's memory holds,
// so the table is cleared at each of them; random ops never merge.
#include "trace/passes/pipeline.h"

namespace ember::trace {

int eliminate_common_subexpressions(Graph& g) {
  std::vector<ValueId> remap(g.values().size());
  for (size_t i = 0; i < remap.size(); ++i) remap[i] = static_cast<ValueId>(i);
  std::vector<size_t> seen;  // indices into `kept` of candidate nodes
  std::vector<Node> kept;
  int merged = 0;
  const std::vector<bool> mutated = mutated_values(g);
  for (Node n : g.nodes()) {
    for (ValueId& v : n.inputs) v = remap[v];
    if (n.inplace) {
      seen.clear();
      kept.push_back(std::move(n));
      continue;
    }
    bool pure = n.op->is_deterministic();
    for (ValueId o : n.outputs) pure = pure && !mutated[o];
    const Node* match = nullptr;
    if (pure) {
      for (size_t k : seen) {
        const Node& m = kept[k];
        if (m.inputs == n.inputs && m.outputs.size() == n.outputs.size() &&
            m.op->is_equivalent(*n.op)) {
          match = &m;
          break;
        }
      }
    }
    if (match) {
      for (size_t i = 0; i < n.outputs.size(); ++i) remap[n.outputs[i]] = match->outputs[i];
      ++merged;
      continue;
    }
    if (pure) seen.push_back(kept.size());
    kept.push_back(std::move(n));
  }
  g.set_nodes(std::move(kept));
  replace_all_uses(g, remap);
  return merged;
}

}  // namespace ember::trace
