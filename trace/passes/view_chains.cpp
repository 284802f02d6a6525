// View chains and needless copies, as autograd leaves them in a traced training step:
//   - permute(permute(x, p), q) is one permute of x (dims p[q[i]]); when that is the
//     identity, the uses read x itself. Linear's weight gradient is transposed twice
//     (once by matmul's backward, once by the transpose's), so this meets every layer.
//   - clone(y), where y is a fresh result of a compute node that nothing else reads or
//     writes, copies a buffer no one else sees: the producer writes the clone's value
//     directly (it keeps the clone's value id, so side effects naming it still apply).
//   - clone(view(r)), where r is such a private result of a reduction with keepdim=true and
//     the view only drops the kept size-1 dims, is the reduction with keepdim=false (a
//     bias gradient: sum(g, dims=[0], keepdim=true) viewed as [n], then copied).
// Runs with simplify, before fold_transposed_products.
#include <absl/container/flat_hash_set.h>

#include "core/op_registry.h"
#include "core/ops/view_ops.h"
#include "trace/passes/pipeline.h"

namespace ember::trace {
namespace {

const PermuteOp* as_permute(const Node& n) {
  return n.inplace ? nullptr : dynamic_cast<const PermuteOp*>(n.op.get());
}

// dims normalized to [0, rank), or empty if they are not a permutation of that range.
Shape normalized(const Shape& dims, size_t rank) {
  Shape out;
  std::vector<bool> seen(rank, false);
  for (int64_t d : dims) {
    if (d < 0) d += static_cast<int64_t>(rank);
    if (d < 0 || d >= static_cast<int64_t>(rank) || seen[d]) return {};
    seen[d] = true;
    out.push_back(d);
  }
  return out.size() == rank ? out : Shape{};
}

// Composes permute chains; returns how many permute nodes were rewritten.
int compose_permutes(Graph& g, const absl::flat_hash_set<ValueId>& keep) {
  std::vector<Node> nodes = g.nodes();
  std::vector<ValueId> remap(g.values().size());
  for (size_t v = 0; v < remap.size(); ++v) remap[v] = static_cast<ValueId>(v);
  int count = 0;
  for (Node& n : nodes) {
    const PermuteOp* outer = as_permute(n);
    if (!outer || n.outputs.size() != 1) continue;
    const Value& in = g.value(n.inputs[0]);
    if (in.kind != ValueKind::Node) continue;
    const Node& producer = nodes[in.producer];
    const PermuteOp* inner = as_permute(producer);
    if (!inner) continue;
    const size_t rank = in.meta.shape.size();
    Shape p = normalized(inner->dims, rank), q = normalized(outer->dims, rank);
    if (p.empty() || q.empty()) continue;
    Shape r(rank);
    bool identity = true;
    for (size_t i = 0; i < rank; ++i) {
      r[i] = p[q[i]];
      identity = identity && r[i] == static_cast<int64_t>(i);
    }
    const ValueId base = producer.inputs[0];
    if (identity) {
      if (keep.contains(n.outputs[0])) continue;
      remap[n.outputs[0]] = base;  // the node itself is left for DCE
    } else {
      n = Node{std::make_shared<PermuteOp>(r), {base}, n.outputs, false};
    }
    ++count;
  }
  if (count == 0) return 0;
  g.set_nodes(std::move(nodes));
  replace_all_uses(g, remap);
  return count;
}

// The reduction computing `r` with keepdim=false, if that has shape `want`; else null.
std::shared_ptr<const Op> without_keepdim(const Node& reduction, const TensorMeta& r, const Shape& want) {
  Attrs a;
  reduction.op->attributes(a);
  if (!a.has("keepdim") || !a.has("dims")) return nullptr;
  Attrs changed;
  Shape dims;
  for (const auto& [k, v] : a.items()) {
    if (k == "keepdim") {
      const bool* keep = std::get_if<bool>(&v);
      if (!keep || !*keep) return nullptr;
      changed.set(k, false);
      continue;
    }
    if (k == "dims") {
      const auto* d = std::get_if<std::vector<int64_t>>(&v);
      if (!d) return nullptr;
      dims.assign(d->begin(), d->end());
    }
    changed.set(k, v);
  }
  const int64_t rank = static_cast<int64_t>(r.shape.size());
  std::vector<bool> reduced(rank, dims.empty());
  for (int64_t d : dims) {
    if (d < 0) d += rank;
    if (d < 0 || d >= rank) return nullptr;
    reduced[d] = true;
  }
  Shape kept;
  for (int64_t d = 0; d < rank; ++d) {
    if (!reduced[d]) kept.push_back(r.shape[d]);
  }
  if (kept != want) return nullptr;
  return make_op(reduction.op->name(), changed);
}

// Removes clones of private fresh buffers; returns how many.
int drop_private_clones(Graph& g, const absl::flat_hash_set<ValueId>& keep) {
  const std::vector<Node>& nodes = g.nodes();
  std::vector<int> uses(g.values().size(), 0);
  for (const Node& n : nodes) {
    for (ValueId v : n.inputs) ++uses[v];
  }
  for (ValueId v : g.outputs()) uses[v] += 2;
  const std::vector<bool> mutated = mutated_values(g);
  std::vector<Node> out = nodes;
  std::vector<bool> drop(nodes.size(), false);
  int count = 0;
  auto is_private = [&](ValueId v) {
    const Value& val = g.value(v);
    return val.kind == ValueKind::Node && uses[v] == 1 && !mutated[v] && !keep.contains(v);
  };
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& c = nodes[i];
    if (c.op->name() != "clone" || c.inplace || c.inputs.size() != 1 || c.outputs.size() != 1) continue;
    const TensorMeta& cmeta = g.value(c.outputs[0]).meta;
    if (is_private(c.inputs[0]) && nodes[g.value(c.inputs[0]).producer].op->name() == "view") {
      const int vi = g.value(c.inputs[0]).producer;
      const ValueId r = nodes[vi].inputs[0];
      if (!drop[vi] && is_private(r)) {
        const int ri = g.value(r).producer;
        const Node& red = nodes[ri];
        if (!drop[ri] && !red.inplace && red.op->kind() == OpKind::Compute &&
            red.outputs.size() == 1 && g.value(r).meta.dtype == cmeta.dtype) {
          if (auto op = without_keepdim(red, g.value(r).meta, cmeta.shape)) {
            out[ri] = Node{op, red.inputs, c.outputs, false};
            drop[vi] = drop[i] = true;
            ++count;
            continue;
          }
        }
      }
    }
    const ValueId y = c.inputs[0];
    const Value& yv = g.value(y);
    if (yv.kind != ValueKind::Node || uses[y] != 1 || mutated[y] || keep.contains(y)) continue;
    const Node& p = nodes[yv.producer];
    if (p.inplace || p.outputs.size() != 1 || p.op->kind() != OpKind::Compute || drop[yv.producer]) continue;
    const TensorMeta& cm = g.value(c.outputs[0]).meta;
    if (cm.shape != yv.meta.shape || cm.dtype != yv.meta.dtype || cm.device != yv.meta.device) continue;
    out[yv.producer].outputs = c.outputs;  // y disappears; the clone's value is made earlier
    drop[i] = true;
    ++count;
  }
  if (count == 0) return 0;
  std::vector<Node> kept;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!drop[i]) kept.push_back(std::move(out[i]));
  }
  g.set_nodes(std::move(kept));
  return count;
}

}  // namespace

int fold_view_chains(Graph& g, const std::vector<ValueId>& keep) {
  absl::flat_hash_set<ValueId> kept(keep.begin(), keep.end());
  // Composing first turns clone(permute(permute(y))) into clone(y).
  int count = compose_permutes(g, kept);
  eliminate_dead_code(g, keep);
  return count + drop_private_clones(g, kept);
}

}  // namespace ember::trace
