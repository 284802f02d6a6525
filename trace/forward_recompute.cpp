#include "trace/forward_recompute.h"

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "trace/value_description.h"

namespace ember::trace {
namespace {

constexpr int64_t kAfterForward = std::numeric_limits<int64_t>::max() - 1;

// Per joint value: whether it carries autograd history in eager (depends on a differentiable
// source through differentiable ops) and whether it depends on a random draw.
struct Lineage {
  std::vector<bool> differentiable, random;
};

Lineage trace_lineage(const Graph& joint, size_t num_args, size_t num_forward_nodes,
                      const std::vector<size_t>& diff_args,
                      const std::vector<int8_t>& requires_grad) {
  Lineage l{std::vector<bool>(joint.values().size(), false),
            std::vector<bool>(joint.values().size(), false)};
  for (size_t i : diff_args) {
    if (i < num_args) l.differentiable[joint.inputs()[i]] = true;
  }
  for (size_t i = 0; i < joint.captures().size(); ++i) {
    l.differentiable[joint.capture_values()[i]] = joint.captures()[i].requires_grad();
  }
  for (size_t n = 0; n < num_forward_nodes; ++n) {
    const Node& node = joint.nodes()[n];
    bool any_diff = false, any_random = false;
    for (ValueId v : node.inputs) {
      any_diff = any_diff || l.differentiable[v];
      any_random = any_random || l.random[v];
    }
    // A random op is never redrawn; its (in-place) gradient is zero, so no history either.
    const bool draws = !node.op->is_deterministic();
    for (ValueId o : node.outputs) {
      const bool made_without_grad =
          static_cast<size_t>(o) < requires_grad.size() && requires_grad[o] == 0;
      l.differentiable[o] =
          !draws && node.op->is_differentiable() && any_diff && !made_without_grad;
      l.random[o] = draws || any_random;
    }
  }
  return l;
}

}  // namespace

ForwardRecompute plan_forward_recompute(const Graph& joint, size_t num_args,
                                        size_t num_forward_nodes,
                                        const std::vector<ValueId>& saved,
                                        const std::vector<size_t>& diff_args,
                                        const std::vector<int8_t>& requires_grad) {
  ForwardRecompute plan;
  const Lineage l = trace_lineage(joint, num_args, num_forward_nodes, diff_args, requires_grad);
  const size_t num_values = joint.values().size();
  // Values bound before the recompute runs: saved values without history (from the replay).
  std::vector<bool> from_replay(num_values, false);
  for (ValueId s : saved) from_replay[s] = !l.differentiable[s];
  std::vector<bool> in_plan(num_forward_nodes, false), seen(num_values, false);
  std::vector<bool> reads_arg(num_args, false);
  std::vector<ValueId> stack;
  for (size_t k = 0; k < saved.size(); ++k) {
    if (!l.differentiable[saved[k]]) continue;
    plan.saved.push_back(k);
    stack.push_back(saved[k]);
  }
  while (!stack.empty()) {
    const ValueId v = stack.back();
    stack.pop_back();
    if (seen[v]) continue;
    seen[v] = true;
    const Value& val = joint.value(v);
    if (val.kind == ValueKind::Input) {
      reads_arg[val.index] = true;
    } else if (val.kind == ValueKind::Node && !from_replay[v]) {
      if (!l.differentiable[v] && l.random[v]) {
        plan.kept.push_back(v);  // a draw (or derived from draws alone): never redrawn
        from_replay[v] = true;
        continue;
      }
      if (in_plan[val.producer]) continue;
      in_plan[val.producer] = true;
      for (ValueId in : joint.nodes()[val.producer].inputs) stack.push_back(in);
    }
  }
  for (size_t i = 0; i < num_args; ++i) {
    if (reads_arg[i]) plan.args.push_back(i);
  }
  for (size_t n = 0; n < num_forward_nodes; ++n) {
    if (!in_plan[n]) continue;
    plan.nodes.push_back(static_cast<int32_t>(n));
    bool any_diff = false;
    for (ValueId o : joint.nodes()[n].outputs) any_diff = any_diff || l.differentiable[o];
    plan.no_grad.push_back(!any_diff);
  }

  // In-place writes. The recompute must not write into tensors it does not own, and must
  // not read a tensor whose contents the forward changed afterwards (the live arguments and
  // captures, and the replay's values, hold the contents after the whole forward).
  auto owned = [&](ValueId root) {
    const Value& r = joint.value(root);
    return r.kind == ValueKind::Node && in_plan[r.producer] && !from_replay[root];
  };
  // Per storage root: the first and last plan node reading it (the saved values the plan
  // makes count as read after the whole forward).
  std::vector<int64_t> first_read(num_values, kAfterForward + 1), last_read(num_values, -1);
  auto note_read = [&](ValueId v, int64_t at) {
    const ValueId root = storage_root(joint, v);
    first_read[root] = std::min(first_read[root], at);
    last_read[root] = std::max(last_read[root], at);
  };
  for (int32_t n : plan.nodes) {
    for (ValueId in : joint.nodes()[n].inputs) note_read(in, n);
  }
  for (size_t k : plan.saved) note_read(saved[k], kAfterForward);
  for (size_t n = 0; n < num_forward_nodes && plan.unsupported.empty(); ++n) {
    const Node& node = joint.nodes()[n];
    if (!node.inplace) continue;
    const ValueId root = storage_root(joint, node.inputs[0]);
    const auto at = static_cast<int64_t>(n);
    if (in_plan[n] && !owned(root)) {
      plan.unsupported = fmt::format(
          "its forward writes in place ({}_) into {}, which a create_graph backward would have "
          "to write again", node.op->name(), describe_value(joint, root, joint.outputs()));
    } else if (!in_plan[n] && (owned(root) ? last_read[root] > at : first_read[root] < at)) {
      // Owned: the recompute would miss this write. Not owned: the tensor now holds what the
      // write made, but the recompute reads what was there before.
      plan.unsupported = fmt::format(
          "its forward writes in place ({}_) into {}, which the values the backward needs "
          "were computed from before the write", node.op->name(),
          describe_value(joint, root, joint.outputs()));
    }
  }
  return plan;
}

}  // namespace ember::trace
