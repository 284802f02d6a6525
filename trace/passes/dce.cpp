// Dead code elimination: a node is live if it writes in place (a side effect on a tensor
// that may be visible outside), or if a live node, a graph output or a kept value uses
// one of its results. Walk backwards once, marking what live nodes read.
#include "trace/passes/pipeline.h"

namespace ember::trace {

int eliminate_dead_code(Graph& g, const std::vector<ValueId>& keep) {
  std::vector<bool> needed(g.values().size(), false);
  for (ValueId v : g.outputs()) needed[v] = true;
  for (ValueId v : keep) needed[v] = true;
  const auto& nodes = g.nodes();
  std::vector<bool> live(nodes.size(), false);
  for (size_t i = nodes.size(); i-- > 0;) {
    const Node& n = nodes[i];
    bool used = n.inplace;
    for (ValueId o : n.outputs) used = used || needed[o];
    if (!used) continue;
    live[i] = true;
    for (ValueId v : n.inputs) needed[v] = true;
  }
  std::vector<Node> kept;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (live[i]) kept.push_back(nodes[i]);
  }
  int removed = static_cast<int>(nodes.size() - kept.size());
  g.set_nodes(std::move(kept));
  return removed;
}

}  // namespace ember::trace
