#include "trace/passes/pipeline.h"

#include <functional>

namespace ember::trace {

void replace_all_uses(Graph& g, const std::vector<ValueId>& remap) {
  auto fix = [&](ValueId v) {
    while (v >= 0 && v < static_cast<ValueId>(remap.size()) && remap[v] != v) v = remap[v];
    return v;
  };
  std::vector<Node> nodes = g.nodes();
  for (Node& n : nodes) {
    for (ValueId& v : n.inputs) v = fix(v);
  }
  g.set_nodes(std::move(nodes));
  for (ValueId& v : g.mutable_outputs()) v = fix(v);
}

std::vector<bool> mutated_values(const Graph& g) {
  // Union-find over "is a view of" edges.
  std::vector<ValueId> parent(g.values().size());
  for (size_t i = 0; i < parent.size(); ++i) parent[i] = static_cast<ValueId>(i);
  std::function<ValueId(ValueId)> root = [&](ValueId v) {
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
  };
  for (const Node& n : g.nodes()) {
    if (n.op->kind() == OpKind::View || n.inplace) {
      for (ValueId o : n.outputs) parent[root(o)] = root(n.inputs[0]);
    }
  }
  std::vector<bool> group_written(parent.size(), false);
  for (const Node& n : g.nodes()) {
    if (n.inplace) group_written[root(n.inputs[0])] = true;
  }
  std::vector<bool> out(parent.size());
  for (size_t v = 0; v < parent.size(); ++v) out[v] = group_written[root(static_cast<ValueId>(v))];
  return out;
}

void run_passes(Graph& g, const std::vector<ValueId>& keep, const PassOptions& o,
                std::vector<std::string>* log) {
  auto step = [&](const char* name, bool on, auto&& pass) {
    if (!on) return;
    size_t before = g.num_nodes();
    int changed = pass();
    if (log) {
      log->push_back(fmt::format("{}: {} change(s), {} -> {} nodes", name, changed, before, g.num_nodes()));
    }
    if (o.dump) o.dump(name, g);
  };
  if (o.dump) o.dump("traced", g);
  step("simplify", o.simplify, [&] {
    return simplify_algebra(g) + fold_view_chains(g, keep) + fold_transposed_products(g, keep);
  });
  step("fold", o.fold, [&] { return fold_constants(g) + widen_scalar_constants(g); });
  step("cse", o.cse, [&] { return eliminate_common_subexpressions(g); });
  step("dce", o.dce, [&] { return eliminate_dead_code(g, keep); });
  step("fuse", o.fuse, [&] { return fuse_elementwise(g, keep) + fuse_inplace_updates(g, keep); });
  if (o.after_passes) o.after_passes(g);
}

std::unique_ptr<Executor> compile_graph(const Graph& traced, const SideEffects& effects,
                                        const PassOptions& opts, std::vector<std::string>* log) {
  Graph optimized = traced;
  std::vector<ValueId> keep;
  for (auto& [leaf, grad] : effects.grad_writes) {
    keep.push_back(leaf);
    if (grad >= 0) keep.push_back(grad);
  }
  run_passes(optimized, keep, opts, log);
  auto executor = std::make_unique<Executor>(std::make_shared<Graph>(std::move(optimized)), effects,
                                             opts.plan);
  if (log && opts.plan) {
    const MemoryPlan& p = executor->memory_plan();
    log->push_back(fmt::format("plan: {} values in a {} B arena ({} B without reuse)", p.num_planned(),
                               p.arena_bytes, p.naive_bytes));
  }
  return executor;
}

}  // namespace ember::trace
