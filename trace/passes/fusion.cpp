// Elementwise fusion: groups of elementwise nodes that produce the same shape, where each
// member except the last feeds only other members, become one FusedElementwiseOp placed
// at the last member's position. Values used outside the group, graph outputs, kept values
// and anything written in place are never fused away. Groups do not span in-place nodes
// (they could change what a member reads).
#include <absl/container/flat_hash_map.h>

#include "trace/fused_elementwise.h"
#include "trace/passes/pipeline.h"

namespace ember::trace {

namespace {
// CPU groups run the vectorized interpreter, CUDA groups a kernel generated with NVRTC
// (core/cuda/nvrtc_fusion_kernel.cpp). A group never mixes devices.
bool fusable_device(Device d) { return d.is_cpu() || d.is_cuda(); }
}  // namespace

int fuse_elementwise(Graph& g, const std::vector<ValueId>& keep) {
  const auto& nodes = g.nodes();
  std::vector<int> uses(g.values().size(), 0);
  for (const Node& n : nodes) {
    for (ValueId v : n.inputs) ++uses[v];
  }
  for (ValueId v : g.outputs()) uses[v] += 2;  // outputs must stay materialized
  for (ValueId v : keep) uses[v] += 2;
  const std::vector<bool> mutated = mutated_values(g);

  auto fusable = [&](const Node& n) {
    return !n.inplace && n.outputs.size() == 1 && n.op->is_elementwise() &&
           n.op->kind() == OpKind::Compute && n.op->is_deterministic() &&
           n.op->name() != FusedElementwiseOp::kName && !mutated[n.outputs[0]] &&
           fusable_device(g.value(n.outputs[0]).meta.device);
  };

  // group[i]: index of the group node i belongs to (-1: none). A group is a list of nodes.
  std::vector<int> group(nodes.size(), -1);
  std::vector<std::vector<int>> groups;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    if (n.inplace) continue;
    if (!fusable(n)) continue;
    const TensorMeta& meta = g.value(n.outputs[0]).meta;
    int join = -1;
    for (ValueId v : n.inputs) {
      const Value& in = g.value(v);
      if (in.kind != ValueKind::Node || uses[v] != 1) continue;
      int p = in.producer;
      const TensorMeta& pm = g.value(nodes[p].outputs[0]).meta;
      if (group[p] < 0 || pm.shape != meta.shape || pm.device != meta.device) continue;
      // The producer must be its group's current last member (a chain, not a fork).
      if (groups[group[p]].back() != p) continue;
      join = group[p];
      break;
    }
    if (join < 0) {
      groups.push_back({static_cast<int>(i)});
      group[i] = static_cast<int>(groups.size() - 1);
    } else {
      groups[join].push_back(static_cast<int>(i));
      group[i] = join;
    }
  }
  // In-place nodes between members break a group: keep only the prefix before one.
  std::vector<int> last_inplace_before(nodes.size() + 1, -1);
  for (size_t i = 0; i < nodes.size(); ++i) {
    last_inplace_before[i + 1] = nodes[i].inplace ? static_cast<int>(i) : last_inplace_before[i];
  }

  std::vector<bool> absorbed(nodes.size(), false);
  std::vector<std::pair<int, Node>> fused_at;  // node index of the last member -> fused node
  int count = 0;
  for (auto& members : groups) {
    // Cut at the first in-place node inside the group's span.
    size_t cut = members.size();
    for (size_t k = 1; k < members.size(); ++k) {
      if (last_inplace_before[members[k] + 1] > members[0]) {
        cut = k;
        break;
      }
    }
    members.resize(cut);
    if (members.size() < 2) continue;
    std::vector<ValueId> ext;                      // fused op inputs
    absl::flat_hash_map<ValueId, int> reg;         // value -> register
    std::vector<FusedStep> steps;
    for (int m : members) {
      const Node& n = nodes[m];
      FusedStep s{n.op, {}, g.value(n.outputs[0]).meta};
      for (ValueId v : n.inputs) {
        auto it = reg.find(v);
        if (it == reg.end()) {
          ext.push_back(v);
          it = reg.emplace(v, -static_cast<int>(ext.size())).first;  // placeholder, fixed below
        }
        s.operands.push_back(it->second);
      }
      reg[n.outputs[0]] = 1000000 + static_cast<int>(steps.size());
      steps.push_back(std::move(s));
    }
    const int n_in = static_cast<int>(ext.size());
    for (FusedStep& s : steps) {
      for (int& r : s.operands) r = r < 0 ? -r - 1 : n_in + (r - 1000000);
    }
    Node fused{std::make_shared<FusedElementwiseOp>(n_in, std::move(steps)), ext,
               {nodes[members.back()].outputs[0]}, false};
    for (int m : members) absorbed[m] = true;
    fused_at.emplace_back(members.back(), std::move(fused));
    ++count;
  }
  if (count == 0) return 0;
  std::vector<Node> out;
  size_t f = 0;
  std::sort(fused_at.begin(), fused_at.end(), [](auto& a, auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!absorbed[i]) {
      out.push_back(nodes[i]);
    } else if (f < fused_at.size() && fused_at[f].first == static_cast<int>(i)) {
      out.push_back(std::move(fused_at[f].second));
      ++f;
    }
  }
  g.set_nodes(std::move(out));
  return count;
}

}  // namespace ember::trace
