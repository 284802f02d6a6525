// Algebraic simplification from a rule table. Each rule looks at one node whose operand is
// a constant of a known value and, when the result would equal another operand exactly
// (same shape and dtype, so no broadcast or promotion is lost), forwards that operand.
#include <cmath>
#include <optional>

#include "trace/passes/pipeline.h"

namespace ember::trace {
namespace {

// The value of a one-element constant, if v is one.
std::optional<double> constant_value(const Graph& g, ValueId v) {
  const Value& val = g.value(v);
  if (val.kind != ValueKind::Constant) return std::nullopt;
  const Tensor& t = g.constants()[val.index];
  if (t.numel() != 1 || !t.device().is_cpu()) return std::nullopt;
  return read_as_double(t, 0);
}

struct Rule {
  const char* op;
  int constant_input;  // which input must be the constant
  double value;
  int forward_input;   // which input the result equals
};

// x + 0, 0 + x, x - 0, x * 1, 1 * x, x / 1, x ** 1
constexpr Rule kRules[] = {
    {"add", 1, 0.0, 0}, {"add", 0, 0.0, 1}, {"sub", 1, 0.0, 0}, {"mul", 1, 1.0, 0},
    {"mul", 0, 1.0, 1}, {"div", 1, 1.0, 0}, {"pow", 1, 1.0, 0},
};

bool same_meta(const TensorMeta& a, const TensorMeta& b) {
  return a.shape == b.shape && a.dtype == b.dtype && a.device == b.device;
}

}  // namespace

int simplify_algebra(Graph& g) {
  std::vector<ValueId> remap(g.values().size());
  for (size_t i = 0; i < remap.size(); ++i) remap[i] = static_cast<ValueId>(i);
  const std::vector<bool> mutated = mutated_values(g);
  std::vector<Node> kept;
  int rewritten = 0;
  for (Node n : g.nodes()) {
    for (ValueId& v : n.inputs) v = remap[v];
    std::optional<ValueId> forward;
    // Forwarding an operand must not let a later in-place write reach it.
    bool any_mutated = mutated[n.outputs.empty() ? 0 : n.outputs[0]];
    for (ValueId v : n.inputs) any_mutated = any_mutated || mutated[v];
    if (!n.inplace && n.outputs.size() == 1 && !any_mutated) {
      const TensorMeta& out = g.value(n.outputs[0]).meta;
      for (const Rule& r : kRules) {
        if (n.op->name() != r.op || n.inputs.size() != 2) continue;
        auto c = constant_value(g, n.inputs[r.constant_input]);
        if (c && *c == r.value && same_meta(g.value(n.inputs[r.forward_input]).meta, out)) {
          forward = n.inputs[r.forward_input];
          break;
        }
      }
      // Casts to the same dtype and reshapes to the same shape are identities.
      if (!forward && (n.op->name() == "cast" || n.op->name() == "alias") &&
          same_meta(g.value(n.inputs[0]).meta, out)) {
        forward = n.inputs[0];
      }
      // neg(neg(x)) -> x
      if (!forward && n.op->name() == "neg") {
        const Value& in = g.value(n.inputs[0]);
        if (in.kind == ValueKind::Node && in.producer >= 0) {
          for (const Node& k : kept) {
            if (k.outputs.size() == 1 && k.outputs[0] == n.inputs[0] && k.op->name() == "neg" &&
                !k.inplace) {
              forward = k.inputs[0];
            }
          }
        }
      }
    }
    if (forward) {
      remap[n.outputs[0]] = *forward;
      ++rewritten;
      continue;
    }
    kept.push_back(std::move(n));
  }
  g.set_nodes(std::move(kept));
  replace_all_uses(g, remap);
  return rewritten;
}

}  // namespace ember::trace
