// (A B)^T = B^T A^T: a contiguous copy of a transposed matrix product,
//   m = matmul(a, b); p = permute(m, [1, 0]); c = clone(p)
// becomes one product that writes c's layout directly (BLAS takes the transposes as flags):
//   c = matmul(permute(b, [1, 0]), permute(a, [1, 0]))
// Autograd's weight gradients of Linear layers have this shape, so a traced training step
// saves a strided copy per layer. The new product sits where the old one was, so it reads
// a and b as they were there; m and p must have no other reader and nothing may write to
// them in place.
#include "core/ops/view_ops.h"
#include "trace/passes/pipeline.h"

namespace ember::trace {
namespace {

bool is_transpose_2d(const Node& n) {
  auto* p = dynamic_cast<const PermuteOp*>(n.op.get());
  return p && !n.inplace && p->dims.size() == 2 && p->dims[0] == 1 && p->dims[1] == 0;
}

}  // namespace

int fold_transposed_products(Graph& g, const std::vector<ValueId>& keep) {
  const std::vector<Node> nodes = g.nodes();
  std::vector<int> uses(g.values().size(), 0);
  for (const Node& n : nodes) {
    for (ValueId v : n.inputs) ++uses[v];
  }
  for (ValueId v : g.outputs()) uses[v] += 2;
  for (ValueId v : keep) uses[v] += 2;
  const std::vector<bool> mutated = mutated_values(g);
  auto single_node_use = [&](ValueId v) {
    return g.value(v).kind == ValueKind::Node && uses[v] == 1 && !mutated[v];
  };

  // matmul node index -> clone node index it is rewritten into.
  std::vector<int> rewrite_at(nodes.size(), -1);
  std::vector<bool> drop(nodes.size(), false);
  int count = 0;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& c = nodes[i];
    if (c.op->name() != "clone" || c.inplace || c.inputs.size() != 1) continue;
    const ValueId p = c.inputs[0];
    if (!single_node_use(p)) continue;
    const int pi = g.value(p).producer;
    if (!is_transpose_2d(nodes[pi])) continue;
    const ValueId m = nodes[pi].inputs[0];
    if (!single_node_use(m)) continue;
    const int mi = g.value(m).producer;
    const Node& mm = nodes[mi];
    if (mm.op->name() != "matmul" || mm.inplace || mm.inputs.size() != 2) continue;
    if (g.value(mm.inputs[0]).meta.shape.size() != 2 || g.value(mm.inputs[1]).meta.shape.size() != 2) continue;
    if (g.value(c.outputs[0]).meta.dtype != g.value(m).meta.dtype) continue;
    rewrite_at[mi] = static_cast<int>(i);
    drop[pi] = drop[i] = true;
    ++count;
  }
  if (count == 0) return 0;

  std::vector<Node> out;
  // The transpose of v as a value: the input of a transpose node, or a new view.
  auto transposed = [&](ValueId v) {
    const Value& val = g.value(v);
    if (val.kind == ValueKind::Node && is_transpose_2d(nodes[val.producer])) {
      return nodes[val.producer].inputs[0];
    }
    const TensorMeta& m = val.meta;
    TensorMeta t{Shape{m.shape[1], m.shape[0]}, m.dtype, m.device};
    ValueId id = g.add_node(std::make_shared<PermuteOp>(Shape{1, 0}), {v}, {t})[0];
    out.push_back(g.nodes().back());
    return id;
  };
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (drop[i]) continue;
    if (rewrite_at[i] < 0) {
      out.push_back(nodes[i]);
      continue;
    }
    const Node& mm = nodes[i];
    const ValueId bt = transposed(mm.inputs[1]);
    const ValueId at = transposed(mm.inputs[0]);
    out.push_back(Node{mm.op, {bt, at}, {nodes[rewrite_at[i]].outputs[0]}, false});
  }
  g.set_nodes(std::move(out));
  return count;
}

}  // namespace ember::trace
