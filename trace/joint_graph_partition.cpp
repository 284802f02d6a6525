#include "trace/joint_graph_partition.h"

#include <algorithm>

namespace ember::trace {
namespace {

// Copies values of `src` into `dst` on first use: captures and constants are re-declared,
// everything else must have been mapped before (an input or an earlier node's output).
class ValueCopier {
 public:
  ValueCopier(const Graph& src, Graph& dst) : src_(src), dst_(dst), map_(src.values().size(), -1) {}

  void bind(ValueId from, ValueId to) { map_[from] = to; }

  ValueId get(ValueId v) {
    if (map_[v] >= 0) return map_[v];
    const Value& val = src_.value(v);
    if (val.kind == ValueKind::Capture) {
      map_[v] = dst_.add_capture(src_.captures()[val.index], val.name);
    } else if (val.kind == ValueKind::Constant) {
      map_[v] = dst_.add_constant(src_.constants()[val.index]);
    } else {
      raise<Error>("[trace] joint graph split: value %{} is used but not defined in this half "
                   "(an internal error)", v);
    }
    return map_[v];
  }

  void copy_node(const Node& n) {
    std::vector<ValueId> in;
    in.reserve(n.inputs.size());
    for (ValueId v : n.inputs) in.push_back(get(v));
    MetaList metas;
    for (ValueId o : n.outputs) metas.push_back(src_.value(o).meta);
    std::vector<ValueId> outs = dst_.add_node(n.op, std::move(in), metas, n.inplace);
    for (size_t i = 0; i < outs.size(); ++i) map_[n.outputs[i]] = outs[i];
  }

 private:
  const Graph& src_;
  Graph& dst_;
  std::vector<ValueId> map_;
};

// Whether v is computed by the forward half: an argument or a forward node's result.
bool from_forward(const Graph& joint, ValueId v, size_t num_args, size_t num_forward_nodes) {
  const Value& val = joint.value(v);
  if (val.kind == ValueKind::Input) return static_cast<size_t>(val.index) < num_args;
  if (val.kind == ValueKind::Node) return static_cast<size_t>(val.producer) < num_forward_nodes;
  return false;
}

}  // namespace

Graph forward_prefix(const Graph& joint, size_t num_args, size_t num_forward_nodes,
                     const std::vector<ValueId>& outputs) {
  Graph fwd;
  ValueCopier copy(joint, fwd);
  for (size_t i = 0; i < num_args; ++i) {
    const Value& in = joint.value(joint.inputs()[i]);
    copy.bind(joint.inputs()[i], fwd.add_input(in.meta, in.name));
  }
  for (size_t n = 0; n < num_forward_nodes; ++n) copy.copy_node(joint.nodes()[n]);
  std::vector<ValueId> outs;
  for (ValueId v : outputs) outs.push_back(copy.get(v));
  fwd.set_outputs(std::move(outs));
  return fwd;
}

JointGraphSplit partition_joint_graph(const Graph& joint, size_t num_args,
                                      size_t num_forward_nodes,
                                      const std::vector<ValueId>& gradients,
                                      const std::vector<size_t>& diff_args,
                                      const std::vector<int8_t>& requires_grad) {
  JointGraphSplit split;
  split.num_user_outputs = joint.outputs().size();
  // Saved values, in order of first use by the backward.
  std::vector<bool> is_saved(joint.values().size(), false);
  auto note = [&](ValueId v) {
    if (!is_saved[v] && from_forward(joint, v, num_args, num_forward_nodes)) {
      is_saved[v] = true;
      split.saved.push_back(v);
    }
  };
  for (size_t n = num_forward_nodes; n < joint.nodes().size(); ++n) {
    const Node& node = joint.nodes()[n];
    if (node.inplace && (from_forward(joint, node.inputs[0], num_args, num_forward_nodes) ||
                         joint.value(node.inputs[0]).kind == ValueKind::Capture)) {
      raise<Error>("[trace] the backward of this function writes in place into a value of "
                   "its forward ({} on %{}); it cannot be split into forward and backward "
                   "graphs", node.op->name(), node.inputs[0]);
    }
    for (ValueId v : node.inputs) note(v);
  }
  for (ValueId g : gradients) {
    if (g >= 0) note(g);
  }

  split.recompute =
      plan_forward_recompute(joint, num_args, num_forward_nodes, split.saved, diff_args,
                             requires_grad);
  const std::vector<ValueId>& kept = split.recompute.kept;
  std::vector<ValueId> fwd_outputs = joint.outputs();
  fwd_outputs.insert(fwd_outputs.end(), split.saved.begin(), split.saved.end());
  fwd_outputs.insert(fwd_outputs.end(), kept.begin(), kept.end());
  split.forward = forward_prefix(joint, num_args, num_forward_nodes, fwd_outputs);
  std::vector<bool> read(split.forward.captures().size(), false);
  for (int32_t n : split.recompute.nodes) {
    for (ValueId v : split.forward.nodes()[n].inputs) {
      const Value& val = split.forward.value(v);
      if (val.kind == ValueKind::Capture) read[val.index] = true;
    }
  }
  for (size_t i = 0; i < read.size(); ++i) {
    if (read[i]) split.recompute.captures.push_back(static_cast<int32_t>(i));
  }

  ValueCopier copy(joint, split.backward);
  for (size_t i = num_args; i < joint.inputs().size(); ++i) {
    const Value& in = joint.value(joint.inputs()[i]);
    copy.bind(joint.inputs()[i], split.backward.add_input(in.meta, in.name));
  }
  for (ValueId s : split.saved) {
    copy.bind(s, split.backward.add_input(joint.value(s).meta, "saved%" + std::to_string(s)));
  }
  for (size_t n = num_forward_nodes; n < joint.nodes().size(); ++n) {
    copy.copy_node(joint.nodes()[n]);
  }
  std::vector<ValueId> outs;
  for (ValueId g : gradients) {
    if (g < 0) {
      split.gradient_slot.push_back(-1);
      continue;
    }
    split.gradient_slot.push_back(static_cast<int>(outs.size()));
    outs.push_back(copy.get(g));
  }
  split.backward.set_outputs(std::move(outs));
  return split;
}

}  // namespace ember::trace
