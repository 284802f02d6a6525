// Common subexpression elimination: two nodes with equivalent ops (same name and
// attributes) on the same input values compute the same result, so the second is dropped
// and its uses point at the first. An in-place node changes what the memory it writes holds,
// so candidates reading that memory (any value aliasing it: views, earlier in-place
// results) are forgotten at it; others stay (optimizer steps interleave in-place updates
// with the same scalar arithmetic per parameter). Random ops never merge.
#include "trace/passes/pipeline.h"

namespace ember::trace {

int eliminate_common_subexpressions(Graph& g) {
  std::vector<ValueId> remap(g.values().size());
  for (size_t i = 0; i < remap.size(); ++i) remap[i] = static_cast<ValueId>(i);
  std::vector<size_t> seen;  // indices into `kept` of candidate nodes
  std::vector<Node> kept;
  int merged = 0;
  const std::vector<bool> mutated = mutated_values(g);
  // Alias roots: views and in-place results share their first input's memory.
  std::vector<ValueId> parent(g.values().size());
  for (size_t i = 0; i < parent.size(); ++i) parent[i] = static_cast<ValueId>(i);
  auto root = [&](ValueId v) {
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
  };
  for (const Node& n : g.nodes()) {
    if (n.op->kind() == OpKind::View || n.inplace) {
      for (ValueId o : n.outputs) parent[root(o)] = root(n.inputs[0]);
    }
  }
  for (Node n : g.nodes()) {
    for (ValueId& v : n.inputs) v = remap[v];
    if (n.inplace) {
      const ValueId written = root(n.inputs[0]);
      std::erase_if(seen, [&](size_t k) {
        for (ValueId v : kept[k].inputs) {
          if (root(v) == written) return true;
        }
        return false;
      });
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
