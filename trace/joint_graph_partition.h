#pragma once
// Splits a joint graph (a traced forward followed by the backward that autograd ran from its
// outputs, recorded by the same tracer) into a forward graph and a backward graph, the way
// AOTAutograd does for torch.compile:
//   forward:  the function's arguments -> its outputs, then the "saved" values;
//   backward: the output gradients, then the saved values -> the requested gradients.
// Saved values are what backward nodes read from the forward half: forward node results and
// arguments. Captured tensors (parameters) and constants stay captures/constants in both
// graphs, bound by reference, so they are not saved.
#include <vector>

#include "trace/forward_recompute.h"
#include "trace/graph.h"

namespace ember::trace {

struct JointGraphSplit {
  // inputs: args; outputs: user outputs, then saved values, then recompute.kept
  Graph forward;
  Graph backward;                 // inputs: grad outputs, then saved; outputs: gradients
  std::vector<ValueId> saved;     // joint-graph values the backward reads from the forward
  size_t num_user_outputs = 0;
  std::vector<int> gradient_slot;  // per requested gradient: its backward output, or -1
  // For create_graph backward: which forward nodes to dispatch again (forward_recompute.h);
  // node indices are the same in `forward` and in the joint graph.
  ForwardRecompute recompute;
};

// The joint graph's layout: inputs [0, num_args) are the function's arguments, the inputs
// after them the gradients of the outputs; nodes [0, num_forward_nodes) are the forward.
// joint.outputs() are the user outputs. `gradients`: per requested gradient its value in the
// joint graph, or -1 (unused: autograd returned none). Raises when the backward writes in
// place into a value of the forward (not expressible as two graphs). `diff_args` and
// `requires_grad`: for the recompute plan (plan_forward_recompute).
JointGraphSplit partition_joint_graph(const Graph& joint, size_t num_args,
                                      size_t num_forward_nodes,
                                      const std::vector<ValueId>& gradients,
                                      const std::vector<size_t>& diff_args = {},
                                      const std::vector<int8_t>& requires_grad = {});

// The forward half alone with the given outputs (joint values).
Graph forward_prefix(const Graph& joint, size_t num_args, size_t num_forward_nodes,
                     const std::vector<ValueId>& outputs);

}  // namespace ember::trace
