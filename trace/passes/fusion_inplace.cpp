// In-place update fusion: a run of elementwise in-place writes to one tensor, with the
// single-use elementwise values that feed them, becomes one in-place FusedElementwiseOp:
//   buf.mul_(m); buf.add_(g * (1 - d)); w.sub_(buf * lr)
// turns into fused_(buf: ops='mul,mul,add'), fused_(w: ops='mul,sub'): one pass over each
// tensor instead of five. This is what optimizer steps look like once traced.
//
// A group runs at its last in-place member's position, so members move later. That is safe
// when every pair of nodes touching the same memory (at least one writing) keeps its order;
// groups that would reorder such a pair are dropped (checked over the whole graph, since
// every group moves).
#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <functional>

#include "trace/fused_elementwise.h"
#include "trace/passes/pipeline.h"

namespace ember::trace {
namespace {

struct Group {
  int anchor;                // the last in-place member: the fused node goes here
  std::vector<int> members;  // node indices, in original order
};

}  // namespace

int fuse_inplace_updates(Graph& g, const std::vector<ValueId>& keep) {
  const std::vector<Node> nodes = g.nodes();
  const size_t nv = g.values().size();
  std::vector<int> uses(nv, 0);
  for (const Node& n : nodes) {
    for (ValueId v : n.inputs) ++uses[v];
  }
  for (ValueId v : g.outputs()) uses[v] += 2;
  for (ValueId v : keep) uses[v] += 2;
  const std::vector<bool> mutated = mutated_values(g);
  // Alias roots: views and in-place results share their first input's memory.
  std::vector<ValueId> parent(nv);
  for (size_t v = 0; v < nv; ++v) parent[v] = static_cast<ValueId>(v);
  std::function<ValueId(ValueId)> root = [&](ValueId v) {
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
  };
  for (const Node& n : nodes) {
    if (n.op->kind() == OpKind::View || n.inplace) {
      for (ValueId o : n.outputs) parent[root(o)] = root(n.inputs[0]);
    }
  }

  auto elementwise = [&](const Node& n) {
    return n.outputs.size() == 1 && n.op->is_elementwise() && n.op->kind() == OpKind::Compute &&
           n.op->is_deterministic() && g.value(n.outputs[0]).meta.device.is_cpu();
  };
  auto fusable_inplace = [&](const Node& n) {
    return n.inplace && elementwise(n) && n.op->name() != FusedElementwiseOp::kName &&
           g.value(n.inputs[0]).meta.dtype == DType::Float32;
  };

  std::vector<int> group_of(nodes.size(), -1);
  std::vector<Group> groups;
  for (int i = static_cast<int>(nodes.size()) - 1; i >= 0; --i) {
    if (group_of[i] >= 0 || !fusable_inplace(nodes[i])) continue;
    const Shape& shape = g.value(nodes[i].inputs[0]).meta.shape;
    Group grp{i, {}};
    std::vector<int> todo{i};
    // Earlier in-place writes to the same tensor whose result only this chain reads.
    for (int cur = i;;) {
      const Value& t = g.value(nodes[cur].inputs[0]);
      if (t.kind != ValueKind::Node || uses[nodes[cur].inputs[0]] != 1) break;
      const int j = t.producer;
      if (group_of[j] >= 0 || !fusable_inplace(nodes[j])) break;
      todo.push_back(j);
      cur = j;
    }
    // Single-use, same-shape elementwise producers of the members' other operands.
    while (!todo.empty()) {
      const int m = todo.back();
      todo.pop_back();
      grp.members.push_back(m);
      group_of[m] = static_cast<int>(groups.size());
      const Node& n = nodes[m];
      for (size_t k = n.inplace ? 1 : 0; k < n.inputs.size(); ++k) {
        const ValueId v = n.inputs[k];
        const Value& val = g.value(v);
        if (val.kind != ValueKind::Node || uses[v] != 1 || mutated[v] || val.meta.shape != shape) continue;
        const Node& p = nodes[val.producer];
        if (p.inplace || !elementwise(p) || group_of[val.producer] >= 0) continue;
        todo.push_back(val.producer);
      }
    }
    std::sort(grp.members.begin(), grp.members.end());
    groups.push_back(std::move(grp));
  }

  // Drop groups that would reorder two accesses to the same memory (one a write).
  struct Access {
    int node;
    bool write;
  };
  absl::flat_hash_map<ValueId, std::vector<Access>> by_root;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    if (n.op->kind() == OpKind::View) continue;  // makes an alias, touches no data
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      by_root[root(n.inputs[k])].push_back({static_cast<int>(i), n.inplace && k == 0});
    }
  }
  std::vector<bool> alive(groups.size(), true);
  auto position = [&](int n) {
    const int gi = group_of[n];
    return std::pair<int, int>(gi >= 0 && alive[gi] ? groups[gi].anchor : n, n);
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (auto& [r, acc] : by_root) {
      for (size_t a = 0; a < acc.size() && !changed; ++a) {
        for (size_t b = a + 1; b < acc.size() && !changed; ++b) {
          if (!acc[a].write && !acc[b].write) continue;
          if (acc[a].node == acc[b].node || position(acc[a].node) < position(acc[b].node)) continue;
          for (int n : {acc[a].node, acc[b].node}) {
            if (group_of[n] >= 0 && alive[group_of[n]]) {
              alive[group_of[n]] = false;
              changed = true;
              break;
            }
          }
        }
      }
      if (changed) break;
    }
  }

  // Build the fused nodes.
  std::vector<std::optional<Node>> fused_at(nodes.size());
  std::vector<bool> absorbed(nodes.size(), false);
  int count = 0;
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    const Group& grp = groups[gi];
    if (!alive[gi] || grp.members.size() < 2) continue;
    // The tensor written: the first in-place member's target (later ones write its results).
    ValueId target = -1;
    for (int m : grp.members) {
      if (nodes[m].inplace) {
        target = nodes[m].inputs[0];
        break;
      }
    }
    std::vector<ValueId> ext{target};
    absl::flat_hash_map<ValueId, int> reg{{target, 0}};
    std::vector<FusedStep> steps;
    for (int m : grp.members) {
      const Node& n = nodes[m];
      std::vector<int> regs;  // this member's operands: ext index, or -1 - step number
      for (ValueId v : n.inputs) {
        auto it = reg.find(v);
        if (it == reg.end()) {
          ext.push_back(v);
          it = reg.emplace(v, static_cast<int>(ext.size()) - 1).first;
        }
        regs.push_back(it->second);
      }
      if (auto* f = dynamic_cast<const FusedElementwiseOp*>(n.op.get())) {
        // An out-of-place fused chain is inlined: its registers are its inputs, then steps.
        for (const FusedStep& fs : f->steps()) {
          FusedStep s{fs.op, {}, fs.meta};
          for (int r : fs.operands) s.operands.push_back(regs[r]);
          regs.push_back(-1 - static_cast<int>(steps.size()));
          steps.push_back(std::move(s));
        }
        reg[n.outputs[0]] = regs.back();
        continue;
      }
      FusedStep s{n.op, regs, g.value(n.outputs[0]).meta};
      reg[n.outputs[0]] = -1 - static_cast<int>(steps.size());  // a step result
      steps.push_back(std::move(s));
    }
    // The loop writes the target tile by tile, so it may read the target's memory only as
    // the target itself (same positions); another view of it (w.t()) would see a mix of old
    // and new values.
    bool aliased = false;
    for (size_t k = 1; k < ext.size(); ++k) aliased = aliased || root(ext[k]) == root(target);
    if (aliased) continue;
    const int n_in = static_cast<int>(ext.size());
    for (FusedStep& s : steps) {
      for (int& r : s.operands) r = r < 0 ? n_in + (-1 - r) : r;
    }
    if (!compile_fused_program(n_in, steps)) continue;  // no vectorized form: no gain
    Node fused{std::make_shared<FusedElementwiseOp>(n_in, std::move(steps)), ext,
               {nodes[grp.anchor].outputs[0]}, /*inplace=*/true};
    for (int m : grp.members) absorbed[m] = true;
    fused_at[grp.anchor] = std::move(fused);
    ++count;
  }
  if (count == 0) return 0;
  std::vector<Node> out;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (fused_at[i]) {
      out.push_back(std::move(*fused_at[i]));
    } else if (!absorbed[i]) {
      out.push_back(nodes[i]);
    }
  }
  g.set_nodes(std::move(out));
  return count;
}

}  // namespace ember::trace
